/* Bundle shape: a top-level const, which never becomes a window property. */
const AgoraEduSDK = RecordhostStandin.create ();
