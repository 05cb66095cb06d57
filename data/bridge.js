/* recordhost bridge: injected at document start in the top frame.
 *
 * Reports to the native host through the "recordhost" script message handler:
 * the classroom SDK's launch and every launch listener event, console
 * messages, uncaught errors, unhandled rejections, failed resource elements
 * and navigator.notifyReady().  The page itself is never edited.
 *
 * This file is an expression: the host appends "(CONFIG);" to call it.
 */
(function (config) {
  'use strict';

  const handlers = window.webkit && window.webkit.messageHandlers;
  const handler = handlers && handlers.recordhost;
  if (!handler)
    return;

  const SDK_NAME = 'AgoraEduSDK';
  const MAX_DEPTH = 4;
  const MAX_TEXT = 4096;

  /* Keep our own references: the page may replace these later. */
  const postMessage = handler.postMessage.bind(handler);
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

  function post (kind, fields) {
    try {
      const message = fields || {};
      message.kind = kind;
      postMessage (jsonStringify (message));
    } catch (e) {
      /* Reporting must never break the page. */
    }
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
                     column: event.colno || 0 });
  }, true);

  window.addEventListener ('unhandledrejection', function (event) {
    const reason = event.reason;
    const message = reason && reason.message !== undefined ? reason.message : reason;
    post ('rejection', { message: String (message) });
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

  function wrapLaunch (launch) {
    const wrapped = function (dom, options) {
      const args = Array.prototype.slice.call (arguments);
      const hasListener = !!(options && typeof options.listener === 'function');
      post ('launch', { listener: hasListener });
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
      try {
        return launch.apply (this, args);
      } catch (e) {
        /* Reported here with its message: a bundle from another origin
         * (or file:) would reach the window error handler as "Script error." */
        post ('error', { message: String ((e && e.message) || e), source: 'AgoraEduSDK.launch',
                         line: 0, column: 0 });
        throw e;
      }
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

    const wrapped = wrapLaunch (launch);
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
    const own = getOwnPropertyDescriptor (window, SDK_NAME);
    if (own && own.get === trap.get)
      return; /* the trap hands out @seen already */
    if (own && (own.writable || own.configurable)) {
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
