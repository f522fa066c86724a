#!/usr/bin/python3
"""Captures the table of syscalls(2) (Linux man-pages, Debian's `manpages-dev`) as CSV.

Usage: python3 tools/gen-tables/capture/manpages_syscalls.py [/usr/share/man/man2/syscalls.2.gz] > OUT.csv

Design: the man page's tbl(1) table is read as text, one row per `\\fBname\\fP(2)<TAB>kernel<TAB>notes`
line; notes in `T{ ... T}` blocks are joined to one line; `Removed in X` in the notes becomes the
`removed` column. The names the page lists as "not implemented in the standard kernel" (after the
table) are appended with kernel `-`. Output columns: name,kernel,removed,notes.
"""
import csv
import gzip
import re
import sys


def clean(s):
    s = re.sub(r"\\f[BIRP]", "", s)
    s = s.replace("\\-", "-").replace("\\[bu]", "*")
    return " ".join(s.split())


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/man/man2/syscalls.2.gz"
    with gzip.open(path, "rt") as f:
        lines = f.read().split("\n")
    title = next(l for l in lines if l.startswith(".TH "))
    rows = []
    i = lines.index(".TS")
    end = lines.index(".TE")
    while i < end:
        line = lines[i]
        i += 1
        m = re.match(r"\\fB(\w+)\\fP\(2\)\t([0-9.]+)(?:\t(.*))?$", line)
        if not m:
            continue
        name, kernel, notes = m.group(1), m.group(2), m.group(3) or ""
        if notes == "T{":
            block = []
            while lines[i] != "T}":
                if not lines[i].startswith(".\\\""):
                    block.append(lines[i])
                i += 1
            i += 1
            notes = " ".join(block)
        notes = clean(notes)
        r = re.search(r"Removed in ([0-9.]+)", notes)
        rows.append((name, kernel, r.group(1) if r else "", notes))
    # "the following system calls are not implemented in the standard kernel: .BR x (2), ..."
    start = next(j for j, l in enumerate(lines) if "are not implemented in the standard kernel" in l)
    j = start + 1
    while not lines[j].startswith("(see also"):
        m = re.match(r"\.BR (\w+) \(2\)", lines[j])
        if m:
            rows.append((m.group(1), "-", "", "not implemented in the standard kernel"))
        j += 1
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["name", "kernel", "removed", "notes"])
    for r in sorted(set(rows)):
        out.writerow(r)
    sys.stderr.write(f"{title}: {len(rows)} rows\n")


main()
