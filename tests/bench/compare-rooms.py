#!/usr/bin/env python3
"""Two recordhost binaries side by side on rooms at scale: for each number of
rooms, held and recording, the runs of the two alternate, so that both see
the same machine.  Prints, per binary, the medians of: time until every room
is ready, peak tree PSS, and the ready path (the page's event 1 against the
stored reason 1), median and slowest room.

  tests/bench/compare-rooms.py --before OLD/recordhost --after build/src/recordhost

Run it on a quiet machine (no other WebKit or Chromium processes)."""
import argparse
import os
import statistics
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchrooms  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the binary to compare against")
    parser.add_argument("--after", required=True, help="the binary under test")
    parser.add_argument("--rooms", default="1,8,16", help="numbers of rooms, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs of each binary a row")
    args = parser.parse_args()
    for binary in (args.before, args.after):
        if not os.access(binary, os.X_OK):
            sys.exit(f"compare-rooms: {binary} is not an executable")

    beacons = benchrooms.BeaconServer()
    threading.Thread(target=beacons.serve_forever, daemon=True).start()
    results = {}
    for count in (int(n) for n in args.rooms.split(",")):
        for on_hold in (True, False):
            for run in range(args.runs):
                for name, binary in (("before", args.before), ("after", args.after)):
                    result = benchrooms.cloud_rooms(binary, count, on_hold, beacons)
                    results.setdefault((count, on_hold, name), []).append(result)
                    print(f"{count} rooms, {'held' if on_hold else 'recording'}, {name}, "
                          f"run {run + 1}: all ready {result[0]:.2f} s, ready path "
                          f"{result[2]:.0f} / {result[3]:.0f} ms", file=sys.stderr, flush=True)

    print("| rooms | mode | binary | all ready (s) | peak PSS (MiB) | ready path median (ms) "
          "| ready path max (ms) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    def order(item):
        (count, on_hold, name), _ = item
        return count, not on_hold, name == "after"

    for (count, on_hold, name), runs in sorted(results.items(), key=order):
        def median(i):
            return statistics.median(r[i] for r in runs)
        print(f"| {count} | {'held' if on_hold else 'recording'} | {name} | {median(0):.2f} "
              f"| {median(1):.0f} | {median(2):.0f} | {median(3):.0f} |")


if __name__ == "__main__":
    main()
