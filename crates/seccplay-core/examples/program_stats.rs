//! The figures of docs/BENCHMARKS.md for one program: size, instructions executed per x86_64
//! syscall 0..=462 with zero arguments (average and worst, by `bpf::interp::run_counted`; the
//! average also over the numbers that are syscalls), the longest path over all argument
//! values (`bpf::cache::worst_case_steps`), and how many of those syscalls the kernel's constant-action cache would let through without
//! running the filter (`bpf::cache::is_const_allow`).
//!
//! ```text
//! program_stats PROFILE.json            # seccplay: compile in Docker's amd64 context (+ compile time)
//! program_stats --bpf FILE [LABEL]      # any program as raw little-endian sock_filter bytes
//! ```
//!
//! `cargo run --release -p seccplay-core --example program_stats -- refdata/profiles/docker/default.json`
//!
//! A compilation that has not finished after 60 s is reported as such (exit status 2).
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::insn::decode;
use seccplay_core::bpf::{cache, interp, Insn, SeccompData};
use seccplay_core::context::Context;
use seccplay_core::{codegen, db, profile, resolve};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

fn stats(label: &str, insns: &[Insn]) {
    let audit = Arch::X86_64.audit_arch();
    let (mut sum, mut max, mut max_nr, mut cached) = (0usize, 0usize, 0u32, 0usize);
    let (mut real_sum, mut real_count) = (0usize, 0usize);
    let (mut any_max, mut any_nr) = (0usize, 0u32);
    for nr in 0..=462u32 {
        let d = SeccompData::new(nr, audit, [0; 6]);
        let (_, steps) = interp::run_counted(insns, &d, Endian::Little).expect("runs");
        sum += steps;
        if seccplay_core::syscalls::name(Arch::X86_64, nr).is_some() {
            real_sum += steps;
            real_count += 1;
        }
        if steps > max {
            (max, max_nr) = (steps, nr);
        }
        cached += cache::is_const_allow(insns, audit, nr) as usize;
        let w = cache::worst_case_steps(insns, audit, nr).expect("runs");
        if w.steps > any_max {
            (any_max, any_nr) = (w.steps, nr);
        }
    }
    println!("{label}: instructions: {}", insns.len());
    println!(
        "{label}: executed per x86_64 syscall 0..=462, zero args: average {:.2}, worst {max} (nr {max_nr})",
        sum as f64 / 463.0
    );
    println!(
        "{label}: … over the {real_count} numbers that are x86_64 syscalls: average {:.2}",
        real_sum as f64 / real_count as f64
    );
    println!("{label}: … worst over all argument values (longest path): {any_max} (nr {any_nr})");
    println!("{label}: constant-action cache skips the filter for {cached} of 463 x86_64 syscalls");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--bpf") {
        let path = args
            .get(1)
            .expect("usage: program_stats --bpf FILE [LABEL]");
        let bytes = std::fs::read(path).expect("readable BPF file");
        let insns = decode(&bytes, Endian::Little).expect("whole sock_filter records");
        stats(args.get(2).map(String::as_str).unwrap_or(path), &insns);
        return;
    }
    let path = args
        .first()
        .expect("usage: program_stats PROFILE.json | --bpf FILE [LABEL]")
        .clone();
    let text = std::fs::read_to_string(&path).expect("readable profile");
    let p = profile::parse(&text).expect("valid profile").profile;
    let ctx = Context::docker(Arch::X86_64);
    // Compile on a helper thread so that a compiler that does not terminate is reported.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let once = |p: &profile::Profile| {
            let r = resolve::resolve(p, &ctx).expect("resolves");
            let database = db::build(&r.policy.expect("policy")).expect("builds");
            codegen::compile(&database).expect("compiles")
        };
        let first = once(&p);
        let runs = 200u32;
        let t = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(once(&p));
        }
        let _ = tx.send((first, t.elapsed() / runs, runs));
    });
    let Ok((c, per, runs)) = rx.recv_timeout(TIMEOUT) else {
        println!("seccplay: {path}: resolve + build + compile did not finish within {TIMEOUT:?}");
        std::process::exit(2);
    };
    println!(
        "seccplay: profile {path} (Docker amd64 context: x86_64 + x86 + x32, default caps, runc)"
    );
    stats("seccplay", &c.insns);
    println!("seccplay: resolve + build + compile: {per:?} per run (average of {runs})");
}
