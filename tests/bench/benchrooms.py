"""Rooms at scale, for vs-chromium.py: one `recordhost cloud` holding N rooms
against one headless Chromium holding N pages, rooms started at once.

For each N: time from the starts until every room is ready (Chromium: every
page caught event 1; the cloud: every room's reason 1 stored), peak PSS of the
process tree, and for the cloud the ready path (the page's clock at event 1
against the stored reason 1's), held and recording; then the steady CPU of a
recording room for a still page and for one that repaints every second, and
the recorded files checked with ffprobe (frames, duration)."""
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from benchlib import PAGE_DIR, PeakPss, processes, settle, tree

READY_DELAY_MS = 300
FPS = 15
RECORD_SECONDS = 12

# N pages in one browser, opened at once when a line arrives on stdin; prints
# the milliseconds from that line until every page caught event 1 (and, given
# "hold", keeps them open until another line).
PLAYWRIGHT_ROOMS = r"""
const { chromium } = require('playwright-core');
const readline = require('readline');
(async () => {
  const [pageUrl, count, executablePath, args, wrapper, hold] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath, headless: true,
                                          args: JSON.parse(args) });
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript({ path: wrapper });
  console.log('launched');
  const input = readline.createInterface({ input: process.stdin });
  const lines = input[Symbol.asyncIterator]();
  await lines.next();
  const start = Date.now();
  await Promise.all(Array.from({ length: Number(count) }, async (_, i) => {
    const page = await context.newPage();
    let resolveReady;
    const ready = new Promise((resolve) => { resolveReady = resolve; });
    await page.exposeFunction('__benchReady', () => resolveReady());
    await page.goto(pageUrl + '&roomUuid=room-' + i);
    await ready;
  }));
  console.log(String(Date.now() - start));
  // "hold": the pages stay open until a second line, to be measured.
  if (hold === 'hold')
    await lines.next();
  input.close();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await browser.close();
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
"""


class BeaconServer(http.server.ThreadingHTTPServer):
    """Keeps the page clocks the stand-in sends at event 1, by room."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _BeaconHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/ready-beacon"
        self.clocks = {}


class _BeaconHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = min(int(self.headers.get("Content-Length") or 0), 4096)
        beacon = json.loads(self.rfile.read(length))
        self.server.clocks.setdefault(beacon["roomUuid"], []).append(beacon["now"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(base, method, path, body=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)


def page_url(extra=""):
    return ("file://" + os.path.join(PAGE_DIR, "record_page.html")
            + f"?sdkReadyMs={READY_DELAY_MS}{extra}")


def chromium_rooms(script, count, chromium, chromium_args, wrapper):
    """(seconds until all N pages are ready, peak PSS MiB)."""
    sampler = PeakPss(os.getpid(), include_root=False)
    process = subprocess.Popen(["node", script, page_url("&appId=bench&roomType=4"), str(count),
                                chromium, json.dumps(chromium_args), wrapper],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    if process.stdout.readline().strip() != "launched":
        sys.exit("chromium did not start")
    time.sleep(0.5)
    process.stdin.write("go\n")
    process.stdin.close()
    elapsed_ms = int(process.stdout.readline())
    process.wait()
    settle()
    return elapsed_ms / 1000, sampler.stop()


def file_page_args(binary):
    """--allow-file-pages for a binary that has it: its cloud opens no file page without it,
    and the bench's pages are files."""
    text = subprocess.run([binary, "cloud", "--help"], capture_output=True, text=True).stdout
    return ["--allow-file-pages"] if "--allow-file-pages" in text else []


