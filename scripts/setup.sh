#!/usr/bin/env bash
# scripts/setup.sh — installs whatever seccplay's build and tests need, and nothing that is present.
#
#   scripts/setup.sh serve   # what `make serve` needs: wasm32 std, wasm-bindgen-cli (= Cargo.lock),
#                            # trunk, wasm-split-cli, wasm-opt (npm binaryen)
#   scripts/setup.sh test    # the above + rustfmt/clippy, chromium + chromedriver, libseccomp
#                            # (reference for differential tests), the e2e node deps (npm ci)
#
# Idempotent: a warm re-run only checks what is there (about a second). Works as root (or with
# sudo) on a fresh Debian 12 machine that reaches only the package registries (crates.io, npm,
# Debian), and on a laptop with rustup and no apt (it skips what is present and says what is
# missing).
#
# Helper files live in a stable per-user place, shared by every clone and worktree:
#   $SECCPLAY_TOOLS (default ${XDG_CACHE_HOME:-$HOME/.cache}/seccplay-tools)
#     env              the wasm build environment (read by scripts/wasm-env)
#     webdriver.json   headless Chromium settings for wasm-bindgen-test-runner
#     node/            npm's binaryen (wasm-opt)
#     debian-shim/     cargo/rustc/rustdoc -> /usr/bin (Debian rustc-web route)
# Cargo-installed tools (wasm-bindgen, trunk, wasm-split-cli) go to $CARGO_HOME/bin as usual.
#
# Knobs: WASM_MODE=rustup|debian (default: rustup if its wasm32 target is installed or
# `rustup target add` works within RUSTUP_ADD_TIMEOUT seconds, default 60; a failure is
# remembered in $SECCPLAY_TOOLS/rustup-add.failed so warm runs do not retry), TRUNK_VERSION
# (0.22.1), WASM_SPLIT_VERSION (0.2.4), BINARYEN_NPM_VERSION (132.0.0), CHROMIUM / CHROMEDRIVER (browser binaries).
set -euo pipefail

WHAT=${1:-test}
case $WHAT in serve | test) ;; *) echo "usage: $0 serve|test" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T0=$SECONDS
log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }
timed() {
  local what=$1 s=$SECONDS rc=0; shift
  log "$what ..."
  "$@" || rc=$?
  log "$what: $((SECONDS - s))s$( ((rc)) && echo " (FAILED, exit $rc)")"
  return $rc
}

CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export PATH="$CARGO_HOME/bin:$PATH"
TOOLS=${SECCPLAY_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/seccplay-tools}
mkdir -p "$TOOLS/debian-shim" "$TOOLS/node"

