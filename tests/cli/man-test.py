#!/usr/bin/env python3
"""recordhost(1) against the built program: every option of every
command's --help is one of the options its section describes, and the
manual renders without warnings.  TAP, one case a command.

Usage: man-test.py RECORDHOST MAN_PAGE
"""
import os
import re
import shutil
import subprocess
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tap  # noqa: E402

COMMANDS = ["check", "run", "demo", "cloud"]


def help_text(program, *args):
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="")
    return subprocess.run([program, *args, "--help"], env=env, check=True,
                          capture_output=True, text=True).stdout


def help_options(text):
    """The options of a GOption --help: -h, --help, --app-id, ..."""
    options = []
    in_options = False
    for line in text.split("\n"):
        if line.endswith("Options:") and not line.startswith(" "):
            in_options = True
        elif not line.strip():
            in_options = False
        elif in_options:
            names = re.match(r"  (\S.*?)(?: {2,}|$)", line).group(1)
            options += re.findall(r"(?<![\w-])--?[A-Za-z0-9][\w-]*", names)
    return options


def man_sections(man):
    """{section title: the tags of its .TP paragraphs (its options)}, roff
    escapes and font changes undone."""
    text = re.sub(r"\\f[BIRP]", "", man)
    text = text.replace("\\-", "-").replace("\\e", "\\").replace("\\&", "")
    sections = {}
    title = None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(".SH "):
            title = line[4:].strip('"')
            sections[title] = ""
        elif line == ".TP" and title is not None and i + 1 < len(lines):
            sections[title] += lines[i + 1] + "\n"
    return sections


def main():
    program, man_page = sys.argv[1:]
    with open(man_page, encoding="utf-8") as file:
        sections = man_sections(file.read())
    cases = []

    main_help = help_text(program)
    commands = re.findall(r"^  ([a-z]+)", main_help, re.M)
    missing = [c for c in commands if c != "help"
               and not any(t.split()[0] == c.upper() for t in sections)]
    cases.append(("recordhost --help: every command has its section", missing))

    for command in COMMANDS:
        options = help_options(help_text(program, command))
        section = next((text for title, text in sections.items()
                        if title.split()[0] == command.upper()), "")
        missing = [option for option in options
                   if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(option), section)]
        if not options:
            missing = ["(no option read from --help)"]
        cases.append(("recordhost %s --help: every option in the manual" % command, missing))

    # groff is in .ci/setup's packages; a machine without it skips the case.
    groff = shutil.which("groff")
    if groff is None:
        cases.append(("the manual renders without warnings # SKIP no groff", []))
    else:
        result = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", man_page],
                                capture_output=True, text=True)
        problems = [line for line in result.stderr.split("\n") if line.strip()]
        if result.returncode != 0:
            problems.append("groff exited %d" % result.returncode)
        cases.append(("the manual renders without warnings", problems))

    tap.report([(name, ["missing or wrong: %s" % item for item in missing])
                for name, missing in cases])


if __name__ == "__main__":
    main()