class Cloud:
    """A `recordhost cloud` on a new data directory."""

    def __init__(self, binary, extra_args=(), env=None):
        self.data = tempfile.mkdtemp(prefix="recordhost-bench-")
        self.process = subprocess.Popen([binary, "cloud", "--listen", "127.0.0.1:0",
                                         "--data-dir", self.data, *file_page_args(binary),
                                         *extra_args],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, env=dict(os.environ, **(env or {})))
        self.base = self.process.stdout.readline().strip()
        if not self.base:
            sys.exit("recordhost cloud did not start")
        time.sleep(0.3)

    def start_rooms(self, count, url, on_hold):
        rooms = [f"room-{i}" for i in range(count)]
        for room in rooms:
            config = {"rootUrl": url, "onhold": on_hold,
                      "videoWidth": 1280, "videoHeight": 720, "videoFps": FPS}
            reply = call(self.base, "PUT", f"/edu/apps/bench/v2/rooms/{room}/records/states/1",
                         {"mode": "web", "webRecordConfig": config, "retryTimeout": 60})
            if reply["code"] != 0:
                sys.exit(f"start of {room} refused: {reply['msg']}")
        return rooms

    def ready_times(self, rooms, timeout=180):
        """{room: wall ms at which reason 1 (or 3) was stored}, once every room has it."""
        stored = {}
        deadline = time.monotonic() + timeout
        while len(stored) < len(rooms) and time.monotonic() < deadline:
            for room in rooms:
                if room in stored:
                    continue
                events = call(self.base, "GET",
                              f"/edu/apps/bench/v2/rooms/{room}/sequences?cmd=1001")["data"]["list"]
                for event in events:
                    if event["data"]["reason"] in (1, 3):
                        stored[room] = event["data"]["ts"]
                        break
            time.sleep(0.05)
        if len(stored) < len(rooms):
            sys.exit(f"{len(rooms) - len(stored)} of {len(rooms)} rooms never got ready")
        return stored

    def stop_rooms(self, rooms):
        for room in rooms:
            call(self.base, "PUT", f"/edu/apps/bench/v2/rooms/{room}/records/states/0")

    def files(self, room):
        records = call(self.base, "GET", f"/edu/apps/bench/v2/rooms/{room}/records")
        return [f for r in records["data"]["list"] for f in r.get("files", [])]

    def close(self):
        self.process.terminate()
        self.process.wait()
        settle()
        shutil.rmtree(self.data, ignore_errors=True)


def cloud_rooms(binary, count, on_hold, beacons, extra_args=()):
    """(seconds until all ready, peak PSS MiB, ready path ms: median, max)."""
    cloud = Cloud(binary, extra_args)
    beacons.clocks.clear()
    try:
        sampler = PeakPss(cloud.process.pid)
        start_ms = time.time() * 1000
        rooms = cloud.start_rooms(count, page_url(f"&sdkReadyBeacon={beacons.url}"),
                                  on_hold)
        stored = cloud.ready_times(rooms)
        time.sleep(0.5)
        peak = sampler.stop()
        cloud.stop_rooms(rooms)
    finally:
        cloud.close()
    paths = []
    for room in rooms:
        clocks = beacons.clocks.get(room)
        if clocks:
            paths.append(stored[room] - clocks[0])
    elapsed = (max(stored.values()) - start_ms) / 1000
    return elapsed, peak, statistics.median(paths), max(paths)


def tree_cpu_seconds(pid):
    table = processes()
    return sum(table[p][2] for p in tree(pid, table) if p in table) / os.sysconf("SC_CLK_TCK")


def probe(path):
    """(frames, duration s) of a recorded file, read by ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                          "-show_entries", "stream=nb_read_frames:format=duration", "-of", "json",
                          path], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return int(data["streams"][0]["nb_read_frames"]), float(data["format"]["duration"])


def recording_cpu(binary, count, repaint_ms, extra_args=()):
    """Steady CPU of the cloud's tree per recording room (cores), and the
    files' check: (cores per room, worst |frames - fps * duration|, files)."""
    cloud = Cloud(binary, extra_args)
    try:
        extra = f"&sdkRepaintMs={repaint_ms}" if repaint_ms else ""
        rooms = cloud.start_rooms(count, page_url(extra), False)
        cloud.ready_times(rooms)
        time.sleep(3)  # past the first paint and the encoders' start
        cpu_before, wall_before = tree_cpu_seconds(cloud.process.pid), time.monotonic()
        time.sleep(RECORD_SECONDS)
        cpu = tree_cpu_seconds(cloud.process.pid) - cpu_before
        wall = time.monotonic() - wall_before
        cloud.stop_rooms(rooms)
        worst = 0.0
        files = 0
        for room in rooms:
            for path in cloud.files(room):
                frames, duration = probe(path)
                worst = max(worst, abs(frames - FPS * duration))
                files += 1
    finally:
        cloud.close()
    return cpu / wall / count, worst, files


