/* recordhost workers: a dedicated worker the page starts runs the network
 * watch (network.js) first, so that its requests are routed and reported as
 * the page's are; then the page's own script.
 *
 * new Worker (URL) becomes a worker on a blob URL whose script runs the
 * network watch, takes the MessagePort it is sent first (a message the
 * page's script never sees) to report through this frame, and then
 * importScripts (URL), or import (URL) for a module worker.  Relative URLs
 * in the worker resolve against URL as before (fetch, XMLHttpRequest,
 * Request, importScripts); what differs is self.location, the blob URL.
 * A worker of another origin, of a data: URL, or of a file where the view
 * lets no file page read files, is left to the engine, which refuses or
 * isolates it.  In a page of an opaque origin (a file), a worker loads no
 * other blob: a classic worker of a blob the page made has that blob's
 * script after the watch's in its own blob (a "use strict" at its top no
 * longer applies to all of it); one of another blob is left to the engine.  Shared and service workers, and workers a worker starts,
 * are not watched.
 *
 * This file is an expression: (function (config, post) {...}).
 * config.workerNetwork is network.js's source; config.context names this
 * frame; config.fileAccess says whether file pages may read files.
 */
(function (config, post) {
  'use strict';

  const NativeWorker = self.Worker;
  const network = config.workerNetwork;
  if (typeof NativeWorker !== 'function' || typeof network !== 'string')
    return;

  /* Our own references: the page may replace these later. */
  const NativeURL = URL;
  const NativeBlob = Blob;
  const NativeMessageChannel = MessageChannel;
  const createObjectURL = URL.createObjectURL;
  const stringify = JSON.stringify;
  const functionToString = Function.prototype.toString;
  const construct = Reflect.construct;
  const key = Math.random ().toString (36).slice (2);
  let workers = 0;

  /* The blobs behind the page's blob: URLs, for its workers (a bounded
   * number: the oldest are forgotten). */
  const blobs = new Map ();
  const revokeObjectURL = URL.revokeObjectURL;
  URL.createObjectURL = function (object) {
    const url = createObjectURL.call (NativeURL, object);
    if (object instanceof NativeBlob) {
      if (blobs.size >= 256)
        blobs.delete (blobs.keys ().next ().value);
      blobs.set (url, object);
    }
    return url;
  };
  URL.revokeObjectURL = function (url) {
    blobs.delete (String (url));
    return revokeObjectURL.call (NativeURL, url);
  };
  const opaque = self.origin === 'null' || self.location.protocol === 'file:';

  /* Runs in the worker, before its own script.  Posts are kept until the
   * port comes, which is the worker's first message.  A module worker's
   * messages are held until its module has run: WebKit delivers them while
   * the import is awaited, before the module could listen.  Returns what
   * releases them. */
  function workerStart (workerConfig, networkWatch, module) {
    const queue = [];
    let held = module ? [] : null;
    let port = null;
    function post (kind, fields) {
      const message = fields || {};
      message.kind = kind;
      message.scope = 'worker';
      message.context = workerConfig.context;
      if (port !== null)
        port.postMessage (message);
      else if (queue.length < 1000)
        queue.push (message);
    }
    function takePort (event) {
      const data = event.data;
      if (!data || data.recordhostBridge !== workerConfig.key || event.ports.length !== 1)
        return;
      event.stopImmediatePropagation ();
      self.removeEventListener ('message', takePort, true);
      port = event.ports[0];
      for (const message of queue.splice (0))
        port.postMessage (message);
    }
    function hold (event) {
      if (held === null)
        return;
      event.stopImmediatePropagation ();
      held.push (event);
    }
    function release () {
      const events = held;
      held = null;
      self.removeEventListener ('message', hold, true);
      for (const event of events)
        self.dispatchEvent (new MessageEvent ('message', { data: event.data,
                                                           ports: Array.from (event.ports) }));
    }
    self.addEventListener ('message', takePort, true);
    self.addEventListener ('message', hold, true);
    networkWatch (workerConfig, post);
    if (module)
      return release;
    const nativeImport = self.importScripts;
    const WorkerURL = URL;
    self.removeEventListener ('message', hold, true);
    self.importScripts = function importScripts () {
      const urls = Array.prototype.map.call (arguments, (url) => {
        try {
          return new WorkerURL (String (url), workerConfig.workerURL).href;
        } catch (e) {
          return url;
        }
      });
      return nativeImport.apply (self, urls);
    };
  }

  /* The worker's own first script: the network watch, then the page's,
   * loaded from @href, or @inline's when given (a Blob). */
  function bootstrap (href, module, context, inline) {
    const workerConfig = { routes: config.routes, workerURL: href, context: context, key: key };
    const start = '(' + functionToString.call (workerStart) + ') (' + stringify (workerConfig)
                  + ', ' + network + ', ' + stringify (module) + ')';
    if (module)
      return ['const release = ' + start + ';\nawait import (' + stringify (href) + ');\n'
              + 'release ();\n'];
    if (inline !== undefined)
      return [start + ';\n', inline];
    return [start + ';\nimportScripts (' + stringify (href) + ');\n'];
  }

  /* Reports of the worker, through this frame: requests only. */
  function relay (event) {
    const data = event.data;
    if (!data || (data.kind !== 'request' && data.kind !== 'response'))
      return;
    post (data.kind, { id: data.id, api: data.api, method: data.method, url: data.url,
                       routed_to: data.routed_to, status: data.status, error: data.error,
                       scope: 'worker', context: String (data.context) });
  }

  /* Where the engine itself would start the worker.  A file page's origin
   * reads "null" like a file URL's: whether it may is the view's file
   * access, which lets it read other files. */
  function allowed (href) {
    try {
      const url = new NativeURL (href);
      if (url.protocol === 'file:')
        return self.location.protocol === 'file:' && config.fileAccess === true;
      return url.protocol === 'blob:' || url.origin === self.location.origin;
    } catch (e) {
      return false;
    }
  }

  self.Worker = new Proxy (NativeWorker, {
    construct (target, args, newTarget) {
      const native = newTarget === self.Worker ? target : newTarget;
      let href;
      try {
        href = new NativeURL (String (args[0]), document.baseURI).href;
      } catch (e) {
        return construct (target, args, native);
      }
      if (!allowed (href))
        return construct (target, args, native);
      const options = args[1];
      const module = !!options && typeof options === 'object' && options.type === 'module';
      /* An opaque origin's worker cannot load the page's blob: it takes
       * the blob's script in, or is left to the engine. */
      const inline = opaque && href.startsWith ('blob:') ? blobs.get (href) : undefined;
      if (opaque && href.startsWith ('blob:') && (module || inline === undefined))
        return construct (target, args, native);
      const context = config.context + '/w' + (++workers);
      let url;
      let channel;
      try {
        const parts = bootstrap (href, module, context, inline);
        const blob = new NativeBlob (parts, { type: 'text/javascript' });
        url = createObjectURL.call (NativeURL, blob);
        channel = new NativeMessageChannel ();
      } catch (e) {
        return construct (target, args, native);
      }
      const rest = Array.prototype.slice.call (args, 1);
      const worker = construct (target, [url].concat (rest), native);
      channel.port1.onmessage = relay;
      worker.postMessage ({ recordhostBridge: key }, [channel.port2]);
      return worker;
    },
  });
})
