"""Shared by the benchmarks: process-tree measurements from /proc, and a
loopback server that serves page/ and answers the ready call."""
import ctypes
import http.server
import json
import os
import sys
import threading
import time


def processes():
    """{pid: (parent pid, command name, CPU clock ticks)} of every process."""
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
        """Peak MiB; exits when the figure cannot be trusted."""
        self._stop.set()
        self._thread.join()
        if self.shared_with:
            sys.exit("other browser engine processes ran during the measurement (pids "
                     + ", ".join(map(str, sorted(self.shared_with)))
                     + "): PSS was split with them; run the benchmark on a quiet machine")
        return self.peak_kib / 1024

    @property
    def cpu_seconds(self):
        return sum(self._ticks.values()) / os.sysconf("SC_CLK_TCK")


PAGE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))), "page")


class ReadyServer(http.server.ThreadingHTTPServer):
    """Serves page/ under /page/; .arrived is when the first ready call came."""
    arrived = None

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ReadyHandler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"


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
