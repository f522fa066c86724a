#!/usr/bin/env bash
# scripts/build-full.sh — the playground's full build, split into a main module and chunks
# (web/src/lazy.rs). Trunk runs it after its own build (Trunk.toml, hook `post_build`), with
# TRUNK_PROFILE (debug or release) and TRUNK_STAGING_DIR (what becomes dist/) set; trunk itself
# builds only the first-load build. Run through scripts/wasm-env (wasm-bindgen, wasm-opt and
# wasm-split-cli on PATH), as `make build` and `make serve` do.
#
# 1. cargo links bin `seccplay-web` with its relocations kept (`--emit-relocs`): the splitter
#    reads the call graph and the data references from them.
# 2. wasm-split-cli (crate wasm_split_cli_support) moves each `#[wasm_split(NAME)]` function and
#    what only it reaches into `split_NAME.wasm` (code two chunks share into a `chunk_*.wasm`),
#    and writes `__wasm_split.js`, which loads them.
# 3. wasm-bindgen on the main module (`--keep-lld-exports`: the chunks import its function
#    table, which wasm-bindgen would otherwise stop exporting), then wasm-opt -Oz on every
#    module (release only, as trunk does for the first-load build).
# 4. Everything goes into `full-HASH/` (HASH: of the files' contents), and index.html gets
#    `<meta name="seccplay-full" content="full-HASH/">`: the first-load build reads it to find the
#    full build. A new build has a new directory, so no cached file is ever stale.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PROFILE=${TRUNK_PROFILE:-release}
STAGE=${TRUNK_STAGING_DIR:?"run by trunk (Trunk.toml's post_build hook): TRUNK_STAGING_DIR is unset"}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
for tool in wasm-split-cli wasm-bindgen; do
  command -v "$tool" >/dev/null || { echo "build-full: $tool is not on PATH: run 'make setup' (scripts/setup.sh)" >&2; exit 1; }
done

flags=()
[[ $PROFILE == release ]] && flags=(--release)
cargo rustc -q "${flags[@]}" --target wasm32-unknown-unknown -p seccplay-web --bin seccplay-web --features split \
  -- -Clink-arg=--emit-relocs

work=$TARGET_DIR/split/$PROFILE
rm -rf "$work" && mkdir -p "$work/out"
wasm-split-cli "$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/seccplay-web.wasm" "$work" --out-name seccplay-web
wasm-bindgen --target web --keep-lld-exports --out-dir "$work/out" --out-name seccplay-web \
  "$work/seccplay-web.wasm"
rm -f "$work/out/"*.d.ts
cp "$work/__wasm_split.js" "$work/out/"
for f in "$work"/split_*.wasm "$work"/chunk_*.wasm; do
  [[ -e $f ]] || continue
  cp "$f" "$work/out/"
done
if [[ $PROFILE == release ]]; then
  for f in "$work/out/"*.wasm; do
    wasm-opt -Oz "$f" -o "$f.opt" && mv "$f.opt" "$f"
  done
fi

hash=$(cd "$work/out" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
dir=full-$hash
rm -rf "$STAGE"/full-*
cp -r "$work/out" "$STAGE/$dir"
# (The first-load build finds the full build here: web/src/boot.rs, `full_dir`.)
sed -i "s|</head>|<meta name=\"seccplay-full\" content=\"$dir/\" /></head>|" "$STAGE/index.html"
grep -q "name=\"seccplay-full\" content=\"$dir/\"" "$STAGE/index.html" ||
  { echo "build-full: could not name $dir in $STAGE/index.html" >&2; exit 1; }
echo "build-full: $dir: $(cd "$STAGE/$dir" && ls *.wasm | tr '\n' ' ')"
