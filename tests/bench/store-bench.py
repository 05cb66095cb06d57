#!/usr/bin/env python3
"""The cloud's store: API latency on SQLite against PostgreSQL, and the time a
room of a dead worker takes to record again.

Starts its own PostgreSQL (the newest /usr/lib/postgresql/N; a cluster in a
temporary directory, as the postgres user when run as root, a Unix socket
there and no TCP), with fsync on as it is by default, so that a write's figure
is what a durable commit costs.  Then:

  - API latency: one `recordhost cloud` on SQLite (--data-dir) and one on
    PostgreSQL (--store), each with a room created and recorded once on the
    bundled page (a few events); wrk (-t1, few connections, --latency), one
    run at a time, on a read through the store (GET .../sequences), on
    GET /health (no store) and on a write (POST .../rooms/ROOM-N, a new room
    each request): p50, p99 and requests/s side by side, and before each
    write run the disk's time for an 8 KiB append and fdatasync, which a
    durable commit waits for and which other processes' I/O moves.
  - Takeover: 3 workers on one PostgreSQL database with --lease-ttl S (the
    default is 15); a room started on the bundled page, its owner (the rooms
    table's `owner`) killed with SIGKILL once the room recorded (reason 1),
    and the time until another worker records it again (its reason 3 event,
    polled every 50 ms through a live worker), with what it is made of: the
    rest of the dead owner's lease, the wait for a worker's renewal tick
    (every TTL/3) to reap it, the claim, and the page's load and ready.  A
    new room each run; a new worker replaces the killed one.

Prints a Markdown table; --json FILE writes the figures too.  Processes it
started are ended however it ends (Ctrl-C, an error).  Needs wrk and
PostgreSQL (Debian's wrk and postgresql packages).

    tests/bench/store-bench.py [--binary build/src/recordhost] [--duration 8]
                               [--connections 4] [--runs 5] [--lease-ttl 3]
                               [--json FILE]
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import PAGE_DIR, become_subreaper, processes, reap, tree  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP = "bench"
READY_DELAY_MS = 300
DEFAULT_LEASE_TTL_S = 15
PG_PORT = 5432  # only names the socket: the server listens on no TCP port
PG_USER = "recordhost"
POLL_S = 0.05

# Each request a room not created before: the run's prefix and a counter.
CREATE_ROOMS_LUA = r"""
local prefix, counter = "room", 0
function init(args)
  prefix = args[1]
end
function request()
  counter = counter + 1
  return wrk.format("POST", wrk.path .. "/" .. prefix .. "-" .. counter,
                    { ["Content-Type"] = "application/json" },
                    '{"roomName":"Bench","roomType":4}')
