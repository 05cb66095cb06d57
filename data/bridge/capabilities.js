
  /* recordhost bridge, capabilities: what the engine offers, and what the
   * page reached for that it lacks. */

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