def rooms_tables(binary, script, counts, chromium, chromium_args, wrapper,
                 recording_max=None):
    """@recording_max: rooms are recorded only up to that many (the rows
    past it say "-" there): encoders past the machine's cores measure the
    machine, not recordhost."""
    beacons = BeaconServer()
    threading.Thread(target=beacons.serve_forever, daemon=True).start()
    rows = []
    for count in counts:
        theirs = chromium_rooms(script, count, chromium, chromium_args, wrapper)
        # The cloud's bound is 8 rooms a core: raised to the row's count.
        bound = ("--max-rooms", str(count))
        held = cloud_rooms(binary, count, True, beacons, bound)
        recording = None
        if recording_max is None or count <= recording_max:
            recording = cloud_rooms(binary, count, False, beacons, bound)
        rows.append((count, theirs, held, recording))
        print(f"  {count} rooms: chromium {theirs[0]:.2f} s {theirs[1]:.0f} MiB, held "
              f"{held[0]:.2f} s {held[1]:.0f} MiB"
              + (f", recording {recording[0]:.2f} s" if recording else ""), file=sys.stderr)
    beacons.shutdown()

    one = rows[0]
    print(f"\nRooms started at once, page ready {READY_DELAY_MS} ms after launch, 1280x720; "
          "Chromium: N pages in one browser (Playwright); per extra room: the PSS past the "
          f"first row's, divided by the rooms past its {one[0]}\n")
    print("| rooms | Chromium: all ready (s) | cloud held: all ready (s) | "
          "cloud recording: all ready (s) | held vs 1 room | Chromium PSS (MiB) | "
          "cloud held PSS (MiB) | held / Chromium PSS | per extra room, Chromium / held (MiB) | "
          "ready path held, median / max (ms) | ready path recording, median / max (ms) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for count, theirs, held, recording in rows:
        extra = "-"
        if count > one[0]:
            extra = (f"{(theirs[1] - one[1][1]) / (count - one[0]):.1f} / "
                     f"{(held[1] - one[2][1]) / (count - one[0]):.1f}")
        recorded = (f"{recording[0]:.2f}", f"{recording[2]:.0f} / {recording[3]:.0f}") \
            if recording else ("-", "-")
        print(f"| {count} | {theirs[0]:.2f} | {held[0]:.2f} | {recorded[0]} | "
              f"{held[0] / one[2][0]:.2f}x | {theirs[1]:.0f} | {held[1]:.0f} | "
              f"{held[1] / theirs[1]:.2f} | {extra} | {held[2]:.0f} / {held[3]:.0f} | "
              f"{recorded[1]} |")


def cpu_table(binary, counts):
    print(f"\nSteady CPU of a recording room (cores, the cloud's whole tree over "
          f"{RECORD_SECONDS} s / rooms), 1280x720 at {FPS} fps; files checked by ffprobe\n")
    print("| rooms | still page | repainting every second | worst frame-count error "
          "(frames) | files |")
    print("| --- | --- | --- | --- | --- |")
    for count in counts:
        still = recording_cpu(binary, count, 0)
        moving = recording_cpu(binary, count, 1000)
        print(f"| {count} | {still[0]:.3f} | {moving[0]:.3f} | "
              f"{max(still[1], moving[1]):.1f} | {still[2] + moving[2]} |")
