//! Compiles a profile in Docker's amd64 context and prints the figures of docs/BENCHMARKS.md:
//! program size, instructions executed per x86_64 syscall 0..=462 with zero arguments
//! (average and worst), and compile time.
//!
//! `cargo run --release -p seccplay-core --example program_stats -- ../shared/refdata/profiles/docker/default.json`
use seccplay_core::arch::Arch;
use seccplay_core::bpf::{interp, SeccompData};
use seccplay_core::context::Context;
use seccplay_core::{codegen, db, profile, resolve};
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: program_stats PROFILE.json");
    let text = std::fs::read_to_string(&path).expect("readable profile");
    let p = profile::parse(&text).expect("valid profile").profile;
    let ctx = Context::docker(Arch::X86_64);
    let t = Instant::now();
    let runs = 200;
    let mut compiled = None;
    for _ in 0..runs {
        let r = resolve::resolve(&p, &ctx).expect("resolves");
        let database = db::build(&r.policy.expect("policy")).expect("builds");
        compiled = Some(codegen::compile(&database).expect("compiles"));
    }
    let per = t.elapsed() / runs;
    let c = compiled.unwrap();
    let (mut sum, mut max, mut max_nr) = (0usize, 0usize, 0u32);
    for nr in 0..=462u32 {
        let d = SeccompData::new(nr, Arch::X86_64.audit_arch(), [0; 6]);
        let (_, steps) = interp::run_counted(&c.insns, &d, c.arch.endian()).expect("runs");
        sum += steps;
        if steps > max {
            (max, max_nr) = (steps, nr);
        }
    }
    println!("profile: {path}");
    println!("instructions: {}", c.insns.len());
    println!(
        "executed per x86_64 syscall 0..=462, zero args: average {:.2}, worst {max} (nr {max_nr})",
        sum as f64 / 463.0
    );
    println!("resolve + build + compile: {per:?} per run (average of {runs})");
}
