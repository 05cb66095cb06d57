/* recordhost network watch: every request the page's scripts make (fetch,
 * XMLHttpRequest, WebSocket, EventSource, sendBeacon) is reported with its
 * method, URL and outcome, and sent elsewhere when a route (--route
 * HOST=URL) names its host.  WebKit's own resource signals see the
 * transport; this sees what the page asked for, and each load's resource
 * timing.  It runs in every frame
 * and, first, in every dedicated worker (workers.js).
 *
 * This file is an expression: (function (config, post) {...}).
 * config.routes is [{ host, base }]: a request to http(s)://HOST/PATH goes
 * to BASE/PATH (ws(s)://HOST/PATH to BASE/PATH with BASE's scheme made ws).
 * config.workerURL, in a worker only: the worker's own script, against
 * which its relative URLs resolve (the worker itself runs from a blob URL).
 */
(function (config, post) {
  'use strict';

  const scope = self; /* the window, or the worker's global scope */
  const routes = Array.isArray (config.routes) ? config.routes : [];
  const workerURL = typeof config.workerURL === 'string' ? config.workerURL : null;
  const NativeURL = URL;
  let serial = 0;

  function absolute (url) {
    try {
      return new NativeURL (String (url), workerURL !== null ? workerURL : document.baseURI).href;
    } catch (e) {
      return String (url);
    }
  }

  /* The routed URL of @href, or null when no route names its host or it
   * is not http(s) or ws(s).  rh_route_list_apply () (src/core/rh-route.c)
   * does the same for the engines that route every load: keep both in
   * agreement. */
  function routed (href) {
    let url;
    try {
      url = new NativeURL (href);
    } catch (e) {
      return null;
    }
    if (!/^(https?|wss?):$/.test (url.protocol))
      return null;
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
  const nativeFetch = scope.fetch;
  if (typeof nativeFetch === 'function') {
    const NativeRequest = Request;
    scope.fetch = function fetch (input, init) {
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
      /* A worker's relative URL would resolve against its blob URL. */
      if (request.target !== href || (workerURL !== null && !(input instanceof NativeRequest)))
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

  /* A worker's Request objects resolve relative URLs against its script. */
  if (workerURL !== null && typeof scope.Request === 'function') {
    const NativeRequestType = scope.Request;
    scope.Request = new Proxy (NativeRequestType, {
      construct (target, args, newTarget) {
        args = Array.prototype.slice.call (args);
        if (typeof args[0] === 'string' || args[0] instanceof NativeURL)
          args[0] = absolute (args[0]);
        return Reflect.construct (target, args, newTarget === scope.Request ? target : newTarget);
      },
    });
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
    else if (workerURL !== null)
      args[1] = href;
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
    const Native = scope[name];
    if (typeof Native !== 'function')
      return;
    scope[name] = new Proxy (Native, {
      construct (target, args, newTarget) {
        const href = absolute (args[0]);
        const request = begin (api, 'GET', href);
        args = Array.prototype.slice.call (args);
        args[0] = request.target;
        let object;
        try {
          object = Reflect.construct (target, args, newTarget === scope[name] ? target
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

  /* ---- resource timing: each load's phases and sizes, which the engine's
   * resource signals do not carry, one bounded message an entry ---- */
  const NativeObserver = scope.PerformanceObserver;
  if (typeof NativeObserver === 'function') {
    const MAX_TIMINGS = 2000;
    let timings = 0;
    const span = (start, end) => (start > 0 && end >= start ? end - start : -1);
    const size = (value) => (typeof value === 'number' && value >= 0 ? value : -1);
    try {
      new NativeObserver ((list) => {
        for (const entry of list.getEntries ()) {
          if (timings++ >= MAX_TIMINGS)
            return;
          const name = String (entry.name);
          post ('resource-timing', {
            url: name.length > 4096 ? name.slice (0, 4096) : name,
            initiator: String (entry.initiatorType || '').slice (0, 32),
            blocked: span (entry.fetchStart, entry.domainLookupStart || entry.requestStart),
            dns: span (entry.domainLookupStart, entry.domainLookupEnd),
            connect: span (entry.connectStart, entry.connectEnd),
            ssl: span (entry.secureConnectionStart, entry.connectEnd),
            wait: span (entry.requestStart, entry.responseStart),
            receive: span (entry.responseStart, entry.responseEnd),
            transfer_size: size (entry.transferSize),
            encoded_size: size (entry.encodedBodySize),
            decoded_size: size (entry.decodedBodySize),
          });
        }
      }).observe ({ type: 'resource', buffered: true });
    } catch (e) {
    }
  }

  /* ---- sendBeacon (windows only) ---- */
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
