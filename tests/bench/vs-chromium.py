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
Then rooms at scale (benchrooms.py): one `recordhost cloud` with N rooms,
held and recording, against Chromium holding N pages in one browser, rooms
started at once; and the steady CPU of a recording room.

Installs what it needs (as root): Debian's chromium and ffmpeg (ffprobe), and
playwright-core from npm into ~/.cache/recordhost-bench.

    tests/bench/vs-chromium.py [--runs N] [--rooms 1,2,4,8,16] [--cpu-rooms 1,4,16]
                               [--recording-rooms-max N]
                               [--skip-single] [--skip-rooms] [--skip-cpu]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchrooms  # noqa: E402
from benchlib import ReadyServer, become_subreaper, measure_ready  # noqa: E402

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
  const [pageUrl, readyUrl, rooms, executablePath, args, wrapper] = process.argv.slice(2);
  const browser = await chromium.launch({ executablePath, headless: true,
                                          args: JSON.parse(args) });
  // A page a room ({room} in the URLs), each in a context of its own, all
  // opened at once; each sends its own ready call.
  const readies = await Promise.all(rooms.split(',').map(async (room) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    let resolveReady;
    const ready = new Promise((resolve) => { resolveReady = resolve; });
    await page.exposeFunction('__benchReady', () => resolveReady());
    await page.addInitScript({ path: wrapper });
    await page.goto(pageUrl.replace('{room}', room));
    await ready;
    const response = await fetch(readyUrl.replace('{room}', room),
                                 { method: 'PUT', headers: { 'Content-Type': 'application/json' },
                                   body: '{}' });
    const body = await response.json();
    return response.ok && body.code === 0;
  }));
  await browser.close();
  process.exit(readies.every(Boolean) ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(1); });
"""


def ensure_tools():
    missing = [package for package, path in (("chromium", CHROMIUM), ("ffmpeg", "/usr/bin/ffprobe"))
               if not os.path.exists(path)]
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                       check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not os.path.isdir(os.path.join(CACHE, "node_modules", "playwright-core")):
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", CACHE,
                        "playwright-core"], check=True, stdout=subprocess.DEVNULL)
    scripts = []
    for name, text in (("ready.js", PLAYWRIGHT_SCRIPT), ("rooms.js", benchrooms.PLAYWRIGHT_ROOMS)):
        scripts.append(os.path.join(CACHE, name))
        with open(scripts[-1], "w") as f:
            f.write(text)
    return scripts


def measure(command, server):
    """Runs @command to its end; returns (overhead ms, peak PSS MiB, CPU s)."""
    elapsed_ms, peak, cpu = measure_ready(command, server)
    return elapsed_ms - READY_DELAY_MS, peak, cpu


def room_urls(base, room="{room}"):
    """The bundled page's URL at @base with a room's parameters, and the
    room's ready call URL (by default with {room} for the room)."""
    params = (f"appId=bench-app&roomUuid={room}&roomType=4&userUuid=recorder-1&roleType=0"
              f"&pretest=false&sdkReadyMs={READY_DELAY_MS}")
    return (f"{base}/page/record_page.html?{params}",
            f"{base}/edu/apps/bench-app/v2/rooms/{room}/records/ready")


def compare(binary, bare_host, script, runs):
    server = ReadyServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = server.base_url
    page_url, ready_url = room_urls(base, "bench-room")
    commands = {
        "recordhost": [binary, "check", f"{base}/page/record_page.html", "--app-id", "bench-app",
                       "--room-uuid", "bench-room", "--room-type", "4", "--user-uuid",
                       "recorder-1", "--param", f"sdkReadyMs={READY_DELAY_MS}", "--api-base",
                       base, "--quiet", "--paint-grace-ms", "0"],
        "bare": [bare_host, page_url, ready_url, WRAPPER, "1280", "720"],
        "chromium": ["node", script, page_url, ready_url, "bench-room", CHROMIUM,
                     json.dumps(CHROMIUM_ARGS), WRAPPER],
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


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rooms", default="1,2,4,8,16")
    parser.add_argument("--cpu-rooms", default="1,4,16")
    parser.add_argument("--recording-rooms-max", type=int,
                        help="record rooms only up to this many (default: every row)")
    parser.add_argument("--skip-single", action="store_true")
    parser.add_argument("--skip-rooms", action="store_true")
    parser.add_argument("--skip-cpu", action="store_true")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--bare-host",
                        default=os.path.join(ROOT, "build", "tests", "bench", "bench-bare-host"))
    args = parser.parse_args()

    become_subreaper()
    single_script, rooms_script = ensure_tools()
    if not args.skip_single:
        compare(args.binary, args.bare_host, single_script, args.runs)
    if not args.skip_rooms:
        benchrooms.rooms_tables(args.binary, rooms_script,
                                [int(n) for n in args.rooms.split(",")], CHROMIUM,
                                CHROMIUM_ARGS, WRAPPER, args.recording_rooms_max)
    if not args.skip_cpu:
        benchrooms.cpu_table(args.binary, [int(n) for n in args.cpu_rooms.split(",")])


if __name__ == "__main__":
    main()
