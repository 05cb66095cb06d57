/* recordhost WebRTC and media stand-in (--webrtc=standin, the default).
 *
 * The cloud records with a browser that has WebRTC; this WebKit has none.
 * Classroom SDK bundles touch WebRTC while they evaluate (webrtc-adapter
 * rewrites RTCPeerConnection's prototype, TypeScript metadata names
 * MediaStreamTrack, a Unified Plan probe adds a transceiver), so the objects
 * must exist and cooperate: descriptions resolve, ICE and connection states
 * progress to "connected", stats answer.  No media ever flows.  Devices are
 * those of a recorder: none.
 *
 * Everything defined here is writable and configurable, every prototype
 * extensible: the adapter replaces globals and redefines methods.
 * webkitRTCPeerConnection is never defined: it would send the adapter down
 * its Chrome branch.
 *
 * This file is an expression: (function (config, post) {...}).  post (kind,
 * fields) reports to the host; "webrtc-standin" messages name each kind of
 * call once.
 */
(function (config, post) {
  'use strict';

  if (typeof window.RTCPeerConnection === 'function')
    return; /* the engine has its own */

  const noted = new Set ();
  function note (call) {
    if (noted.has (call))
      return;
    noted.add (call);
    post ('webrtc-standin', { call: call });
  }
  function later (callback) {
    setTimeout (callback, 0);
  }
  let serial = 0;
  function newId (prefix) {
    serial++;
    return prefix + '-' + serial + '-' + Math.random ().toString (36).slice (2, 10);
  }
  /* on<type> handler properties dispatched like the engine's. */
  function fire (target, type, event) {
    const handler = target['on' + type];
    target.dispatchEvent (event);
    if (typeof handler === 'function') {
      try {
        handler.call (target, event);
      } catch (e) {
        later (() => { throw e; });
      }
    }
  }
  function domException (message, name) {
    return new DOMException (message, name);
  }

  /* ---- media ---- */

  class MediaStreamTrack extends EventTarget {
    constructor (kind, label) {
      super ();
      this.kind = kind === 'audio' ? 'audio' : 'video';
      this.id = newId ('track');
      this.label = label || '';
      this.enabled = true;
      this.muted = true;
      this.readyState = 'live';
      this.contentHint = '';
      this.onended = null;
      this.onmute = null;
      this.onunmute = null;
    }
    stop () { this.readyState = 'ended'; }
    clone () { return new MediaStreamTrack (this.kind, this.label); }
    getSettings () { return {}; }
    getConstraints () { return {}; }
    getCapabilities () { return {}; }
    applyConstraints () { return Promise.resolve (); }
  }
  class CanvasCaptureMediaStreamTrack extends MediaStreamTrack {
    requestFrame () {}
  }
  class MediaStream extends EventTarget {
    constructor (init) {
      super ();
      note ('new MediaStream');
      this.id = newId ('stream');
      this.active = true;
      this.onaddtrack = null;
      this.onremovetrack = null;
      if (init instanceof MediaStream)
        this._tracks = init.getTracks ();
      else
        this._tracks = Array.isArray (init) ? init.slice () : [];
    }
    getTracks () { return this._tracks.slice (); }
    getAudioTracks () { return this._tracks.filter ((t) => t.kind === 'audio'); }
    getVideoTracks () { return this._tracks.filter ((t) => t.kind === 'video'); }
    getTrackById (id) { return this._tracks.find ((t) => t.id === id) || null; }
    addTrack (track) {
      if (this._tracks.indexOf (track) < 0)
        this._tracks.push (track);
    }
    removeTrack (track) { this._tracks = this._tracks.filter ((t) => t !== track); }
    clone () { return new MediaStream (this._tracks.map ((t) => t.clone ())); }
  }
  class MediaStreamTrackEvent extends Event {
    constructor (type, init) {
      super (type, init);
      this.track = (init && init.track) || null;
    }
  }

  /* ---- descriptions and candidates ---- */

  class RTCSessionDescription {
    constructor (init) {
      this.type = (init && init.type) || '';
      this.sdp = (init && init.sdp) || '';
    }
    toJSON () { return { type: this.type, sdp: this.sdp }; }
  }
  class RTCIceCandidate {
    constructor (init) {
      init = init || {};
      this.candidate = init.candidate || '';
      this.sdpMid = init.sdpMid === undefined ? null : init.sdpMid;
      this.sdpMLineIndex = init.sdpMLineIndex === undefined ? null : init.sdpMLineIndex;
      this.usernameFragment = init.usernameFragment || null;
      const fields = this.candidate.replace (/^candidate:/, '').split (' ');
      this.foundation = fields[0] || null;
      this.component = fields[1] === '2' ? 'rtcp' : 'rtp';
      this.protocol = fields[2] ? fields[2].toLowerCase () : null;
      this.priority = fields[3] ? Number (fields[3]) : null;
      this.address = fields[4] || null;
      this.port = fields[5] ? Number (fields[5]) : null;
      this.type = fields[7] || null;
    }
    toJSON () {
      return { candidate: this.candidate, sdpMid: this.sdpMid,
               sdpMLineIndex: this.sdpMLineIndex, usernameFragment: this.usernameFragment };
    }
  }
  class RTCPeerConnectionIceEvent extends Event {
    constructor (type, init) {
      super (type, init);
      this.candidate = (init && init.candidate) || null;
    }
  }
  class RTCTrackEvent extends Event {
    constructor (type, init) {
      super (type, init);
      this._init = init || {};
    }
    get receiver () { return this._init.receiver || null; }
    get track () { return this._init.track || null; }
    get streams () { return this._init.streams || []; }
    get transceiver () { return this._init.transceiver || null; }
  }
  class RTCDataChannelEvent extends Event {
    constructor (type, init) {
      super (type, init);
      this.channel = (init && init.channel) || null;
    }
  }

  /* ---- senders, receivers, transceivers, data channels ---- */

  function emptyStats () {
    return Promise.resolve (new Map ());
  }
  const CODECS = {
    audio: [{ mimeType: 'audio/opus', clockRate: 48000, channels: 2,
              sdpFmtpLine: 'minptime=10;useinbandfec=1' }],
    video: [{ mimeType: 'video/VP8', clockRate: 90000 },
            { mimeType: 'video/H264', clockRate: 90000,
              sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' }],
  };
  function capabilities (kind) {
    const codecs = CODECS[kind];
    return codecs ? { codecs: codecs.slice (), headerExtensions: [] } : null;
  }
  class RTCRtpSender {
    constructor (track, transport) {
      this.track = track || null;
      this.transport = transport || null;
      this.rtcpTransport = null;
      this.dtmf = null;
      this._parameters = { transactionId: newId ('tx'), encodings: [{ active: true }],
                           codecs: [], headerExtensions: [], rtcp: {} };
    }
    static getCapabilities (kind) { return capabilities (kind); }
    getParameters () { return this._parameters; }
    setParameters (parameters) {
      note ('RTCRtpSender.setParameters');
      this._parameters = parameters || this._parameters;
      return Promise.resolve ();
    }
    replaceTrack (track) {
      note ('RTCRtpSender.replaceTrack');
      this.track = track || null;
      return Promise.resolve ();
    }
    setStreams () {}
    getStats () { return emptyStats (); }
  }
  class RTCRtpReceiver {
    constructor (kind, transport) {
      this.track = new MediaStreamTrack (kind, 'remote ' + kind);
      this.transport = transport || null;
      this.rtcpTransport = null;
    }
    static getCapabilities (kind) { return capabilities (kind); }
    getParameters () { return { codecs: [], headerExtensions: [], rtcp: {} }; }
    getSynchronizationSources () { return []; }
    getContributingSources () { return []; }
    getStats () { return emptyStats (); }
  }
  class RTCRtpTransceiver {
    constructor (kind, direction, track, transport) {
      this.mid = null;
      this.direction = direction || 'sendrecv';
      this._currentDirection = null;
      this.sender = new RTCRtpSender (track, transport);
      this.receiver = new RTCRtpReceiver (kind, transport);
      this.stopped = false;
      this._kind = kind;
    }
    /* On the prototype, as in engines with Unified Plan: the RTC SDK looks
     * for it there. */
    get currentDirection () { return this._currentDirection; }
    set currentDirection (value) { this._currentDirection = value; }
    stop () {
      this.stopped = true;
      this.direction = 'stopped';
      this._currentDirection = 'stopped';
    }
    setCodecPreferences () {}
  }
  class RTCDataChannel extends EventTarget {
    constructor (label, init) {
      super ();
      init = init || {};
      this.label = String (label);
      this.ordered = init.ordered !== false;
      this.protocol = init.protocol || '';
      this.negotiated = !!init.negotiated;
      this.id = init.id === undefined ? null : init.id;
      this.readyState = 'connecting';
      this.bufferedAmount = 0;
      this.bufferedAmountLowThreshold = 0;
      this.binaryType = 'blob';
      for (const type of ['open', 'message', 'close', 'closing', 'error', 'bufferedamountlow'])
        this['on' + type] = null;
    }
    send () {
      if (this.readyState !== 'open')
        throw domException ('RTCDataChannel.readyState is not \'open\'', 'InvalidStateError');
    }
    close () {
      if (this.readyState === 'closed')
        return;
      this.readyState = 'closed';
      later (() => fire (this, 'close', new Event ('close')));
    }
  }

  /* ---- the peer connection ---- */

  function randomToken (length) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let out = '';
    for (let i = 0; i < length; i++)
      out += alphabet[Math.floor (Math.random () * alphabet.length)];
    return out;
  }
  function fingerprint () {
    const bytes = [];
    for (let i = 0; i < 32; i++)
      bytes.push (Math.floor (Math.random () * 256).toString (16).toUpperCase ().padStart (2, '0'));
    return bytes.join (':');
  }
  function mediaSection (kind, mid, direction, ice, setup) {
    const codecs = kind === 'audio'
      ? ['a=rtpmap:111 opus/48000/2', 'a=rtcp-fb:111 transport-cc',
         'a=fmtp:111 minptime=10;useinbandfec=1']
      : ['a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli',
         'a=rtcp-fb:96 goog-remb', 'a=rtcp-fb:96 transport-cc', 'a=rtpmap:102 H264/90000',
         'a=rtcp-fb:102 nack', 'a=rtcp-fb:102 nack pli',
         'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'];
    const payloads = kind === 'audio' ? '111' : '96 102';
    return ['m=' + kind + ' 9 UDP/TLS/RTP/SAVPF ' + payloads,
            'c=IN IP4 0.0.0.0', 'a=rtcp:9 IN IP4 0.0.0.0',
            'a=ice-ufrag:' + ice.ufrag, 'a=ice-pwd:' + ice.pwd, 'a=ice-options:trickle',
            'a=fingerprint:sha-256 ' + ice.fingerprint, 'a=setup:' + setup, 'a=mid:' + mid,
            'a=' + direction, 'a=rtcp-mux', 'a=rtcp-rsize'].concat (codecs);
  }
  function applicationSection (mid, ice, setup) {
    return ['m=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0',
            'a=ice-ufrag:' + ice.ufrag, 'a=ice-pwd:' + ice.pwd, 'a=ice-options:trickle',
            'a=fingerprint:sha-256 ' + ice.fingerprint, 'a=setup:' + setup, 'a=mid:' + mid,
            'a=sctp-port:5000', 'a=max-message-size:262144'];
  }
  function midsOf (sdp) {
    const mids = [];
    for (const line of String (sdp || '').split (/\r?\n/))
      if (line.startsWith ('a=mid:'))
        mids.push (line.slice (6));
    return mids;
  }

  const STATE_EVENTS = ['icecandidate', 'icecandidateerror', 'iceconnectionstatechange',
                        'icegatheringstatechange', 'connectionstatechange',
                        'signalingstatechange', 'negotiationneeded', 'track', 'datachannel'];

  class RTCPeerConnection extends EventTarget {
    constructor (configuration) {
      super ();
      note ('new RTCPeerConnection');
      this._configuration = Object.assign ({ iceServers: [], iceTransportPolicy: 'all',
                                             bundlePolicy: 'balanced', rtcpMuxPolicy: 'require' },
                                           configuration || {});
      this._ice = { ufrag: randomToken (4), pwd: randomToken (24), fingerprint: fingerprint () };
      this._transceivers = [];
      this._channels = [];
      this._closed = false;
      this._version = 0;
      this._sessionId = String (Math.floor (Math.random () * 1e15));
      this.localDescription = null;
      this.remoteDescription = null;
      this.currentLocalDescription = null;
      this.currentRemoteDescription = null;
      this.pendingLocalDescription = null;
      this.pendingRemoteDescription = null;
      this.signalingState = 'stable';
      this.iceGatheringState = 'new';
      this.iceConnectionState = 'new';
      this.connectionState = 'new';
      this.canTrickleIceCandidates = null;
      for (const type of STATE_EVENTS)
        this['on' + type] = null;
    }
    static generateCertificate () {
      return Promise.resolve ({ expires: Date.now () + 30 * 86400000,
                                getFingerprints: () => [] });
    }
    _checkOpen () {
      if (this._closed)
        throw domException ('The RTCPeerConnection\'s signalingState is \'closed\'.',
                            'InvalidStateError');
    }
    _setState (name, value, type) {
      if (this._closed && value !== 'closed')
        return;
      if (this[name] === value)
        return;
      this[name] = value;
      fire (this, type, new Event (type));
    }
    _sdp (type) {
      const setup = type === 'offer' ? 'actpass' : 'active';
      const lines = ['v=0', 'o=- ' + this._sessionId + ' ' + (++this._version) + ' IN IP4 127.0.0.1',
                     's=-', 't=0 0'];
      const sections = [];
      const remoteMids = type === 'answer' && this.remoteDescription
                         ? midsOf (this.remoteDescription.sdp) : null;
      this._transceivers.forEach ((transceiver, index) => {
        if (transceiver.mid === null)
          transceiver.mid = remoteMids && remoteMids[index] !== undefined ? remoteMids[index]
                                                                           : String (index);
        sections.push (mediaSection (transceiver._kind, transceiver.mid, transceiver.direction,
                                     this._ice, setup));
      });
      if (this._channels.length > 0)
        sections.push (applicationSection (String (this._transceivers.length), this._ice, setup));
      const mids = this._transceivers.map ((t) => t.mid);
      if (this._channels.length > 0)
        mids.push (String (this._transceivers.length));
      if (mids.length > 0)
        lines.push ('a=group:BUNDLE ' + mids.join (' '));
      lines.push ('a=msid-semantic: WMS');
      for (const section of sections)
        lines.push.apply (lines, section);
      return lines.join ('\r\n') + '\r\n';
    }
    createOffer (options) {
      note ('RTCPeerConnection.createOffer');
      this._checkOpen ();
      options = options || {};
      for (const kind of ['audio', 'video']) {
        const key = kind === 'audio' ? 'offerToReceiveAudio' : 'offerToReceiveVideo';
        if (options[key] && !this._transceivers.some ((t) => t._kind === kind))
          this.addTransceiver (kind, { direction: 'recvonly' });
      }
      return Promise.resolve (new RTCSessionDescription ({ type: 'offer',
                                                           sdp: this._sdp ('offer') }));
    }
    createAnswer () {
      note ('RTCPeerConnection.createAnswer');
      this._checkOpen ();
      if (this.remoteDescription === null)
        return Promise.reject (domException ('No remote offer', 'InvalidStateError'));
      return Promise.resolve (new RTCSessionDescription ({ type: 'answer',
                                                           sdp: this._sdp ('answer') }));
    }
    setLocalDescription (description) {
      note ('RTCPeerConnection.setLocalDescription');
      this._checkOpen ();
      if (!description || !description.type)
        description = { type: this.signalingState === 'have-remote-offer' ? 'answer' : 'offer' };
      const sdp = description.sdp || this._sdp (description.type);
      const local = new RTCSessionDescription ({ type: description.type, sdp: sdp });
      this.localDescription = local;
      if (description.type === 'offer') {
        this.pendingLocalDescription = local;
        this._setState ('signalingState', 'have-local-offer', 'signalingstatechange');
      } else {
        this.currentLocalDescription = local;
        this.currentRemoteDescription = this.remoteDescription;
        this.pendingLocalDescription = this.pendingRemoteDescription = null;
        this._setState ('signalingState', 'stable', 'signalingstatechange');
        this._connect ();
      }
      later (() => this._gather ());
      return Promise.resolve ();
    }
    setRemoteDescription (description) {
      note ('RTCPeerConnection.setRemoteDescription');
      this._checkOpen ();
      const remote = new RTCSessionDescription (description);
      this.remoteDescription = remote;
      if (remote.type === 'offer') {
        this.pendingRemoteDescription = remote;
        const mids = midsOf (remote.sdp);
        const kinds = [];
        for (const line of String (remote.sdp).split (/\r?\n/)) {
          const match = /^m=(audio|video)/.exec (line);
          if (match)
            kinds.push (match[1]);
        }
        kinds.forEach ((kind, index) => {
          if (!this._transceivers[index])
            this._addTransceiver (kind, 'recvonly', null, mids[index]);
        });
        this._setState ('signalingState', 'have-remote-offer', 'signalingstatechange');
      } else {
        this.currentRemoteDescription = remote;
        this.currentLocalDescription = this.localDescription;
        this.pendingLocalDescription = this.pendingRemoteDescription = null;
        this._setState ('signalingState', 'stable', 'signalingstatechange');
        this._connect ();
      }
      return Promise.resolve ();
    }
    _gather () {
      if (this._closed || this.iceGatheringState === 'complete')
        return;
      this._setState ('iceGatheringState', 'gathering', 'icegatheringstatechange');
      const candidate = new RTCIceCandidate ({
        candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 9 typ host generation 0 ufrag '
                   + this._ice.ufrag,
        sdpMid: this._transceivers.length > 0 ? this._transceivers[0].mid : '0',
        sdpMLineIndex: 0, usernameFragment: this._ice.ufrag });
      later (() => {
        if (this._closed)
          return;
        fire (this, 'icecandidate', new RTCPeerConnectionIceEvent ('icecandidate',
                                                                   { candidate: candidate }));
        this._setState ('iceGatheringState', 'complete', 'icegatheringstatechange');
        fire (this, 'icecandidate', new RTCPeerConnectionIceEvent ('icecandidate',
                                                                   { candidate: null }));
      });
    }
    _connect () {
      if (this._connecting)
        return;
      this._connecting = true;
      for (const transceiver of this._transceivers)
        transceiver.currentDirection = transceiver.direction;
      later (() => {
        this._setState ('iceConnectionState', 'checking', 'iceconnectionstatechange');
        this._setState ('connectionState', 'connecting', 'connectionstatechange');
        later (() => {
          this._setState ('iceConnectionState', 'connected', 'iceconnectionstatechange');
          this._setState ('connectionState', 'connected', 'connectionstatechange');
          for (const channel of this._channels)
            if (channel.readyState === 'connecting') {
              channel.readyState = 'open';
              fire (channel, 'open', new Event ('open'));
            }
        });
      });
    }
    addIceCandidate (candidate) {
      note ('RTCPeerConnection.addIceCandidate');
      this._checkOpen ();
      return Promise.resolve ();
    }
    _addTransceiver (kind, direction, track, mid) {
      const transceiver = new RTCRtpTransceiver (kind, direction, track, null);
      if (mid !== undefined)
        transceiver.mid = mid;
      this._transceivers.push (transceiver);
      return transceiver;
    }
    addTransceiver (trackOrKind, init) {
      note ('RTCPeerConnection.addTransceiver');
      this._checkOpen ();
      const track = typeof trackOrKind === 'string' ? null : trackOrKind;
      const kind = typeof trackOrKind === 'string' ? trackOrKind
                                                   : (trackOrKind && trackOrKind.kind) || 'video';
      if (kind !== 'audio' && kind !== 'video')
        throw new TypeError ('The provided value \'' + kind + '\' is not a valid kind');
      const transceiver = this._addTransceiver (kind, (init && init.direction) || 'sendrecv',
                                                track);
      later (() => fire (this, 'negotiationneeded', new Event ('negotiationneeded')));
      return transceiver;
    }
    addTrack (track) {
      note ('RTCPeerConnection.addTrack');
      this._checkOpen ();
      const free = this._transceivers.find ((t) => t._kind === track.kind && t.sender.track === null
                                                   && !t.stopped);
      if (free) {
        free.sender.track = track;
        free.direction = 'sendrecv';
        return free.sender;
      }
      return this.addTransceiver (track, { direction: 'sendrecv' }).sender;
    }
    removeTrack (sender) {
      note ('RTCPeerConnection.removeTrack');
      this._checkOpen ();
      if (sender)
        sender.track = null;
    }
    getTransceivers () { return this._transceivers.slice (); }
    getSenders () { return this._transceivers.map ((t) => t.sender); }
    getReceivers () { return this._transceivers.map ((t) => t.receiver); }
    createDataChannel (label, init) {
      note ('RTCPeerConnection.createDataChannel');
      this._checkOpen ();
      const channel = new RTCDataChannel (label, init);
      this._channels.push (channel);
      if (this.connectionState === 'connected')
        later (() => {
          channel.readyState = 'open';
          fire (channel, 'open', new Event ('open'));
        });
      return channel;
    }
    getStats () {
      note ('RTCPeerConnection.getStats');
      const now = performance.timeOrigin + performance.now ();
      const report = new Map ();
      report.set ('P', { id: 'P', type: 'peer-connection', timestamp: now,
                         dataChannelsOpened: 0, dataChannelsClosed: 0 });
      report.set ('T', { id: 'T', type: 'transport', timestamp: now, bytesSent: 0,
                         bytesReceived: 0, dtlsState: this.connectionState === 'connected'
                                                      ? 'connected' : 'new' });
      return Promise.resolve (report);
    }
    getConfiguration () { return Object.assign ({}, this._configuration); }
    setConfiguration (configuration) {
      this._checkOpen ();
      this._configuration = Object.assign ({}, this._configuration, configuration || {});
    }
    restartIce () {}
    get sctp () { return null; }
    close () {
      if (this._closed)
        return;
      note ('RTCPeerConnection.close');
      this._closed = true;
      this.signalingState = 'closed';
      this.iceConnectionState = 'closed';
      this.connectionState = 'closed';
      for (const transceiver of this._transceivers)
        transceiver.stop ();
      for (const channel of this._channels)
        channel.readyState = 'closed';
    }
  }

  /* ---- devices: a recorder has none ---- */

  class MediaDevices extends EventTarget {
    constructor () {
      super ();
      this.ondevicechange = null;
    }
    enumerateDevices () {
      note ('enumerateDevices');
      return Promise.resolve ([]);
    }
    getUserMedia () {
      note ('getUserMedia');
      return Promise.reject (domException ('Requested device not found', 'NotFoundError'));
    }
    getDisplayMedia () {
      note ('getDisplayMedia');
      return Promise.reject (domException ('The request is not allowed by the user agent',
                                           'NotAllowedError'));
    }
    getSupportedConstraints () {
      const names = ['aspectRatio', 'autoGainControl', 'channelCount', 'deviceId',
                     'echoCancellation', 'facingMode', 'frameRate', 'groupId', 'height',
                     'latency', 'noiseSuppression', 'sampleRate', 'sampleSize', 'width'];
      const supported = {};
      for (const name of names)
        supported[name] = true;
      return supported;
    }
  }

  const globals = {
    RTCPeerConnection, RTCSessionDescription, RTCIceCandidate, RTCTrackEvent,
    RTCPeerConnectionIceEvent, RTCDataChannelEvent, RTCRtpSender, RTCRtpReceiver,
    RTCRtpTransceiver, RTCDataChannel, MediaStream, MediaStreamTrack, MediaStreamTrackEvent,
    CanvasCaptureMediaStreamTrack, MediaDevices,
  };
  for (const name of Object.keys (globals))
    if (typeof window[name] !== 'function')
      Object.defineProperty (window, name, { value: globals[name], writable: true,
                                             configurable: true, enumerable: false });
  if (!navigator.mediaDevices) {
    const mediaDevices = new MediaDevices ();
    Object.defineProperty (Navigator.prototype, 'mediaDevices', {
      configurable: true, enumerable: true, get: () => mediaDevices });
  }
})