WASM_BINDGEN_VERSION=$(awk '$0=="name = \"wasm-bindgen\"" {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")
[[ -n $WASM_BINDGEN_VERSION ]] || die "no wasm-bindgen in Cargo.lock"
TRUNK_VERSION=${TRUNK_VERSION:-0.22.1}
TRUNK_MIN=0.21.0 # an already installed trunk at least this new is kept
BINARYEN_NPM_VERSION=${BINARYEN_NPM_VERSION:-132.0.0}
WASM_SPLIT_VERSION=${WASM_SPLIT_VERSION:-0.2.4}
RUSTUP_ADD_TIMEOUT=${RUSTUP_ADD_TIMEOUT:-60}
NODE_MIN=20 # playwright-core 1.64 declares node >= 20

SUDO=""
[[ $(id -u) == 0 ]] || SUDO=sudo
HAVE_APT=0
command -v apt-get >/dev/null && command -v dpkg-query >/dev/null && HAVE_APT=1
MISSING=() # what we could not install: reported at the end, fatal
APT_UPDATED=0
apt_missing() { # prints the Debian packages among "$@" that are not installed
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
  done
}
apt_install() { # installs only the Debian packages that are missing
  local missing
  mapfile -t missing < <(apt_missing "$@")
  ((${#missing[@]})) || return 0
  if ((!APT_UPDATED)); then
    $SUDO apt-get update -qq || log "warning: apt-get update failed (trying the install anyway)"
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
ver() { { "$@" --version 2>/dev/null || true; } | awk '{print $2; exit}'; } # "trunk 0.22.1" -> 0.22.1
ver_ge() { [[ -n $1 && $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1) == "$2" ]]; } # $1 >= $2
has_rustup_wasm() { command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; }

# ------------------------------------------------------------------ 0. cargo, node/npm
command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs), then re-run"
if ! command -v npm >/dev/null; then
  if ((HAVE_APT)); then timed "apt nodejs npm" apt_install nodejs npm; fi
  command -v npm >/dev/null || die "npm not found: install Node.js >= $NODE_MIN with npm, then re-run"
fi
NODE_VER=$(node --version 2>/dev/null | tr -d v)
if [[ $WHAT == test ]] && ! ver_ge "$NODE_VER" $NODE_MIN; then
  MISSING+=("Node.js >= $NODE_MIN for the e2e tests (found ${NODE_VER:-none}; Debian 12's nodejs is 18)")
fi
if [[ $WHAT == test ]] && command -v rustup >/dev/null; then
  for c in rustfmt clippy; do
    cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1 || timed "rustup component add $c" rustup component add "$c"
  done
fi

# ------------------------------------------------------------------ 1. wasm32 standard library
MODE=${WASM_MODE:-}
if [[ -z $MODE ]]; then
  if has_rustup_wasm; then
    MODE=rustup
  elif command -v rustup >/dev/null && ((RUSTUP_ADD_TIMEOUT > 0)) && [[ ! -e $TOOLS/rustup-add.failed ]]; then
    if timed "rustup target add wasm32-unknown-unknown" \
      timeout "$RUSTUP_ADD_TIMEOUT" rustup target add wasm32-unknown-unknown </dev/null >/dev/null 2>&1 &&
      has_rustup_wasm; then
      MODE=rustup
    else
      log "rustup could not add wasm32 (remembered in $TOOLS/rustup-add.failed; delete it to retry): using Debian's rustc-web"
      date >"$TOOLS/rustup-add.failed"
      MODE=debian
    fi
  else
    MODE=debian
  fi
fi
case $MODE in rustup | debian) ;; *) die "WASM_MODE must be rustup or debian, not '$MODE'" ;; esac
HOST_RUSTC_VER=$(ver rustc)

# trunk 0.22 declares rust-version 1.96.1; Debian's rustc-web 1.96 builds it with --ignore-rust-version.
TRUNK_VER=$(ver trunk)
NEED_TRUNK=0
ver_ge "$TRUNK_VER" $TRUNK_MIN || NEED_TRUNK=1
NEED_DEBIAN_RUST=0
[[ $MODE == debian ]] && NEED_DEBIAN_RUST=1
((NEED_TRUNK)) && ! ver_ge "$HOST_RUSTC_VER" 1.96.1 && NEED_DEBIAN_RUST=1
DEBIAN_RUST_PKGS=(rustc-web cargo-web rust-web-src rust-web-llvm libstd-rust-web-dev lld-22)
if ((NEED_DEBIAN_RUST && HAVE_APT)) && [[ -n $(apt_missing "${DEBIAN_RUST_PKGS[@]}") ]]; then
  timed "apt rustc-web (Debian's rustc 1.96 with std sources)" apt_install "${DEBIAN_RUST_PKGS[@]}"
fi
if [[ $MODE == debian ]] && ! [[ -x /usr/bin/rustc && -d /usr/lib/rustlib/src/rust/library ]]; then
  die "no wasm32 standard library: 'rustup target add wasm32-unknown-unknown' failed and Debian's rustc-web is not installable here (packages: ${DEBIAN_RUST_PKGS[*]})"
fi
if [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]]; then
  for t in cargo rustc rustdoc; do
    [[ $(readlink "$TOOLS/debian-shim/$t" 2>/dev/null) == "/usr/bin/$t" ]] || ln -sfn "/usr/bin/$t" "$TOOLS/debian-shim/$t"
  done
fi

