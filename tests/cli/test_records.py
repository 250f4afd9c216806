#!/usr/bin/env python3
"""The record reference proto/RECORDS.md is what the record tables generate.

Usage: test_records.py MAILLE_BINARY RECORDS_MD
Fails when the committed file differs from `maille schema --markdown`, and says how to
regenerate it."""
import difflib
import subprocess
import sys


def main():
    maille, path = sys.argv[1], sys.argv[2]
    p = subprocess.run([maille, "schema", "--markdown"], capture_output=True, timeout=60)
    if p.returncode != 0:
        print(f"maille schema --markdown failed ({p.returncode}): {p.stderr.decode()}")
        return 1
    want = p.stdout.decode("utf-8")
    with open(path, encoding="utf-8") as f:
        have = f.read()
    if have == want:
        print("proto/RECORDS.md is up to date")
        return 0
    sys.stdout.writelines(difflib.unified_diff(have.splitlines(True), want.splitlines(True),
                                               "proto/RECORDS.md (committed)",
                                               "maille schema --markdown"))
    print("\nproto/RECORDS.md is not what the record tables (proto/record_*.c) generate. "
          "Regenerate it from the build directory with:\n"
          "  tools/maille schema --markdown > ../proto/RECORDS.md\n"
          "and commit it with the change of the tables.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
