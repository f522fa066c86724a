#!/usr/bin/env bash
# scripts/setup.sh — installs whatever seccplay's build and tests need, and nothing that is present.
#
# Idempotent: a warm re-run only checks versions (about a second). Works as root on a fresh Debian 12
# machine that reaches only the package registries, and on a laptop with rustup (no apt there: it skips
# what is present and says what is missing).
#
#   scripts/setup.sh serve   # what `make serve` needs: wasm32 std, wasm-bindgen-cli, trunk, wasm-opt
#   scripts/setup.sh test    # the above + chromium/chromedriver, libseccomp (reference), e2e node deps
#
# Writes $SECCPLAY_TOOLS/env (default target/tools/env): source it, or run commands through
# scripts/wasm-env, to get the wasm build environment. Knobs: WASM_MODE=rustup|debian,
# RUSTUP_ADD_TIMEOUT (s, default 60), TRUNK_VERSION (0.22.1), BINARYEN_NPM_VERSION (132.0.0).
set -euo pipefail

WHAT=${1:-test}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T0=$SECONDS
log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }
timed() { local what=$1 s=$SECONDS rc=0; shift; "$@" || rc=$?; log "$what: $((SECONDS - s))s$( ((rc)) && echo " (exit $rc)")"; return $rc; }

CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export PATH="$CARGO_HOME/bin:$PATH"
TOOLS=${SECCPLAY_TOOLS:-$ROOT/target/tools}
mkdir -p "$TOOLS/debian-shim" "$TOOLS/node"

WASM_BINDGEN_VERSION=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")
[[ -n $WASM_BINDGEN_VERSION ]] || die "no wasm-bindgen in Cargo.lock"
TRUNK_VERSION=${TRUNK_VERSION:-0.22.1}
BINARYEN_NPM_VERSION=${BINARYEN_NPM_VERSION:-132.0.0}
RUSTUP_ADD_TIMEOUT=${RUSTUP_ADD_TIMEOUT:-60}

SUDO=""; [[ $(id -u) == 0 ]] || SUDO=sudo
APT_UPDATED=0
apt_install() { # installs only the Debian packages that are missing
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]} (no apt-get here: install them by hand)"
  if ((!APT_UPDATED)); then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
ver() { { "$@" --version 2>/dev/null || true; } | awk '{print $2; exit}'; }
ver_ge() { [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1) == "$2" ]]; }
has_rustup_wasm() { command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; }

command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
command -v npm >/dev/null || apt_install nodejs npm

# ------------------------------------------------------------------ 1. wasm32 standard library
MODE=${WASM_MODE:-}
if [[ -z $MODE ]]; then
  if has_rustup_wasm; then MODE=rustup
  elif command -v rustup >/dev/null && ((RUSTUP_ADD_TIMEOUT > 0)) &&
    timed "rustup target add wasm32" timeout "$RUSTUP_ADD_TIMEOUT" rustup target add wasm32-unknown-unknown </dev/null >/dev/null 2>&1 &&
    has_rustup_wasm; then MODE=rustup
  else MODE=debian
  fi
fi
HOST_RUSTC_VER=$(ver rustc)
# trunk 0.22 declares rust-version 1.96.1; Debian's rustc-web 1.96 builds it with --ignore-rust-version.
NEED_DEBIAN_RUST=0
[[ $MODE == debian ]] && NEED_DEBIAN_RUST=1
[[ $(ver trunk) == "$TRUNK_VERSION" ]] || ver_ge "$HOST_RUSTC_VER" 1.96.1 || NEED_DEBIAN_RUST=1
if ((NEED_DEBIAN_RUST)) && command -v apt-get >/dev/null; then
  timed "apt rustc-web" apt_install rustc-web cargo-web rust-web-src rust-web-llvm libstd-rust-web-dev lld-22
fi
if [[ $MODE == debian ]]; then
  [[ -x /usr/bin/rustc && -d /usr/lib/rustlib/src/rust/library ]] || die "no wasm32 target: 'rustup target add wasm32-unknown-unknown' failed and Debian's rustc-web is not installable"
fi
if [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]]; then
  for t in cargo rustc rustdoc; do ln -sfn "/usr/bin/$t" "$TOOLS/debian-shim/$t"; done
fi

# ------------------------------------------------------------------ 2. wasm-bindgen-cli (= Cargo.lock)
if [[ $(ver wasm-bindgen) != "$WASM_BINDGEN_VERSION" ]]; then
  # --locked can fail when the registry lacks a locked patch release; then resolve afresh.
  timed "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION" bash -c \
    "cargo install -q --locked wasm-bindgen-cli --version '$WASM_BINDGEN_VERSION' || cargo install -q wasm-bindgen-cli --version '$WASM_BINDGEN_VERSION'"
