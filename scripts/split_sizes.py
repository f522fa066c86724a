#!/usr/bin/env python3
"""What each part of the playground costs to load, from a build in dist/ (docs/BENCHMARKS.md).

    make build && python3 scripts/split_sizes.py [dist]

Prints the gzip -9 size of the first-load build, of the full build's main module and of each
chunk (web/src/lazy.rs), then per split point what its first use fetches: its own
`split_NAME.wasm` and every shared `chunk_N.wasm` that lists it (the loader
`__wasm_split.js` names, above each shared chunk, the split points that load it).
"""
import pathlib
import re
import subprocess
import sys


def gz(path: pathlib.Path) -> int:
    """`gzip -9 -c FILE | wc -c`, as docs/BENCHMARKS.md measures (zlib's level 9 differs)."""
    return len(subprocess.run(["gzip", "-9", "-c", str(path)], check=True, capture_output=True).stdout)


def main() -> int:
    dist = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
    firsts = sorted(dist.glob("seccplay-first-*_bg.wasm"))
    fulls = sorted(dist.glob("full-*"))
    if len(firsts) != 1 or len(fulls) != 1:
        print(f"expected one first-load wasm and one full-*/ in {dist}: run `make build`", file=sys.stderr)
        return 1
    full = fulls[0]
    print(f"first-load build          {gz(firsts[0]):>8} B  ({firsts[0].name})")
    print(f"full build, main module   {gz(full / 'seccplay-web_bg.wasm'):>8} B  ({full.name}/seccplay-web_bg.wasm)")
    loader = (full / "__wasm_split.js").read_text()
    # "/* evidence, formats */\nconst __chunk_6 = makeLoad(() => {\n    const src = fetch(new URL(\"./chunk_6.wasm\"..."
    users = {}
    for names, file in re.findall(r"/\* ([a-z_, ]+) \*/\nconst __chunk_\d+ = makeLoad\(\(\) => \{\n\s*const src = fetch\(new URL\(\"\./([a-z_0-9]+\.wasm)\"", loader):
        users[file] = [n.strip() for n in names.split(",")]
    splits = sorted(p.name[len("split_"):-len(".wasm")] for p in full.glob("split_*.wasm"))
    chunks = sorted(full.glob("chunk_*.wasm"), key=lambda p: int(re.sub(r"\D", "", p.name)))
    missing = [p.name for p in chunks if p.name not in users]
    if missing:
        print(f"no split point named for {missing} in __wasm_split.js", file=sys.stderr)
        return 1
    total = gz(full / "seccplay-web_bg.wasm")
    print(f"{'split point':<12} {'own':>8} {'shared':>8} {'first use':>10}  (B gzip -9; shared: chunk_N.wasm it also loads)")
    for s in splits:
        own = gz(full / f"split_{s}.wasm")
        shared = sum(gz(p) for p in chunks if s in users[p.name])
        print(f"{s:<12} {own:>8} {shared:>8} {own + shared:>10}")
    total += sum(gz(p) for p in full.glob("split_*.wasm")) + sum(gz(p) for p in chunks)
    print(f"full build, every module  {total:>8} B  ({len(splits)} split points, {len(chunks)} shared chunks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
