/* recordhost network watch: every request the page's scripts make (fetch,
 * XMLHttpRequest, WebSocket, EventSource, sendBeacon) is reported with its
 * method, URL and outcome, and sent elsewhere when a route (--route
 * HOST=URL) names its host.  WebKit's own resource signals see the
 * transport; this sees what the page asked for.
 *
 * This file is an expression: (function (config, post) {...}).
 * config.routes is [{ host, base }]: a request to http(s)://HOST/PATH goes
 * to BASE/PATH (ws(s)://HOST/PATH to BASE/PATH with BASE's scheme made ws).
 */
(function (config, post) {
  'use strict';

  const routes = Array.isArray (config.routes) ? config.routes : [];
  const NativeURL = URL;
  let serial = 0;

  function absolute (url) {
    try {
      return new NativeURL (String (url), document.baseURI).href;
    } catch (e) {
      return String (url);
    }
  }

  /* The routed URL of @href, or null when no route names its host. */
  function routed (href) {
    let url;
    try {
      url = new NativeURL (href);
    } catch (e) {
      return null;
    }
    const host = url.host.toLowerCase ();
    const hostname = url.hostname.toLowerCase ();
    for (const route of routes) {
      if (route.host !== host && route.host !== hostname)
        continue;
      const base = new NativeURL (route.base);
      let scheme = base.protocol;
      if (url.protocol === 'ws:' || url.protocol === 'wss:')
        scheme = scheme === 'https:' ? 'wss:' : 'ws:';
      const prefix = base.pathname.replace (/\/+$/, '');
      return scheme + '//' + base.host + prefix + url.pathname + url.search + url.hash;
    }
    return null;
  }

  function begin (api, method, href) {
    const id = ++serial;
    const target = routed (href);
    post ('request', { id: id, api: api, method: String (method || 'GET').toUpperCase (),
                       url: href, routed_to: target });
    return { id: id, target: target || href };
  }
  function answered (request, status) {
    post ('response', { id: request.id, status: status });
  }
  function failed (request, message) {
    post ('response', { id: request.id, status: 0, error: String (message || 'failed') });
  }

  /* ---- fetch ---- */
  const nativeFetch = window.fetch;
  if (typeof nativeFetch === 'function') {
    const NativeRequest = Request;
    window.fetch = function fetch (input, init) {
      let href;
      let method;
      if (input instanceof NativeRequest) {
        href = input.url;
        method = (init && init.method) || input.method;
      } else {
        href = absolute (input);
        method = (init && init.method) || 'GET';
      }
      const request = begin ('fetch', method, href);
      let args = arguments;
      if (request.target !== href)
        args = [input instanceof NativeRequest ? new NativeRequest (request.target, input)
                                               : request.target, init];
      let promise;
      try {
        promise = nativeFetch.apply (this, args);
      } catch (e) {
        failed (request, e && e.message);
        throw e;
      }
      return promise.then ((response) => {
        answered (request, response.status);
        return response;
      }, (error) => {
        failed (request, error && error.message);
        throw error;
      });
    };
  }

  /* ---- XMLHttpRequest ---- */
  const xhrProto = XMLHttpRequest.prototype;
  const nativeOpen = xhrProto.open;
  const nativeSend = xhrProto.send;
  const pending = new WeakMap ();
  xhrProto.open = function open (method, url) {
    const href = absolute (url);
    const request = { method: method, href: href };
    pending.set (this, request);
    const args = Array.prototype.slice.call (arguments);
    const target = routed (href);
    if (target !== null)
      args[1] = target;
    return nativeOpen.apply (this, args);
  };
  xhrProto.send = function send () {
    const opened = pending.get (this);
    if (opened && !opened.reported) {
      opened.reported = true;
      const request = begin ('xhr', opened.method, opened.href);
      let outcome = null;
      const xhr = this;
      this.addEventListener ('error', () => { outcome = 'network error'; });
      this.addEventListener ('timeout', () => { outcome = 'timed out'; });
      this.addEventListener ('abort', () => { outcome = 'aborted'; });
      this.addEventListener ('loadend', () => {
        if (outcome === null && xhr.status > 0)
          answered (request, xhr.status);
        else
          failed (request, outcome || 'network error');
      });
    }
    return nativeSend.apply (this, arguments);
  };

  /* ---- WebSocket and EventSource: constructors behind a proxy, so that
   * prototypes, constants and instanceof stay the engine's ---- */
  function watchConstructor (name, api, onCreated) {
    const Native = window[name];
    if (typeof Native !== 'function')
      return;
    window[name] = new Proxy (Native, {
      construct (target, args, newTarget) {
        const href = absolute (args[0]);
        const request = begin (api, 'GET', href);
        args = Array.prototype.slice.call (args);
        args[0] = request.target;
        let object;
        try {
          object = Reflect.construct (target, args, newTarget === window[name] ? target
                                                                                : newTarget);
        } catch (e) {
          failed (request, e && e.message);
          throw e;
        }
        onCreated (object, request);
        return object;
      },
    });
  }
  watchConstructor ('WebSocket', 'websocket', (socket, request) => {
    let opened = false;
    socket.addEventListener ('open', () => {
      opened = true;
      answered (request, 101);
    });
    socket.addEventListener ('close', (event) => {
      if (!opened)
        failed (request, 'could not connect (close code ' + event.code + ')');
    });
  });
  watchConstructor ('EventSource', 'eventsource', (source, request) => {
    let opened = false;
    source.addEventListener ('open', () => {
      if (!opened) {
        opened = true;
        answered (request, 200);
      }
    });
    source.addEventListener ('error', () => {
      if (!opened) {
        opened = true;
        failed (request, 'could not connect');
      }
    });
  });

  /* ---- sendBeacon ---- */
  const nativeBeacon = navigator.sendBeacon;
  if (typeof nativeBeacon === 'function')
    navigator.sendBeacon = function sendBeacon (url, data) {
      const request = begin ('beacon', 'POST', absolute (url));
      const queued = nativeBeacon.call (navigator, request.target, data);
      if (queued)
        answered (request, 0);
      else
        failed (request, 'not queued');
      return queued;
    };
})
