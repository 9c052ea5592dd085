#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Counts the test cases of every target in a `bazel test` run (read from
each target's test.xml, cached or fresh) and prints "N passed, N failed,
N skipped". A target that failed to build or left no result counts as one
failure. Exits non-zero when anything failed or nothing ran."""
import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET


def count_xml(path):
    passed = failed = skipped = 0
    root = ET.parse(path).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.get("result") == "skipped" or case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


STATUS_LINE = re.compile(
    r"^//(?P<package>[^:\s]*):(?P<name>\S+)\s+(?:\(cached\) )?"
    r"(?P<status>PASSED|FAILED TO BUILD|FAILED|FLAKY|TIMEOUT|NO STATUS|SKIPPED)", re.M)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bazel-log", required=True, help="output of bazel test --test_summary=short")
    parser.add_argument("--bazel-exit", type=int, required=True)
    parser.add_argument("--testlogs", default="bazel-testlogs")
    args = parser.parse_args()

    with open(args.bazel_log, errors="replace") as log:
        targets = STATUS_LINE.findall(log.read())
    passed = failed = skipped = 0
    for package, name, status in targets:
        xml = os.path.join(args.testlogs, package, name, "test.xml")
        if status in ("FAILED TO BUILD", "NO STATUS") or not os.path.exists(xml):
            failed += 1
            continue
        p, f, s = count_xml(xml)
        if status in ("FAILED", "TIMEOUT") and f == 0:
            f = 1  # crashed or timed out before gtest could report
        passed, failed, skipped = passed + p, failed + f, skipped + s
    if args.bazel_exit not in (0, 3) and failed == 0:
        failed = 1  # the build itself failed before any test ran
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
