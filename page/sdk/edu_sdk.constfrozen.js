/* Bundle shape: a top-level const bound to a frozen object, the one shape
 * whose launch cannot be wrapped. */
const AgoraEduSDK = Object.freeze (RecordhostStandin.create ());
