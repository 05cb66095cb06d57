
  /* recordhost bridge, launch: AgoraEduSDK.launch intercepted wherever the
   * page defines the SDK, and what launch returned. */

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

  /* The SDK bundle's own version, read from its text: the SDK object may
   * name another (SDK 1.1.x's says 1.1.0 whatever its release).  Read as
   * soon as the bundle defines the SDK, through the engine's own
   * XMLHttpRequest, unseen by the page's network watch, with a fragment that
   * tells the host it is ours; the host hears when the read begins, so that
   * a check that ends soon after can wait for it. */
  const xhrOpen = XMLHttpRequest.prototype.open;
  const xhrSend = XMLHttpRequest.prototype.send;
  const xhrAbort = XMLHttpRequest.prototype.abort;
  const BUNDLE_READ = '#recordhost-sdk-bundle';
  const MAX_BUNDLE = 64 * 1024 * 1024;
  const VERSION = '([0-9][0-9A-Za-z.+-]{0,40})';
  const BUNDLE_VERSIONS = [
    new RegExp ('"name":"agora-classroom-sdk","version":"' + VERSION + '"'),
    new RegExp ('getVersion\\(\\)\\{return"' + VERSION + '"\\}'),
    new RegExp ('\\.Home,\\{version:"' + VERSION + '"'),
  ];
  let bundleURL = null;
  let bundleRead = false;

  /* While the bundle runs, it is the current script. */
  function noteBundle (script) {
    try {
      if (script === undefined)
        script = document.currentScript;
      /* Not seen while it ran (a module, a lexical binding): by its name. */
      for (const candidate of script === null ? document.scripts : [])
        if (/edu_sdk[^\/?#]*\.js/.test (candidate.src))
          script = candidate;
      if (bundleURL === null && script && typeof script.src === 'string' && script.src !== '')
        bundleURL = script.src;
    } catch (e) {
    }
    readBundle ();
  }

  function bundleVersion (text) {
    for (const pattern of BUNDLE_VERSIONS) {
      const match = pattern.exec (text);
      if (match)
        return match[1];
    }
    return null;
  }

  function readBundle () {
    if (bundleRead || bundleURL === null)
      return;
    bundleRead = true;
    const url = bundleURL.split ('#')[0];
    const xhr = new XMLHttpRequest ();
    let version = null;
    try {
      xhrOpen.call (xhr, 'GET', url + BUNDLE_READ);
      xhr.addEventListener ('progress', (event) => {
        if (event.loaded > MAX_BUNDLE)
          xhrAbort.call (xhr);
      });
      xhr.addEventListener ('load', () => {
        const text = xhr.responseText;
        if (typeof text === 'string' && text.length <= MAX_BUNDLE)
          version = bundleVersion (text);
      });
      xhr.addEventListener ('loadend', () => {
        post ('sdk-bundle', { url: url, reading: false, version: version });
      });
      post ('sdk-bundle', { url: url, reading: true });
      xhrSend.call (xhr);
    } catch (e) {
      post ('sdk-bundle', { url: url, reading: false });
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

  /* "TypeError: ...", as the engine writes an uncaught one. */
  function describeThrown (e) {
    try {
      if (e instanceof Error)
        return String (e.name) + ': ' + String (e.message);
      return String (e);
    } catch (ignored) {
      return 'error';
    }
  }

  function wrapLaunch (launch, sdk) {
    const wrapped = function (dom, options) {
      const args = Array.prototype.slice.call (arguments);
      const hasListener = !!(options && typeof options.listener === 'function');
      const described = describeOptions (options);
      post ('launch', { listener: hasListener, version: versionOf (sdk),
                        options: described.given, language: described.language });
      noteBundle (null);
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
        const where = sourceOf (e);
        post ('error', { message: describeThrown (e), source: where.source || 'AgoraEduSDK.launch',
                         line: where.line, column: where.column, stack: stackOf (e),
                         in_launch: true });
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
      noteBundle ();
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
    noteBundle ();
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
  function inspectGlobal (event) {
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
    try {
      const script = event && event.target;
      if (script && script.tagName === 'SCRIPT')
        noteBundle (script);
    } catch (e) {
    }
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
