#!/usr/bin/env python3
"""Several checks in one process against single checks: `recordhost check`
of the bundled page (stand-in SDK, ready 800 ms after launch, local cloud)
run alone N times one after the other, against one `recordhost check` of
PAGES copies of it (--parallel each value given), alternating, R runs each.
For each: wall time from the first start to the last exit, peak PSS of the
whole process tree, and CPU time of the tree.

  tests/bench/check-batch.py BINARY [--singles 3] [--pages 10]
                             [--parallel 8 --parallel 10] [--runs 5]

Run it on a quiet machine (it refuses when other engine processes run).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import PAGE_DIR, PeakPss, become_subreaper, settle  # noqa: E402

ROOM = ["--app-id", "bench-app", "--room-uuid", "bench-room", "--room-type", "4",
        "--paint-grace-ms", "0", "--quiet"]


def measure(commands):
    """Runs @commands one after the other: (wall s, peak MiB, CPU s)."""
    sampler = PeakPss(os.getpid(), include_root=False)
    start = time.monotonic()
    for command in commands:
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if result.returncode != 0:
            sys.exit(f"{' '.join(command[:3])}...: exit {result.returncode}: "
                     f"{result.stderr.decode(errors='replace')[-500:]}")
    wall = time.monotonic() - start
    settle()
    peak = sampler.stop()
    return wall, peak, sampler.cpu_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--singles", type=int, default=3)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--parallel", type=int, action="append")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    parallels = args.parallel or [8]
    become_subreaper()
    settle()

    page = os.path.join(PAGE_DIR, "record_page.html")
    single = [args.binary, "check", *ROOM, page]
    variants = {f"{args.singles} single checks": [single] * args.singles}
    for parallel in parallels:
        variants[f"{args.pages} pages in one check, --parallel {parallel}"] = [
            [args.binary, "check", *ROOM, "--parallel", str(parallel), *[page] * args.pages]]
    results = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, commands in variants.items():
            results[name].append(measure(commands))

    rows = {}
    base = statistics.median(r[0] for r in results[next(iter(variants))])
    print(f"{args.runs} runs each, alternating; medians (range)")
    print(f"{'':48} {'wall s':>16} {'vs singles':>10} {'peak MiB':>9} {'CPU s':>6}")
    for name, runs in results.items():
        walls = [r[0] for r in runs]
        row = {"wall_s": statistics.median(walls), "wall_min": min(walls), "wall_max": max(walls),
               "peak_mib": statistics.median(r[1] for r in runs),
               "cpu_s": statistics.median(r[2] for r in runs)}
        rows[name] = row
        print(f"{name:48} {row['wall_s']:6.2f} ({row['wall_min']:.2f}..{row['wall_max']:.2f})"
              f" {row['wall_s'] / base:9.2f}x {row['peak_mib']:9.0f} {row['cpu_s']:6.2f}")
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
