#!/usr/bin/env python3
"""Parity with Chromium, measured: the published classroom SDK bundles in
recordhost and in headless Chromium, on the same page, offline.

For each version of the npm package agora-classroom-sdk, both engines load
http://127.0.0.1:PORT/record_page.html?<room>&sdkBundle=sdk-real/<version>/edu_sdk.bundle.js
from one loopback server started here (the bundle's folder served inside the
page's directory, where the page takes sdkBundle from its query), with the
same room query.  The SDKs' API hosts get the same answers: recordhost from
`check --sdk-api local` (its embedded cloud); Chromium (Playwright, Debian's
chromium, headless, fresh profile) from routes on the hosts recordhost routes
that forward the SDKs' first calls (1.1.x configs, 2.x check-in) to a
`recordhost cloud` started here, acknowledge a ready call, and answer the
rest 404 "no such API" as check's room-less cloud does.  Every other
non-loopback request fails, as DNS does on a recorder without network.
Compared per version:
  (a) the bundle was evaluated (AgoraEduSDK got defined),
  (b) AgoraEduSDK.launch was called,
  (c) the SDK's API requests (method, host and path, with the appId, room and
      user replaced by placeholders; hosts api.agora.io, api.sd-rtn.com,
      api-*.agora.io, api-*.sd-rtn.com),
  (d) uncaught errors and unhandled rejections (message),
  (e) the launch listener events seen.
Each difference is classified "engine" or "not engine" (timing, retries,
one engine stopping sooner: recordhost's check ends at its verdict) with its
reason; "engine (wording)" is the same event worded otherwise by the engine.
Then the times to launch, first paint and event 1.  Exit status 1 when a
difference is classified "engine".

Bundles: where tests/real-sdk/fetch keeps them (run it first; it honours
$RECORDHOST_REAL_SDK_DIR).  Installs what it needs (as root) like vs-chromium.py: Debian's
chromium, and playwright-core from npm into ~/.cache/recordhost-bench.

    tests/bench/real-sdk-parity.py [--runs N] [--versions 2.8.21,2.9.52]
"""
import argparse
import collections
import http.server
import importlib.util
import json
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from benchlib import PAGE_DIR, settle  # noqa: E402

# vs-chromium.py knows how Chromium and playwright-core are installed and
# launched on this platform.
_spec = importlib.util.spec_from_file_location("vs_chromium", os.path.join(HERE, "vs-chromium.py"))
vs_chromium = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vs_chromium)

ROOT = os.path.dirname(os.path.dirname(HERE))
VERSIONS = ["1.1.2-rc.3", "1.1.5-rc.2", "2.8.21", "2.9.52"]
APP_ID = "0123456789abcdef0123456789abcdef"  # 1.1.x wants 32 characters
ROOM = "parity-room"
USER = "recorder-parity"
TOKEN = "parity-token"
TIMEOUT_S = 30
PLACEHOLDERS = [(APP_ID, "{appId}"), (ROOM, "{room}"), (USER, "{user}")]
API_HOST = re.compile(r"^api(-[a-z0-9-]+)?\.(agora\.io|sd-rtn\.com)$")


def routed_hosts():
    """The SDK API hosts `--sdk-api local` routes, read from src/rh-route.c
    so that Chromium gets exactly the same ones."""
    with open(os.path.join(ROOT, "src", "rh-route.c")) as f:
        source = f.read()
    block = re.search(r"sdk_api_hosts\[\]\s*=\s*\{(.*?)\};", source, re.S)
    hosts = re.findall(r'"([^"]+)"', block.group(1)) if block else []
    if not hosts:
        sys.exit("cannot read the SDK API hosts from src/rh-route.c")
    return hosts


def bundle_path(version):
    """Where tests/real-sdk/fetch keeps it (the package's lib/ folder)."""
    fetch = os.path.join(ROOT, "tests", "real-sdk", "fetch")
    base = subprocess.run([fetch, "--print-dir"], check=True, capture_output=True,
                          text=True).stdout.strip()
    return os.path.join(base, version, "edu_sdk.bundle.js")


# ---- the loopback server: page/ at /, each bundle's directory at
# /sdk-real/<version>/ (2.8 loads chunks next to its bundle) ----

class PageServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, bundles):
        super().__init__(("127.0.0.1", 0), _PageHandler)
        self.bundles = bundles  # version -> directory
        self.missing = []  # paths answered 404 since the last clear
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"


