#!/usr/bin/env python3
"""Adds up cargo test's per-binary `test result:` lines into one closing line."""
import re
import sys

passed = failed = ignored = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", line)
    if m:
        passed += int(m[1]); failed += int(m[2]); ignored += int(m[3])
if passed == 0:
    sys.exit("no tests ran")
print(f"tests: {passed} passed, {failed} failed" + (f", {ignored} skipped" if ignored else ""))
sys.exit(1 if failed else 0)
