/* Bundle shape: a UMD wrapper, as webpack's "umd" library target emits. */
(function (root, factory) {
  if (typeof define === 'function' && define.amd)
    define ([], factory);
  else if (typeof exports === 'object' && typeof module === 'object')
    module.exports = factory ();
  else
    root.AgoraEduSDK = factory ();
}) (this, function () {
  return RecordhostStandin.create ();
});
