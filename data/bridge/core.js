/* recordhost bridge, core: the page's console, uncaught errors, unhandled
 * rejections, failed resource elements and navigator.notifyReady(), and the
 * helpers the other parts of the bridge share.
 *
 * The bridge's parts (core, capabilities, page, launch, in this order) are
 * statements of one function (config, post), assembled by data/bridge/assemble
 * into bridge.js; they share its scope.
 */

  const SDK_NAME = 'AgoraEduSDK';
  const MAX_DEPTH = 4;
  const MAX_TEXT = 4096;

  /* Keep our own references: the page may replace these later. */
  const jsonStringify = JSON.stringify;
  const defineProperty = Object.defineProperty;
  const defineProperties = Object.defineProperties;
  const reflectDefineProperty = Reflect.defineProperty;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const objectCreate = Object.create;
  const isExtensible = Object.isExtensible;

  /* Turn any value into something JSON can carry: DOM nodes, functions and
   * cycles must not make the report throw. */
  function plain (value, depth, seen) {
    if (value === null || value === undefined)
      return null;
    const type = typeof value;
    if (type === 'string')
      return value.length > MAX_TEXT ? value.slice (0, MAX_TEXT) + '…' : value;
    if (type === 'number' || type === 'boolean')
      return value;
    if (type === 'bigint' || type === 'symbol')
      return String (value);
    if (type === 'function')
      return '[function ' + (value.name || 'anonymous') + ']';
    if (value instanceof Error)
      return { name: value.name, message: String (value.message) };
    if (typeof Node !== 'undefined' && value instanceof Node)
      return '[' + (value.nodeName || 'node') + ']';
    if (seen.indexOf (value) >= 0)
      return '[cycle]';
    if (depth >= MAX_DEPTH)
      return '[object]';
    seen.push (value);
    let out;
    try {
      if (Array.isArray (value)) {
        out = value.slice (0, 64).map ((v) => plain (v, depth + 1, seen));
      } else {
        out = {};
        for (const key of Object.keys (value).slice (0, 64))
          out[key] = plain (value[key], depth + 1, seen);
      }
    } catch (e) {
      out = '[unreadable]';
    }
    seen.pop ();
    return out;
  }

  function text (args) {
    const parts = [];
    for (const arg of args) {
      if (typeof arg === 'string')
        parts.push (arg);
      else
        try {
          parts.push (jsonStringify (plain (arg, 0, [])));
        } catch (e) {
          parts.push (String (arg));
        }
    }
    const joined = parts.join (' ');
    return joined.length > MAX_TEXT ? joined.slice (0, MAX_TEXT) + '…' : joined;
  }

  /* Where an error was thrown, from its JavaScriptCore stack
   * ("name@url:line:column" lines): the first frame with a URL. */
  function stackOf (error) {
    try {
      const stack = error && error.stack;
      return typeof stack === 'string' ? stack.slice (0, MAX_TEXT) : '';
    } catch (e) {
      return '';
    }
  }
  /* The first frame with a place: WebKit's "fn@URL:LINE:COL", V8's
   * "    at fn (URL:LINE:COL)" or "    at URL:LINE:COL". */
  function sourceOf (error) {
    const lines = stackOf (error).split ('\n');
    for (const line of lines) {
      const match = /(?:^|@|\(|\bat )((?:https?|file):\/\/[^\s()]*?):(\d+):(\d+)\)?$/
        .exec (line.trim ());
      if (match)
        return { source: match[1], line: Number (match[2]), column: Number (match[3]) };
    }
    return { source: '', line: 0, column: 0 };
  }

  /* console.* */
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const original = console[level];
    console[level] = function () {
      post ('console', { level: level, text: text (arguments) });
      if (typeof original === 'function')
        return original.apply (console, arguments);
    };
  }

  /* Uncaught errors; element errors (a <script src> that 404s) arrive in the
   * capture phase with the element as target. */
  window.addEventListener ('error', function (event) {
    const target = event.target;
    if (target && target !== window && target.tagName) {
      post ('resource-error', { tag: String (target.tagName).toLowerCase (),
                                url: String (target.src || target.href || '') });
      return;
    }
    const error = event.error;
    /* Chromium says "Uncaught TypeError: ...", WebKit "TypeError: ...": one
     * message whatever the engine, so that the engines compare. */
    const message = String (event.message || (error && error.message) || 'error');
    post ('error', { message: message.replace (/^Uncaught /, ''),
                     source: String (event.filename || ''),
                     line: event.lineno || 0,
                     column: event.colno || 0,
                     stack: stackOf (error) });
  }, true);

  window.addEventListener ('unhandledrejection', function (event) {
    const reason = event.reason;
    const message = reason && reason.message !== undefined ? reason.message : reason;
    const where = sourceOf (reason);
    post ('rejection', { message: String (message), source: where.source, line: where.line,
                         column: where.column, stack: stackOf (reason) });
  });

  /* The Cloud Recording web recorder's readiness call. */
  try {
    defineProperty (navigator, 'notifyReady', {
      configurable: true,
      value: function notifyReady () {
        post ('notify', {});
      },
    });
  } catch (e) {
  }
