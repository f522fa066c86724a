#!/usr/bin/env bash
# scripts/run.sh STEP... — the steps behind the Makefile targets, run in order; stops at the
# first failure with a message naming the step and its command.
#
#   setup        scripts/setup.sh test (everything the tests need)
#   setup-serve  scripts/setup.sh serve (what serve/build need)
#   fmt          cargo fmt --all --check
#   clippy       cargo clippy --workspace --all-targets -- -D warnings (with the playground's
#                feature split), and its first-load build (seccplay-web --no-default-features)
#   cycles       scripts/module_cycles.py: no import cycle between seccplay-core's modules
#   host-test    cargo test --workspace
#   wasm-test    wasm-bindgen-test in headless Chromium: seccplay-core, then seccplay-web (--tests)
#   build        release trunk build into dist/ (the playground's two builds, web/src/boot.rs; the
#                full one split into chunks by scripts/build-full.sh, trunk's post_build hook)
#   e2e          node --test tests/e2e/ against dist/ served on 127.0.0.1 (a free port), after
#                cargo build -p seccplay-native (the e2e compares the page with the CLI's output)
#   serve        trunk serve on http://127.0.0.1:${PORT:-8080} (foreground, until Ctrl-C; its debug
#                build goes to target/serve-dist, not dist/)
#   fuzz         scripts/fuzz.sh: every fuzz target for FUZZ_TIME seconds (not part of test)
#   test         all of it: setup fmt clippy cycles host-test wasm-test build e2e
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
WASM_ENV=$ROOT/scripts/wasm-env
T0=$SECONDS
DONE=()

say() { printf '%s\n' "$@" >&2; }
# step NAME CMD...: runs CMD; on failure reports and exits with its status.
step() {
  local name=$1 s=$SECONDS rc=0; shift
  say "" "==> [$name] $*"
  "$@" || rc=$?
  if ((rc)); then
    say "" "*** FAILED at step [$name] (exit $rc, after $((SECONDS - s))s): $*"
    ((${#DONE[@]})) && say "    (passed before it: ${DONE[*]})"
    exit $rc
  fi
  DONE+=("$name:$((SECONDS - s))s")
}

# Every crate downloaded once (std's own too in the Debian route), so that trunk and cargo can then
# work offline. Without a network this fails harmlessly if everything is there already.
fetch_wasm() {
  if ! "$WASM_ENV" cargo fetch --target wasm32-unknown-unknown -q 2>/dev/null; then
    say "(cargo fetch failed: continuing offline with what is downloaded)"
    export CARGO_NET_OFFLINE=true
  fi
}

wasm_test() { # wasm_test PACKAGE: --tests = lib + integration tests, no (wasm) doctests
  "$WASM_ENV" cargo test --target wasm32-unknown-unknown -p "$1" --tests
}

trunk_build() { TRUNK_OFFLINE=true "$WASM_ENV" trunk build --release "$@"; }

e2e() ( # subshell: its EXIT trap stops the server whatever happens
  [[ -f dist/index.html ]] || { say "dist/index.html is missing: run 'make build' first"; exit 1; }
  local log port="" pid i
  log=$(mktemp)
  python3 -u -m http.server 0 --bind 127.0.0.1 --directory dist >"$log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
  trap 'exit 130' INT TERM
  for i in $(seq 100); do # "Serving HTTP on 127.0.0.1 port 41235 (http://127.0.0.1:41235/) ..."
    port=$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$log")
    [[ -n $port ]] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $port ]] || { say "the static server did not start:"; cat "$log" >&2; exit 1; }
  say "serving dist/ on http://127.0.0.1:$port/ (python3 -m http.server, pid $pid)"
  local rc=0
  APP_URL=http://127.0.0.1:$port/ SECCPLAY_CLI=$ROOT/target/debug/seccplay-native \
    node --test tests/e2e/ || rc=$?
  exit $rc
)

# trunk serve builds (a debug build) before it answers: into target/serve-dist, never over the
# release build in dist/ that `make build` and the e2e tests use. A watcher says when it answers.
serve() {
  local port=${PORT:-8080} url t0=$SECONDS
  url=http://127.0.0.1:$port/
  fetch_wasm
  say "" "seccplay playground: building first (a cold build takes about a minute on 2 cores, a warm one seconds);" \
    "it will answer on $url (trunk serve, rebuilds on change; Ctrl-C stops it)" ""
  ( # until the first answer: then says how long the build took
    while ! curl -sf -o /dev/null "$url" 2>/dev/null; do
      sleep 1
      kill -0 $$ 2>/dev/null || exit 0
    done
    say "" "==> seccplay playground ready on $url (built in $((SECONDS - t0)) s)" ""
  ) &
  TRUNK_OFFLINE=true exec "$WASM_ENV" trunk serve --port "$port" --dist target/serve-dist
}

run() {
  case $1 in
    setup) step setup scripts/setup.sh test ;;
    setup-serve) step setup scripts/setup.sh serve ;;
    fmt) step fmt cargo fmt --all --check ;;
    clippy) # (with the playground's split full build, feature `split`: its wasm-only side is
      # compiled by `build`; + the first-load build: web/ without its default `full` feature)
      step clippy cargo clippy --workspace --all-targets --features seccplay-web/split -- -D warnings
      step clippy-first cargo clippy -p seccplay-web --no-default-features --lib --bins -- -D warnings
      ;;
    cycles) step cycles python3 scripts/module_cycles.py ;;
    host-test) step host-test cargo test --workspace ;;
    wasm-test)
      fetch_wasm
      step wasm-test-core wasm_test seccplay-core
      step wasm-test-web wasm_test seccplay-web
      ;;
    build) fetch_wasm && step build trunk_build ;;
    e2e) step e2e-cli cargo build -p seccplay-native && step e2e e2e ;;
    serve) serve ;;
    fuzz) step fuzz scripts/fuzz.sh ;;
    test) for s in setup fmt clippy cycles host-test wasm-test build e2e; do run $s; done ;;
    *) say "unknown step '$1'; the steps are:"; sed -n '5,20p' "$0" >&2; exit 2 ;;
  esac
}

(($#)) || set -- test
for s in "$@"; do run "$s"; done
say "" "OK: ${DONE[*]} — total $((SECONDS - T0))s"
