"""Shared by the benchmarks: process-tree measurements from /proc, and a
loopback server that serves page/ and answers the ready call."""
import ctypes
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time


def processes():
    """{pid: (parent pid, command name, CPU clock ticks)} of every process but
    zombies (which map no memory, and whose parent may reap them late)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()
        if fields[0] == "Z":
            continue
        out[int(entry)] = (int(fields[1]), head.split("(", 1)[1], int(fields[11]) + int(fields[12]))
    return out


def tree(pid, table=None):
    """pid and all its descendants."""
    children = {}
    for child, (parent, _, _) in (table or processes()).items():
        children.setdefault(parent, []).append(child)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


# Engine processes outside the measured tree map the same libraries
# (libWPEWebKit, libLLVM, Chromium's binary); PSS splits those pages with
# them, so a measurement taken while one runs reads far too low.
ENGINE_COMMANDS = {"WPEWebProcess", "WPENetworkProce", "chromium", "chrome"}


def engines_outside(members, table):
    """The engine processes of @table (processes ()) not among @members."""
    return {p for p, (_, name, _) in table.items() if name in ENGINE_COMMANDS and p not in members}


def pss_kib(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def become_subreaper():
    """Orphans of our children (helpers that outlive their parent for a moment)
    are reparented to us, so they stay in the tree and are measured."""
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_CHILD_SUBREAPER = 36
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def settle(timeout=10):
    """Reaps our children and waits (at most @timeout s) until no engine
    process is left anywhere: WebKit's and Chromium's helpers outlive their
    parent for a moment, and would share pages with the next measurement."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reap()
        if not any(name in ENGINE_COMMANDS for _, name, _ in processes().values()):
            return
        time.sleep(0.1)


def wait_quiet(timeout=1800, quiet_s=5):
    """Waits (at most @timeout s, then exits) until no engine process has run
    anywhere for @quiet_s s: another benchmark's or test's would share
    library pages with the next measurement, and a test suite leaves only
    short gaps between its programs."""
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    said = False
    while True:
        reap()
        busy = sorted(p for p, (_, name, _) in processes().items() if name in ENGINE_COMMANDS)
        now = time.monotonic()
        if busy:
            quiet_since = now
        elif now - quiet_since >= quiet_s:
            return
        if now > deadline:
            sys.exit(f"engine processes still run after {timeout} s (pids {busy})")
        if busy and not said:
            print(f"  waiting for engine processes to end (pids {busy})", file=sys.stderr)
            said = True
        time.sleep(0.5)


class SharedMeasurement(SystemExit):
    """PeakPss.stop (): other engine processes ran during the measurement."""


class PeakPss:
    """Samples a process tree every 20 ms: the peak of its summed PSS (.stop()
    returns MiB) and the CPU time of its members (.cpu_seconds).  Rooted at
    ourselves (a subreaper) with include_root=False, it measures all we
    started, orphaned helpers included, and not us.  .shared_with lists the
    engine processes that ran outside the tree meanwhile (see ENGINE_COMMANDS)."""

    def __init__(self, pid, include_root=True):
        self.pid = pid
        self.include_root = include_root
        self.peak_kib = 0
        self.shared_with = set()  # engine processes seen outside the tree
        self._ticks = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            table = processes()
            members = tree(self.pid, table)
            self.shared_with.update(engines_outside(members, table))
            pids = [p for p in members if self.include_root or p != self.pid]
            total = sum(pss_kib(p) for p in pids)
            self.peak_kib = max(self.peak_kib, total)
            for p in pids:
                if p in table:
                    self._ticks[p] = max(self._ticks.get(p, 0), table[p][2])
            time.sleep(0.02)

    def stop(self):
        """Peak MiB; exits (SharedMeasurement) when the figure cannot be trusted."""
        self._stop.set()
        self._thread.join()
        if self.shared_with:
            raise SharedMeasurement("other browser engine processes ran during the measurement "
                                    "(pids " + ", ".join(map(str, sorted(self.shared_with)))
                                    + "): PSS was split with them; run the benchmark on a quiet "
                                    "machine")
        return self.peak_kib / 1024

    @property
    def cpu_seconds(self):
        return sum(self._ticks.values()) / os.sysconf("SC_CLK_TCK")


def measure_ready(command, server, calls=1, env=None):
    """Runs @command (with @env added to our environment) to its end,
    sampling our process tree (PeakPss): (ms from its start to the last of
    its ready calls at @server, peak PSS MiB, CPU s).  Exits unless it
    succeeded and @server got exactly @calls ready calls meanwhile."""
    server.reset()
    with tempfile.TemporaryFile() as stderr:
        sampler = PeakPss(os.getpid(), include_root=False)
        start = time.monotonic()
        # stderr in a file, not a pipe: a helper that outlives the command
        # would hold a pipe open.
        status = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=stderr,
                                env=dict(os.environ, **env) if env else None).returncode
        settle()  # helpers that outlive their parent for a moment are ours too
        peak = sampler.stop()
        if status != 0 or server.calls != calls:
            stderr.seek(0)
            sys.exit(f"{' '.join(command[:3])}...: exit status {status}, {server.calls} ready "
                     f"calls of {calls}: {stderr.read().decode(errors='replace')[-800:]}")
    return (server.last - start) * 1000, peak, sampler.cpu_seconds


PAGE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))), "page")


class ReadyServer(http.server.ThreadingHTTPServer):
    """Serves page/ under /page/ and answers ready calls (PUT): .arrived is
    when the first came, .last when the latest did, .calls how many since
    .reset ()."""
    arrived = None
    last = None
    calls = 0

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ReadyHandler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self.lock = threading.Lock()

    def reset(self):
        with self.lock:
            self.arrived, self.last, self.calls = None, None, 0

    def ready_call(self):
        with self.lock:
            self.last = time.monotonic()
            if self.arrived is None:
                self.arrived = self.last
            self.calls += 1


class _ReadyHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if not path.startswith("/page/") or ".." in path:
            self.send_error(404)
            return
        file = os.path.join(PAGE_DIR, path[len("/page/"):])
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type",
                         "application/javascript" if file.endswith(".js") else "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        self.server.ready_call()
        body = json.dumps({"msg": "Success", "code": 0, "ts": int(time.time() * 1000)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
