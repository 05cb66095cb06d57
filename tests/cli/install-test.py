#!/usr/bin/env python3
"""`meson install` into a temporary DESTDIR: the program, the bundled page
and the manual where they belong, no path of the source or build tree in
the program, and the installed `recordhost demo` runs the installed page.
TAP, one case a check.

Usage: install-test.py MESON BUILD_ROOT SOURCE_ROOT PREFIX BINDIR DATADIR MANDIR SANITIZE
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

DEMO_TIMEOUT_S = 60


def installed(destdir, prefix, path):
    """Where @path (relative to @prefix, or absolute) lands under @destdir."""
    return os.path.join(destdir, os.path.join(prefix, path).lstrip("/"))


def main():
    meson, build_root, source_root, prefix, bindir, datadir, mandir, sanitize = sys.argv[1:]
    top = tempfile.mkdtemp(prefix="recordhost-install-test-")
    destdir = os.path.join(top, "destdir")
    home = os.path.join(top, "home")
    cases = []

    def case(name, problem):
        cases.append((name, problem))
        print(("ok %d %s" if problem is None else "not ok %d %s") % (len(cases), name))
        if problem is not None:
            for line in str(problem).split("\n"):
                print("# " + line)
        sys.stdout.flush()

    print("1..6")
    try:
        # Stripped as a package would be: the debug information names the
        # sources on purpose, for a debugger; what is checked below is what
        # the program itself holds.
        result = subprocess.run([meson, "install", "-C", build_root, "--no-rebuild", "--strip",
                                 "--destdir", destdir],
                                capture_output=True, text=True)
        case("meson install --destdir",
             None if result.returncode == 0 else result.stdout + result.stderr)

        program = installed(destdir, prefix, os.path.join(bindir, "recordhost"))
        page_dir = installed(destdir, prefix, os.path.join(datadir, "recordhost", "page"))
        man_page = installed(destdir, prefix, os.path.join(mandir, "man1", "recordhost.1"))
        missing = [path for path in (program, os.path.join(page_dir, "record_page.html"),
                                     os.path.join(page_dir, "sdk", "standin-core.js"))
                   if not os.path.isfile(path)]
        case("the program and the bundled page are installed",
             "missing: " + ", ".join(missing) if missing else None)
        case("the manual is installed",
             None if os.path.isfile(man_page) and os.path.getsize(man_page) > 0
             else "missing: " + man_page)

        with open(program, "rb") as file:
            data = file.read()
        if sanitize == "none":
            paths = {source_root, build_root}
        else:
            # The sanitizers name each source file in the program, as the
            # compiler was given it, for their reports: in a build tree
            # outside the source tree, that name holds the source root.
            paths = {os.path.join(source_root, "page"), build_root}
        held = [path for path in paths if path.encode() in data]
        case("the program holds no path of the source or build tree",
             "holds " + ", ".join(held) if held else None)

        # A cold user, and nothing that would point demo elsewhere.
        for name in ("", "cache", "config", "data", "state"):
            os.makedirs(os.path.join(home, name), exist_ok=True)
        env = dict(os.environ, HOME=home, XDG_CACHE_HOME=os.path.join(home, "cache"),
                   XDG_CONFIG_HOME=os.path.join(home, "config"),
                   XDG_DATA_HOME=os.path.join(home, "data"),
                   XDG_STATE_HOME=os.path.join(home, "state"))
        env.pop("RECORDHOST_PAGE_DIR", None)
        try:
            result = subprocess.run([program, "demo", "--json", "--quiet"], env=env,
                                    capture_output=True, text=True, timeout=DEMO_TIMEOUT_S)
            problem = None if result.returncode == 0 else \
                "exit status %d: %s" % (result.returncode, result.stderr)
        except subprocess.TimeoutExpired:
            result = None
            problem = "no end within %d s" % DEMO_TIMEOUT_S
        case("the installed recordhost demo gets ready", problem)

        page_url = ""
        if result is not None and result.returncode == 0:
            page_url = json.loads(result.stdout).get("page_url", "")
        expected = "file://" + os.path.realpath(page_dir) + "/record_page.html"
        case("demo ran the installed page",
             None if page_url.startswith(expected) else
             "page_url %r, expected %s?..." % (page_url, expected))
    finally:
        shutil.rmtree(top, ignore_errors=True)
    sys.exit(1 if any(problem is not None for _, problem in cases) else 0)


if __name__ == "__main__":
    main()