fi

# ------------------------------------------------------------------ 3. trunk
install_trunk() {
  # trunk's own release profile is fat LTO + 1 codegen unit (18 min on 2 cores): turn that off.
  export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  if ver_ge "$HOST_RUSTC_VER" 1.96.1; then
    cargo install -q --locked trunk --version "$TRUNK_VERSION" || cargo install -q trunk --version "$TRUNK_VERSION"
  else
    RUSTC=/usr/bin/rustc /usr/bin/cargo install -q --locked --ignore-rust-version trunk --version "$TRUNK_VERSION" --root "$CARGO_HOME" ||
      RUSTC=/usr/bin/rustc /usr/bin/cargo install -q --ignore-rust-version trunk --version "$TRUNK_VERSION" --root "$CARGO_HOME"
  fi
}
if [[ $(ver trunk) != "$TRUNK_VERSION" ]]; then
  if ! ver_ge "$HOST_RUSTC_VER" 1.96.1 && ! { [[ -x /usr/bin/rustc ]] && ver_ge "$(ver /usr/bin/rustc)" 1.96.0; }; then
    log "no rustc >= 1.96 for trunk $TRUNK_VERSION; using trunk 0.21.14"
    TRUNK_VERSION=0.21.14
    [[ $(ver trunk) == "$TRUNK_VERSION" ]] || timed "cargo install trunk $TRUNK_VERSION" \
      env CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install -q --locked trunk --version "$TRUNK_VERSION"
  else
    timed "cargo install trunk $TRUNK_VERSION" install_trunk
  fi
fi

# ------------------------------------------------------------------ 4. wasm-opt (npm binaryen)
# Debian's binaryen 108 cannot parse current rustc output; npm's binaryen can.
if ! "$TOOLS/node/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_NPM_VERSION%%.*}"; then
  timed "npm binaryen $BINARYEN_NPM_VERSION" npm install --prefix "$TOOLS/node" --no-audit --no-fund --silent \
    "binaryen@$BINARYEN_NPM_VERSION" >/dev/null
fi

# ------------------------------------------------------------------ 5. test-only tools
if [[ $WHAT == test ]]; then
  if command -v apt-get >/dev/null; then
    timed "apt test packages" apt_install chromium chromium-driver libseccomp-dev python3-seccomp seccomp
  else
    for t in chromium chromedriver; do command -v $t >/dev/null || log "warning: $t missing: browser tests will fail"; done
    /usr/bin/python3 -c 'import seccomp' 2>/dev/null || log "warning: python3 'seccomp' module missing: libseccomp differential tests will fail"
  fi
  if [[ ! -d $ROOT/tests/e2e/node_modules/playwright-core ]] || [[ $ROOT/tests/e2e/package-lock.json -nt $ROOT/tests/e2e/node_modules/.package-lock.json ]]; then
    timed "npm ci (tests/e2e)" bash -c "cd '$ROOT/tests/e2e' && npm ci --no-audit --no-fund --silent >/dev/null"
  fi
fi

# ------------------------------------------------------------------ 6. the environment file
cat >"$TOOLS/webdriver.json" <<'JSON'
{
  "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
  }
}
JSON
cat >"$TOOLS/env.new" <<ENV
# Generated by scripts/setup.sh: the environment for wasm32 builds and tests (mode: $MODE).
# Only for wasm commands: in debian mode it switches cargo/rustc to Debian's with build-std.
WASM_MODE=$MODE
export PATH="$TOOLS/node/node_modules/.bin:$CARGO_HOME/bin:\$PATH"
export TRUNK_SKIP_VERSION_CHECK=true TRUNK_OFFLINE=true
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=\${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_WEBDRIVER_JSON=\${WASM_BINDGEN_TEST_WEBDRIVER_JSON:-$TOOLS/webdriver.json}
export WASM_BINDGEN_TEST_TIMEOUT=\${WASM_BINDGEN_TEST_TIMEOUT:-120}
if [[ \$WASM_MODE == debian ]]; then
  export PATH="$TOOLS/debian-shim:\$PATH"
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_TARGET_DIR="$ROOT/target/wasm-debian"
fi
ENV
cmp -s "$TOOLS/env.new" "$TOOLS/env" 2>/dev/null && rm "$TOOLS/env.new" || mv "$TOOLS/env.new" "$TOOLS/env"
log "ready ($WHAT, wasm mode $MODE) in $((SECONDS - T0))s"
