//! A stack of programs in one text: what `seccplay-native dump PID` prints (one section per
//! filter under a `# filter N ...` header, newest first), or programs a person puts one after
//! the other with a `---` line between them. The CLI's `raw` and `emu --stack` and the
//! playground's editor read stacks with [`import_stack`].
//!
//! 1. Bytes that are not text are one raw program (a binary file holds one filter).
//! 2. Text is cut at every line starting with `# filter` (dump's header, kept as the
//!    section's title) and at every `---` line; sections with nothing but blank lines are
//!    not filters.
//! 3. Each section is read in its own detected format ([`super::detect`]; the annotated
//!    disassembly with the ABI given), so a stack may mix formats.
//! 4. Errors name the filter (0 = the first, the newest) and carry the line and column in
//!    the whole text.
//! 5. Bounded as the kernel bounds a stack: at most [`MAX_STACK_INSNS`] instructions counting
//!    4 more per filter (seccomp_attach_filter's `MAX_INSNS_PER_PATH`), so at most 4096
//!    filters.

use super::{detect, human, import, Format, FormatError};
use crate::arch::Arch;
use crate::bpf::insn::Insn;
use std::fmt;

/// The kernel's bound on the instructions of a stack: `MAX_INSNS_PER_PATH`, 256 KiB of
/// `struct sock_filter`, each filter counting 4 instructions more than its length.
pub const MAX_STACK_INSNS: usize = (1 << 18) / 8;

/// One program of a stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Its instructions.
    pub insns: Vec<Insn>,
    /// The format it was read in.
    pub format: Format,
    /// The line its text starts on (1-based; 1 for a binary program).
    pub line: usize,
    /// Its header (`filter 0 (newest) of process 42: ...`), when it had one.
    pub title: Option<String>,
}

/// Why a stack could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackError {
    /// Which filter (0 = the first in the text, the newest).
    pub filter: usize,
    /// How many filters the text has.
    pub filters: usize,
    /// The error, located in the whole text.
    pub error: FormatError,
}

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.filters > 1 {
            write!(f, "filter {} of {}: ", self.filter, self.filters)?;
        }
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for StackError {}

/// True for the lines that separate programs.
fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("# filter") || t == "---"
}

