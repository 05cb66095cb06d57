#!/usr/bin/env python3
"""Where the time of rooms started together goes: for N rooms started at
once in one `recordhost cloud` (held, and recording; the bundled page ready
300 ms after launch), the time until all are ready against the CPU the cloud's process
tree spent meanwhile.  No order of the work can make them ready sooner than
that CPU spread over every core: when the wall time is close to CPU / cores,
the rooms are CPU-bound, and that is the floor on this machine.

  tests/bench/rooms-cpu-floor.py [--binary build/src/recordhost] [--rooms 1,8,16] [--runs 3]

Run it on a quiet machine (no other WebKit or Chromium processes)."""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchrooms  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def one(binary, count, on_hold):
    cloud = benchrooms.Cloud(binary)
    try:
        cpu_before = benchrooms.tree_cpu_seconds(cloud.process.pid)
        start_ms = time.time() * 1000
        rooms = cloud.start_rooms(count, benchrooms.page_url(), on_hold)
        stored = cloud.ready_times(rooms)
        cpu = benchrooms.tree_cpu_seconds(cloud.process.pid) - cpu_before
        cloud.stop_rooms(rooms)
    finally:
        cloud.close()
    return (max(stored.values()) - start_ms) / 1000, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--rooms", default="1,8,16")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count()
    print(f"| rooms | mode | all ready (s) | tree CPU (s) | CPU / {cores} cores (s) "
          "| all ready / that | all ready / one room's |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    one_room = {}
    for count in (int(n) for n in args.rooms.split(",")):
        for on_hold in (True, False):
            runs = [one(args.binary, count, on_hold) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            floor = cpu / cores
            one_room.setdefault(on_hold, wall)
            mode = "held" if on_hold else "recording"
            print(f"| {count} | {mode} | {wall:.2f} | {cpu:.2f} | {floor:.2f} | "
                  f"{wall / floor:.2f} | {wall / one_room[on_hold]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
