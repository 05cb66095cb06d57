#!/usr/bin/env python3
"""deploy/prometheus/recordhost-rules.yml through promtool: the rules load
(`promtool check rules`), and each alert fires when it should and not when it
should not (`promtool test rules` on recordhost-rules.test.yml).  TAP.

Usage: prometheus-rules-test.py RULES TESTS
"""
import os
import shutil
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tap  # noqa: E402


def run(promtool, *args):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    result = subprocess.run([promtool, *args], env=env, capture_output=True, text=True)
    problems = []
    if result.returncode != 0:
        problems = (result.stdout + result.stderr).strip().split("\n")
        problems.append("promtool exited %d" % result.returncode)
    return problems


def main():
    rules, tests = sys.argv[1:]
    # A skipped check is no check: CI installs it (.ci/setup).
    promtool = shutil.which("promtool")
    if promtool is None:
        tap.missing("promtool found", "install Debian's prometheus package")

    cases = [
        ("promtool check rules %s" % os.path.basename(rules),
         run(promtool, "check", "rules", rules)),
        # Rule files are found relative to the tests' file.
        ("promtool test rules %s" % os.path.basename(tests),
         run(promtool, "test", "rules", tests)),
    ]

    tap.report(cases)


if __name__ == "__main__":
    main()
