#!/usr/bin/env python3
"""Where the start-up of one check goes: `recordhost demo` (the bundled page,
the local cloud) run N times, the time from its exec to the ready call cut
into phases.

What the program says of itself comes from its --json report: the timeline
(ms since the check's start), lined up with the system's clocks by its
"clock" event.  What only the outside sees comes from strace (-f, filtered by
seccomp): the exec, main () (its first fork, the stderr filter), the local
cloud's listen (), the engine processes' execs and the first message each
sends on its IPC socket, and the exit.  Without strace those rows are empty.

Given several binaries, their runs alternate (A, B, A, B, ...) and each gets
its table, so that a change is measured side by side in the same minutes.

    tests/bench/check-startup.py [BINARY ...] [--runs N] [--no-strace] [--json]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import become_subreaper, settle  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
READY_DELAY_MS = 800
TRACED = "execve,clone,clone3,exit_group,listen,sendmsg"

# (key, label): the rows of the table, in the order a check goes through
# them.  "at" is ms since the exec, from event 1 on minus the page's own
# delay; each row's step is from the row above.
PHASES = [
    ("exec", "exec of recordhost"),
    ("main", "main () (the stderr filter forked)"),
    ("cloud", "options parsed, local cloud listening"),
    ("network_exec", "network process exec"),
    ("view", "context and view created, load asked"),
    ("web_exec", "web process exec"),
    ("network_up", "network process: first IPC message"),
    ("web_up", "web process: first IPC message"),
    ("started", "navigation started"),
    ("committed", "main resource committed"),
    ("bridge", "bridge's first message"),
    ("launch", "AgoraEduSDK.launch called"),
    ("event1", "launch listener event 1"),
    ("ready_call", "ready call sent"),
    ("arrived", "ready call arrived at the local cloud"),
    ("ack", "ready call acknowledged"),
    ("passed", "check passed"),
    ("exit", "exit_group ()"),
    ("reaped", "process gone"),
]

# The bridge's messages that make timeline events on the bundled page.
BRIDGE_EVENTS = {"sdk", "launch", "launch-result", "dom-loaded", "console", "param-missing",
                 "user-agent-read", "js-error", "touch", "capabilities", "sdk-bundle"}

LINE = re.compile(r"^(\d+) +(\d+\.\d+) (.*)$")


def parse_strace(path, binary):
    """{phase: realtime s} seen from outside in an strace -f -ttt log."""
    with open(path) as f:
        lines = [m.groups() for m in map(LINE.match, f) if m]
    # Which process (thread group) each thread is of, from the clones.
    group, pending, root = {}, {}, None
    for tid, ts, rest in lines:
        tid = int(tid)
        if rest.startswith("<... clone"):
            call = pending.pop(tid, "")
        elif rest.startswith("clone"):
            call = rest
            if rest.endswith("<unfinished ...>"):
                pending[tid] = rest
                continue
        else:
            if root is None and rest.startswith("execve(") and f'"{binary}"' in rest:
                root = tid
                group[tid] = tid
            continue
        ret = re.search(r"= (\d+)$", rest)
        if ret:
            child = int(ret.group(1))
            group[child] = group.get(tid, tid) if "CLONE_THREAD" in call else child
    seen, ipc = {}, {}
    for tid, ts, rest in lines:
        tid, ts = int(tid), float(ts)
        pid = group.get(tid, tid)
        exe = re.match(r'execve\("[^"]*/(WPE(?:Network|Web)Process)", \["[^"]*", "\d+", "(\d+)"',
                       rest)
        if exe:
            key = "network" if exe.group(1) == "WPENetworkProcess" else "web"
            seen.setdefault(f"{key}_exec", ts)
            ipc.setdefault(pid, (key, int(exe.group(2))))
        elif tid == root and rest.startswith("execve("):
            seen.setdefault("exec", ts)
        elif pid == root and rest.startswith("clone(") and "CLONE_THREAD" not in rest:
            seen.setdefault("main", ts)
        elif pid == root and rest.startswith("listen("):
            seen.setdefault("cloud", ts)
        elif pid == root and rest.startswith("exit_group("):
            seen.setdefault("exit", ts)
        elif tid == root and rest.startswith("+++"):
            seen.setdefault("reaped", ts)
        elif rest.startswith("sendmsg(") and pid in ipc:
            key, fd = ipc[pid]
            if rest.startswith(f"sendmsg({fd},"):
                seen.setdefault(f"{key}_up", ts)
    return seen


def from_report(report):
    """{phase: ms since the timeline's start}, and the start's (monotonic,
    realtime) in s."""
    events = report["events"]
    clock = next(e["detail"] for e in events if e["type"] == "clock")
    first = {}
    for e in events:
        first.setdefault(e["type"], e["ms"])
    timeline = report["timeline"]
    marks = {
        "view": 0,
        "started": first.get("navigation-started"),
        "committed": timeline["committed_ms"],
        "bridge": min((e["ms"] for e in events if e["type"] in BRIDGE_EVENTS), default=None),
        "launch": timeline["launch_ms"],
        "event1": timeline["ready_event_ms"],
        "ready_call": timeline["ready_call_ms"],
        "arrived": first.get("cloud-ready"),
        "ack": timeline["ready_ack_ms"],
        "passed": first.get("passed"),
    }
    return marks, (clock["monotonic_us"] / 1e6, clock["realtime_us"] / 1e6)


def one_run(binary, use_strace, width, height):
    """{phase: ms since the exec (or, untraced, since the spawn)}."""
    command = [binary, "demo", "--json", "--quiet", "--width", str(width), "--height",
               str(height), "--param", f"sdkReadyMs={READY_DELAY_MS}"]
    with tempfile.TemporaryDirectory(prefix="check-startup-") as tmp:
        log = os.path.join(tmp, "strace.log")
        if use_strace:
            command = ["strace", "-f", "-ttt", "-q", "-s", "256", "--seccomp-bpf",
                       "-e", f"trace={TRACED}", "-e", "signal=none", "-o", log] + command
        spawned = time.monotonic()
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ended = time.monotonic()
        settle()
        if done.returncode != 0:
            sys.exit(f"{binary} demo failed with status {done.returncode}")
        marks, (start_mono, start_real) = from_report(json.loads(done.stdout))
        out = {k: v for k, v in marks.items() if v is not None}
        if use_strace:
            outside = parse_strace(log, binary)
            out.update({k: (ts - start_real) * 1000 for k, ts in outside.items()})
            zero = out.get("exec")
        else:
            out["reaped"] = (ended - start_mono) * 1000
            zero = (spawned - start_mono) * 1000
            out["exec"] = zero
    after = {key for key, _ in PHASES[[k for k, _ in PHASES].index("event1"):]}
    return {k: v - zero - (READY_DELAY_MS if k in after else 0) for k, v in out.items()}


def summarize(runs):
    """{phase: {"at": (median, min, max), "step": (median, min, max)}}."""
    table = {}
    previous = None
    for key, _ in PHASES:
        ats = [r[key] for r in runs if key in r]
        if not ats:
            continue
        row = {"at": (statistics.median(ats), min(ats), max(ats))}
        if previous is not None:
            steps = [r[key] - r[previous] for r in runs if key in r and previous in r]
            if steps:
                row["step"] = (statistics.median(steps), min(steps), max(steps))
        table[key] = row
        previous = key
    return table


def fmt(triple):
    return f"{triple[0]:.0f} ({triple[1]:.0f}..{triple[2]:.0f})"


def print_table(binary, table, n):
    print(f"\n{binary}: {n} runs, median (min..max), ms; from event 1 on, minus the page's "
          f"{READY_DELAY_MS} ms")
    print("| phase | since exec | step |")
    print("| --- | --- | --- |")
    for key, label in PHASES:
        if key in table:
            row = table[key]
            step = fmt(row["step"]) if "step" in row else ""
            print(f"| {label} | {fmt(row['at'])} | {step} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", metavar="BINARY", nargs="*",
                        default=[os.path.join(ROOT, "build", "src", "recordhost")])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-strace", action="store_true",
                        help="only what the program reports, and the spawn-to-exit time")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--json", action="store_true", help="the tables as JSON on stdout")
    args = parser.parse_args()
    use_strace = not args.no_strace
    if use_strace and shutil.which("strace") is None:
        sys.exit("strace is missing: apt-get install strace (Debian), or run with --no-strace")
    binaries = [os.path.abspath(b) for b in args.binaries]
    become_subreaper()
    settle()

    load_before = os.getloadavg()
    runs = {b: [] for b in binaries}
    for i in range(args.runs):
        for binary in binaries:
            runs[binary].append(one_run(binary, use_strace, args.width, args.height))
            ready = runs[binary][-1].get("arrived")
            print(f"  run {i + 1} {binary}: ready call at {ready:.0f} ms", file=sys.stderr)
    load_after = os.getloadavg()

    tables = {b: summarize(r) for b, r in runs.items()}
    if args.json:
        json.dump({"runs": args.runs, "strace": use_strace, "viewport": [args.width, args.height],
                   "load_average": {"before": load_before, "after": load_after},
                   "binaries": {b: {"phases": tables[b], "runs": runs[b]} for b in binaries}},
                  sys.stdout, indent=2)
        print()
        return
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}; "
          f"{'traced with strace' if use_strace else 'untraced'}, "
          f"{args.width}x{args.height}")
    for binary in binaries:
        print_table(binary, tables[binary], args.runs)
    if len(binaries) > 1:
        print("\nstart to ready call (arrived), minus the page's delay: "
              + ", ".join(f"{b}: {fmt(tables[b]['arrived']['at'])}" for b in binaries))
    else:
        arrived = tables[binaries[0]].get("arrived")
        if arrived:
            print(f"\nstart to ready call, minus the page's delay: {fmt(arrived['at'])} ms")


if __name__ == "__main__":
    main()
