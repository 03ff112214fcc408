#!/usr/bin/env python3
"""Adds up the test logs into one closing line: cargo test's per-binary `test result:` lines
and vitest's `Tests  N passed` line. The e2e binary's test is counted in its own log (in the
workspace run it is listed as ignored, since it needs the devnet; `make e2e` runs it)."""
import re
import sys

passed = failed = ignored = 0
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8", errors="replace"):
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        m = re.search(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", line)
        if m:
            passed += int(m[1]); failed += int(m[2]); ignored += int(m[3])
        m = re.search(r"^\s*Tests\s+(?:(\d+) failed \| )?(\d+) passed", line)
        if m:
            failed += int(m[1] or 0); passed += int(m[2])
if passed == 0:
    sys.exit("no tests ran")
print(f"tests: {passed} passed, {failed} failed" + (f", {ignored} skipped" if ignored else ""))
sys.exit(1 if failed else 0)
