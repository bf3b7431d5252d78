"""Prints 'N passed, N failed, N skipped' from pytest JUnit XML reports (used by scripts/test).

python scripts/_junit_summary.py REPORT.xml             counts of one report
python scripts/_junit_summary.py --total REPORT.xml...  counts summed over reports
python scripts/_junit_summary.py --slowest N REPORT.xml...  the N slowest tests, by wall time
python scripts/_junit_summary.py --slowest N --cpu REPORT.xml...  by CPU seconds (with subprocesses)
"""

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


def cpu_seconds(case):
    """The `cpu_s` property that tests/conftest.py records, or 0 where there is none."""
    found = case.find("properties/property[@name='cpu_s']")
    return float(found.get("value")) if found is not None else 0.0


def line(passed, failed, skipped):
    return f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--slowest":
        by_cpu = "--cpu" in args
        paths = [a for a in args[2:] if a != "--cpu"]
        cases = [
            (
                cpu_seconds(case) if by_cpu else float(case.get("time", 0)),
                path.rsplit("/", 1)[-1][: -len(".xml")],
                f"{case.get('classname')}::{case.get('name')}",
            )
            for path in paths
            for case in ET.parse(path).getroot().iter("testcase")
        ]
        for seconds, report, name in sorted(cases, reverse=True)[: int(args[1])]:
            print(f"{seconds:8.1f} s  {report:10s}  {name}")
    elif args and args[0] == "--total":
        results = [counts(path) for path in args[1:]]
        print("total: " + line(*(sum(column) for column in zip(*results))))
    else:
        print(line(*counts(args[0])))
