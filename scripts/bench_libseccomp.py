#!/usr/bin/python3
"""libseccomp's side of docs/BENCHMARKS.md.

Builds Docker's default profile in Docker's amd64 context (x86_64 + x86 + x32, Docker's
default capabilities, kernel 6.1) with the real libseccomp (Debian's python3-seccomp 2.5.4),
the way crun (optimize 1, linear) and runc (optimize 2, binary tree) do, using the
independent moby/runc/crun emulation of tests/libseccomp/reference.py. Writes each program's
BPF (seccomp_export_bpf, native byte order) to OUT_DIR/libseccomp-{linear,tree}.bpf and prints
one line per layout: instructions, compile time.

Compile time = seccomp_init + seccomp_arch_add + every seccomp_rule_add + seccomp_export_bpf
through the Python binding (median of --runs), i.e. libseccomp's work plus a thin Cython layer;
the profile/moby emulation is not timed.

usage: bench_libseccomp.py PROFILE.json OUT_DIR [--runs N]
"""

import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "libseccomp"))
import reference as R  # noqa: E402
import seccomp as S  # noqa: E402

DOCKER_DEFAULT_CAPS = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
    "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
]


def replay(ans):
    """Builds the filter from the harness's rule list and returns the BPF bytes."""
    filt = S.SyscallFilter(R.c_int(ans["default_action"]))
    for a in ans["arches"][1:]:  # arches[0] is the native (host) x86_64
        filt.add_arch(S.Arch(a))
    if ans["optimize"] == 2:
        filt.set_attr(S.Attr.CTL_OPTIMIZE, 2)
    for r in ans["rules"]:
        args = [S.Arg(a["index"], R.OPS[a["op"]], a["value"], a["valueTwo"])
                for a in r["args"]]
        filt.add_rule(R.c_int(r["action"]), r["name"], *args)
    with tempfile.TemporaryFile() as f:
        filt.export_bpf(f)
        f.seek(0)
        return f.read()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    profile_path, out_dir = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 20
    with open(profile_path) as f:
        profile = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    for layout, runtime in (("linear", "crun"), ("tree", "runc")):
        ans = R.answer({"profile": profile, "native": "x86_64", "goarch": "amd64",
                        "caps": DOCKER_DEFAULT_CAPS, "kernel": "6.1",
                        "runtime": runtime})
        if not ans.get("ok") or ans.get("disabled"):
            sys.exit("libseccomp (%s) did not build the filter: %r" % (runtime, ans))
        bpf = replay(ans)
        if bpf.hex() != ans["bpf_hex"]:
            sys.exit("replayed %s filter differs from the harness's" % layout)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            replay(ans)
            times.append(time.perf_counter() - t)
        path = os.path.join(out_dir, "libseccomp-%s.bpf" % layout)
        with open(path, "wb") as f:
            f.write(bpf)
        print("libseccomp %s (optimize %d, %s): %d instructions, compile %.2f ms "
              "(median of %d; min %.2f ms) -> %s"
              % (S.get_library_version_str() if hasattr(S, "get_library_version_str")
                 else "2.5.4", ans["optimize"], runtime, len(bpf) // 8,
                 statistics.median(times) * 1e3, runs, min(times) * 1e3, path))


if __name__ == "__main__":
    main()
