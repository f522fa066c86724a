#!/usr/bin/env bash
# scripts/fuzz.sh [TARGET...] — runs the cargo-fuzz targets of fuzz/ one after the other for
# FUZZ_TIME seconds each (default 600), with the corpora in fuzz/corpus/<target>/ (seeded by
# examples/fuzz_seed.rs from the presets and tests/golden/). Crashes land in
# fuzz/artifacts/<target>/; the log of each run in target/fuzz/<target>.log, and a summary
# line per target (executions, seconds, corpus size, crashes) at the end.
# Needs the nightly toolchain and cargo-fuzz; without them it says so and exits 0 (fuzzing is
# not part of `make test`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
FUZZ_TIME=${FUZZ_TIME:-600}
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(profile_parse compile_differential program_bytes syscall_expr audit_records strace_log)

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "make fuzz: skipped: no nightly toolchain (rustup toolchain install nightly)" >&2
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "make fuzz: skipped: cargo-fuzz is not installed (cargo install cargo-fuzz)" >&2
  exit 0
fi

cargo run -q -p seccplay-core --example fuzz_seed -- fuzz/corpus tests/golden
# seccplay-core forbids unsafe code, so AddressSanitizer has nothing to find there and would
# slow the targets tenfold: coverage-guided fuzzing without a sanitizer (panics are crashes).
cargo +nightly fuzz build --fuzz-dir fuzz -O -s none
mkdir -p target/fuzz
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  log=target/fuzz/$t.log
  echo "==> fuzzing $t for ${FUZZ_TIME}s (log: $log)" >&2
  rc=0
  fuzz/target/x86_64-unknown-linux-gnu/release/"$t" "fuzz/corpus/$t" \
    -artifact_prefix="fuzz/artifacts/$t/" -max_total_time="$FUZZ_TIME" \
    -max_len=65536 -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/.*Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
  crashes=$(find "fuzz/artifacts/$t" -type f | wc -l)
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  summary+=("$t: ${execs:-?} executions in ${secs:-?}s, corpus $corpus files, $crashes crash artifacts, exit $rc")
  if ((rc)); then
    echo "*** $t failed (exit $rc): see $log and fuzz/artifacts/$t/" >&2
    grep -m5 -E "panicked|ERROR|SUMMARY" "$log" >&2 || true
  fi
done
printf '%s\n' "" "fuzz summary:" "${summary[@]}" >&2
