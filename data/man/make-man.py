#!/usr/bin/env python3
"""Writes recordhost(1) from the built program's own --help, so that the
manual says what the program does: recordhost --help, then each command's.

Usage: make-man.py RECORDHOST OUTPUT VERSION PAGE_DIR
"""
import os
import re
import subprocess
import sys

COMMANDS = ["check", "run", "demo", "cloud"]

ENVIRONMENT = [
    ("RECORDHOST_RTM_TOKEN", "The RTM token when --rtm-token is not given."),
    ("RECORDHOST_PAGE_DIR",
     "The directory of the bundled record page that demo runs, instead of the installed one."),
]

EXIT_STATUS = [
    ("0", "Done: the page got ready and the ready call was acknowledged (check, demo), "
          "the run stopped normally (run)."),
    ("1", "The page or the ready flow failed, the run was abandoned, or the command "
          "was interrupted (check, demo)."),
    ("2", "Usage error or invalid input."),
]


def help_text(program, *args):
    # One language and encoding, whatever the build machine's; a sanitizer
    # build's leak report is not help.
    env = dict(os.environ, LC_ALL="C.UTF-8", LANGUAGE="", ASAN_OPTIONS="detect_leaks=0")
    result = subprocess.run([program, *args, "--help"], env=env, check=True,
                            capture_output=True, text=True)
    return result.stdout


def roff(text):
    """Text as roff: backslashes and hyphens escaped, no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line
                     for line in text.split("\n"))


def parse_command_help(text):
    """(usage, options, description) of a GOption --help: options as
    (names, description) pairs, description as its lines."""
    usage = None
    options = []
    description = []
    section = None
    for line in text.split("\n"):
        if line == "Usage:":
            section = "usage"
        elif line.endswith("Options:") and not line.startswith(" "):
            section = "options"
        elif section == "usage" and line.strip():
            usage = line.strip()
        elif section == "options" and line.startswith("  "):
            match = re.match(r"  (\S.*?)(?: {2,}(.*))?$", line)
            options.append((match.group(1), match.group(2) or ""))
        elif section == "options" and not line.strip():
            section = "after-options"
        elif section == "after-options":
            description.append(line)
    while description and not description[-1].strip():
        description.pop()
    return usage, options, description


def paragraphs(lines):
    """Help text as roff: plain lines are filled into paragraphs, indented
    ones (tables, lists) kept as they are."""
    out = []
    mode = None
    for line in lines:
        if not line.strip():
            if mode == "nf":
                out.append(".fi")
            mode = None
            out.append(".PP")
        elif line.startswith(" "):
            if mode != "nf":
                out.append(".nf")
                mode = "nf"
            out.append(roff(line))
        else:
            if mode == "nf":
                out.append(".fi")
            mode = "fill"
            out.append(roff(line))
    if mode == "nf":
        out.append(".fi")
    return out


def main():
    program, output, version, page_dir = sys.argv[1:]
    main_help = help_text(program).split("\n")
    summary = main_help[2].rstrip(".")
    commands = [line.strip() for line in main_help
                if re.match(r"  [a-z]", line)]

    out = [
        '.TH RECORDHOST 1 "" "recordhost %s" "User Commands"' % version,
        ".SH NAME",
        "recordhost \\- %s" % roff(summary[0].lower() + summary[1:]),
        ".SH SYNOPSIS",
    ]
    parsed = {}
    for command in COMMANDS:
        parsed[command] = parse_command_help(help_text(program, command))
        usage = parsed[command][0]
        synopsis = re.sub(r" - .*$", "", usage).replace("[OPTION…]", "[OPTION...]")
        out += [".HP", roff(synopsis)]
    out += [
        ".SH DESCRIPTION",
        roff(summary + "."),
        ".PP",
        "Commands:",
        ".nf",
        *[roff("  " + command) for command in commands],
        ".fi",
        ".PP",
        roff("Each command's -h, --help prints its part of this manual."),
    ]
    for command in COMMANDS:
        usage, options, description = parsed[command]
        title = re.sub(r" \[OPTION…\]| \[OPTION\.\.\.\]", "", usage)
        out += [".SH %s" % roff(title.split(" - ")[0].replace("recordhost ", "").upper()),
                roff(title.split(" - ", 1)[1].capitalize() + ".") if " - " in title else "",
                ".PP"]
        out += paragraphs(description)
        out += [".SS Options"]
        for names, text in options:
            out += [".TP", "\\fB%s\\fR" % roff(names), roff(text)]
    out.append(".SH ENVIRONMENT")
    for name, text in ENVIRONMENT:
        out += [".TP", "\\fB%s\\fR" % name, roff(text)]
    out += [".SH FILES", ".TP", roff(page_dir),
            roff("The bundled record page and SDK stand-ins that demo runs; found beside the "
                 "program first (bindir/../share/recordhost/page as installed), so an "
                 "installed tree can be moved.")]
    out.append(".SH EXIT STATUS")
    for status, text in EXIT_STATUS:
        out += [".TP", status, roff(text)]
    out += [".SH SEE ALSO", "The README of the source, which has the details and examples."]

    with open(output, "w", encoding="utf-8") as file:
        file.write("\n".join(line for line in out if line != "") + "\n")


if __name__ == "__main__":
    main()
