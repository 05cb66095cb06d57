#!/usr/bin/env python3
"""Where an extra room's memory goes: one `recordhost cloud` holding 1 and
then N held rooms (and, with --chromium, one headless Chromium holding 1 and
N pages), each process of the tree read mapping by mapping (/proc/PID/smaps)
once every room is ready and the tree has settled; the PSS of each kind of
mapping in each kind of process, and the difference per extra room.

  tests/bench/room-memory.py BINARY [--rooms N] [--runs R] [--chromium]
                             [--variant NAME:VAR=VALUE[,VAR=VALUE...]]...

A variant runs the cloud with those environment variables (an engine
setting: LP_NUM_THREADS=0, JSC_forceRAMSize=..., ...) beside the plain one,
alternating, so that each compares with the baseline of the same minutes.
Run it on a quiet machine: another engine's processes share library pages
and make PSS read low (the script refuses then).
"""
import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchrooms  # noqa: E402
from benchlib import become_subreaper, engines_outside, processes, settle, tree  # noqa: E402

SETTLE_S = 3

_spec = importlib.util.spec_from_file_location(
    "vs_chromium", os.path.join(os.path.dirname(os.path.abspath(__file__)), "vs-chromium.py"))
vs_chromium = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vs_chromium)


def process_kind(pid):
    """What a process of either tree is, from its command line."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [arg for arg in f.read().split(b"\0") if arg]
    except OSError:
        return None
    if len(argv) == 1:
        argv = argv[0].split(b" ")  # Chromium writes its arguments back as one string
    name = os.path.basename(argv[0].decode(errors="replace"))
    if name in ("WPEWebProcess", "WPENetworkProcess"):
        return name
    if name in ("recordhost", "node"):
        return "host (recordhost / node)"
    for arg in argv[1:]:
        if arg.startswith(b"--type="):
            kind = arg[len(b"--type="):].decode()
            if kind == "utility":
                for extra in argv[1:]:
                    if extra.startswith(b"--utility-sub-type="):
                        return "chromium " + extra.decode().split(".")[-1]
            return "chromium " + kind
    if "chrom" in name:
        return "chromium browser"
    return name


def mapping_kind(path):
    """What a mapping holds, from its name in smaps."""
    if path == "":
        return "anonymous (heaps of JS, malloc, Mesa)"
    if path == "[heap]":
        return "[heap] (brk malloc)"
    if path.startswith("[stack"):
        return "stacks"
    if path.startswith("[anon:"):
        return "named anonymous " + path
    if path.startswith("["):
        return path
    if path.startswith("/memfd:"):
        name = path[len("/memfd:"):].replace(" (deleted)", "")
        return "memfd " + name
    if path.startswith("/dev/shm/") or path.startswith("/dev/dri"):
        return "shared memory " + path.split("/")[2]
    if path.startswith("/SYSV"):
        return "SysV shared memory"
    base = os.path.basename(path.replace(" (deleted)", ""))
    if "libLLVM" in base:
        return "libLLVM (llvmpipe's compiler)"
    if "libWPEWebKit" in base or base == "chromium" or "libchrome" in base:
        return "engine library"
    if base.endswith((".ttf", ".otf", ".ttc", ".pfb")) or "/fonts/" in path:
        return "fonts"
    if ".so" in base:
        return "other libraries"
    if base.startswith("icudt") or base.endswith(".dat"):
        return "ICU data"
    return "other files"


def smaps(pid):
    """{mapping kind: PSS KiB} of one process."""
    out = {}
    path = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                first = line.split(None, 5)
                if "-" in first[0] and len(first) >= 5 and ":" not in first[0]:
                    path = first[5].strip() if len(first) == 6 else ""
                elif line.startswith("Pss:"):
                    kind = mapping_kind(path)
                    out[kind] = out.get(kind, 0) + int(line.split()[1])
    except OSError:
        pass
    return out


def snapshot(root, include_root=True):
    """{(process kind, mapping kind): PSS KiB} summed over the tree, and the
    number of processes of each kind."""
    table = processes()
    members = tree(root, table)
    others = engines_outside(members, table)
    if others:
        sys.exit(f"engine processes outside the measured tree ({sorted(others)}): "
                 "run on a quiet machine")
    totals, counts = {}, {}
    for pid in members:
        if pid == root and not include_root:
            continue
        kind = process_kind(pid)
        if kind is None:
            continue
        counts[kind] = counts.get(kind, 0) + 1
        for mapping, kib in smaps(pid).items():
            totals[(kind, mapping)] = totals.get((kind, mapping), 0) + kib
    return totals, counts


def cloud_snapshot(binary, count, env, beacons):
    cloud = benchrooms.Cloud(binary, env=env)
    try:
        rooms = cloud.start_rooms(count, benchrooms.page_url(f"&sdkReadyBeacon={beacons.url}"),
                                  True)
        cloud.ready_times(rooms)
        time.sleep(SETTLE_S)
        shot = snapshot(cloud.process.pid)
        cloud.stop_rooms(rooms)
    finally:
        cloud.close()
    return shot


def chromium_snapshot(script, count):
    process = subprocess.Popen(["node", script, benchrooms.page_url("&appId=bench&roomType=4"),
                                str(count), vs_chromium.CHROMIUM,
                                json.dumps(vs_chromium.CHROMIUM_ARGS), vs_chromium.WRAPPER,
                                "hold"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    if process.stdout.readline().strip() != "launched":
        sys.exit("chromium did not start")
    process.stdin.write("go\n")
    process.stdin.flush()
    if not process.stdout.readline().strip().isdigit():
        sys.exit("chromium's pages did not get ready")
    time.sleep(SETTLE_S)
    shot = snapshot(process.pid, include_root=False)
    process.stdin.write("done\n")
    process.stdin.close()
    process.wait()
    settle()
    return shot


def median_shot(shots):
    keys = set().union(*(s[0] for s in shots))
    totals = {k: statistics.median(s[0].get(k, 0) for s in shots) for k in keys}
    return totals, shots[0][1]


def mib(kib):
    return kib / 1024


def account(name, one, many, rooms):
    """The table of one engine: PSS by process and mapping kind at 1 and N
    rooms, and per extra room.  Returns (per extra room, 1 room, N rooms)."""
    keys = sorted(set(one[0]) | set(many[0]),
                  key=lambda k: -(many[0].get(k, 0) - one[0].get(k, 0)))
    total_one, total_many = sum(one[0].values()), sum(many[0].values())
    print(f"\n{name}: 1 and {rooms} rooms, PSS (MiB); processes at {rooms}: "
          + ", ".join(f"{kind} x{n}" for kind, n in sorted(many[1].items())) + "\n")
    print(f"| process | mapping | 1 room | {rooms} rooms | per extra room |")
    print("| --- | --- | --- | --- | --- |")
    for key in keys:
        a, b = one[0].get(key, 0), many[0].get(key, 0)
        extra = (b - a) / (rooms - 1)
        if abs(extra) < 0.05 * 1024 and max(a, b) < 1024:
            continue
        print(f"| {key[0]} | {key[1]} | {mib(a):.1f} | {mib(b):.1f} | {mib(extra):.2f} |")
    print(f"| **all** | | **{mib(total_one):.0f}** | **{mib(total_many):.0f}** | "
          f"**{mib((total_many - total_one) / (rooms - 1)):.1f}** |")
    return (total_many - total_one) / (rooms - 1), total_one, total_many


def parse_variant(text):
    name, _, assignments = text.partition(":")
    env = dict(item.split("=", 1) for item in assignments.split(",") if item)
    return name, env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--rooms", type=int, default=9)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", action="store_true")
    parser.add_argument("--variant", action="append", default=[], type=parse_variant)
    args = parser.parse_args()
    become_subreaper()
    settle()
    beacons = benchrooms.BeaconServer()
    threading.Thread(target=beacons.serve_forever, daemon=True).start()
    script = vs_chromium.ensure_tools()[1] if args.chromium else None
    # Cloud variants by their environment; Chromium's pages with none.
    variants = [("plain", {})] + args.variant + ([("chromium", None)] if script else [])

    shots = {}
    for run in range(args.runs):
        for name, env in variants:
            for count in (1, args.rooms):
                if env is None:
                    shot = chromium_snapshot(script, count)
                else:
                    shot = cloud_snapshot(args.binary, count, env, beacons)
                shots.setdefault((name, count), []).append(shot)
                print(f"  run {run + 1} {name} {count}: {mib(sum(shot[0].values())):.0f} MiB",
                      file=sys.stderr)
    beacons.shutdown()

    per_room = {}
    for name, _ in variants:
        one, many = median_shot(shots[(name, 1)]), median_shot(shots[(name, args.rooms)])
        per_room[name] = account(name, one, many, args.rooms)
    print(f"\nMedians of {args.runs} runs, held rooms, 1280x720:\n")
    print(f"| engine / variant | 1 room (MiB) | {args.rooms} rooms (MiB) | per extra room (MiB) |")
    print("| --- | --- | --- | --- |")
    for name, (extra, one, many) in per_room.items():
        print(f"| {name} | {mib(one):.0f} | {mib(many):.0f} | {mib(extra):.1f} |")


if __name__ == "__main__":
    main()
