#!/usr/bin/python3
"""Captures the system call groups of the installed systemd (`systemd-analyze syscall-filter`).

Usage: python3 tools/gen-tables/capture/systemd_syscall_filter.py > refdata/host/systemd-252/syscall-filter.txt

Design: the tool's standard output is kept as it prints it (groups, their `# help` line, their
members, then the "Ungrouped System Calls" comment block), with one change for reproducibility:
the trailing section about system calls of the *running kernel* that no group lists (printed
only where the kernel's list can be read, and different on every kernel) is cut off. The first
line written is `# systemd-analyze VERSION` from `systemd-analyze --version`, so the file names
the release it came from.
"""
import subprocess
import sys


def main():
    version = subprocess.run(["systemd-analyze", "--version"], check=True,
                             capture_output=True, text=True).stdout.splitlines()[0]
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"], check=True,
                         capture_output=True, text=True).stdout
    kept = []
    for line in out.split("\n"):
        if line.startswith("# Unlisted System Calls"):
            break
        kept.append(line)
    while kept and kept[-1] == "":
        kept.pop()
    sys.stdout.write("# systemd-analyze " + version + "\n" + "\n".join(kept) + "\n")


if __name__ == "__main__":
    main()
