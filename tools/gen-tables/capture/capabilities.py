#!/usr/bin/python3
"""Captures the Linux capability numbers from the kernel's UAPI header as CSV.

Usage: python3 tools/gen-tables/capture/capabilities.py [/usr/include/linux/capability.h] > OUT.csv

Design: every `#define CAP_<NAME> <number>` line of linux/capability.h (Debian's
`linux-libc-dev`) is one row, in number order; `CAP_LAST_CAP` must name the last of them, and
the numbers must run 0, 1, 2, ... without a gap. Output columns: name,number.
"""
import csv
import re
import sys


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/usr/include/linux/capability.h"
    with open(path) as f:
        text = f.read()
    caps = [(m.group(1), int(m.group(2)))
            for m in re.finditer(r"^#define\s+(CAP_[A-Z_]+)\s+(\d+)\s*$", text, re.M)]
    caps.sort(key=lambda c: c[1])
    if [n for _, n in caps] != list(range(len(caps))):
        sys.exit(f"{path}: capability numbers are not 0..{len(caps) - 1}")
    last = re.search(r"^#define\s+CAP_LAST_CAP\s+(CAP_[A-Z_]+)", text, re.M)
    if not last or last.group(1) != caps[-1][0]:
        sys.exit(f"{path}: CAP_LAST_CAP is not {caps[-1][0]}")
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["name", "number"])
    for name, number in caps:
        out.writerow([name, number])


main()
