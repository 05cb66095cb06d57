#!/usr/bin/env python3
"""The shape of src/, checked: the layers include only downward, the quoted
include graph has no cycle, only src/host/wpe includes WebKit/WPE headers,
only src/host/chromium speaks the DevTools protocol, only the command line
prints, and no source file passes 600 lines.

Usage: check-layout.py SRC_DIR   (TAP on stdout, one test a rule)"""

import os
import re
import sys

# Lowest first: a layer may include its own headers and those of the layers
# before it.  host/wpe and host/chromium implement the host layer's interface.
LAYERS = ["core", "ready", "host", "host/wpe", "host/chromium", "report", "record", "commands",
          "cloud", "cli", "."]
# Side by side, neither includes the other.
SIBLINGS = {("report", "record"), ("record", "report"),
            ("host/wpe", "host/chromium"), ("host/chromium", "host/wpe")}
MAX_LINES = 600
INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)
PRINTS = re.compile(r'\bg_(printerr|print)\s*\(')
ENGINE = re.compile(r'^(wpe/|wpe-|webkit|WebKit|JavaScriptCore/|jsc/)')
CDP = re.compile(r'^rh-cdp-')


def layer_of(path):
    folder = os.path.dirname(path) or "."
    return folder if folder in LAYERS else None


def sources(src):
    for root, _, files in os.walk(src):
        for name in sorted(files):
            if name.endswith((".c", ".h")):
                full = os.path.join(root, name)
                yield os.path.relpath(full, src), open(full, encoding="utf-8").read()


def main():
    src = sys.argv[1]
    files = dict(sources(src))
    by_name = {}
    for path in files:
        by_name.setdefault(os.path.basename(path), []).append(path)
    results = []

    problems = [f"{p}: {n} lines" for p, t in files.items() if (n := t.count("\n")) > MAX_LINES]
    results.append(("no source file over %d lines" % MAX_LINES, problems))

    problems = []
    edges = {}
    for path, text in files.items():
        for kind, target in INCLUDE.findall(text):
            if kind != '"' or target.endswith("-resources.h"):
                continue
            found = by_name.get(os.path.basename(target), [])
            if len(found) != 1:
                problems.append(f"{path}: \"{target}\" matches {len(found)} files")
                continue
            edges.setdefault(path, set()).add(found[0])
    results.append(("every quoted include names one file of src/", problems))

    problems = []
    for path, targets in edges.items():
        mine = layer_of(path)
        for target in targets:
            theirs = layer_of(target)
            if mine is None or theirs is None:
                problems.append(f"{path} -> {target}: outside the layers")
            elif (mine, theirs) in SIBLINGS or LAYERS.index(theirs) > LAYERS.index(mine):
                problems.append(f"{path} ({mine}) includes {target} ({theirs})")
    results.append(("layers include only their own and lower layers", problems))

    # Modules as nodes: a .c, its .h and its -private.h are one.
    def module(p):
        return p[:-2].removesuffix("-private")
    graph = {}
    for path, targets in edges.items():
        graph.setdefault(module(path), set()).update(module(t) for t in targets if module(t) != module(path))
    problems = []
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                problems.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    results.append(("the include graph of src/ has no cycle", problems))

    problems = [f"{p}: <{t}>" for p, text in files.items() for k, t in INCLUDE.findall(text)
                if k == "<" and ENGINE.match(t) and not p.startswith("host/wpe/")]
    results.append(("only src/host/wpe includes WebKit/WPE headers", problems))

    problems = [f"{p}: \"{t}\"" for p, text in files.items() for k, t in INCLUDE.findall(text)
                if k == '"' and CDP.match(os.path.basename(t))
                and not p.startswith("host/chromium/")]
    results.append(("only src/host/chromium speaks the DevTools protocol", problems))

    problems = [p for p, text in files.items()
                if PRINTS.search(text) and layer_of(p) not in ("cli", ".")]
    results.append(("only the command line prints (library code logs)", problems))

    print(f"1..{len(results)}")
    failed = 0
    for i, (name, problems) in enumerate(results, 1):
        print(("ok" if not problems else "not ok") + f" {i} {name}")
        for problem in problems:
            print(f"# {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
