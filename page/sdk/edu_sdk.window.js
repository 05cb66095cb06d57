/* Bundle shape: plain assignment to window. */
window.AgoraEduSDK = RecordhostStandin.create ();