end
"""


class Processes:
    """Every process the benchmark started, with the helpers each started
    (WebKit's), so that all of them end with it and none other."""

    def __init__(self):
        # [Popen, {pid: command name} of its tree when last seen, the signal that ends it]
        self.started = []

    def add(self, process, stop_signal=signal.SIGTERM):
        self.started.append([process, {}, stop_signal])
        return process

    def remember_tree(self, process):
        table = processes()
        for entry in self.started:
            if entry[0] is process:
                entry[1].update({p: table[p][1] for p in tree(process.pid, table) if p in table})

    def kill(self, process, sig=signal.SIGKILL):
        self.remember_tree(process)
        if process.poll() is None:
            process.send_signal(sig)

    def end(self, process, timeout=45):
        """Its stop signal (a cloud's SIGTERM stops its rooms and finishes
        their files), then SIGKILL past @timeout; then the helpers still left."""
        self.remember_tree(process)
        if process.poll() is None:
            process.send_signal(next(e[2] for e in self.started if e[0] is process))
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._end_helpers(process)

    def _end_helpers(self, process):
        for entry in self.started:
            if entry[0] is not process:
                continue
            deadline = time.monotonic() + 5
            while True:
                reap()
                table = processes()
                left = [p for p, name in entry[1].items()
                        if p != process.pid and p in table and table[p][1] == name]
                if not left or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            reap()

    def end_all(self):
        for process, _, _ in reversed(self.started):
            self.end(process, timeout=10)


class Postgres:
    """A private PostgreSQL server: its cluster and socket in a temporary
    directory, fsync as by default."""

    def __init__(self, started, scratch):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                      key=lambda p: int(p.split("/")[4]))
        if not bins:
            sys.exit("no /usr/lib/postgresql/*/bin/postgres: install Debian's postgresql")
        self.bin = os.path.dirname(bins[-1])
        self.version = self.bin.split("/")[4]
        self.dir = os.path.join(scratch, "postgres")
        os.mkdir(self.dir, 0o700)
        # PostgreSQL refuses to run as root: its files and processes are then postgres'.
        self.as_user = {}
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.as_user = {"user": "postgres", "group": "postgres", "extra_groups": []}
        data = os.path.join(self.dir, "data")
        subprocess.run([os.path.join(self.bin, "initdb"), "-D", data, "-A", "trust",
                        "-U", PG_USER, "--no-sync"], cwd=self.dir, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **self.as_user)
        self.log = open(os.path.join(scratch, "postgres.log"), "w")
        if self.as_user:
            shutil.chown(self.log.name, "postgres", "postgres")
        self.process = started.add(subprocess.Popen(
            [os.path.join(self.bin, "postgres"), "-D", data, "-k", self.dir,
             "-p", str(PG_PORT), "-c", "listen_addresses="],
            cwd=self.dir, stdout=self.log, stderr=self.log, **self.as_user),
            stop_signal=signal.SIGINT)  # a fast shutdown
        deadline = time.monotonic() + 30
        while subprocess.run([os.path.join(self.bin, "pg_isready"), "-q", "-h", self.dir,
                              "-p", str(PG_PORT)]).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"PostgreSQL did not start: see {self.log.name}")
            time.sleep(0.1)

    def sql(self, database, statement):
        """Rows of @statement as lists of text."""
        out = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-F", "\t", "-h", self.dir,
                              "-p", str(PG_PORT), "-U", PG_USER, "-d", database,
                              "-v", "ON_ERROR_STOP=1", "-c", statement],
                             capture_output=True, text=True, check=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def create_database(self, name):
        self.sql("postgres", f"CREATE DATABASE {name}")
        return f"postgresql:///{name}?host={self.dir}&port={PG_PORT}&user={PG_USER}"

    def settings(self):
        return {name: self.sql("postgres", f"SHOW {name}")[0][0]
                for name in ("fsync", "synchronous_commit", "wal_sync_method")}


