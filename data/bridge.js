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
    post ('capabilities', { capabilities: capabilities, webrtc: config.webrtc || 'absent' });
  }
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

  /* ---- WebRTC stand-in (--webrtc=stub) ---- */

  function stubWebRTC () {
    function note (call) {
      post ('webrtc-stub', { call: call });
    }
    const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
    class MediaStreamTrackStub extends EventTarget {
      constructor (kind) {
        super ();
        this.kind = kind;
        this.id = 'recordhost-' + kind;
        this.enabled = true;
        this.muted = true;
        this.readyState = 'live';
      }
      stop () { this.readyState = 'ended'; }
      getSettings () { return {}; }
    }
    class MediaStream extends EventTarget {
      constructor (tracks) {
        super ();
        this.id = 'recordhost-stream';
        this._tracks = Array.isArray (tracks) ? tracks.slice () : [];
        note ('new MediaStream');
      }
      getTracks () { return this._tracks.slice (); }
      getAudioTracks () { return this._tracks.filter ((t) => t.kind === 'audio'); }
      getVideoTracks () { return this._tracks.filter ((t) => t.kind === 'video'); }
      addTrack (track) { this._tracks.push (track); }
      removeTrack (track) { this._tracks = this._tracks.filter ((t) => t !== track); }
    }
    class RTCSessionDescription {
      constructor (init) {
        this.type = (init && init.type) || 'offer';
        this.sdp = (init && init.sdp) || '';
      }
      toJSON () { return { type: this.type, sdp: this.sdp }; }
    }
    class RTCIceCandidate {
      constructor (init) {
        this.candidate = (init && init.candidate) || '';
        this.sdpMid = (init && init.sdpMid) || null;
        this.sdpMLineIndex = (init && init.sdpMLineIndex) || null;
      }
      toJSON () { return { candidate: this.candidate, sdpMid: this.sdpMid,
                           sdpMLineIndex: this.sdpMLineIndex }; }
    }
    class RTCPeerConnection extends EventTarget {
      constructor (configuration) {
        super ();
        note ('new RTCPeerConnection');
        this._configuration = configuration || {};
        this.localDescription = null;
        this.remoteDescription = null;
        this.signalingState = 'stable';
        this.iceConnectionState = 'new';
        this.iceGatheringState = 'new';
        this.connectionState = 'new';
        this._transceivers = [];
      }
      _call (name, value) {
        note ('RTCPeerConnection.' + name);
        return Promise.resolve (value);
      }
      createOffer () { return this._call ('createOffer', new RTCSessionDescription ({ type: 'offer', sdp: sdp })); }
      createAnswer () { return this._call ('createAnswer', new RTCSessionDescription ({ type: 'answer', sdp: sdp })); }
      setLocalDescription (d) { this.localDescription = new RTCSessionDescription (d); return this._call ('setLocalDescription'); }
      setRemoteDescription (d) { this.remoteDescription = new RTCSessionDescription (d); return this._call ('setRemoteDescription'); }
      addIceCandidate () { return this._call ('addIceCandidate'); }
      getStats () { return this._call ('getStats', new Map ()); }
      getConfiguration () { return this._configuration; }
      setConfiguration (c) { this._configuration = c; }
      addTransceiver (kind) {
        note ('RTCPeerConnection.addTransceiver');
        const track = new MediaStreamTrackStub (typeof kind === 'string' ? kind : (kind && kind.kind) || 'video');
        const transceiver = { mid: null, direction: 'recvonly', currentDirection: null,
                              receiver: { track: track, getStats: () => Promise.resolve (new Map ()) },
                              sender: { track: null, replaceTrack: () => Promise.resolve (),
                                        getParameters: () => ({ encodings: [] }),
                                        setParameters: () => Promise.resolve () },
                              stop: function () {}, setCodecPreferences: function () {} };
        this._transceivers.push (transceiver);
        return transceiver;
      }
      addTrack (track) { note ('RTCPeerConnection.addTrack'); return { track: track, replaceTrack: () => Promise.resolve () }; }
      removeTrack () { note ('RTCPeerConnection.removeTrack'); }
      getTransceivers () { return this._transceivers.slice (); }
      getReceivers () { return this._transceivers.map ((t) => t.receiver); }
      getSenders () { return this._transceivers.map ((t) => t.sender); }
      createDataChannel (label) {
        note ('RTCPeerConnection.createDataChannel');
        const channel = new EventTarget ();
        channel.label = label; channel.readyState = 'connecting';
        channel.send = function () {}; channel.close = function () {};
        return channel;
      }
      close () { note ('RTCPeerConnection.close'); this.connectionState = 'closed'; this.signalingState = 'closed'; }
    }
    RTCPeerConnection.generateCertificate = () => Promise.resolve ({ expires: Date.now () + 86400000 });
    const noDevice = () => Promise.reject (new DOMException ('Requested device not found', 'NotFoundError'));
    const mediaDevices = new EventTarget ();
    mediaDevices.getUserMedia = function () { note ('getUserMedia'); return noDevice (); };
    mediaDevices.getDisplayMedia = function () { note ('getDisplayMedia'); return noDevice (); };
    mediaDevices.enumerateDevices = function () { note ('enumerateDevices'); return Promise.resolve ([]); };
    mediaDevices.getSupportedConstraints = function () { return {}; };
    for (const [name, value] of [['RTCPeerConnection', RTCPeerConnection],
                                 ['webkitRTCPeerConnection', RTCPeerConnection],
                                 ['RTCSessionDescription', RTCSessionDescription],
                                 ['RTCIceCandidate', RTCIceCandidate],
                                 ['MediaStream', MediaStream]])
      if (typeof window[name] !== 'function')
        defineProperty (window, name, { configurable: true, writable: true, value: value });
    if (!navigator.mediaDevices)
      defineProperty (Navigator.prototype, 'mediaDevices', { configurable: true, get: () => mediaDevices });
  }

  if (config.webrtc === 'stub') {
    stubWebRTC ();
  } else {
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
