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
 * isolates it.  Shared and service workers, and workers a worker starts,
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

  /* The worker's own first script: the network watch, then the page's. */
  function bootstrap (href, module, context) {
    const workerConfig = { routes: config.routes, workerURL: href, context: context, key: key };
    const start = '(' + functionToString.call (workerStart) + ') (' + stringify (workerConfig)
                  + ', ' + network + ', ' + stringify (module) + ')';
    if (module)
      return 'const release = ' + start + ';\nawait import (' + stringify (href) + ');\n'
             + 'release ();\n';
    return start + ';\nimportScripts (' + stringify (href) + ');\n';
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
      const context = config.context + '/w' + (++workers);
      let url;
      let channel;
      try {
        const source = bootstrap (href, module, context);
        const blob = new NativeBlob ([source], { type: 'text/javascript' });
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
