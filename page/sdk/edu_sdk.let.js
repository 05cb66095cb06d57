/* Bundle shape: a top-level let. */
let AgoraEduSDK = RecordhostStandin.create ();
