#!/usr/bin/env python3
"""recordhost against headless Chromium driven by Playwright, on the same page.

Three hosts load the bundled record page from one loopback server with the
same room parameters, catch the launch listener's event 1 and send the ready
call: recordhost (`check`), Chromium with a Playwright script, and
bench-bare-host, the least WPE host that can do the job (the engine's floor).
Runs alternate; the medians and the ratios to Chromium are printed:
  - time from process start to the ready call arriving, minus the page's own
    ready delay (the host's overhead);
  - peak PSS summed over the whole process tree, sampled from /proc;
  - CPU time of the tree.
Then the rooms-per-process curve of `recordhost cloud` (1, 2, 4, 8 rooms):
time until every room is recording, and peak memory.

Installs what it needs (as root): Debian's chromium, and playwright-core from
npm into ~/.cache/recordhost-bench.

    tests/bench/vs-chromium.py [--runs N] [--rooms 1,2,4,8]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import PAGE_DIR, PeakPss, ReadyServer, become_subreaper, settle  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
READY_DELAY_MS = 800
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "recordhost-bench")
CHROMIUM = "/usr/bin/chromium"
# Flags from the probe of this platform: without the background-networking
# ones Chromium keeps trying hosts this machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

WRAPPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ready-wrapper.js")

# The bare host and the Playwright script inject the same wrapper
# (ready-wrapper.js), each defining window.__benchReady its own way;
# recordhost injects its bridge.
PLAYWRIGHT_SCRIPT = r"""
const { chromium } = require('playwright-core');
(async () => {
  const [pageUrl, readyUrl, executablePath, args, wrapper] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath, headless: true,
                                          args: JSON.parse(args) });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });
  await page.exposeFunction('__benchReady', () => resolveReady());
  await page.addInitScript({ path: wrapper });
  await page.goto(pageUrl);
  await ready;
  const response = await fetch(readyUrl, { method: 'PUT',
                                           headers: { 'Content-Type': 'application/json' },
                                           body: '{}' });
  const body = await response.json();
  await browser.close();
  process.exit(response.ok && body.code === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
"""


def ensure_tools():
    if not os.path.exists(CHROMIUM):
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
                       check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not os.path.isdir(os.path.join(CACHE, "node_modules", "playwright-core")):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", CACHE,
                        "playwright-core"], check=True, stdout=subprocess.DEVNULL)
    script = os.path.join(CACHE, "ready.js")
    with open(script, "w") as f:
        f.write(PLAYWRIGHT_SCRIPT)
    return script


def measure(command, server):
    """Runs @command to its end; returns (overhead ms, peak PSS MiB, CPU s)."""
    server.arrived = None
    sampler = PeakPss(os.getpid(), include_root=False)
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = process.wait()
    settle()  # helpers that outlive their parent for a moment are ours too
    peak = sampler.stop()
    if status != 0 or server.arrived is None:
        sys.exit(f"{command[0]} failed with status {status}")
    return (server.arrived - start) * 1000 - READY_DELAY_MS, peak, sampler.cpu_seconds


def compare(binary, bare_host, script, runs):
    server = ReadyServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = server.base_url
    params = (f"appId=bench-app&roomUuid=bench-room&roomType=4&userUuid=recorder-1&roleType=0"
              f"&pretest=false&sdkReadyMs={READY_DELAY_MS}")
    page_url = f"{base}/page/record_page.html?{params}"
    ready_url = f"{base}/edu/apps/bench-app/v2/rooms/bench-room/records/ready"
    commands = {
        "recordhost": [binary, "check", f"{base}/page/record_page.html", "--app-id", "bench-app",
                       "--room-uuid", "bench-room", "--room-type", "4", "--user-uuid",
                       "recorder-1", "--param", f"sdkReadyMs={READY_DELAY_MS}", "--api-base",
                       base, "--quiet", "--paint-grace-ms", "0"],
        "bare": [bare_host, page_url, ready_url, WRAPPER, "1280", "720"],
        "chromium": ["node", script, page_url, ready_url, CHROMIUM, json.dumps(CHROMIUM_ARGS),
                     WRAPPER],
    }
    results = {name: [] for name in commands}
    for i in range(runs):
        for name, command in commands.items():
            results[name].append(measure(command, server))
        print(f"  run {i + 1}: " + ", ".join(f"{name} {rows[-1][0]:.0f} ms {rows[-1][1]:.0f} MiB"
                                             for name, rows in results.items()), file=sys.stderr)
    server.shutdown()

    medians = {name: [statistics.median(r[k] for r in rows) for k in range(3)]
               for name, rows in results.items()}
    print(f"\n{runs} runs each, alternating, 1280x720, page ready delay {READY_DELAY_MS} ms\n")
    print("| | recordhost | bare WPE host | headless Chromium (Playwright) | "
          "recordhost / Chromium | bare WPE / Chromium |")
    print("| --- | --- | --- | --- | --- | --- |")
    labels = ["start to ready call, minus the page's delay (ms)", "peak process-tree PSS (MiB)",
              "CPU time of the tree (s)"]
    formats = ["{:.0f}", "{:.0f}", "{:.2f}"]
    for k, label in enumerate(labels):
        ours, bare, theirs = (medians[name][k] for name in ("recordhost", "bare", "chromium"))
        print(f"| {label} | {formats[k].format(ours)} | {formats[k].format(bare)} | "
              f"{formats[k].format(theirs)} | {ours / theirs:.2f} | {bare / theirs:.2f} |")
    return medians["recordhost"]


def call(base, method, path, body=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def rooms_at_once(binary, count, page):
    """One cloud, @count rooms started together: (seconds until all are
    recording, peak PSS MiB), or None if some room never got ready."""
    data = tempfile.mkdtemp(prefix="recordhost-bench-")
    cloud = subprocess.Popen([binary, "cloud", "--listen", "127.0.0.1:0", "--data-dir", data],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        base = cloud.stdout.readline().strip()
        time.sleep(0.3)
        sampler = PeakPss(cloud.pid)
        start = time.monotonic()
        rooms = [f"/edu/apps/bench/v2/rooms/room-{i}" for i in range(count)]
        for room in rooms:
            call(base, "PUT", room + "/records/states/1",
                 {"mode": "web", "webRecordConfig": {"rootUrl": page}, "retryTimeout": 60})
        pending = set(rooms)
        while pending and time.monotonic() - start < 120:
            for room in list(pending):
                events = call(base, "GET", room + "/sequences?cmd=1001")["data"]["list"]
                if any(e["data"]["reason"] in (1, 3) for e in events):
                    pending.discard(room)
            time.sleep(0.05)
        elapsed = time.monotonic() - start
        time.sleep(0.5)
        peak = sampler.stop()
    finally:
        cloud.terminate()
        cloud.wait()
        settle()
        shutil.rmtree(data, ignore_errors=True)
    return None if pending else (elapsed, peak)


def rooms_curve(binary, counts, single_mib):
    page = "file://" + os.path.join(PAGE_DIR, "record_page.html") + f"?sdkReadyMs={READY_DELAY_MS}"
    print("\n| rooms in one `recordhost cloud` | time until all are recording (s) | "
          "of which host overhead (s) | peak PSS (MiB) | MiB per room | "
          "vs that many separate checks |")
    print("| --- | --- | --- | --- | --- | --- |")
    single_time = None
    for count in counts:
        result = rooms_at_once(binary, count, page)
        if result is None:
            sys.exit(f"some of {count} rooms never got ready")
        elapsed, peak = result
        if single_time is None:
            single_time = elapsed
        overhead = elapsed - READY_DELAY_MS / 1000
        print(f"| {count} | {elapsed:.2f} ({elapsed / single_time:.2f}x one room) | "
              f"{overhead:.2f} | {peak:.0f} | {peak / count:.0f} | "
              f"{peak / (single_mib * count):.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rooms", default="1,2,4,8")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--bare-host",
                        default=os.path.join(ROOT, "build", "tests", "bench", "bench-bare-host"))
    args = parser.parse_args()

    become_subreaper()
    script = ensure_tools()
    ours = compare(args.binary, args.bare_host, script, args.runs)
    rooms_curve(args.binary, [int(n) for n in args.rooms.split(",")], ours[1])


if __name__ == "__main__":
    main()
