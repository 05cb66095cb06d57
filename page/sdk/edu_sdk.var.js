/* Bundle shape: a top-level var. */
var AgoraEduSDK = RecordhostStandin.create ();
