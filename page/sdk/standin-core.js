/* A stand-in for the classroom SDK, for offline use and tests.
 *
 * It behaves like the real bundle as far as a record page can tell: config(),
 * launch(dom, options) and a launch listener that receives event 1 when the
 * classroom is ready.  Query parameters of the page steer it:
 *   sdkPaintMs=N    paint the classroom N ms after launch (default 300);
 *                   "never" keeps the page blank
 *   sdkLoading=box  until then, a faint light-grey box with lighter "Loading"
 *                   text, as the published SDKs draw while they load (default;
 *                   a viewer still sees white); "none" for a bare page
 *   sdkReadyMs=N    signal readiness N ms after launch (default 800)
 *   sdkRepaintMs=N  after painting, change a clock on the page every N ms, as a
 *                   classroom with a moving picture does (default: a still page)
 *   sdkReadyBeacon=URL  at the readiness signal, send {"roomUuid", "now": the
 *                   page's clock in ms} to URL with navigator.sendBeacon
 *   sdkReadyOnLoad=N  signal readiness only from the Nth load of the page in
 *                   this tab on (counted in sessionStorage; default 1)
 *   sdkWebrtc=MODE  what the classroom does with WebRTC before readiness:
 *     none          nothing (default)
 *     require       new RTCPeerConnection () in launch(): throws without WebRTC
 *     wait          wait until RTCPeerConnection exists, make an offer, then
 *                   signal readiness (never ready without WebRTC)
 *   sdkMedia=gum    ask navigator.mediaDevices.getUserMedia () in launch(),
 *                   unguarded, as some clients do; a rejection is tolerated
 *   sdkBrowser=chrome  launch() refuses a user agent without "Chrome/", as
 *                   some SDKs refuse browsers they do not know
 *   sdkReady=MODE   how readiness is signalled:
 *     event1        listener event 1 (default)
 *     whiteboard    the pre-1.1.5 sequence: event 1 once per component,
 *                   "whiteboard" last
 *     nowhiteboard  event 1 for components other than the whiteboard only
 *     notify        navigator.notifyReady()
 *     console       console.log("START_RECORDING")
 *     never         no signal at all
 *     throw         launch() throws
 *     error         an uncaught error instead of readiness
 *     reject        an unhandled promise rejection instead of readiness
 */
(function (root) {
  'use strict';

  function param (name, fallback) {
    const value = new URLSearchParams (root.location.search).get (name);
    return value === null || value === '' ? fallback : value;
  }

  /* Loads of this page in this tab, this one included. */
  function countLoad () {
    const key = 'recordhost-standin-loads';
    try {
      const loads = Number (root.sessionStorage.getItem (key) || '0') + 1;
      root.sessionStorage.setItem (key, String (loads));
      return loads;
    } catch (e) {
      return 1;
    }
  }

  function paint (dom, options) {
    dom.innerHTML =
      '<div style="display:flex;flex-direction:column;height:100%;font-family:sans-serif">' +
      '<header style="background:#1f3b73;color:#fff;padding:12px 20px;font-size:20px">' +
      'Room ' + String (options.roomName || options.roomUuid || '').replace (/[<>&]/g, '') +
      '</header>' +
      '<div style="flex:1;display:flex">' +
      '<main style="flex:3;background:#f3f0e6;border:8px solid #c8b88a"></main>' +
      '<aside style="flex:1;background:#26262e;display:flex;flex-direction:column">' +
      '<div style="flex:1;margin:8px;background:#4a6fa5"></div>' +
      '<div style="flex:1;margin:8px;background:#6a994e"></div>' +
      '</aside></div></div>';
    const repaintMs = Number (param ('sdkRepaintMs', '0'));
    if (repaintMs > 0) {
      const clock = root.document.createElement ('div');
      clock.style.cssText = 'position:absolute;left:24px;bottom:24px;font:32px monospace';
      dom.appendChild (clock);
      setInterval (function () { clock.textContent = new Date ().toISOString (); }, repaintMs);
    }
  }

  function drawLoading (dom) {
    dom.innerHTML =
      '<div style="position:absolute;left:50%;top:50%;width:360px;height:120px;' +
      'margin:-60px 0 0 -180px;background:#f2f2f2;border-radius:8px;color:#fbfbfb;' +
      'font:bold 32px sans-serif;line-height:120px;text-align:center">Loading...</div>';
  }

  function create () {
    let configured = null;
    return {
      version: '2.8.0-standin',
      config: function (options) {
        configured = Object.assign ({}, options);
      },
      launch: function (dom, options) {
        options = options || {};
        const listener = typeof options.listener === 'function' ? options.listener : function () {};
        const loads = countLoad ();
        const mode = loads < Number (param ('sdkReadyOnLoad', '1')) ? 'never'
                                                                   : param ('sdkReady', 'event1');
        const paintMs = param ('sdkPaintMs', '300');
        const readyMs = Number (param ('sdkReadyMs', '800'));

        if (mode === 'throw')
          throw new Error ('AgoraEduSDK.launch: stand-in asked to throw');
        if (param ('sdkBrowser', '') === 'chrome' && !/Chrome\//.test (root.navigator.userAgent))
          throw new Error ('AgoraEduSDK.launch: unsupported browser');
        if (!configured)
          console.warn ('AgoraEduSDK.launch called before config');

        if (param ('sdkLoading', 'box') === 'box' && dom && 'innerHTML' in dom)
          drawLoading (dom);
        if (paintMs !== 'never')
          setTimeout (function () { paint (dom, options); }, Number (paintMs));

        const webrtc = param ('sdkWebrtc', 'none');
        if (webrtc === 'require')
          new RTCPeerConnection ({ iceServers: [] });
        if (param ('sdkMedia', '') === 'gum')
          navigator.mediaDevices.getUserMedia ({ audio: true, video: false })
            .catch (function (e) { console.info ('no local media: ' + e.name); });

        function whenConnected (then) {
          if (webrtc !== 'wait')
            return then ();
          const poll = setInterval (function () {
            if (typeof root.RTCPeerConnection !== 'function')
              return;
            clearInterval (poll);
            const pc = new root.RTCPeerConnection ({ iceServers: [] });
            pc.addTransceiver ('video', { direction: 'recvonly' });
            pc.createOffer ().then (function (offer) {
              return pc.setLocalDescription (offer);
            }).then (then);
          }, 100);
        }

        setTimeout (function () { whenConnected (signal); }, readyMs);

        function signal () {
          const beacon = param ('sdkReadyBeacon', '');
          if (beacon !== '' && root.navigator.sendBeacon)
            root.navigator.sendBeacon (beacon, JSON.stringify ({ roomUuid: options.roomUuid,
                                                                 now: Date.now () }));
          switch (mode) {
          case 'event1':
            listener (1, { roomUuid: options.roomUuid });
            break;
          case 'whiteboard':
            listener (1, { type: 'chat' });
            listener (1, { type: 'video' });
            listener (1, { type: 'whiteboard' });
            break;
          case 'nowhiteboard':
            listener (1, { type: 'chat' });
            listener (1, { type: 'video' });
            break;
          case 'notify':
            root.navigator.notifyReady ();
            break;
          case 'console':
            console.log ('START_RECORDING');
            break;
          case 'error':
            throw new Error ('stand-in classroom failed to start');
          case 'reject':
            Promise.reject (new Error ('stand-in join rejected'));
            break;
          default:
            break;
          }
        }
        return { destroy: function () { listener (2); } };
      },
    };
  }

  root.RecordhostStandin = { create: create };
}) (self);
