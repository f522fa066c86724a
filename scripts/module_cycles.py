#!/usr/bin/env python3
"""Fails when two of seccplay-core's top-level modules import each other, directly or round
a longer loop.

Usage: scripts/module_cycles.py [--graph] [--src DIR]   (exit 1 on a cycle; --src: another
crate's src, e.g. an older checkout)

1. A module is a top-level module of crates/seccplay-core/src: `x.rs` or `x/` (`x/mod.rs` and
   every file under `x/`).
2. Module A depends on module B when A's code (not its tests, not its comments) names
   `crate::B`: in a `use` (also inside `use crate::{B, ...}` groups) or as a path.
3. Test code is left out: files named `tests.rs` and everything from `#[cfg(test)]` before a
   `mod tests` on. Tests may import anything.
4. The dependency graph must be acyclic. On a cycle the script prints it, e.g.
   `syscalls -> tables -> syscalls`, with the files and lines that make each edge.
"""
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "crates/seccplay-core/src"


def module_of(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".rs")


def code_lines(text: str):
    """(line number, code) for the non-test code of a file, comments removed."""
    cut = re.search(r"#\[cfg\(test\)\]\s*\n\s*mod tests\b", text)
    if cut:
        text = text[: cut.start()]
    for no, line in enumerate(text.splitlines(), 1):
        code = line.split("//", 1)[0]
        if code.strip():
            yield no, code


def dependencies():
    """{module: {dependency: [(file, line), ...]}}"""
    deps = {}
    for path in sorted(SRC.rglob("*.rs")):
        if path.name == "tests.rs" or path.name == "lib.rs":
            continue
        mod = module_of(path)
        deps.setdefault(mod, {})
        pending = None  # a `use crate::{` group spanning lines
        for no, code in code_lines(path.read_text()):
            names = [m.group(1) for m in re.finditer(r"\bcrate::(\w+)", code)]
            if pending is not None or re.search(r"\buse\s+crate::\{", code):
                group = (pending or "") + code
                if "}" in code and group.count("{") <= group.count("}"):
                    inner = group.split("crate::{", 1)[1]
                    # top-level names of the group: `a`, `b::c`, `d::{e, f}`
                    depth, word, tops = 0, "", []
                    for ch in inner:
                        if ch == "{":
                            depth += 1
                        elif ch == "}":
                            if depth == 0:
                                break
                            depth -= 1
                        elif depth == 0 and ch == ",":
                            tops.append(word)
                            word = ""
                            continue
                        if depth == 0:
                            word += ch
                    tops.append(word)
                    names += [re.match(r"\s*(\w*)", t).group(1) for t in tops]
                    pending = None
                else:
                    pending = group
            for name in names:
                is_module = (SRC / f"{name}.rs").exists() or (SRC / name).is_dir()
                if name and name != mod and is_module:
                    deps[mod].setdefault(name, []).append((path.relative_to(SRC), no))
    return deps


def find_cycle(deps):
    state = {}
    stack = []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for d in sorted(deps.get(m, {})):
            if state.get(d) == "open":
                return stack[stack.index(d):] + [d]
            if d not in state:
                found = visit(d)
                if found:
                    return found
        stack.pop()
        state[m] = "done"
        return None

    for m in sorted(deps):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def main():
    global SRC
    if "--src" in sys.argv:
        SRC = Path(sys.argv[sys.argv.index("--src") + 1]).resolve()
    deps = dependencies()
    if "--graph" in sys.argv:
        for m in sorted(deps):
            print(f"{m}: {', '.join(sorted(deps[m])) or '-'}")
    cycle = find_cycle(deps)
    if cycle:
        print("import cycle between seccplay-core modules: " + " -> ".join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            where = ", ".join(f"{f}:{n}" for f, n in deps[a][b][:3])
            print(f"  {a} -> {b}: {where}")
        return 1
    print(f"no import cycle between the {len(deps)} modules of seccplay-core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