class _PageHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _file(self):
        path = urllib.parse.unquote(self.path.split("?", 1)[0])
        if ".." in path.split("/"):
            return None
        parts = path.lstrip("/").split("/")
        if len(parts) >= 3 and parts[0] == "sdk-real" and parts[1] in self.server.bundles:
            return os.path.join(self.server.bundles[parts[1]], *parts[2:])
        return os.path.join(PAGE_DIR, *parts)

    def _send(self, status, body, content_type):
        if status == 404:
            self.server.missing.append(f"{self.command} {self.path.split('?', 1)[0]}")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        file = self._file()
        if file is None or not os.path.isfile(file):
            self._send(404, b"not found", "text/plain")
            return
        with open(file, "rb") as f:
            data = f.read()
        self._send(200, data, mimetypes.guess_type(file)[0] or "application/octet-stream")

    do_HEAD = do_GET

    def do_PUT(self):
        """A ready call sent to the page's own origin: acknowledged."""
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?", 1)[0].endswith("/records/ready"):
            body = {"msg": "Success", "code": 0, "ts": int(time.time() * 1000)}
            self._send(200, json.dumps(body).encode(), "application/json")
        else:
            self._send(404, b"not found", "text/plain")

    def log_message(self, *args):
        pass


# ---- Chromium ----

# Injected at document start: a setter trap for AgoraEduSDK that wraps its
# launch and the launch listener, and the page's uncaught errors and
# unhandled rejections, all timed with performance.now() (ms since
# navigation start).
INIT_SCRIPT = r"""
(() => {
  const rec = { defined_ms: null, launch_ms: null, events: [], errors: [], trap: 'set' };
  Object.defineProperty(window, '__parity', { value: rec, enumerable: false });
  const now = () => Math.round(performance.now());
  const describe = (value) => {
    if (value && typeof value === 'object' && 'message' in value) return String(value.message);
    try { return typeof value === 'string' ? value : JSON.stringify(value); }
    catch (e) { return String(value); }
  };
  window.addEventListener('error', (e) => {
    rec.errors.push({ ms: now(), kind: 'error', message: String(e.message || describe(e.error)),
                      source: String(e.filename || ''), line: e.lineno || 0,
                      stack: e.error && e.error.stack ? String(e.error.stack).slice(0, 600) : '' });
  });
  window.addEventListener('unhandledrejection', (e) => {
    const r = e.reason;
    rec.errors.push({ ms: now(), kind: 'rejection', message: describe(r),
                      stack: r && r.stack ? String(r.stack).slice(0, 600) : '' });
  });
  const wrapped = new WeakSet();
  const wrapLaunch = (sdk) => {
    let launch;
    try { launch = sdk && sdk.launch; } catch (e) { return sdk; }
    if (typeof launch !== 'function' || wrapped.has(launch)) return sdk;
    const ours = function (dom, options) {
      rec.launch_ms = now();
      if (options && typeof options === 'object') {
        const listener = options.listener;
        const spy = function (event, args) {
          rec.events.push({ ms: now(), event: event });
          if (typeof listener === 'function') return listener.apply(this, arguments);
        };
        try { options.listener = spy; } catch (e) {}
        if (options.listener !== spy) options = Object.assign({}, options, { listener: spy });
      }
      return launch.call(this, dom, options);
    };
    wrapped.add(ours);
    try { sdk.launch = ours; } catch (e) {}
    if (sdk.launch === ours) return sdk;
    rec.trap = 'derived';
    return Object.create(sdk, { launch: { value: ours, enumerable: true } });
  };
  // value: what the bundle assigned; seen: what the page gets (value with its
  // launch wrapped, or an object derived from it when launch is read-only).
  let value, seen;
  Object.defineProperty(window, 'AgoraEduSDK', {
    configurable: true, enumerable: true,
    get() {
      if (value !== undefined && value !== null && (seen === undefined || seen === value))
        seen = wrapLaunch(value);  // launch may be added after the assignment
      return seen === undefined ? value : seen;
    },
    set(v) {
      value = v;
      seen = undefined;
      if (v !== undefined && v !== null && rec.defined_ms === null) rec.defined_ms = now();
    },
  });
  document.addEventListener('DOMContentLoaded', () => {
    const d = Object.getOwnPropertyDescriptor(window, 'AgoraEduSDK');
    if (d && 'value' in d) {  // defined over the trap: launch not seen
      rec.trap = 'replaced';
      if (d.value && rec.defined_ms === null) rec.defined_ms = now();
    }
  });
})();
"""

