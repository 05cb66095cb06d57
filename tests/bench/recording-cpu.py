#!/usr/bin/env python3
"""CPU cost of a recording room: `recordhost run --record` on a still page,
on a page that repaints every second and on one that animates all the time,
against the same run without --record.  Each run's process tree (recordhost
and WebKit's helpers) is sampled over a window of steady recording, after
the start's work is done.

    tests/bench/recording-cpu.py [--runs N] [--window S] [--binary build/src/recordhost]
                                 [--width W --height H] [--fps N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import become_subreaper, processes, settle, tree  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Time after the recording starts before the window opens: the pipeline's
# start and the page's first paints are not what a long class costs.
SETTLE_S = 3

# The classroom's colours, and a clock that changes its text every second.
TICKING_PAGE = """<!DOCTYPE html>
<html><body style="margin:0;font-family:sans-serif">
<div style="display:flex;flex-direction:column;height:100vh">
<header style="background:#1f3b73;color:#fff;padding:12px 20px;font-size:20px">Room
<span id="clock">0</span></header>
<div style="flex:1;display:flex">
<main style="flex:3;background:#f3f0e6;border:8px solid #c8b88a"></main>
<aside style="flex:1;background:#26262e"></aside></div></div>
<script>
let seconds = 0;
setInterval (function () { document.getElementById ('clock').textContent = ++seconds; }, 1000);
setTimeout (function () { console.log ('START_RECORDING'); }, 500);
</script></body></html>
"""


# A box sliding across the classroom: every frame differs.
ANIMATED_PAGE = TICKING_PAGE.replace(
    '<aside style="flex:1;background:#26262e"></aside>',
    '<aside style="flex:1;background:#26262e;position:relative"><div style="position:absolute;'
    'width:80px;height:80px;background:#6a994e;animation:slide 3s linear infinite"></div>'
    '</aside><style>@keyframes slide { from { top: 0 } to { top: 560px } }</style>')


def tree_ticks(pid):
    table = processes()
    return sum(table[p][2] for p in tree(pid, table) if p in table)


def one_run(args, page, ready, record):
    """CPU cores used by the process tree over the window."""
    with tempfile.TemporaryDirectory(prefix="recording-cpu-") as scratch:
        command = [args.binary, "run", page, "--app-id", "a", "--room-uuid", "bench",
                   "--room-type", "4", "--width", str(args.width), "--height", str(args.height),
                   "--duration", str(SETTLE_S + args.window + 2)]
        if ready is not None:
            command += ["--ready", ready]
        if record:
            command += ["--record", os.path.join(scratch, "room.mp4"),
                        "--video-fps", str(args.fps)]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True)
        started = threading.Event()

        def watch():
            for line in process.stderr:
                if "recording state 1" in line:
                    started.set()

        threading.Thread(target=watch, daemon=True).start()
        if not started.wait(120):
            process.kill()
            sys.exit("the page never got ready")
        time.sleep(SETTLE_S)
        before, t0 = tree_ticks(process.pid), time.monotonic()
        time.sleep(args.window)
        after, t1 = tree_ticks(process.pid), time.monotonic()
        process.wait()
        settle()
        if process.returncode != 0:
            sys.exit(f"run failed with status {process.returncode}")
    return (after - before) / os.sysconf("SC_CLK_TCK") / (t1 - t0)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window", type=int, default=15, help="seconds measured per run")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=15)
    args = parser.parse_args()
    become_subreaper()

    with tempfile.NamedTemporaryFile("w", suffix=".html", prefix="ticking-") as ticking, \
            tempfile.NamedTemporaryFile("w", suffix=".html", prefix="animated-") as animated:
        ticking.write(TICKING_PAGE)
        ticking.flush()
        animated.write(ANIMATED_PAGE)
        animated.flush()
        pages = [("still page", os.path.join(ROOT, "page", "record_page.html"), None),
                 ("repaint every second", ticking.name, "console:START_RECORDING"),
                 ("animated all the time", animated.name, "console:START_RECORDING")]
        print(f"{args.runs} runs of {args.window} s at {args.width}x{args.height}, "
              f"{args.fps} fps; CPU of the process tree in cores, median")
        for name, page, ready in pages:
            plain = statistics.median(one_run(args, page, ready, False)
                                      for _ in range(args.runs))
            recording = statistics.median(one_run(args, page, ready, True)
                                          for _ in range(args.runs))
            print(f"{name}: {recording:.3f} recording, {plain:.3f} without --record: "
                  f"the recording costs {recording - plain:.3f}")


if __name__ == "__main__":
    main()