/// Reads one program or a stack from `input`, newest first; `arch` gives the byte order of
/// raw bytes and the ABI a disassembly was written for.
pub fn import_stack(input: &[u8], arch: Arch) -> Result<Vec<Section>, StackError> {
    let text = match std::str::from_utf8(input) {
        Ok(t) if detect(input) != Format::Raw => t,
        _ => {
            let insns = import(input, Format::Raw, arch.endian()).map_err(|error| StackError {
                filter: 0,
                filters: 1,
                error,
            })?;
            return Ok(vec![Section {
                insns,
                format: Format::Raw,
                line: 1,
                title: None,
            }]);
        }
    };
    // (first line, title, text) per section.
    let mut parts: Vec<(usize, Option<String>, String)> = Vec::new();
    let mut cur: (usize, Option<String>, String) = (1, None, String::new());
    for (i, l) in text.lines().enumerate() {
        if is_separator(l) {
            parts.push(std::mem::replace(&mut cur, (i + 2, None, String::new())));
            let t = l.trim();
            cur.1 = t.strip_prefix("# ").map(str::to_string);
            continue;
        }
        cur.2.push_str(l);
        cur.2.push('\n');
    }
    parts.push(cur);
    parts.retain(|p| !p.2.trim().is_empty());
    let filters = parts.len();
    if filters == 0 {
        return Err(StackError {
            filter: 0,
            filters: 0,
            error: FormatError {
                line: Some(1),
                col: Some(1),
                ..super::ferr(
                    Format::Asm,
                    "no program: nothing but blank lines and separators".into(),
                )
            },
        });
    }
    let mut total = 0usize;
    let mut out = Vec::with_capacity(filters);
    for (f, (line, title, body)) in parts.into_iter().enumerate() {
        let located = |mut e: FormatError| {
            e.line = Some(e.line.map_or(line, |l| l + line - 1));
            StackError {
                filter: f,
                filters,
                error: e,
            }
        };
        let format = detect(body.as_bytes());
        let insns = match format {
            Format::Human => human::parse_human(&body, arch),
            _ => import(body.as_bytes(), format, arch.endian()),
        }
        .map_err(located)?;
        total += insns.len() + 4;
        if total > MAX_STACK_INSNS {
            return Err(located(super::ferr(
                format,
                format!(
                    "the stack is longer than the kernel allows: more than {MAX_STACK_INSNS} instructions, counting 4 per filter (MAX_INSNS_PER_PATH)"
                ),
            )));
        }
        out.push(Section {
            insns,
            format,
            line,
            title,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Arch;
    use crate::bpf::disasm::{human_text, HumanOptions};
    use crate::bpf::format::{export, ExportFormat};
    use crate::context::Context;

    fn compiled(name: &str, arch: Arch) -> Vec<Insn> {
        let p = crate::presets::get(name).unwrap();
        let crate::presets::PresetKind::Profile(text) = p.kind else {
            panic!()
        };
        crate::analysis::analyze(text, &Context::docker(arch))
            .program
            .unwrap()
            .insns
    }

    fn refdata(path: &str) -> Vec<u8> {
        let p = format!("{}/../../refdata/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    fn one(text: &str, arch: Arch) -> Vec<Insn> {
        let s = import_stack(text.as_bytes(), arch).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.len(), 1);
        s.into_iter().next().unwrap().insns
    }

    #[test]
    fn the_disassembly_reads_back_to_the_program_on_every_abi_and_foreign_filters() {
        for arch in [
            Arch::X86_64,
            Arch::Aarch64,
            Arch::S390x,
            Arch::Mipsel64,
            Arch::X86,
        ] {
            for name in ["docker", "podman"] {
                let p = compiled(name, arch);
                for raw in [false, true] {
                    let t = human_text(&p, Some(arch), HumanOptions { raw });
                    assert_eq!(one(&t, arch), p, "{name} on {arch}, raw {raw}");
                }
            }
        }
        for f in [
            "filters/chromium/renderer.bpf",
            "filters/chromium/utility-storage.bpf",
            "filters/seccomp-tools/all_inst.bpf",
            "filters/seccomp-tools/misc_alu.bpf",
            "filters/seccomp-tools/CONFidence-2017-amigo.bpf",
        ] {
            let p = crate::bpf::insn::decode(&refdata(f), crate::arch::Endian::Little).unwrap();
            let t = human_text(&p, Some(Arch::X86_64), HumanOptions::default());
            let back = one(&t, Arch::X86_64);
            // Fields the kernel ignores (jt/jf of a statement, k of an X operand) are not in
            // the form: the seccomp-tools samples set them at random.
            if f.contains("seccomp-tools/all_inst") || f.contains("misc_alu") {
                assert_eq!(
                    human_text(&back, Some(Arch::X86_64), HumanOptions::default()),
                    t
                );
            } else {
                assert_eq!(back, p, "{f}");
            }
            let raw = human_text(&p, Some(Arch::X86_64), HumanOptions { raw: true });
            assert_eq!(one(&raw, Arch::X86_64), p, "{f}, raw");
        }
    }

    #[test]
    fn dump_output_and_hand_made_stacks_give_one_program_per_section() {
        let a = compiled("docker", Arch::X86_64);
        let b = compiled("podman", Arch::X86_64);
        // `dump PID` (default form): headers, then each filter's disassembly.
        let dump = format!(
            "# filter 0 (newest) of process 7: {} instructions (PTRACE_SECCOMP_GET_FILTER index 1)\n{}# filter 1 (oldest) of process 7: {} instructions (PTRACE_SECCOMP_GET_FILTER index 0)\n{}",
            a.len(),
            human_text(&a, Some(Arch::X86_64), HumanOptions::default()),
            b.len(),
            human_text(&b, Some(Arch::X86_64), HumanOptions::default())
        );
        let s = import_stack(dump.as_bytes(), Arch::X86_64).unwrap();
        assert_eq!(s.iter().map(|s| &s.insns).collect::<Vec<_>>(), [&a, &b]);
        assert_eq!(s[0].format, Format::Human);
        assert!(s[1]
            .title
            .as_deref()
            .unwrap()
            .starts_with("filter 1 (oldest)"));
        assert_eq!(s[1].line, a.len() + 3);
        // Hand-made: hex, `---`, a C array.
        let hex =
            String::from_utf8(export(&a, ExportFormat::Hex, crate::arch::Endian::Little)).unwrap();
        let c =
            String::from_utf8(export(&b, ExportFormat::C, crate::arch::Endian::Little)).unwrap();
        let s = import_stack(format!("{hex}\n---\n{c}").as_bytes(), Arch::X86_64).unwrap();
        assert_eq!(
            s.iter().map(|s| s.format).collect::<Vec<_>>(),
            [Format::Hex, Format::C]
        );
        assert_eq!(s[1].insns, b);
        // Binary: one raw program.
        let raw = export(&a, ExportFormat::Raw, crate::arch::Endian::Little);
        let s = import_stack(&raw, Arch::X86_64).unwrap();
        assert_eq!((s.len(), s[0].format, &s[0].insns), (1, Format::Raw, &a));
    }

    #[test]
    fn errors_name_the_filter_and_the_line_of_the_whole_text() {
        let t = "ld [0]\nret #0x7fff0000\n---\nld [0]\nbogus #1\n";
        let e = import_stack(t.as_bytes(), Arch::X86_64).unwrap_err();
        assert_eq!(
            (e.filter, e.filters, e.error.line, e.error.col),
            (1, 2, Some(5), Some(1))
        );
        assert!(
            e.to_string()
                .starts_with("filter 1 of 2: Asm input, line 5"),
            "{e}"
        );
        // A line inserted into a disassembly: the next index is wrong, said at its line.
        let p = compiled("docker", Arch::X86_64);
        let t = human_text(&p, Some(Arch::X86_64), HumanOptions::default());
        let bad = t.replacen(
            " 0003: A = sys_number",
            " 0003: A = sys_number\n 0004: X = A",
            1,
        );
        let e = import_stack(bad.as_bytes(), Arch::X86_64).unwrap_err();
        assert_eq!(e.error.line, Some(6), "{e}");
        assert!(
            e.to_string()
                .contains("instruction 0004 where 0005 was expected"),
            "{e}"
        );
        // A name of another ABI: x86_64's `open` where aarch64's table has none.
        let t = " 0000: A = sys_number\n 0001: if (A == open) goto 0002\n 0002: return ALLOW\n";
        let e = import_stack(t.as_bytes(), Arch::Aarch64).unwrap_err();
        assert_eq!((e.error.line, e.error.col), (Some(2), Some(8)), "{e}");
        assert!(e.to_string().contains("not a syscall of aarch64"), "{e}");
        assert_eq!(one(t, Arch::X86_64)[1].k, 2);
        // Indexes with a gap, a jump backwards, a too-long stack.
        for bad in [
            " 0000: return ALLOW\n 0002: return ALLOW\n",
            " 0000: goto 0000\n",
            " 0000: if (A == 0x1) goto 0300\n",
            " 0000: A = sys_numbr\n",
            " 0000: return ERRNO(70000)\n",
        ] {
            let e = import_stack(bad.as_bytes(), Arch::X86_64).unwrap_err();
            assert!(e.error.line.is_some(), "{bad}: {e}");
        }
        let huge = "ret #0\n---\n".repeat(6600);
        let e = import_stack(huge.as_bytes(), Arch::X86_64).unwrap_err();
        assert!(e.to_string().contains("MAX_INSNS_PER_PATH"), "{e}");
        assert!(import_stack(b"  \n---\n", Arch::X86_64).is_err());
    }

    #[test]
    fn data_an_action_ignores_survives_the_disassembly() {
        let p = vec![Insn::stmt(
            crate::bpf::insn::BPF_RET | crate::bpf::insn::BPF_K,
            0x7fff_0005,
        )];
        let t = human_text(&p, Some(Arch::X86_64), HumanOptions::default());
        assert!(t.contains("data 0x5 ignored"), "{t}");
        assert_eq!(one(&t, Arch::X86_64), p);
    }
}
