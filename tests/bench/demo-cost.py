#!/usr/bin/env python3
"""Cost of one `recordhost check` on the bundled page: time from process
start to the ready call arriving at a loopback server (minus the page's own
ready delay), peak PSS of the whole process tree, and CPU time.

    tests/bench/demo-cost.py [--runs N] [--binary build/src/recordhost] [--width W --height H]
"""
import argparse
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
READY_DELAY_MS = 800


class ReadyServer(http.server.ThreadingHTTPServer):
    arrived = None


class Handler(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        if self.server.arrived is None:
            self.server.arrived = time.monotonic()
        body = json.dumps({"msg": "Success", "code": 0, "ts": int(time.time() * 1000)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def tree(pid):
    """pid and all its descendants, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pids):
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total


def one_run(binary, width, height):
    server = ReadyServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api_base = f"http://127.0.0.1:{server.server_address[1]}"
    start = time.monotonic()
    process = subprocess.Popen(
        [binary, "demo", "--quiet", "--api-base", api_base, "--width", str(width),
         "--height", str(height), "--param", f"sdkReadyMs={READY_DELAY_MS}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, cpu = 0, 0.0
    while process.poll() is None:
        pids = tree(process.pid)
        peak = max(peak, sum(pss_kib(p) for p in pids))
        cpu = max(cpu, cpu_seconds(pids))
        time.sleep(0.02)
    server.shutdown()
    if process.returncode != 0 or server.arrived is None:
        sys.exit(f"run failed with status {process.returncode}")
    overhead_ms = (server.arrived - start) * 1000 - READY_DELAY_MS
    return overhead_ms, peak / 1024, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()

    results = [one_run(args.binary, args.width, args.height) for _ in range(args.runs)]
    overhead = statistics.median(r[0] for r in results)
    memory = statistics.median(r[1] for r in results)
    cpu = statistics.median(r[2] for r in results)
    print(f"runs: {args.runs} at {args.width}x{args.height}")
    print(f"start to ready call, minus the page's {READY_DELAY_MS} ms: median {overhead:.0f} ms "
          f"(min {min(r[0] for r in results):.0f}, max {max(r[0] for r in results):.0f})")
    print(f"peak process-tree PSS: median {memory:.0f} MiB")
    print(f"CPU time (sampled, whole tree): median {cpu:.2f} s")


if __name__ == "__main__":
    main()
