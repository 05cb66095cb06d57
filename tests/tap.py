"""TAP output for the test programs written in Python: cases numbered as they
end, each failure's lines as comments and, since meson prints a failed
test's stderr and not its TAP comments, on stderr too."""
import sys


class Tap:
    """Cases reported one by one after the plan (for programs whose cases
    take long); .exit() ends the program with their verdict."""

    def __init__(self, planned):
        self.planned = planned
        self.number = 0
        self.failed = False
        print("1..%d" % planned, flush=True)

    def case(self, name, problems, notes=()):
        """NOTES are comments printed whatever the verdict."""
        self.number += 1
        if problems:
            self.failed = True
            print("not ok %d %s" % (self.number, name))
            for problem in problems:
                for line in str(problem).split("\n"):
                    print("# %s" % line)
                    print("%s: %s" % (name, line), file=sys.stderr)
        else:
            print("ok %d %s" % (self.number, name))
        for line in notes:
            print("# %s" % line)
        sys.stdout.flush()

    def note(self, text):
        print("# %s" % text, flush=True)

    def bail(self, text):
        """The rest cannot run: each remaining case fails, saying why."""
        while self.number < self.planned:
            self.case("not run", [text])
        sys.exit(1)

    def exit(self):
        sys.exit(1 if self.failed or self.number != self.planned else 0)


def report(cases):
    """Every (name, problems[, notes]) case at once, then exit with their
    verdict."""
    tap = Tap(len(cases))
    for case in cases:
        tap.case(*case)
    tap.exit()


def missing(name, why):
    """What every check needs is missing: one failed case saying so.  A
    skipped check is no check."""
    report([(name, [why])])
