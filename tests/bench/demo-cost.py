#!/usr/bin/env python3
"""Cost of one `recordhost check` on the bundled page: time from process
start to the ready call arriving at a loopback server (minus the page's own
ready delay), peak PSS of the whole process tree, and CPU time.

    tests/bench/demo-cost.py [--runs N] [--binary build/src/recordhost] [--width W --height H]
"""
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import PeakPss, ReadyServer, become_subreaper, settle  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
READY_DELAY_MS = 800


def one_run(binary, width, height):
    server = ReadyServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api_base = server.base_url
    start = time.monotonic()
    process = subprocess.Popen(
        [binary, "demo", "--quiet", "--api-base", api_base, "--width", str(width),
         "--height", str(height), "--param", f"sdkReadyMs={READY_DELAY_MS}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The tree's root is us (a subreaper): WebKit's helpers stay in it
    # until they have exited, even after recordhost has.
    sampler = PeakPss(os.getpid(), include_root=False)
    process.wait()
    settle()
    peak_mib = sampler.stop()
    cpu = sampler.cpu_seconds
    server.shutdown()
    if process.returncode != 0 or server.arrived is None:
        sys.exit(f"run failed with status {process.returncode}")
    overhead_ms = (server.arrived - start) * 1000 - READY_DELAY_MS
    return overhead_ms, peak_mib, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    become_subreaper()

    results = [one_run(args.binary, args.width, args.height) for _ in range(args.runs)]
    overhead = statistics.median(r[0] for r in results)
    memory = statistics.median(r[1] for r in results)
    cpu = statistics.median(r[2] for r in results)
    print(f"runs: {args.runs} at {args.width}x{args.height}")
    print(f"start to ready call, minus the page's {READY_DELAY_MS} ms: median {overhead:.0f} ms "
          f"(min {min(r[0] for r in results):.0f}, max {max(r[0] for r in results):.0f})")
    print(f"peak process-tree PSS: median {memory:.0f} MiB")
    print(f"CPU time (whole tree): median {cpu:.2f} s")


if __name__ == "__main__":
    main()
