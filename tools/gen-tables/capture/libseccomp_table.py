#!/usr/bin/python3
"""Captures the syscall table of the installed libseccomp (through python3-seccomp) as CSV.

Usage: /usr/bin/python3 tools/gen-tables/capture/libseccomp_table.py CURRENT_CSV [HEADER] > OUT.csv

CURRENT_CSV is libseccomp's own syscalls.csv (refdata/syscalls/libseccomp/syscalls.csv):
its names are asked for, together with every name the installed library gives for a number.

Design: the library is only asked, never read. For each ABI it knows:
1. every number 0..1500 (plus ARM's private 0xf0000.. range) is resolved to a name
   (seccomp_syscall_resolve_num_arch), with the ABI's base (mips 4000/5000/6000, x32 bit 30);
2. every name is resolved to a number (seccomp_syscall_resolve_name_arch). A name whose number
   resolves back to another name (x86 `socket` -> 102 = socketcall, libseccomp's multiplexer
   munging) takes the number from step 1, or counts as absent;
3. the __PNR_* pseudo numbers are read from the installed header HEADER (default
   /usr/include/seccomp-syscalls.h, Debian's libseccomp-dev of the same version): the resolver
   munges socket/ipc names to their multiplexer, so it cannot show them all.
Columns are those of syscalls.csv; ABIs the installed library does not support are "-",
absent names are "PNR". Numbers are written without the ABI's base.
"""
import csv
import re
import sys

import seccomp

COLUMNS = [
    ("x86", "X86", 0), ("x86_64", "X86_64", 0), ("x32", "X32", 0x40000000),
    ("arm", "ARM", 0), ("aarch64", "AARCH64", 0), ("loongarch64", None, 0),
    ("m68k", None, 0), ("mips", "MIPS", 4000), ("mips64", "MIPS64", 5000),
    ("mips64n32", "MIPS64N32", 6000), ("parisc", "PARISC", 0), ("parisc64", "PARISC64", 0),
    ("ppc", "PPC", 0), ("ppc64", "PPC64", 0), ("riscv64", "RISCV64", 0),
    ("s390", "S390", 0), ("s390x", "S390X", 0), ("sh", None, 0),
]


def text(v):
    return v.decode() if isinstance(v, bytes) else v


def main():
    with open(sys.argv[1], newline="") as f:
        rows = [r for r in csv.reader(f) if r and not r[0].startswith("#")]
    names = set(r[0] for r in rows[1:])
    header = sys.argv[2] if len(sys.argv) > 2 else "/usr/include/seccomp-syscalls.h"
    pnrs = {}
    with open(header) as f:
        for line in f:
            m = re.match(r"#define __PNR_(\w+)\s+(-\d+)\s*$", line)
            if m:
                pnrs[m.group(1)] = int(m.group(2))
    by_number = {}
    for col, token, base in COLUMNS:
        if token is None:
            continue
        arch = getattr(seccomp.Arch, token)
        found = {}
        candidates = list(range(0, 1500)) + list(range(0xF0000, 0xF0010))
        for raw in candidates:
            nr = (raw | base) if token == "X32" else raw + base
            try:
                n = text(seccomp.resolve_syscall(arch, nr))
            except ValueError:
                continue
            found.setdefault(n, raw)
            names.add(n)
        by_number[col] = found
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["name", "pnr"] + [c for c, _, _ in COLUMNS])
    for name in sorted(names):
        pnr = pnrs.get(name, 0)
        cells = []
        known = False
        for col, token, base in COLUMNS:
            if token is None:
                cells.append("-")
                continue
            arch = getattr(seccomp.Arch, token)
            n = seccomp.resolve_syscall(arch, name)
            raw = None
            if n >= 0:
                known = True
                try:
                    back = text(seccomp.resolve_syscall(arch, n))
                except ValueError:
                    back = None
                if back == name:
                    raw = (n & ~base) if token == "X32" else n - base
                else:
                    raw = by_number[col].get(name)
            elif n != -1:
                known = True
                raw = by_number[col].get(name)
            cells.append("PNR" if raw is None else str(raw))
        if known:
            out.writerow([name, pnr] + cells)


main()