# ------------------------------------------------------------------ 2. wasm-bindgen-cli (= Cargo.lock)
cargo_host() { # cargo for host tools: rustup's if there is one, else Debian's
  if command -v rustup >/dev/null || [[ ! -x /usr/bin/cargo ]]; then cargo "$@"; else RUSTC=/usr/bin/rustc /usr/bin/cargo "$@" --root "$CARGO_HOME"; fi
}
install_wasm_bindgen() {
  # --locked fails (in < 1 s) when the registry lacks a locked patch release (seen for 0.2.130:
  # webpki-roots 1.0.11); then resolve afresh.
  cargo_host install -q --locked wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" 2>/dev/null ||
    cargo_host install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
}
if [[ $(ver wasm-bindgen) != "$WASM_BINDGEN_VERSION" ]]; then
  timed "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~2 min)" install_wasm_bindgen
fi

# ------------------------------------------------------------------ 3. trunk
install_trunk() { # install_trunk VERSION
  # trunk's own release profile is fat LTO + 1 codegen unit (18 min on 2 cores): turn that off.
  export CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  if [[ $1 == 0.21.* ]] || ver_ge "$HOST_RUSTC_VER" 1.96.1; then
    cargo_host install -q --locked trunk --version "$1" || cargo_host install -q trunk --version "$1"
  else
    RUSTC=/usr/bin/rustc /usr/bin/cargo install -q --locked --ignore-rust-version trunk --version "$1" --root "$CARGO_HOME" ||
      RUSTC=/usr/bin/rustc /usr/bin/cargo install -q --ignore-rust-version trunk --version "$1" --root "$CARGO_HOME"
  fi
}
if ((NEED_TRUNK)); then
  if ! ver_ge "$HOST_RUSTC_VER" 1.96.1 && ! ver_ge "$(ver /usr/bin/rustc)" 1.96.0; then
    log "no rustc >= 1.96 for trunk $TRUNK_VERSION: installing trunk 0.21.14 instead"
    TRUNK_VERSION=0.21.14
  fi
  timed "cargo install trunk $TRUNK_VERSION (~9 min on 2 cores)" install_trunk "$TRUNK_VERSION"
fi

# ------------------------------------------------------------------ 3b. wasm-split-cli
# Splits the playground's full build into chunks loaded on use (scripts/build-full.sh,
# web/src/lazy.rs). Its version goes with the runtime crate wasm_split_helpers 0.2 (Cargo.lock).
install_wasm_split() {
  cargo_host install -q --locked wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary ||
    cargo_host install -q wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
}
if ! { cargo_host install --list 2>/dev/null || true; } | grep -qx "wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  timed "cargo install wasm_split_cli_support $WASM_SPLIT_VERSION (wasm-split-cli, ~3 min)" install_wasm_split
fi

