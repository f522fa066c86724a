//! Where compile time goes, stage by stage, for one profile in Docker's amd64 context: JSON
//! parsing, profile reading (parse included), resolution, rule database, code generation, and
//! the whole pipeline from text to program. docs/BENCHMARKS.md ("Compile time by stage").
//!
//! ```text
//! pipeline_stages PROFILE.json [ROUNDS]        # mean time per stage over ROUNDS (default 1000)
//! pipeline_stages PROFILE.json ROUNDS STAGE    # only STAGE (json|profile|resolve|db|codegen|pipeline),
//!                                              # for `valgrind --tool=callgrind` instruction counts
//! ```
//!
//! `cargo build --profile bench -p seccplay-core --example pipeline_stages` (opt-level 3, as the
//! criterion benches), then `target/release/examples/pipeline_stages PROFILE`. Instruction
//! counts do not depend on the machine's load, times do (the development VM varies by ±50 %
//! within minutes): compare versions at the same moment.
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::{codegen, db, json, profile, resolve};
use std::hint::black_box;
use std::time::Instant;

const STAGES: [&str; 6] = ["json", "profile", "resolve", "db", "codegen", "pipeline"];

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: pipeline_stages PROFILE.json [ROUNDS [STAGE]]");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("pipeline_stages: {path}: {e}");
            std::process::exit(1);
        }
    };
    let rounds: u32 = match args.next().map(|r| r.parse()) {
        None => 1000,
        Some(Ok(r)) if r > 0 => r,
        Some(_) => {
            eprintln!("pipeline_stages: ROUNDS must be a positive integer");
            std::process::exit(2);
        }
    };
    let only = args.next();
    if let Some(s) = &only {
        if !STAGES.contains(&s.as_str()) {
            eprintln!("pipeline_stages: unknown stage {s:?} (one of {STAGES:?})");
            std::process::exit(2);
        }
    }
    let ctx = Context::docker(Arch::X86_64);
    let parsed = match profile::parse(&text) {
        Ok(p) => p.profile,
        Err(e) => {
            eprintln!("pipeline_stages: {path}: the profile is refused: {e:?}");
            std::process::exit(1);
        }
    };
    let policy = resolve::resolve(&parsed, &ctx)
        .expect("resolves")
        .policy
        .expect("a policy (the profile is not unconfined)");
    let database = db::build(&policy).expect("builds");
    let pipeline = |text: &str| {
        let p = profile::parse(text).expect("valid").profile;
        let r = resolve::resolve(&p, &ctx).expect("resolves");
        let d = db::build(&r.policy.expect("policy")).expect("builds");
        codegen::compile(&d).expect("compiles")
    };
    for stage in STAGES {
        if only.as_deref().is_some_and(|s| s != stage) {
            continue;
        }
        let start = Instant::now();
        for _ in 0..rounds {
            match stage {
                "json" => drop(black_box(json::parse(black_box(&text)))),
                "profile" => drop(black_box(profile::parse(black_box(&text)))),
                "resolve" => drop(black_box(resolve::resolve(black_box(&parsed), &ctx))),
                "db" => drop(black_box(db::build(black_box(&policy)))),
                "codegen" => drop(black_box(codegen::compile(black_box(&database)))),
                _ => drop(black_box(pipeline(black_box(&text)))),
            }
        }
        let each = start.elapsed() / rounds;
        println!("{stage:<9} {:>9.1} µs", each.as_secs_f64() * 1e6);
    }
}
