#!/usr/bin/python3
"""The best average any syscall search of seccplay's shape can reach, for docs/BENCHMARKS.md.

Model: Docker's default profile in Docker's amd64 context, x86_64 numbers 0..=462 with zero
arguments, each equally likely. The outcome of every number comes from the CLI
(`seccplay-native simulate --batch`); the argument-checked syscalls (socket, clone,
personality) are outcomes of their own whose code costs what seccplay's does with zero
arguments. A search is a binary tree of `jge` splits whose leaves are one outcome with up to
three single numbers of other outcomes tested by `jeq` (codegen's leaves); before it come
`ld arch`, `jeq`, `ld nr`, and the `ret` ends it, 4 instructions. x32 is left out (weight 0),
so the figures are a lower bound for codegen's search.

An exact dynamic programme over the runs of equal outcome, with a budget L on every usual
path (the length-limited optimum), O(n^3 L):

    scripts/search_optimum.py [SECCPLAY_NATIVE] [PROFILE]

defaults: target/release/seccplay-native, the Docker preset.
"""
import functools
import json
import subprocess
import sys

sys.setrecursionlimit(100000)

NATIVE = sys.argv[1] if len(sys.argv) > 1 else "target/release/seccplay-native"
PROFILE = sys.argv[2] if len(sys.argv) > 2 else "docker"
LAST = 462
EXCEPTIONS = 3
FIXED = 4  # ld arch, jeq, ld nr ... ret
# Instructions of the argument code with zero arguments, `ret` included (seccplay's program).
ARG_CODE = {41: 6, 56: 4, 135: 6}


def outcomes():
    queries = "".join(
        json.dumps({"arch": "x86_64", "nr": nr, "args": [0] * 6}) + "\n" for nr in range(LAST + 1)
    )
    out = subprocess.run(
        [NATIVE, "simulate", PROFILE, "--host-arch", "amd64", "--kernel", "6.1",
         "--runtime", "runc", "--batch", "-"],
        input=queries, capture_output=True, text=True, check=True,
    ).stdout
    result = []
    for line in out.splitlines():
        d = json.loads(line)
        p = d["program"]
        o = "%s %s" % (p["action"], p["errno"])
        result.append("args %d" % d["nr"] if d["nr"] in ARG_CODE else o)
    # Everything above: one more run nobody in the benchmark calls.
    return result + ["above"]


def optimum(outs, budget):
    runs = []  # [outcome, weight, numbers, first number]
    for nr, o in enumerate(outs):
        w = 1.0 if nr <= LAST else 0.0
        if runs and runs[-1][0] == o:
            runs[-1][1] += w
            runs[-1][2] += 1
        else:
            runs.append([o, w, 1, nr])
    n = len(runs)
    prefix = [0.0]
    for r in runs:
        prefix.append(prefix[-1] + r[1])

    def code(k):  # instructions after the search for run k, `ret` included
        return ARG_CODE.get(runs[k][3], 1) if runs[k][0].startswith("args") else 1

    @functools.lru_cache(None)
    def leaf(i, j, b):
        best = None
        for base in {runs[k][0] for k in range(i, j + 1)}:
            exc = [k for k in range(i, j + 1) if runs[k][0] != base]
            if len(exc) > EXCEPTIONS or any(runs[k][2] != 1 for k in exc):
                continue
            exc.sort(key=lambda k: -runs[k][1])
            base_code = max(code(k) for k in range(i, j + 1) if runs[k][0] == base)
            if any(t + code(k) > b for t, k in enumerate(exc)) or len(exc) + base_code - 1 > b:
                continue
            cost = sum((t + code(k)) * runs[k][1] for t, k in enumerate(exc))
            cost += sum((len(exc) + code(k) - 1) * runs[k][1]
                        for k in range(i, j + 1) if runs[k][0] == base)
            if best is None or cost < best:
                best = cost
        return best

    @functools.lru_cache(None)
    def search(i, j, b):
        """Least total (comparisons + code - 1) over runs i..=j within budget b."""
        best = leaf(i, j, b)
        best = float("inf") if best is None else best
        if b >= 1:
            for k in range(i, j):
                c = prefix[j + 1] - prefix[i] + search(i, k, b - 1) + search(k + 1, j, b - 1)
                best = min(best, c)
        return best

    total = search(0, n - 1, budget - FIXED)
    return n, total / (LAST + 1) + FIXED


def main():
    outs = outcomes()
    for budget in (13, 14, 16, 20):
        n, avg = optimum(outs, budget)
        print("%d runs; every usual path <= %d instructions: best average %.3f" % (n, budget, avg))


if __name__ == "__main__":
    main()
