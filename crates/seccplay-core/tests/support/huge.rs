//! The hostile inputs too big to commit, generated identically by tests/hostile.rs and
//! examples/hostile_bounds.rs (which measures their time and memory for docs/RELIABILITY.md).

use seccplay_core::arch::Arch;
use seccplay_core::bpf::insn::*;
use seccplay_core::bpf::Insn;
use seccplay_core::syscalls;

fn x86_64_names() -> Vec<&'static str> {
    syscalls::syscalls(Arch::X86_64)
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

/// 100,000 distinct argument rules: 1,000 entries of 100 names each, one value per entry
/// (about 220 distinct rules per syscall). Valid; its program cannot fit 4096 instructions.
pub fn rules_100k_conditional() -> String {
    let names = x86_64_names();
    let mut s = String::from(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":["#);
    for e in 0..1000usize {
        let ns: Vec<String> = (0..100)
            .map(|i| format!("\"{}\"", names[(e * 100 + i) % names.len()]))
            .collect();
        if e > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"names":[{}],"action":"SCMP_ACT_ALLOW","args":[{{"index":0,"value":{e},"op":"SCMP_CMP_EQ"}}]}}"#,
            ns.join(",")
        ));
    }
    s + "]}"
}

/// `n` distinct argument rules on one syscall (personality), one entry each.
pub fn conditional_rules(n: u64) -> String {
    let mut s = String::from(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":["#);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{{"index":0,"value":{i},"op":"SCMP_CMP_EQ"}}]}}"#
        ));
    }
    s + "]}"
}

/// The same argument rule 100,000 times (one entry, 100,000 names): valid, and it compiles
/// (identical rules merge).
pub fn rules_100k_identical() -> String {
    let names = vec!["\"personality\""; 100_000].join(",");
    format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{"names":[{names}],"action":"SCMP_ACT_ALLOW","args":[{{"index":0,"value":7,"op":"SCMP_CMP_EQ"}}]}}]}}"#
    )
}

/// 100,000 unconditional rules in one entry cycling through the x86_64 syscall names: valid,
/// and it compiles (the duplicates merge).
pub fn rules_100k_unconditional() -> String {
    let names = x86_64_names();
    let ns: Vec<String> = (0..100_000)
        .map(|i| format!("\"{}\"", names[i % names.len()]))
        .collect();
    format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{"names":[{}],"action":"SCMP_ACT_ALLOW"}}]}}"#,
        ns.join(",")
    )
}

/// A profile of at least 20 MB: entries naming every x86_64 syscall, repeated.
pub fn profile_20mb() -> String {
    profile_of_size((20 << 20) + 10_000)
}

/// A valid profile of at least `bytes` bytes (to within one entry): entries naming every
/// x86_64 syscall, repeated.
pub fn profile_of_size(bytes: usize) -> String {
    let names: Vec<String> = syscalls::syscalls(Arch::X86_64)
        .into_iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect();
    let entry = format!(
        r#"{{"names":[{}],"action":"SCMP_ACT_ALLOW"}}"#,
        names.join(",")
    );
    let mut s = String::from(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":["#);
    let mut first = true;
    while s.len() + entry.len() + 3 < bytes {
        if !first {
            s.push(',');
        }
        first = false;
        s.push_str(&entry);
    }
    s + "]}"
}

/// Arrays nested 10,000 deep inside a profile value.
pub fn nested_arrays_10k() -> String {
    format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    )
}

/// Objects nested 10,000 deep.
pub fn nested_objects_10k() -> String {
    format!("{}{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000))
}

/// 4,097 instructions: one more than the kernel accepts.
pub fn program_4097() -> Vec<Insn> {
    let mut p = vec![Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 0); 4096];
    p.push(Insn::stmt(BPF_RET | BPF_K, 0x7fff_0000));
    p
}

/// 6,600 one-instruction filters separated by `---` lines: past the kernel's
/// `MAX_INSNS_PER_PATH` (32,768 instructions counting 4 per filter) at filter 6553.
pub fn stack_6600() -> String {
    "ret #0x7fff0000\n---\n".repeat(6600)
}

/// dump's annotated disassembly of 4,096 instructions (4,095 tests of `nr`, then ALLOW), and
/// the program.
pub fn disasm_4096() -> (Vec<Insn>, String) {
    let mut prog: Vec<Insn> = (0..4095)
        .map(|i| Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, i, 0, 0))
        .collect();
    prog.push(Insn::stmt(BPF_RET | BPF_K, 0x7fff_0000));
    let t = seccplay_core::bpf::disasm::human_text(&prog, Some(Arch::X86_64), Default::default());
    (prog, t)
}
