/* The least a host must inject to catch readiness: wrap the launch listener of
 * a window-assigned AgoraEduSDK and call window.__benchReady () on event 1.
 * Each benchmarked host defines __benchReady its own way. */
(function () {
  let sdk;
  Object.defineProperty (window, 'AgoraEduSDK', {
    configurable: true,
    get () { return sdk; },
    set (value) {
      const launch = value.launch;
      value.launch = function (dom, options) {
        const listener = options.listener;
        options.listener = function (evt) {
          if (evt === 1)
            window.__benchReady ();
          return listener && listener.apply (this, arguments);
        };
        return launch.call (this, dom, options);
      };
      sdk = value;
    },
  });
}) ();
