"""Process-tree measurements from /proc, shared by the benchmarks."""
import ctypes
import os
import resource
import threading
import time


def tree(pid):
    """pid and all its descendants."""
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


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return None


class PeakPss:
    """Samples a process tree every 20 ms: the peak of its summed PSS (.stop()
    returns MiB) and the CPU time of its members (.cpu_seconds).  Rooted at
    ourselves (a subreaper) with include_root=False, it measures all we
    started, orphaned helpers included, and not us."""

    def __init__(self, pid, include_root=True):
        self.pid = pid
        self.include_root = include_root
        self.peak_kib = 0
        self._ticks = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            pids = [p for p in tree(self.pid) if self.include_root or p != self.pid]
            total = sum(pss_kib(p) for p in pids)
            self.peak_kib = max(self.peak_kib, total)
            for p in pids:
                ticks = cpu_ticks(p)
                if ticks is not None:
                    self._ticks[p] = max(self._ticks.get(p, 0), ticks)
            time.sleep(0.02)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024

    @property
    def cpu_seconds(self):
        return sum(self._ticks.values()) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    """CPU time of all reaped descendants so far (RUSAGE_CHILDREN)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
