/* recordhost bridge: injected at document start in the top frame.
 *
 * Reports to the native host the classroom SDK's launch and every launch
 * listener event, console messages, uncaught errors, unhandled rejections,
 * failed resource elements, navigator.notifyReady(), the engine's
 * capabilities and what the page reached for that the engine lacks.  The
 * page itself is never edited.
 *
 * This file is an expression: (function (config, post) {...}).
 */
(function (config, post) {
  'use strict';

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
  function sourceOf (error) {
    const lines = stackOf (error).split ('\n');
    for (const line of lines) {
      const match = /(?:^|@)((?:https?|file):\/\/[^\s]*?):(\d+):(\d+)$/.exec (line);
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
    post ('error', { message: String (event.message || (error && error.message) || 'error'),
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

  /* ---- engine capabilities ---- */

  /* What the engine offers, probed before the page can change anything
   * (WebGL once the document exists). */
  const capabilities = {
    RTCPeerConnection: typeof window.RTCPeerConnection === 'function',
    getUserMedia: !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia),
    OffscreenCanvas: typeof window.OffscreenCanvas === 'function',
    WebAssembly: typeof window.WebAssembly === 'object',
    Worker: typeof window.Worker === 'function',
    AudioContext: typeof (window.AudioContext || window.webkitAudioContext) === 'function',
    WebSocket: typeof window.WebSocket === 'function',
    indexedDB: typeof window.indexedDB === 'object' && window.indexedDB !== null,
    MediaSource: typeof window.MediaSource === 'function',
    structuredClone: typeof window.structuredClone === 'function',
  };
  const getContext = HTMLCanvasElement.prototype.getContext;
  function probeWebGL () {
    for (const kind of ['webgl', 'webgl2']) {
      let context = null;
      try {
        context = getContext.call (document.createElement ('canvas'), kind);
      } catch (e) {
      }
      capabilities[kind === 'webgl' ? 'WebGL' : 'WebGL2'] = !!context;
      /* Give the probe's context back at once: it costs memory otherwise. */
      const lose = context && context.getExtension ('WEBGL_lose_context');
      if (lose)
        lose.loseContext ();
    }
    post ('capabilities', { capabilities: capabilities, webrtc: config.webrtc });
  }
  /* Once a process knows the engine's answer, its next pages skip the probe. */
  if (config.probe)
    document.addEventListener ('DOMContentLoaded', function () { setTimeout (probeWebGL, 0); },
                               true);

  /* Touches of what is missing, recorded without changing what a feature
   * test sees: the getter answers undefined, as the missing global would. */
  const touched = new Set ();
  function touch (feature) {
    if (!touched.has (feature)) {
      touched.add (feature);
      post ('touch', { feature: feature });
    }
  }
  function watchMissing (target, name, feature) {
    if (name in target)
      return;
    try {
      defineProperty (target, name, {
        configurable: true,
        get: function () { touch (feature); return undefined; },
        set: function (value) {
          defineProperty (target, name, { configurable: true, writable: true, value: value });
        },
      });
    } catch (e) {
    }
  }
  HTMLCanvasElement.prototype.getContext = function (kind) {
    const context = getContext.apply (this, arguments);
    if (context === null && (kind === 'webgl2' || kind === 'experimental-webgl2'))
      touch ('WebGL2');
    return context;
  };

  /* The WebRTC stand-in, when in force, defines these after us. */
  if (config.webrtc !== 'standin') {
    watchMissing (window, 'RTCPeerConnection', 'RTCPeerConnection');
    watchMissing (window, 'webkitRTCPeerConnection', 'RTCPeerConnection');
    watchMissing (Navigator.prototype, 'mediaDevices', 'getUserMedia');
  }
  watchMissing (window, 'OffscreenCanvas', 'OffscreenCanvas');

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
   * the cloud, which passes them. */
  const ROOM_PARAMS = ['appId', 'userUuid', 'userName', 'roomUuid', 'roleType', 'roomType',
                       'roomName', 'pretest', 'rtmToken', 'language', 'startTime', 'duration',
                       'recordUrl', 'userRole', 'translateLanguage', 'region', 'minFPS', 'maxFPS',
                       'resolution', 'defaultEnableDevice'];
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

  /* ---- AgoraEduSDK.launch ---- */

  const wrappedFunctions = new WeakSet ();
  const handedOut = new WeakMap (); /* SDK object -> object the page sees */
  const ourObjects = new WeakSet ();

  function wrapListener (listener) {
    if (typeof listener === 'function' && wrappedFunctions.has (listener))
      return listener;
    const wrapped = function (event, args) {
      post ('event', { event: plain (event, 0, []), args: plain (args, 0, []) });
      if (typeof listener === 'function')
        return listener.apply (this, arguments);
    };
    wrappedFunctions.add (wrapped);
    return wrapped;
  }

  /* What a validator checks in the launch options: which names are given
   * (never their values, which hold tokens) and the language. */
  const LAUNCH_OPTION_NAMES = ['token', 'rtmToken', 'userUuid', 'userName', 'roomUuid',
                               'roomName', 'roleType', 'roomType', 'language', 'startTime',
                               'duration', 'pretest', 'listener'];
  function describeOptions (options) {
    const given = [];
    let language = null;
    if (options && typeof options === 'object') {
      for (const name of LAUNCH_OPTION_NAMES) {
        let value;
        try {
          value = options[name];
        } catch (e) {
          continue;
        }
        if (value !== undefined && value !== null && value !== '')
          given.push (name);
      }
      try {
        if (typeof options.language === 'string')
          language = options.language.slice (0, 16);
      } catch (e) {
      }
    }
    return { given: given, language: language };
  }

  function versionOf (sdk) {
    for (const name of ['version', 'VERSION', 'sdkVersion']) {
      try {
        const value = sdk && sdk[name];
        if (typeof value === 'string' && value.length > 0 && value.length < 64)
          return value;
      } catch (e) {
      }
    }
    return null;
  }

  /* SDK 2.x carries no version on AgoraEduSDK; once launched, its
   * classroom configuration does. */
  function versionAfterLaunch () {
    try {
      const config = window.EduClassroomConfig;
      const getVersion = config && config.constructor && config.constructor.getVersion;
      const value = typeof getVersion === 'function' ? getVersion.call (config.constructor) : null;
      return typeof value === 'string' && value.length < 64 ? value : null;
    } catch (e) {
      return null;
    }
  }

  /* SDK 2.x's launch returns an unmount function, not a promise: a template
   * written for 2.0 calls .then on it and throws.  Say so when it looks. */
  function watchResult (result) {
    const kind = result === null ? 'null' : typeof result;
    let thenable = false;
    try {
      thenable = (kind === 'object' || kind === 'function') && typeof result.then === 'function';
    } catch (e) {
    }
    post ('launch-result', { type: kind, thenable: thenable, version: versionAfterLaunch () });
    if (thenable || (kind !== 'object' && kind !== 'function'))
      return;
    try {
      if (!('then' in result) && isExtensible (result))
        defineProperty (result, 'then', {
          configurable: true,
          get: function () {
            post ('launch-then', { type: kind });
            return undefined;
          },
        });
    } catch (e) {
    }
  }

  function wrapLaunch (launch, sdk) {
    const wrapped = function (dom, options) {
      const args = Array.prototype.slice.call (arguments);
      const hasListener = !!(options && typeof options.listener === 'function');
      const described = describeOptions (options);
      post ('launch', { listener: hasListener, version: versionOf (sdk),
                        options: described.given, language: described.language });
      if (options && typeof options === 'object') {
        const listener = wrapListener (options.listener);
        try {
          options.listener = listener;
        } catch (e) {
          /* A frozen options object: hand over a copy. */
        }
        if (options.listener !== listener)
          args[1] = Object.assign ({}, options, { listener: listener });
      }
      let result;
      try {
        result = launch.apply (this, args);
      } catch (e) {
        /* Reported here with its message: a bundle from another origin
         * (or file:) would reach the window error handler as "Script error." */
        post ('error', { message: String ((e && e.message) || e), source: 'AgoraEduSDK.launch',
                         line: 0, column: 0, stack: stackOf (e) });
        throw e;
      }
      watchResult (result);
      return result;
    };
    wrappedFunctions.add (wrapped);
    return wrapped;
  }

  /* Returns the object the page should use in place of @sdk: @sdk itself
   * with its launch wrapped when it can be changed, otherwise an object
   * created from it with its own wrapped launch.  Returns null while @sdk
   * has no launch yet. */
  function adopt (sdk) {
    if (sdk === null || (typeof sdk !== 'object' && typeof sdk !== 'function'))
      return null;
    if (ourObjects.has (sdk))
      return sdk;
    if (handedOut.has (sdk))
      return handedOut.get (sdk);
    let launch;
    try {
      launch = sdk.launch;
    } catch (e) {
      return null;
    }
    if (typeof launch !== 'function')
      return null;
    if (wrappedFunctions.has (launch)) {
      handedOut.set (sdk, sdk);
      return sdk;
    }

    const wrapped = wrapLaunch (launch, sdk);
    const own = getOwnPropertyDescriptor (sdk, 'launch');
    try {
      if (own && own.writable)
        sdk.launch = wrapped;
      else if ((own && own.configurable) || (!own && isExtensible (sdk)))
        defineProperty (sdk, 'launch', { value: wrapped, writable: true,
                                          configurable: true,
                                          enumerable: own ? own.enumerable : false });
    } catch (e) {
    }
    let seen = sdk;
    if (sdk.launch !== wrapped) {
      seen = objectCreate (sdk, { launch: { value: wrapped, enumerable: true } });
      ourObjects.add (seen);
    }
    handedOut.set (sdk, seen);
    post ('sdk', { how: seen === sdk ? 'patched' : 'wrapped' });
    return seen;
  }

  /* window.X = ..., UMD root.X = ..., top-level var: a setter trap. */
  let assigned;
  let adopted = null;
  const trap = {
    configurable: true,
    enumerable: true,
    get: function () {
      if (adopted === null)
        adopted = adopt (assigned);
      return adopted !== null ? adopted : assigned;
    },
    set: function (value) {
      assigned = value;
      adopted = adopt (value);
    },
  };
  defineProperty (window, SDK_NAME, trap);

  /* Object.defineProperty (window, 'AgoraEduSDK', {value, writable: false})
   * would replace the trap: hand the definition the adopted object. */
  function adoptDescriptor (target, key, descriptor) {
    if (target !== window || key !== SDK_NAME || !descriptor || !('value' in descriptor))
      return descriptor;
    const seen = adopt (descriptor.value);
    if (seen === null || seen === descriptor.value)
      return descriptor;
    return Object.assign ({}, descriptor, { value: seen });
  }
  Object.defineProperty = function (target, key, descriptor) {
    return defineProperty (target, key, adoptDescriptor (target, key, descriptor));
  };
  Object.defineProperties = function (target, descriptors) {
    if (target === window && descriptors && descriptors[SDK_NAME]) {
      descriptors = Object.assign ({}, descriptors);
      descriptors[SDK_NAME] = adoptDescriptor (target, SDK_NAME, descriptors[SDK_NAME]);
    }
    return defineProperties (target, descriptors);
  };
  Reflect.defineProperty = function (target, key, descriptor) {
    return reflectDefineProperty (target, key, adoptDescriptor (target, key, descriptor));
  };

  /* Top-level const/let/class never touch window.  A capturing load
   * listener runs right after each parser-blocking <script src>, before the
   * next inline script, and can patch the binding's launch in place. */
  let lexicalReported = false;
  function inspectGlobal () {
    let binding;
    try {
      /* A global lexical binding shadows the window property when there is
       * one; otherwise this reads the trap. */
      binding = typeof AgoraEduSDK === 'undefined' ? undefined : AgoraEduSDK;
    } catch (e) {
      return;
    }
    if (binding === undefined || binding === null)
      return;
    const seen = adopt (binding);
    if (seen === null || seen === binding || ourObjects.has (binding))
      return;
    let viaWindow;
    try {
      viaWindow = window[SDK_NAME];
    } catch (e) {
    }
    if (viaWindow === seen)
      return; /* the page's name reaches window, which hands out @seen */
    const own = getOwnPropertyDescriptor (window, SDK_NAME);
    /* A lexical binding (const, let, class) that is not the window
     * property: only patching the object in place would have reached it. */
    if (viaWindow === binding && own && !own.get && (own.writable || own.configurable)) {
      try {
        defineProperty (window, SDK_NAME, { value: seen, writable: !!own.writable,
                                            configurable: true, enumerable: !!own.enumerable });
        return;
      } catch (e) {
      }
    }
    if (!lexicalReported) {
      lexicalReported = true;
      post ('sdk', { how: 'unpatchable' });
    }
  }
  document.addEventListener ('load', inspectGlobal, true);
  document.addEventListener ('DOMContentLoaded', inspectGlobal, true);
})