NODE_SCRIPT = r"""
const [playwrightPath, pageUrl, cloudUrl, executablePath, argsJson, routedJson, timeoutMs,
       initScript] = process.argv.slice(2);
const { chromium } = require(playwrightPath);
const routed = new Set(JSON.parse(routedJson));
// The SDKs' first calls (1.1.x configs, 2.x check-in), which the cloud answers
// as `check --sdk-api local` does; an optional region segment comes first.
const FIRST_CALL = /^(\/[^/]+)?\/edu\/apps\/[^/]+\/(v2\/configs|v3\/rooms\/[^/]+\/users\/[^/]+)$/;
const loopback = (u) => ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);

(async () => {
  const browser = await chromium.launch({ executablePath, headless: true,
                                          args: JSON.parse(argsJson) });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const requests = [];
  const t0 = Date.now();
  const entry = (request) => {
    let found = requests.find((r) => r.request === request);
    if (!found) {
      found = { request, method: request.method(), url: request.url(),
                type: request.resourceType(), wall: Date.now(), status: null, error: null };
      requests.push(found);
    }
    return found;
  };
  page.on('request', (r) => { entry(r); });
  page.on('response', (r) => { entry(r.request()).status = r.status(); });
  page.on('requestfailed', (r) => { entry(r).error = (r.failure() || {}).errorText || 'failed'; });
  page.on('websocket', (ws) => {
    requests.push({ method: 'WEBSOCKET', url: ws.url(), type: 'websocket', wall: Date.now(),
                    status: null, error: null });
  });
  await page.route((u) => !loopback(u), async (route) => {
    const request = route.request();
    const u = new URL(request.url());
    if (request.method() === 'PUT' && u.pathname.endsWith('/records/ready')) {
      await route.fulfill({ status: 200, contentType: 'application/json',
                            headers: { 'Access-Control-Allow-Origin': '*' },
                            body: JSON.stringify({ msg: 'Success', code: 0, ts: Date.now() }) });
    } else if (routed.has(u.hostname) && FIRST_CALL.test(u.pathname)) {
      try {
        const response = await route.fetch({ url: cloudUrl + u.pathname + u.search,
                                             maxRedirects: 0 });
        await route.fulfill({ response });
      } catch (e) {
        await route.abort('connectionrefused');
      }
    } else if (routed.has(u.hostname)) {
      // What check's own cloud, which keeps no rooms, answers the rest with.
      await route.fulfill({ status: 404, contentType: 'application/json',
                            headers: { 'Access-Control-Allow-Origin': '*' },
                            body: JSON.stringify({ msg: 'no such API', code: 404,
                                                   ts: Date.now() }) });
    } else {
      await route.abort('namenotresolved');
    }
  });
  await page.addInitScript({ content: initScript });
  await page.goto(pageUrl, { waitUntil: 'commit' });
  const deadline = t0 + Number(timeoutMs);
  let rec = null, readyAt = null;
  while (Date.now() < deadline && (readyAt === null || Date.now() < readyAt + 1000)) {
    await new Promise((r) => setTimeout(r, 200));
    try {
      rec = await page.evaluate(() => ({ rec: window.__parity,
                                         origin: performance.timeOrigin,
                                         defined: typeof window.AgoraEduSDK !== 'undefined' }));
    } catch (e) {
      continue;  // navigating
    }
    if (readyAt === null && rec.rec && rec.rec.events.some((e) => e.event === 1))
      readyAt = Date.now();
  }
  const origin = rec ? rec.origin : t0;
  const out = {
    record: rec ? rec.rec : null,
    defined_at_end: rec ? rec.defined : false,
    user_agent: await page.evaluate(() => navigator.userAgent).catch(() => null),
    watched_ms: Math.round(Date.now() - origin),
    requests: requests.map((r) => ({ method: r.method, url: r.url, type: r.type,
                                     ms: Math.round(r.wall - origin), status: r.status,
                                     error: r.error })),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  await browser.close();
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
"""


