"""Prints 'N passed, N failed, N skipped' from pytest JUnit XML reports (used by scripts/test)."""

import sys
import xml.etree.ElementTree as ET


def counts(path):
    root = ET.parse(path).getroot()
    suites = root.iter("testsuite")
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def line(passed, failed, skipped):
    return f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--total":
        results = [counts(path) for path in args[1:]]
        print("total: " + line(*(sum(column) for column in zip(*results))))
    else:
        print(line(*counts(args[0])))
