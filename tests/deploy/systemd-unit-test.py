#!/usr/bin/env python3
"""deploy/systemd/recordhost-cloud@.service as instance 8441: `systemd-analyze
verify` takes it without a word, `systemd-analyze security --offline=yes`
scores it at most MAX_EXPOSURE, and it keeps what a worker needs.  TAP.

The copy checked runs the built program instead of /usr/local/bin/recordhost
(verify checks it exists), and its Documentation= names the built manual
(checked here: verify runs with --man=no, as a fresh machine need not have
man(1)).  No unit is started: that needs systemd as PID 1.

Usage: systemd-unit-test.py UNIT RECORDHOST MAN_PAGE
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tap  # noqa: E402

INSTALLED_BINARY = "/usr/local/bin/recordhost"
INSTANCE = "recordhost-cloud@8441.service"
# The score measured when the unit was written (systemd 252): a setting
# loosened or dropped raises it.
MAX_EXPOSURE = "1.2"


def analyze(program, env, *args):
    """The problems of a systemd-analyze run: its output, since verify
    warns of unknown keys and values with exit status 0."""
    result = subprocess.run([program, "--no-pager", *args], env=env, capture_output=True,
                            text=True)
    problems = [line for line in (result.stdout + result.stderr).split("\n") if line.strip()]
    if result.returncode != 0:
        problems.append("systemd-analyze exited %d" % result.returncode)
    return result, problems


def settings(text):
    """{key: [values]} of a unit file, continuation lines joined."""
    found = {}
    for line in text.replace("\\\n", " ").split("\n"):
        match = re.match(r"([A-Za-z]+)=(.*)", line)
        if match:
            found.setdefault(match.group(1), []).append(match.group(2).strip())
    return found


def worker_needs(text):
    unit = settings(text)
    problems = []
    if "MemoryDenyWriteExecute" in unit:
        problems.append("MemoryDenyWriteExecute= is set: JavaScriptCore's JIT writes code")
    if unit.get("KillMode") != ["mixed"]:
        problems.append("KillMode= is not mixed: SIGTERM would end the pages while draining")
    timeout = unit.get("TimeoutStopSec", ["90"])[-1]
    if not timeout.isdigit() or int(timeout) <= 60:
        problems.append("TimeoutStopSec=%s does not cover the 60 s drain" % timeout)
    command = " ".join(unit.get("ExecStart", []))
    for option in ["--listen 127.0.0.1:%i", "--worker-id %H-%i",
                   "--data-dir %S/recordhost/%i", "--store ${RECORDHOST_STORE}"]:
        if option not in command:
            problems.append("ExecStart= lacks %s" % option)
    return problems


def main():
    unit_path, recordhost, man_page = sys.argv[1:]
    # A skipped check is no check: systemd is on every Debian machine.
    program = shutil.which("systemd-analyze")
    if program is None:
        tap.missing("systemd-analyze found", "install Debian's systemd package")

    with open(unit_path, encoding="utf-8") as file:
        text = file.read()
    cases = []
    with tempfile.TemporaryDirectory() as directory:
        units = os.path.join(directory, "units")
        man1 = os.path.join(directory, "man", "man1")
        os.makedirs(units)
        os.makedirs(man1)
        os.symlink(os.path.abspath(man_page), os.path.join(man1, "recordhost.1"))
        instance = os.path.join(units, INSTANCE)
        with open(instance, "w", encoding="utf-8") as file:
            file.write(text.replace(INSTALLED_BINARY, os.path.abspath(recordhost)))
        env = dict(os.environ, LC_ALL="C.UTF-8", MANPATH=os.path.join(directory, "man"),
                   SYSTEMD_COLORS="0")

        problems = [] if INSTALLED_BINARY in text else ["no ExecStart= of %s" % INSTALLED_BINARY]
        if not problems:
            # --man=no: a fresh machine need not have man(1); the page
            # Documentation= names is checked against the built manual.
            problems = analyze(program, env, "verify", "--man=no", instance)[1]
        documentation = " ".join(settings(text).get("Documentation", []))
        if "man:recordhost(1)" not in documentation or not os.path.isfile(man_page):
            problems.append("Documentation= does not name the built manual, man:recordhost(1)")
        cases.append(("systemd-analyze verify %s" % INSTANCE, problems, []))

        threshold = str(int(float(MAX_EXPOSURE) * 10))
        result, problems = analyze(program, env, "security", "--offline=yes",
                                   "--threshold=" + threshold, instance)
        score = re.findall(r"Overall exposure level for \S+: (.*)", result.stdout)
        # Above the threshold it exits 1: what it counts against the unit, then.
        if result.returncode == 0:
            problems = []
        else:
            problems = [line for line in problems if "✗" in line or "exited" in line]
        cases.append(("systemd-analyze security --offline=yes: at most %s" % MAX_EXPOSURE,
                      problems, score))

    cases.append(("what a worker needs: KillMode=mixed, a stop timeout past the drain, "
                  "no MemoryDenyWriteExecute=, its options", worker_needs(text), []))

    tap.report(cases)


if __name__ == "__main__":
    main()