def run_chromium(script, url, cloud_url, hosts):
    playwright = os.path.join(vs_chromium.CACHE, "node_modules", "playwright-core")
    command = ["node", script, playwright, url, cloud_url, vs_chromium.CHROMIUM,
               json.dumps(vs_chromium.CHROMIUM_ARGS), json.dumps(hosts),
               str(TIMEOUT_S * 1000), INIT_SCRIPT]
    user_data = tempfile.mkdtemp(prefix="parity-chromium-")
    try:
        # playwright's launch() makes its own fresh profile directory; TMPDIR
        # puts it where we remove it.
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=TIMEOUT_S + 60, env=dict(os.environ, TMPDIR=user_data))
    finally:
        shutil.rmtree(user_data, ignore_errors=True)
    if result.returncode != 0 or not result.stdout.strip():
        sys.exit(f"the Playwright script failed ({result.returncode}): {result.stderr[-2000:]}")
    raw = json.loads(result.stdout.strip().splitlines()[-1])
    rec = raw["record"] or {"defined_ms": None, "launch_ms": None, "events": [], "errors": []}
    events = [e["event"] for e in rec["events"]]
    event1 = next((e["ms"] for e in rec["events"] if e["event"] == 1), None)
    return {
        "evaluated": rec["defined_ms"] is not None or raw["defined_at_end"],
        "launched": rec["launch_ms"] is not None,
        "requests": [(r["method"], r["url"], r["ms"], r["status"] if r["status"] is not None
                      else r["error"]) for r in raw["requests"]],
        "errors": [(e["message"], e["ms"], e["kind"]) for e in rec["errors"]],
        "events": [(e["event"], e["ms"]) for e in rec["events"]],
        "event_list": events,
        "launch_ms": rec["launch_ms"],
        "ready_ms": event1,
        "first_paint_ms": None,
        "end_ms": raw["watched_ms"],
        "user_agent": raw["user_agent"],
        "exit": None,
        "name": "Chromium",
        "trap": rec.get("trap", "set"),
    }


# ---- recordhost ----

def run_recordhost(binary, base, bundle_url):
    command = [binary, "check", f"{base}/record_page.html", "--app-id", APP_ID,
               "--room-uuid", ROOM, "--room-type", "4", "--user-uuid", USER,
               "--rtm-token", TOKEN, "--region", "CN", "--param", f"sdkBundle={bundle_url}",
               "--sdk-api", "local", "--timeout", str(TIMEOUT_S), "--json", "--quiet"]
    for attempt in range(3):
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S + 60)
        try:
            report = json.loads(result.stdout)
            break
        except ValueError:
            # A binary being rebuilt: wait and retry.
            print(f"recordhost did not report ({result.returncode}): {result.stderr[-300:]};"
                  " retrying in 60 s", file=sys.stderr)
            time.sleep(60)
    else:
        sys.exit("recordhost check did not print a report")
    events = report.get("events") or []
    kinds = collections.Counter(e["type"] for e in events)
    launch = next((e for e in events if e["type"] == "launch"), None)
    timeline = report.get("timeline") or {}
    listener = [e for e in events if e["type"] == "listener-event"]
    errors = []
    for e in events:
        if e["type"] == "js-error":
            detail = e.get("detail") or {}
            kind = "rejection" if e["text"].startswith("unhandled rejection") else "error"
            message = str(detail.get("message", e["text"]))
            if message == "Script error." and not detail.get("source") and not detail.get("line"):
                kind = "error-sanitized"  # no source, no line: WebKit hid the message
            errors.append((message, e["ms"], kind))
    return {
        "evaluated": kinds["sdk"] > 0 or launch is not None or bool(report.get("sdk")),
        "launched": launch is not None,
        "requests": [(r["method"], r["url"], r["start_ms"],
                      r["status"] if r.get("status") else r.get("error"))
                     for r in report.get("requests") or []],
        "errors": errors,
        "events": [((e.get("detail") or {}).get("event"), e["ms"]) for e in listener],
        "event_list": [(e.get("detail") or {}).get("event") for e in listener],
        "launch_ms": timeline.get("launch_ms"),
        "ready_ms": timeline.get("ready_event_ms"),
        "first_paint_ms": timeline.get("first_nonblank_ms"),
        "end_ms": max([e["ms"] for e in events] or [0]),
        "user_agent": (report.get("engine") or {}).get("user_agent"),
        "exit": report.get("exit_status", result.returncode),
        "name": "recordhost",
        # The first clause: "fail: not ready within 30 s", "pass: ready acknowledged".
        "verdict": f"{report.get('verdict')}: "
                   f"{(report.get('error') or 'ready acknowledged').split(';')[0][:90]}",
    }


