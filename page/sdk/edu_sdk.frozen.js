/* Bundle shape: a frozen SDK object assigned to window. */
window.AgoraEduSDK = Object.freeze (RecordhostStandin.create ());
