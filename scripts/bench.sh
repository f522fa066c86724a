#!/usr/bin/env bash
# scripts/bench.sh [PROFILE] — the figures of docs/BENCHMARKS.md in one command.
#
# For PROFILE (default: refdata/profiles/docker/default.json) in Docker's amd64
# context (x86_64 + x86 + x32, Docker's default capabilities), for seccplay and for
# libseccomp 2.5.4 (optimize 1 = crun's linear layout, optimize 2 = runc's binary tree):
# program size, instructions executed per x86_64 syscall 0..=462 with zero arguments
# (average, worst; libseccomp's BPF runs through seccplay's interpreter), how many of those
# syscalls the kernel's constant-action cache skips the filter for, and compile time.
#
# BENCH_CRITERION=1 also runs the criterion benches (cargo bench -p seccplay-core).
# Needs Debian's /usr/bin/python3 with python3-seccomp (scripts/setup.sh test installs it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PROFILE=${1:-$ROOT/refdata/profiles/docker/default.json}
OUT=$ROOT/target/bench
[[ -f $PROFILE ]] || { echo "bench.sh: profile not found: $PROFILE" >&2; exit 1; }
mkdir -p "$OUT"

echo "== machine: $(nproc) cores, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "== building the example (release)"
cargo build --quiet --release -p seccplay-core --example program_stats
STATS=$ROOT/target/release/examples/program_stats

echo "== seccplay"
"$STATS" "$PROFILE" || echo "seccplay: program_stats failed (exit $?)"

echo "== libseccomp"
/usr/bin/python3 scripts/bench_libseccomp.py "$PROFILE" "$OUT"
for layout in linear tree; do
  "$STATS" --bpf "$OUT/libseccomp-$layout.bpf" "libseccomp $layout"
done

if [[ ${BENCH_CRITERION:-0} == 1 ]]; then
  echo "== criterion (cargo bench -p seccplay-core)"
  cargo bench -p seccplay-core --bench core
fi