# ---- comparison ----

def normalise_path(url):
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    for value, name in PLACEHOLDERS:
        path = path.replace(value, name)
    path = re.sub(r"/\d{6,}(?=/|$)", "/{n}", path)
    return f"{parts.hostname}{path}"


def api_requests(requests):
    """{'METHOD host/path': (count, first ms)} of the API-host requests; and
    the other non-loopback hosts, for information."""
    api, other = {}, collections.Counter()
    for method, url, ms, _ in requests:
        host = urllib.parse.urlsplit(url).hostname or ""
        if API_HOST.match(host):
            key = f"{method} {normalise_path(url)}"
            count, first = api.get(key, (0, ms))
            api[key] = (count + 1, min(first, ms) if ms is not None else first)
        elif host not in ("127.0.0.1", "localhost", "::1"):
            other[host] += 1
    return api, other


# The same failure worded by each engine; the key is what the comparison uses.
WORDINGS = [
    (re.compile(r"^(Failed to fetch|Load failed"
                r"|NetworkError when attempting to fetch resource\.?)$"),
     "network error (fetch failed)"),
]


def normalise_error(message):
    message = message.strip()
    for pattern, key in WORDINGS:
        if pattern.match(message):
            return key
    for value, name in PLACEHOLDERS:
        message = message.replace(value, name)
    return message


def error_set(errors):
    out = {}
    for message, ms, kind in errors:
        key = f"{kind.replace('-sanitized', '')}: {normalise_error(message)}"
        if key not in out:
            out[key] = (ms, message)
    return out


def milestones(side):
    """{name: ms} of what both engines can be lined up on: launch, the first
    of each listener event and of each API request."""
    out = {"launch": side["launch_ms"]}
    for event, ms in side["events"]:
        out.setdefault(f"event {event}", ms)
    for key, (_, ms) in api_requests(side["requests"])[0].items():
        out[key] = ms
    return {k: v for k, v in out.items() if v is not None}


def classify_missing(item_ms, present, absent, what):
    """An item @present saw at @item_ms and @absent did not.  Lined up on the
    last milestone both engines passed before it: when @absent stopped
    watching sooner after that milestone than the item came in @present,
    @absent never got the chance to see it."""
    mine, theirs = milestones(present), milestones(absent)
    common = [(ms, name) for name, ms in mine.items()
              if name in theirs and item_ms is not None and ms <= item_ms]
    if not common:
        return ("engine", f"{what} seen by {present['name']} only, before anything both "
                          "engines did")
    ms, name = max(common)
    after, watched = item_ms - ms, absent["end_ms"] - theirs[name]
    if after >= watched:
        return ("not engine", f"{what} came {after} ms after {name} in {present['name']}; "
                              f"{absent['name']} stopped watching {watched} ms after {name}")
    return ("engine", f"{what} came {after} ms after {name} in {present['name']}, "
                      f"{absent['name']} watched {watched} ms after it")


