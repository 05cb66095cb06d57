/* Bundle shape: a top-level class with static methods. */
const standin = RecordhostStandin.create ();
class AgoraEduSDK {
  static config (options) {
    return standin.config (options);
  }
  static launch (dom, options) {
    return standin.launch (dom, options);
  }
}
