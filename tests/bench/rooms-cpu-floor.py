#!/usr/bin/env python3
"""Where the time of rooms started together goes: for N rooms started at
once in one `recordhost cloud` (held, the bundled page ready 300 ms after
launch), the time until all are ready against the CPU the cloud's process
tree spent meanwhile.  When the wall time is close to CPU / cores plus the
page's own ready delay, the rooms are CPU-bound: that is the floor on this
machine, whatever the order of the work.

  tests/bench/rooms-cpu-floor.py [--binary build/src/recordhost] [--rooms 1,8] [--runs 3]

Run it on a quiet machine (no other WebKit or Chromium processes)."""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchrooms  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def one(binary, count):
    cloud = benchrooms.Cloud(binary)
    try:
        cpu_before = benchrooms.tree_cpu_seconds(cloud.process.pid)
        start_ms = time.time() * 1000
        rooms = cloud.start_rooms(count, benchrooms.page_url(), True)
        stored = cloud.ready_times(rooms)
        cpu = benchrooms.tree_cpu_seconds(cloud.process.pid) - cpu_before
        cloud.stop_rooms(rooms)
    finally:
        cloud.close()
    return (max(stored.values()) - start_ms) / 1000, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--rooms", default="1,8")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count()
    delay = benchrooms.READY_DELAY_MS / 1000
    print(f"| rooms | all ready (s) | tree CPU (s) | CPU / {cores} cores + {delay:.1f} s ready delay "
          "(s) | all ready / that |")
    print("| --- | --- | --- | --- | --- |")
    for count in (int(n) for n in args.rooms.split(",")):
        runs = [one(args.binary, count) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        floor = cpu / cores + delay
        print(f"| {count} | {wall:.2f} | {cpu:.2f} | {floor:.2f} | {wall / floor:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