def compare(rh, cr):
    rows = []  # (aspect, recordhost, chromium, differs, classification, reason)

    def flag(aspect, a, b, differs, classification="", reason=""):
        rows.append((aspect, a, b, differs, classification, reason))

    for aspect, key in (("(a) bundle evaluated", "evaluated"), ("(b) launch called", "launched")):
        a, b = rh[key], cr[key]
        if a == b:
            flag(aspect, a, b, False)
        else:
            flag(aspect, a, b, True, "engine", "the same bundle and page behaved differently")

    rh_api, rh_other = api_requests(rh["requests"])
    cr_api, cr_other = api_requests(cr["requests"])
    notes = []
    for key in sorted(set(rh_api) | set(cr_api)):
        a, b = rh_api.get(key), cr_api.get(key)
        shown_a = f"{a[0]}x" if a else "-"
        shown_b = f"{b[0]}x" if b else "-"
        if a and b:
            if a[0] == b[0]:
                flag(f"(c) {key}", shown_a, shown_b, False)
            else:
                flag(f"(c) {key}", shown_a, shown_b, True, "not engine",
                     "made by both; how often depends on retries and on how long each was watched")
        else:
            present, absent = (rh, cr) if a else (cr, rh)
            c, reason = classify_missing((a or b)[1], present, absent, "the request")
            flag(f"(c) {key}", shown_a, shown_b, True, c, reason)

    rh_err, cr_err = error_set(rh["errors"]), error_set(cr["errors"])
    # WebKit 2.38 hands the page its ResizeObserver loop notification as
    # "Script error." with no source or line (checked with a page whose
    # observer resizes its own target): the same event, worded otherwise.
    reworded = set()
    sanitized = any(kind == "error-sanitized" for _, _, kind in rh["errors"])
    loop = [k for k in cr_err if k.startswith("error: ResizeObserver loop")]
    if sanitized and loop and "error: Script error." in rh_err:
        rh_err[loop[0]] = rh_err.pop("error: Script error.")
        reworded.add(loop[0])
    for key in sorted(set(rh_err) | set(cr_err)):
        a, b = rh_err.get(key), cr_err.get(key)
        if a and b and key in reworded:
            flag(f"(d) {key}", "yes, as \"Script error.\"", "yes", "wording", "engine (wording)",
                 "the same benign notification in both; WebKit 2.38 reports it to the page as "
                 "\"Script error.\" without source or line")
            continue
        if a and b:
            flag(f"(d) {key}", "yes", "yes", False)
            continue
        present, absent = (rh, cr) if a else (cr, rh)
        c, reason = classify_missing((a or b)[0], present, absent, "the error")
        flag(f"(d) {key}", "yes" if a else "-", "yes" if b else "-", True, c, reason)

    a, b = rh["event_list"], cr["event_list"]
    first_a = list(dict.fromkeys(a))
    first_b = list(dict.fromkeys(b))
    if first_a == first_b:
        flag("(e) listener events", first_a or "none", first_b or "none", False)
    else:
        missing = []
        for event in set(first_a) ^ set(first_b):
            present, absent = (rh, cr) if event in first_a else (cr, rh)
            ms = next(m for e, m in present["events"] if e == event)
            missing.append(classify_missing(ms, present, absent, f"event {event}"))
        if missing and all(c == "not engine" for c, _ in missing):
            flag("(e) listener events", first_a or "none", first_b or "none", True, "not engine",
                 "; ".join(r for _, r in missing))
        elif not missing:
            flag("(e) listener events", first_a, first_b, True, "not engine",
                 "same events, in another order: timing")
        else:
            flag("(e) listener events", first_a or "none", first_b or "none", True, "engine",
                 "; ".join(r for c, r in missing if c == "engine"))
    if cr.get("trap") == "replaced":
        notes.append("the bundle defined AgoraEduSDK over the Chromium side's trap: its launch "
                     "and listener events were not seen there")
    notes.append("not found on the page server: recordhost "
                 + (", ".join(rh["missing"]) or "none") + "; Chromium "
                 + (", ".join(cr["missing"]) or "none"))
    notes.append("other non-loopback hosts (failed offline): recordhost "
                 + (", ".join(f"{h} {n}x" for h, n in sorted(rh_other.items())) or "none")
                 + "; Chromium "
                 + (", ".join(f"{h} {n}x" for h, n in sorted(cr_other.items())) or "none"))
    return rows, notes


def cell(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value).replace("|", "\\|")