# ------------------------------------------------------------------ 4. wasm-opt (npm binaryen)
# Debian's binaryen 108 cannot parse current rustc output; npm's binaryen (a wasm build) can.
BINARYEN_PKG=$TOOLS/node/node_modules/binaryen/package.json
if [[ $(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$BINARYEN_PKG" 2>/dev/null) != "$BINARYEN_NPM_VERSION" ]] ||
  [[ ! -x $TOOLS/node/node_modules/.bin/wasm-opt ]]; then
  timed "npm install binaryen@$BINARYEN_NPM_VERSION (wasm-opt)" npm install --prefix "$TOOLS/node" \
    --no-audit --no-fund --no-save --silent "binaryen@$BINARYEN_NPM_VERSION" >/dev/null
fi

# ------------------------------------------------------------------ 5. test-only tools
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}
CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || echo /usr/bin/chromedriver)}
if [[ $WHAT == test ]]; then
  # man-db + groff-base: tests/native_meta.rs renders the man page with `man -l`.
  # strace + auditd: the evidence tests trace real programs and read interpreted audit records.
  # manpages-dev: syscalls(2), which tools/gen-tables/capture/manpages_syscalls.py reads (the
  # host captures in refdata/host/ are rerun from it and from libseccomp-dev/python3-seccomp).
  # linux-libc-dev: linux/capability.h, which tools/gen-tables/capture/capabilities.py reads.
  # systemd: systemd-analyze, the oracle of tests/tests/systemd_groups.rs.
  TEST_PKGS=(chromium chromium-driver libseccomp-dev python3-seccomp seccomp man-db groff-base strace auditd manpages-dev linux-libc-dev systemd)
  if ((HAVE_APT)); then
    [[ -z $(apt_missing "${TEST_PKGS[@]}") ]] || timed "apt ${TEST_PKGS[*]}" apt_install "${TEST_PKGS[@]}"
    CHROMIUM=/usr/bin/chromium CHROMEDRIVER=/usr/bin/chromedriver
  fi
  [[ -x $CHROMIUM ]] || MISSING+=("Chromium (set CHROMIUM=/path/to/chromium; Debian: chromium)")
  [[ -x $CHROMEDRIVER ]] || MISSING+=("chromedriver matching it (set CHROMEDRIVER=...; Debian: chromium-driver)")
  pkg-config --exists libseccomp 2>/dev/null || [[ -e /usr/include/seccomp.h ]] ||
    MISSING+=("libseccomp headers (Debian: libseccomp-dev)")
  python3 -c 'import seccomp' 2>/dev/null || /usr/bin/python3 -c 'import seccomp' 2>/dev/null ||
    MISSING+=("libseccomp's Python binding, 'import seccomp' (Debian: python3-seccomp)")
  command -v python3 >/dev/null || MISSING+=("python3 (serves dist/ for the e2e tests)")
  command -v man >/dev/null || MISSING+=("man (renders the man page in tests/native_meta.rs; Debian: man-db groff-base)")
  command -v strace >/dev/null || MISSING+=("strace (the evidence tests trace real programs; Debian: strace)")
  command -v ausearch >/dev/null || MISSING+=("ausearch (the audit reader's interpreted-record tests; Debian: auditd)")
  E2E=$ROOT/tests/e2e
  if [[ ! -f $E2E/node_modules/.package-lock.json || $E2E/package-lock.json -nt $E2E/node_modules/.package-lock.json ]]; then
    timed "npm ci (tests/e2e)" bash -c "cd '$E2E' && npm ci --no-audit --no-fund --silent >/dev/null"
  fi
fi

# ------------------------------------------------------------------ 6. the environment files
write_if_changed() { # write_if_changed FILE (content on stdin): keeps mtimes stable on warm runs
  cat >"$1.new"
  if cmp -s "$1.new" "$1"; then rm -f "$1.new"; else mv "$1.new" "$1"; fi
}
write_if_changed "$TOOLS/webdriver.json" <<JSON
{
  "goog:chromeOptions": {
    "binary": "$CHROMIUM",
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
  }
}
JSON
write_if_changed "$TOOLS/env" <<ENV
# Generated by seccplay's scripts/setup.sh; read by scripts/wasm-env. The environment for
# wasm32 builds and tests only: in debian mode it switches cargo/rustc to Debian's with build-std.
WASM_MODE=\${WASM_MODE:-$MODE}
export PATH="$TOOLS/node/node_modules/.bin:$CARGO_HOME/bin:\$PATH"
export TRUNK_SKIP_VERSION_CHECK=true
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# proptest (a dev-dependency) pulls getrandom, which refuses wasm32-unknown-unknown without a backend.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg getrandom_backend="unsupported"'
export CHROMIUM=\${CHROMIUM:-$CHROMIUM}
export CHROMEDRIVER=\${CHROMEDRIVER:-$CHROMEDRIVER}
export WASM_BINDGEN_TEST_WEBDRIVER_JSON=\${WASM_BINDGEN_TEST_WEBDRIVER_JSON:-$TOOLS/webdriver.json}
export WASM_BINDGEN_TEST_TIMEOUT=\${WASM_BINDGEN_TEST_TIMEOUT:-120}
if [[ \$WASM_MODE == debian ]]; then
  export PATH="$TOOLS/debian-shim:\$PATH" # trunk runs 'cargo' from PATH
  export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort # = [unstable] build-std, but env-only
fi
ENV

if ((${#MISSING[@]})); then
  log "cannot install these here (no apt-get, or not Debian): install them, then re-run:"
  for m in "${MISSING[@]}"; do log "  - $m"; done
  exit 1
fi
log "ready for '$WHAT' (wasm mode $MODE, tools in $TOOLS) in $((SECONDS - T0))s"
