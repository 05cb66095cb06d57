
  /* recordhost bridge, page: what the page reads and registers that the cloud
   * would answer otherwise (its User-Agent, service workers, room
   * parameters), and DOM content loaded. */

  /* Some SDKs refuse browsers they do not know: say when the page looks. */
  const userAgent = getOwnPropertyDescriptor (Navigator.prototype, 'userAgent');
  if (userAgent && userAgent.get) {
    let reported = false;
    defineProperty (Navigator.prototype, 'userAgent', {
      configurable: true,
      enumerable: userAgent.enumerable,
      get: function () {
        const value = userAgent.get.call (this);
        if (!reported) {
          reported = true;
          post ('user-agent-read', { value: value });
        }
        return value;
      },
    });
  }

  /* A service worker the page registers: its script failing to load does
   * not break the page, unlike the SDK bundle's. */
  const workers = window.ServiceWorkerContainer && ServiceWorkerContainer.prototype;
  if (workers && typeof workers.register === 'function') {
    const register = workers.register;
    workers.register = function (url) {
      let href = String (url);
      try {
        href = new URL (href, document.baseURI).href;
      } catch (e) {
      }
      post ('service-worker', { url: href });
      return register.apply (this, arguments);
    };
  }

  /* DOM content loaded, for the timeline. */
  document.addEventListener ('DOMContentLoaded', function () {
    post ('dom-content-loaded', {});
  }, true);

  /* Room parameters the page reads but nobody supplied: a difference from
   * the cloud, which passes them.  Their list is the host's (config). */
  const ROOM_PARAMS = config.roomParams;
  const reportedParams = new Set ();
  const paramsGet = URLSearchParams.prototype.get;
  URLSearchParams.prototype.get = function get (name) {
    const value = paramsGet.call (this, name);
    const key = String (name);
    if (value === null && ROOM_PARAMS.indexOf (key) >= 0 && !reportedParams.has (key)) {
      reportedParams.add (key);
      post ('param-missing', { name: key });
    }
    return value;
  };

  /* The SDK bundle the command line named (--sdk), for the bundled page to
   * load: it comes from the host, never from the page's URL, which whoever
   * asked for the page wrote.  Fixed before any of the page's scripts run. */
  if (typeof config.sdkBundle === 'string')
    defineProperty (window, '__recordhostSdkBundle', {
      value: config.sdkBundle,
      enumerable: false,
      writable: false,
      configurable: false,
    });