def ms(value):
    return "-" if value is None else f"{value}"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="runs of each engine per version")
    parser.add_argument("--versions", default=",".join(VERSIONS))
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--verbose", action="store_true", help="print each run's raw findings")
    args = parser.parse_args()
    versions = args.versions.split(",")

    bundles = {}
    for version in versions:
        path = bundle_path(version)
        if not os.path.isfile(path):
            sys.exit(f"no bundle for {version} at {path} (run tests/real-sdk/fetch)")
        bundles[version] = os.path.dirname(path)

    vs_chromium.ensure_tools()
    work = tempfile.mkdtemp(prefix="real-sdk-parity-")
    script = os.path.join(work, "parity.js")
    with open(script, "w") as f:
        f.write(NODE_SCRIPT)
    hosts = routed_hosts()

    server = PageServer(bundles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cloud_dir = os.path.join(work, "cloud")
    os.makedirs(cloud_dir)
    cloud = subprocess.Popen([args.binary, "cloud", "--listen", "127.0.0.1:0",
                              "--data-dir", cloud_dir],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    loads = []
    results = []
    try:
        cloud_url = cloud.stdout.readline().strip()
        if not cloud_url.startswith("http"):
            sys.exit("recordhost cloud did not start")
        for version in versions:
            bundle_url = f"sdk-real/{version}/edu_sdk.bundle.js"
            for run in range(args.runs):
                loads.append(os.getloadavg()[0])
                server.missing.clear()
                rh = run_recordhost(args.binary, server.base_url, bundle_url)
                rh["missing"] = sorted(set(server.missing))
                settle(timeout=5)
                query = urllib.parse.urlencode([
                    ("appId", APP_ID), ("roomUuid", ROOM), ("roomType", "4"), ("userUuid", USER),
                    ("roleType", "0"), ("pretest", "false"), ("rtmToken", TOKEN), ("region", "CN"),
                    ("sdkBundle", bundle_url), ("userName", "recorder"), ("roomName", ROOM),
                    ("language", "en"), ("startTime", str(int(time.time() * 1000))),
                    ("duration", "3600"), ("rtmUid", USER), ("recordUrl", "")])
                loads.append(os.getloadavg()[0])
                server.missing.clear()
                cr = run_chromium(script, f"{server.base_url}/record_page.html?{query}",
                                  cloud_url, hosts)
                cr["missing"] = sorted(set(server.missing))
                settle(timeout=5)
                print(f"  {version} run {run + 1}: recordhost {rh['verdict']}, "
                      f"events {rh['event_list']}; Chromium events {cr['event_list']}",
                      file=sys.stderr)
                if args.verbose:
                    print(json.dumps({"recordhost": rh, "chromium": cr}, indent=1),
                          file=sys.stderr)
                results.append((version, run, rh, cr))
    finally:
        cloud.terminate()
        try:
            cloud.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cloud.kill()
            cloud.wait()
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    engine_count = wording_count = 0
    print("\n## Real SDK bundles: recordhost vs headless Chromium\n")
    if results:
        print(f"recordhost: {results[0][2]['user_agent']}  ")
        print(f"Chromium: {results[0][3]['user_agent']}\n")
    print("| version | run | aspect | recordhost | Chromium | differs | classification | reason |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    all_notes = []
    compared = [(version, run, *compare(rh, cr)) for version, run, rh, cr in results]
    # With --runs N: what both engines showed alike in one run is no engine
    # difference in another.
    alike = collections.defaultdict(dict)
    for version, run, rows, _ in compared:
        for row in rows:
            if row[3] is False:
                alike[version].setdefault(row[0], run)
    for version, run, rows, notes in compared:
        for aspect, a, b, differs, classification, reason in rows:
            if classification == "engine" and aspect in alike[version]:
                classification = "not engine"
                reason += f"; both engines showed it alike in run {alike[version][aspect] + 1}"
            engine_count += classification == "engine"
            wording_count += classification == "engine (wording)"
            shown = {True: "**yes**", False: "no"}.get(differs, differs)
            print(f"| {version} | {run + 1} | {cell(aspect)} | {cell(a)} | {cell(b)} | "
                  f"{shown} | {classification} | {cell(reason)} |")
        all_notes.extend(f"{version} run {run + 1}: {n}" for n in notes)

    print("\n| version | run | recordhost launch | first paint | event 1 | check result | "
          "Chromium launch | event 1 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for version, run, rh, cr in results:
        print(f"| {version} | {run + 1} | {ms(rh['launch_ms'])} | {ms(rh['first_paint_ms'])} | "
              f"{ms(rh['ready_ms'])} | {cell(rh['verdict'])} | {ms(cr['launch_ms'])} | "
              f"{ms(cr['ready_ms'])} |")
    print("\nTimes in ms: recordhost's from its --json timeline (0 = its load request), "
          "Chromium's from performance.now() (0 = navigation start).")
    for note in all_notes:
        print(f"- {note}")
    peak = max(loads or [0])
    if peak > 1.5:
        print(f"- load average reached {peak:.1f} during the runs (> 1.5): other work was "
              "running, so times and timing-dependent requests are noisy")
    print(f"\ndifferences caused by the engine: {engine_count}; "
          f"the same event worded differently by the engine: {wording_count}")
    return 1 if engine_count else 0


if __name__ == "__main__":
    sys.exit(main())
