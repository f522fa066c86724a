#!/usr/bin/python3
"""Captures facts about containerd's RuntimeDefault (contrib/seccomp/seccomp_default.go) per version.

Usage: python3 tools/gen-tables/capture/containerd_facts.py CONTAINERD_GIT_DIR > refdata/host/containerd/facts.json

Design: for each stored version (the revisions of refdata/SOURCES.md §10) the Go file is read
with `git show REV:contrib/seccomp/seccomp_default.go` and three facts are taken, no code:
1. `arches`: the SCMP_ARCH list `arches()` returns for each GOARCH case;
2. `arch_groups`: the syscall names the "include by arch" switch allows for each GOARCH case;
3. `cap_cases`: the capabilities the bounding-set switch has a case for (each appends one group);
4. `clone_arg`: per GOARCH case of the `if !admin` switch, the argument index of clone's flags rule.
The per-capability names themselves are not taken from the Go file: tools/gen-tables reads them
from the stored "all capabilities" output, in capability-number order (the generator of §10 passes
the bounding set in that order), and checks the count against `cap_cases`.
"""
import json
import re
import subprocess
import sys

VERSIONS = [
    ("v1.6.20", "v1.6.20"),
    ("v1.7.34", "v1.7.34"),
    ("v2.0.0", "v2.0.0"),
    ("main-301026e5", "301026e58c619e63d09c0ec411012e54c0124b03"),
]
PATH = "contrib/seccomp/seccomp_default.go"


def switch_cases(block):
    """{case label: body} for a `switch runtime.GOARCH { ... }` block's text."""
    out = {}
    parts = re.split(r"\n\s*(case [^\n]*:|default:)", block)
    for label, body in zip(parts[1::2], parts[2::2]):
        for goarch in re.findall(r'"([a-z0-9]+)"', label) or ["default"]:
            out[goarch] = body
    return out


def block_after(src, marker):
    i = src.index(marker)
    j = src.index("{", i)
    depth, k = 0, j
    while True:
        if src[k] == "{":
            depth += 1
        elif src[k] == "}":
            depth -= 1
            if depth == 0:
                return src[j + 1:k]
        k += 1


def main():
    git = sys.argv[1]
    out = {}
    for label, rev in VERSIONS:
        blob = subprocess.check_output(["git", "--git-dir", git, "rev-parse", f"{rev}:{PATH}"], text=True).strip()
        src = subprocess.check_output(["git", "--git-dir", git, "show", f"{rev}:{PATH}"], text=True)
        arches = {
            k: re.findall(r"specs\.Arch(\w+)", v)
            for k, v in switch_cases(block_after(src, "switch runtime.GOARCH")).items()
        }
        groups_src = block_after(src, "// include by arch\n\tswitch runtime.GOARCH")
        arch_groups = {
            k: re.findall(r'"([a-z0-9_]+)",', v)
            for k, v in switch_cases(groups_src).items()
        }
        clone_src = block_after(src[src.index("if !admin"):], "switch runtime.GOARCH")
        clone_arg = {
            k: int(re.search(r"Index:\s*(\d+)", v).group(1))
            for k, v in switch_cases(clone_src).items()
        }
        caps = re.findall(r'case "(CAP_[A-Z_]+)":', src)
        out[label] = {
            "revision": rev,
            "blob": blob,
            "arches": {k: ["SCMP_ARCH_" + a.upper() for a in v] for k, v in sorted(arches.items())},
            "arch_groups": dict(sorted(arch_groups.items())),
            "cap_cases": caps,
            "clone_arg": dict(sorted(clone_arg.items())),
        }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()