class Cloud:
    """A `recordhost cloud` on 127.0.0.1:0 with its own data directory."""

    def __init__(self, started, binary, scratch, name, extra_args=()):
        self.started = started
        self.name = name
        data = os.path.join(scratch, name)
        os.mkdir(data)
        self.log = open(os.path.join(scratch, name + ".log"), "w")
        self.process = started.add(subprocess.Popen(
            [binary, "cloud", "--listen", "127.0.0.1:0", "--data-dir", data,
             "--allow-file-pages", *extra_args],
            stdout=subprocess.PIPE, stderr=self.log, text=True))
        self.base = self.process.stdout.readline().strip()
        if not self.base.startswith("http://"):
            sys.exit(f"recordhost cloud {name} did not start: see {self.log.name}")
        # Its stdout is not read further: drained so that it never blocks.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def call(self, method, path, body=None):
        request = urllib.request.Request(self.base + path, method=method,
                                         data=json.dumps(body).encode() if body else None,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            return json.load(error)

    def room_path(self, room):
        return f"/edu/apps/{APP}/v2/rooms/{room}"

    def start(self, room):
        config = {"rootUrl": f"file://{PAGE_DIR}/record_page.html?sdkReadyMs={READY_DELAY_MS}",
                  "onHold": False, "videoWidth": 1280, "videoHeight": 720, "videoFps": 15}
        reply = self.call("PUT", self.room_path(room) + "/records/states/1",
                          {"mode": "web", "webRecordConfig": config, "retryTimeout": 60})
        if reply.get("code") != 0:
            sys.exit(f"start of {room} through {self.name} refused: {reply.get('msg')}")

    def stop(self, room):
        reply = self.call("PUT", self.room_path(room) + "/records/states/0")
        if reply.get("code") != 0:
            sys.exit(f"stop of {room} through {self.name} refused: {reply.get('msg')}")

    def events(self, room):
        reply = self.call("GET", self.room_path(room) + "/sequences?nextId=0&cmd=1001")
        return reply["data"]["list"] if reply.get("code") == 0 else []

    def wait_event(self, room, reason, timeout=60):
        """(the event's data, monotonic time it was seen), polled every 50 ms."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events(room):
                if event["data"]["reason"] == reason:
                    return event["data"], time.monotonic()
            time.sleep(POLL_S)
        sys.exit(f"room {room}: no reason {reason} within {timeout} s (see {self.log.name})")


# ---- API latency ----

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(out):
    """{p50_ms, p99_ms, rps, requests, errors} from wrk --latency's output."""
    def latency(percent):
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return float(match.group(1)) * UNIT_MS[match.group(2)]

    requests = int(re.search(r"^\s*(\d+) requests in", out, re.M).group(1))
    errors = 0
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if match:
        errors += int(match.group(1))
    match = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if match:
        errors += sum(int(n) for n in match.groups())
    return {"p50_ms": latency(50), "p99_ms": latency(99),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": requests, "errors": errors}


def fdatasync_ms(directory, seconds=1.0):
    """Median time of an 8 KiB append and fdatasync in @directory: what a durable
    commit waits for on this disk at the moment (other processes' I/O included)."""
    times = []
    path = os.path.join(directory, "fdatasync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        block = b"\0" * 8192
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            start = time.monotonic()
            os.write(fd, block)
            os.fdatasync(fd)
            times.append((time.monotonic() - start) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    return statistics.median(times)


def run_wrk(args, url, script=None, script_args=()):
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    if script:
        command += ["-s", script]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = parse_wrk(out)
    if result["errors"]:
        sys.exit(f"wrk on {url}: {result['errors']} errors or non-2xx answers:\n{out}")
    return result


def api_latency(args, started, scratch, pg):
    clouds = {"SQLite": Cloud(started, args.binary, scratch, "api-sqlite"),
              "PostgreSQL": Cloud(started, args.binary, scratch, "api-postgresql",
                                  ["--store", pg.create_database("api")])}
    lua = os.path.join(scratch, "create-rooms.lua")
    with open(lua, "w") as f:
        f.write(CREATE_ROOMS_LUA)
    room = "bench-" + uuid.uuid4().hex[:12]
    events = {}
    for name, cloud in clouds.items():
        reply = cloud.call("POST", cloud.room_path(room), {"roomName": "Bench", "roomType": 4})
        if reply.get("code") != 0:
            sys.exit(f"{name}: room not created: {reply.get('msg')}")
        cloud.start(room)
        cloud.wait_event(room, 1)
        cloud.stop(room)
        events[name] = len(cloud.events(room))
        print(f"  {name}: room {room} recorded, {events[name]} events", file=sys.stderr)
    time.sleep(2)  # past the recordings' ends and their web processes' exit

    cases = [("read: GET .../sequences?nextId=0&cmd=1001",
              lambda c: (c.base + c.room_path(room) + "/sequences?nextId=0&cmd=1001", None, ())),
             ("no store: GET /health", lambda c: (c.base + "/health", None, ())),
             ("write: POST .../rooms/ROOM-N",
              lambda c: (c.base + f"/edu/apps/{APP}/v2/rooms", lua, (uuid.uuid4().hex,)))]
    rows = []
    for label, target in cases:
        row = {"case": label}
        for name, cloud in clouds.items():
            url, script, script_args = target(cloud)
            # A write's latency is mostly the disk's flush, which varies with
            # what else runs: measured just before.
            fsync = fdatasync_ms(scratch) if script else None
            row[name] = run_wrk(args, url, script, script_args)
            row[name]["fdatasync_ms_before"] = fsync
            print(f"  {label}, {name}: p50 {row[name]['p50_ms']:.2f} ms, p99 "
                  f"{row[name]['p99_ms']:.2f} ms, {row[name]['rps']:.0f} requests/s",
                  file=sys.stderr)
        rows.append(row)
    for cloud in clouds.values():
        started.end(cloud.process)
    return {"events": events, "rows": rows}


# ---- takeover ----


class Cluster:
    """Workers of one PostgreSQL database; a killed one is replaced by a new
    worker (a new id: the dead one's leases are still in its name)."""

    def __init__(self, args, started, scratch, pg):
        self.args = args
        self.started = started
        self.scratch = scratch
        self.url = pg.create_database("cluster")
        self.count = 0
        self.workers = {}
        for _ in range(3):
            self.add()

    def add(self):
        self.count += 1
        name = f"worker-{self.count}"
        self.workers[name] = Cloud(self.started, self.args.binary, self.scratch, name,
                                   ["--store", self.url, "--worker-id", name,
                                    "--lease-ttl", str(self.args.lease_ttl)])
        return self.workers[name]

    def other_than(self, name):
        return next(w for n, w in self.workers.items() if n != name)


def takeover_run(cluster, pg, index):
    room = f"takeover-{index}-{uuid.uuid4().hex[:8]}"
    first = next(iter(cluster.workers.values()))
    first.start(room)
    first.wait_event(room, 1)
    owner = pg.sql("cluster", f"SELECT owner FROM rooms WHERE room_uuid = '{room}'")[0][0]
    victim = cluster.workers.pop(owner)
    live = cluster.other_than(owner)
    time.sleep(0.5)  # the room records for a moment
    killed_ms = time.time() * 1000
    killed = time.monotonic()
    cluster.started.kill(victim.process)
    victim.process.wait()
    (lease_expires_ms,), = pg.sql("cluster", "SELECT lease_expires_ms FROM rooms "
                                  f"WHERE room_uuid = '{room}'")
    retried, seen = live.wait_event(room, 3)
    reaped, _ = live.wait_event(room, 4)
    claims = pg.sql("cluster", "SELECT epoch, owner, claimed_ms, ended_ms FROM room_claims "
                    f"WHERE room_uuid = '{room}' ORDER BY epoch")
    new_owner = pg.sql("cluster", f"SELECT owner FROM rooms WHERE room_uuid = '{room}'")[0][0]
    live.stop(room)
    cluster.started.end(victim.process)
    cluster.add()
    claimed_ms = int(claims[-1][2])
    run = {"room": room, "owner": owner, "new_owner": new_owner,
           "seen_s": (seen - killed),
           "stored_s": (retried["ts"] - killed_ms) / 1000,
           "lease_rest_s": (int(lease_expires_ms) - killed_ms) / 1000,
           "reap_wait_s": (reaped["ts"] - int(lease_expires_ms)) / 1000,
           "claim_s": (claimed_ms - reaped["ts"]) / 1000,
           "page_s": (retried["ts"] - claimed_ms) / 1000}
    print(f"  run {index}: {owner} killed, {new_owner} recording again after "
          f"{run['seen_s']:.2f} s (lease {run['lease_rest_s']:.2f} + reaper "
          f"{run['reap_wait_s']:.2f} + claim {run['claim_s']:.2f} + page "
          f"{run['page_s']:.2f})", file=sys.stderr)
    return run


def takeover(args, started, scratch, pg):
    cluster = Cluster(args, started, scratch, pg)
    # The reaper leaves leases alone in the first TTL after PostgreSQL started.
    time.sleep(args.lease_ttl)
    runs = [takeover_run(cluster, pg, i + 1) for i in range(args.runs)]
    for worker in list(cluster.workers.values()):
        started.end(worker.process)
    return runs


# ---- the report ----


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def report(args, settings, api, runs, load):
    print(f"\nThe cloud's store, {os.cpu_count()} cores, 1-minute load average "
          f"{load[0]:.2f} before the run and {load[1]:.2f} after; PostgreSQL "
          f"{settings['version']} with fsync {settings['fsync']}, synchronous_commit "
          f"{settings['synchronous_commit']}, on a Unix socket; SQLite in WAL mode, "
          "synchronous=FULL\n")
    print(f"wrk -t1 -c{args.connections} -d{args.duration}s, one run at a time; the room "
          f"read has {api['events']['SQLite']} events\n")
    print("| request | SQLite p50 (ms) | PostgreSQL p50 (ms) | SQLite p99 (ms) | "
          "PostgreSQL p99 (ms) | SQLite requests/s | PostgreSQL requests/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in api["rows"]:
        s, p = row["SQLite"], row["PostgreSQL"]
        print(f"| {row['case']} | {s['p50_ms']:.2f} | {p['p50_ms']:.2f} | {s['p99_ms']:.2f} | "
              f"{p['p99_ms']:.2f} | {s['rps']:.0f} | {p['rps']:.0f} |")
    write = api["rows"][-1]
    print(f"\nAn 8 KiB append and fdatasync on the same disk, median over 1 s just before the "
          f"write runs: {write['SQLite']['fdatasync_ms_before']:.2f} ms (SQLite's), "
          f"{write['PostgreSQL']['fdatasync_ms_before']:.2f} ms (PostgreSQL's)")
    if not runs:
        return
    print(f"\nTakeover: 3 workers, --lease-ttl {args.lease_ttl} (default "
          f"{DEFAULT_LEASE_TTL_S}), renewals and the reaper every TTL/3 = "
          f"{args.lease_ttl / 3:.1f} s; the bundled page ready {READY_DELAY_MS} ms after "
          f"launch; {len(runs)} runs, from the owner's SIGKILL\n")
    print("| part | median (s) | min (s) | max (s) |")
    print("| --- | --- | --- | --- |")
    parts = [("recording again (reason 3 seen, 50 ms polls)", "seen_s"),
             ("reason 3 stored", "stored_s"),
             ("rest of the dead owner's lease", "lease_rest_s"),
             ("lease expired to reaped (reason 4 stored)", "reap_wait_s"),
             ("reaped to claimed by a live worker", "claim_s"),
             ("claimed to reason 3 (the page's load and ready)", "page_s")]
    for label, key in parts:
        figures = spread([run[key] for run in runs])
        print(f"| {label} | {figures['median']:.2f} | {figures['min']:.2f} | "
              f"{figures['max']:.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "src", "recordhost"),
                        help="the recordhost to run (default: build/src/recordhost)")
    parser.add_argument("--duration", type=int, default=8,
                        help="seconds of each wrk run, 1..10 (default 8)")
    parser.add_argument("--connections", type=int, default=4,
                        help="wrk's connections, 1..16 (default 4)")
    parser.add_argument("--runs", type=int, default=5,
                        help="takeovers measured, 0 for none (default 5)")
    parser.add_argument("--lease-ttl", type=int, default=3,
                        help=f"the workers' --lease-ttl, 2..300 (default 3; the cloud's own "
                        f"default is {DEFAULT_LEASE_TTL_S})")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args()
    if not 1 <= args.duration <= 10 or not 1 <= args.connections <= 16 or args.runs < 0 \
            or not 2 <= args.lease_ttl <= 300:
        parser.error("--duration 1..10, --connections 1..16, --runs 0 or more, "
                     "--lease-ttl 2..300")
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: install Debian's wrk")
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary} not found: build first (meson compile -C build)")

    become_subreaper()
    # SIGINT (even where a shell ignores it for background jobs), SIGTERM and
    # SIGHUP end the run: everything started is ended.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    load = os.getloadavg()
    started = Processes()
    scratch = tempfile.mkdtemp(prefix="store-bench-")
    os.chmod(scratch, 0o755)  # the postgres user reaches its directory in it
    try:
        pg = Postgres(started, scratch)
        settings = pg.settings()
        settings["version"] = pg.version
        print(f"PostgreSQL {pg.version} in {pg.dir}: fsync {settings['fsync']}, "
              f"synchronous_commit {settings['synchronous_commit']}, wal_sync_method "
              f"{settings['wal_sync_method']}", file=sys.stderr)
        api = api_latency(args, started, scratch, pg)
        runs = takeover(args, started, scratch, pg) if args.runs else []
        load = (load[0], os.getloadavg()[0])
        report(args, settings, api, runs, load)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"cores": os.cpu_count(), "load_average_before_after": load,
                           "postgresql": settings, "wrk": {"threads": 1,
                                                           "connections": args.connections,
                                                           "duration_s": args.duration},
                           "api": api, "lease_ttl_s": args.lease_ttl,
                           "takeover": {"runs": runs,
                                        **({key: spread([r[key] for r in runs]) for key in
                                            ("seen_s", "stored_s", "lease_rest_s",
                                             "reap_wait_s", "claim_s", "page_s")}
                                           if runs else {})}}, f, indent=2)
    finally:
        started.end_all()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
