//! The hostile inputs too big to commit, generated identically by tests/hostile.rs and
//! examples/hostile_bounds.rs (which measures their time and memory for docs/RELIABILITY.md).

use seccplay_core::arch::Arch;
use seccplay_core::bpf::insn::*;
use seccplay_core::bpf::Insn;
use seccplay_core::syscalls;

/// 100,000 argument rules on one syscall, each with its own value: a valid profile whose
/// program cannot fit the kernel's 4096 instructions.
pub fn rules_100k_conditional() -> String {
    conditional_rules(100_000)
}

/// `n` argument rules on one syscall, each with its own value.
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

/// 100,000 unconditional rules cycling through the x86_64 syscall names: valid, and it compiles
/// (the duplicates merge).
pub fn rules_100k_unconditional() -> String {
    let names: Vec<&str> = syscalls::syscalls(Arch::X86_64)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut s = String::from(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":["#);
    for i in 0..100_000usize {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"names":["{}"],"action":"SCMP_ACT_ALLOW"}}"#,
            names[i % names.len()]
        ));
    }
    s + "]}"
}

/// A profile of at least 20 MB: entries naming every x86_64 syscall, repeated.
pub fn profile_20mb() -> String {
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
    while s.len() < 20 << 20 {
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
