#!/bin/sh
# Captures the seccomp-bpf filters of Chromium's renderer (and its sandboxed utility process)
# from a live headless Chromium running as an ordinary user, with PTRACE_SECCOMP_GET_FILTER.
#
# 1. Chromium runs as `nobody` (never root: as root it refuses to start without --no-sandbox,
#    which also drops the seccomp-bpf sandbox), headless, on a data: page, in its own session.
# 2. Once a renderer (not the WebUI one) is in seccomp mode 2, `seccplay-native dump` reads its
#    filters (this needs root / CAP_SYS_ADMIN) as raw struct sock_filter bytes.
# 3. The browser's session is ended by its process-group id, the one this script created.
#
# Usage: tools/gen-tables/capture/chromium_filters.sh [OUTDIR] (as root; SECCPLAY_NATIVE names
# the binary, default target/release/seccplay-native). Prints the Chromium version.
set -eu
out=${1:-refdata/filters/chromium}
bin=${SECCPLAY_NATIVE:-target/release/seccplay-native}
work=$(mktemp -d)
chown nobody "$work"
mkdir -p "$out"
chromium --version 2>/dev/null | grep -i chromium
setsid runuser -u nobody -- env HOME="$work" chromium --headless=new --user-data-dir="$work/ud" \
    --remote-debugging-port=0 'data:text/html,<p>seccplay</p>' >"$work/log" 2>&1 &
leader=$!
trap 'kill -TERM -"$leader" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
pick() { # $1: --type value, $2: a pattern the command line must not have
    for p in $(pgrep -u nobody -f -- "--type=$1" || true); do
        tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "$2" && continue
        grep -q '^Seccomp:[[:space:]]*2' "/proc/$p/status" 2>/dev/null && { echo "$p"; return; }
    done
}
i=0
while [ $i -lt 60 ]; do
    r=$(pick renderer top-chrome-webui)
    u=$(pick utility network.mojom)
    [ -n "$r" ] && [ -n "$u" ] && break
    sleep 0.5
    i=$((i + 1))
done
[ -n "${r:-}" ] || { echo "no sandboxed renderer appeared" >&2; exit 1; }
"$bin" dump "$r" | head -1
"$bin" dump "$r" --index 0 --format raw -o "$out/renderer.bpf"
if [ -n "${u:-}" ]; then
    tr '\0' '\n' <"/proc/$u/cmdline" | grep -- '--utility-sub-type' || true
    "$bin" dump "$u" | head -1
    "$bin" dump "$u" --index 0 --format raw -o "$out/utility-storage.bpf"
fi
sha256sum "$out"/*.bpf
