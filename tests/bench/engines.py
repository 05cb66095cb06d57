#!/usr/bin/env python3
"""recordhost's two engines against Playwright driving the same Chromium.

One job done three ways, from one loopback server (benchlib.ReadyServer):
load the bundled record page with the room's parameters at 1280x720, wait
for the launch listener's event 1, send the ready call (PUT):
  wpe         `recordhost check URL... --engine wpe`
  chromium    `recordhost check URL... --engine chromium` (Debian's Chromium
              over the DevTools protocol on a pipe)
  playwright  node and playwright-core launching Debian's chromium headless,
              vs-chromium.py's script and wrapper (ready-wrapper.js)
for each number of rooms given (default one page, and 8 rooms at once in
one process: recordhost's `check` of 8 pages, each with its own roomUuid in
its URL, --parallel 8; Playwright's 8 pages in one browser, each in a
context of its own as recordhost's are, opened at once, each sending its
own ready call).  Each run measures every way for each number, one after
the other (the order rotated from run to run); medians of:
  - time from process start to the last ready call arriving, minus the
    page's own ready delay;
  - peak PSS of the whole process tree (benchlib.PeakPss);
  - CPU time of the tree.
A run whose ready calls did not all arrive stops the benchmark.

    tests/bench/engines.py [--runs N] [--rooms 1,8] [--ways NAME,...] [--binary PATH]
                           [--variant NAME:SETTING[,SETTING...]]...

A variant is one more `recordhost check --engine chromium` beside the rest:
a SETTING VAR=VALUE goes into its environment (RECORDHOST_CHROMIUM=a script
that runs the browser with other switches), one without "=" is the
recordhost binary to run.  Installs what it needs as vs-chromium.py does.
Run it on a quiet machine: it waits while other engine processes run, and
measures again when one ran during a measurement.
"""
import argparse
import importlib.util
import json
import os
import statistics
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (ReadyServer, SharedMeasurement, become_subreaper,  # noqa: E402
                      measure_ready, wait_quiet)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# How often a measurement is taken again when another engine ran during it.
RETRIES = 20

_spec = importlib.util.spec_from_file_location("vs_chromium", os.path.join(HERE, "vs-chromium.py"))
vs_chromium = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vs_chromium)


def parse_variant(text):
    name, _, settings = text.partition(":")
    items = [item for item in settings.split(",") if item]
    binaries = [item for item in items if "=" not in item]
    env = dict(item.split("=", 1) for item in items if "=" in item)
    return name, (binaries[-1] if binaries else None), env


def check_command(binary, base, rooms, engine):
    """`recordhost check` of the bundled page as vs-chromium.py runs it, one
    page a room (each its own roomUuid in its URL when there are several)."""
    page = f"{base}/page/record_page.html"
    pages = [page] if rooms == 1 else [f"{page}?roomUuid=room-{i}" for i in range(rooms)]
    return [binary, "check", *pages, "--app-id", "bench-app", "--room-uuid", "bench-room",
            "--room-type", "4", "--user-uuid", "recorder-1", "--param",
            f"sdkReadyMs={vs_chromium.READY_DELAY_MS}", "--api-base", base, "--quiet",
            "--paint-grace-ms", "0", "--parallel", str(rooms), "--engine", engine]


def playwright_command(script, base, rooms):
    page_url, ready_url = vs_chromium.room_urls(base)
    names = ["bench-room"] if rooms == 1 else [f"room-{i}" for i in range(rooms)]
    return ["node", script, page_url, ready_url, ",".join(names), vs_chromium.CHROMIUM,
            json.dumps(vs_chromium.CHROMIUM_ARGS), vs_chromium.WRAPPER]


def measure(command, server, rooms, env):
    """(overhead ms, peak PSS MiB, CPU s) of one run of @command; measured
    again when another engine's processes ran meanwhile."""
    for attempt in range(RETRIES):
        wait_quiet()
        try:
            elapsed_ms, peak, cpu = measure_ready(command, server, rooms, env)
            return elapsed_ms - vs_chromium.READY_DELAY_MS, peak, cpu
        except SharedMeasurement:
            if attempt + 1 == RETRIES:
                raise
            print(f"  another engine ran during the measurement: again ({attempt + 2} of "
                  f"{RETRIES})", file=sys.stderr)


def ratio(ours, theirs):
    return f"{ours / theirs:.2f}" if theirs else "-"


def print_table(results, ways, scenarios, runs):
    labels = [("start to last ready call, minus the page's delay (ms)", "{:.0f}"),
              ("peak process-tree PSS (MiB)", "{:.0f}"), ("CPU time of the tree (s)", "{:.2f}")]
    names = list(ways)
    titles = {"wpe": "recordhost --engine wpe", "chromium": "recordhost --engine chromium",
              "playwright": "Playwright"}
    print(f"\n{runs} runs, alternating; medians; 1280x720, page ready delay "
          f"{vs_chromium.READY_DELAY_MS} ms\n")
    print("| | " + " | ".join(titles.get(name, f"chromium, {name}") for name in names) + " | "
          + " | ".join(f"{name} / Playwright" for name in names if name != "playwright") + " |")
    print("| --- " * (2 * len(names)) + "|")
    for scenario in scenarios:
        for k, (label, form) in enumerate(labels):
            medians = {name: statistics.median(r[k] for r in results[(scenario, name)])
                       for name in names}
            cells = [form.format(medians[name]) for name in names]
            cells += [ratio(medians[name], medians["playwright"])
                      for name in names if name != "playwright"]
            print(f"| {scenario}: {label} | " + " | ".join(cells) + " |")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rooms", default="1,8", help="numbers of rooms, comma-separated")
    parser.add_argument("--ways", help="only these of wpe, chromium, playwright (and variants)")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--variant", action="append", default=[], type=parse_variant)
    args = parser.parse_args()

    become_subreaper()
    script = vs_chromium.ensure_tools()[0]
    server = ReadyServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = server.base_url
    # name: (command for a number of rooms, environment)
    ways = {
        "wpe": (lambda n: check_command(args.binary, base, n, "wpe"), {}),
        "chromium": (lambda n: check_command(args.binary, base, n, "chromium"), {}),
        "playwright": (lambda n: playwright_command(script, base, n), {}),
    }
    if args.ways:
        # Playwright stays: the ratios are to it.
        ways = {name: way for name, way in ways.items()
                if name in args.ways.split(",") or name == "playwright"}
    for name, binary, env in args.variant:
        ways[name] = ((lambda n, b=binary or args.binary: check_command(b, base, n, "chromium")),
                      env)
    scenarios = {("1 page" if n == 1 else f"{n} rooms"): n
                 for n in (int(text) for text in args.rooms.split(","))}
    order = list(ways)
    results = {}
    for run in range(args.runs):
        shift = run % len(order)
        for name in order[shift:] + order[:shift]:
            command, env = ways[name]
            for scenario, rooms in scenarios.items():
                row = measure(command(rooms), server, rooms, env)
                results.setdefault((scenario, name), []).append(row)
                print(f"  run {run + 1} {name}, {scenario}: {row[0]:.0f} ms, {row[1]:.0f} MiB, "
                      f"{row[2]:.2f} s CPU", file=sys.stderr)
    server.shutdown()
    print_table(results, ways, scenarios, args.runs)


if __name__ == "__main__":
    main()
