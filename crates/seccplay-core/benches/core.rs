//! Criterion benches of docs/BENCHMARKS.md: compile (parse + resolve + build + compile of
//! Docker's default profile in Docker's amd64 context), codegen (the compiler alone: rule
//! database → program), interpret (`bpf::interp::run`
//! decisions per second over a mix of syscalls) and evaluate (`eval::decide`).
//!
//! `cargo bench -p seccplay-core --bench core`. The profile is read at bench time from
//! the repository's `refdata/profiles/docker/default.json` (or `$SECCPLAY_BENCH_PROFILE`; an
//! unreadable file stops the benches). If `target/bench/libseccomp-tree.bpf` exists (written by
//! `scripts/bench.sh`), the interpreter is also measured on libseccomp's program for the same
//! profile.
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::insn::decode;
use seccplay_core::bpf::{interp, Insn, SeccompData};
use seccplay_core::context::Context;
use seccplay_core::eval::{decide, Query};
use seccplay_core::{codegen, db, profile, resolve};
use std::sync::mpsc;
use std::time::Duration;

/// The profile to measure; an unreadable file stops the benches (no silent skip).
fn profile_text() -> String {
    let path = std::env::var("SECCPLAY_BENCH_PROFILE").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../refdata/profiles/docker/default.json"
        )
        .into()
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("benches: {path}: {e}"))
}

fn database(text: &str) -> db::Database {
    let p = profile::parse(text).expect("valid profile").profile;
    let r = resolve::resolve(&p, &Context::docker(Arch::X86_64)).expect("resolves");
    db::build(&r.policy.expect("policy")).expect("builds")
}

fn full_compile(text: &str) -> codegen::Compiled {
    codegen::compile(&database(text)).expect("compiles")
}

/// Compiles once on a helper thread: `None` (and a message) if it does not finish in 30 s.
fn compile_or_skip(text: &str) -> Option<codegen::Compiled> {
    let (tx, rx) = mpsc::channel();
    let text = text.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(full_compile(&text));
    });
    let r = rx.recv_timeout(Duration::from_secs(30)).ok();
    if r.is_none() {
        eprintln!("benches: skipping compile and interpret on seccplay's program: compile did not finish within 30 s");
    }
    r
}

/// The mix: every x86_64 syscall 0..=462 with zero arguments, the same with typical
/// arguments, and x86 and x32 numbers.
fn queries() -> Vec<Query> {
    let mut q = Vec::new();
    let q1 = |audit_arch, nr, args| Query {
        audit_arch,
        nr,
        args,
        instruction_pointer: 0,
    };
    for nr in 0..=462u32 {
        q.push(q1(Arch::X86_64.audit_arch(), nr, [0; 6]));
        q.push(q1(
            Arch::X86_64.audit_arch(),
            nr,
            [3, 0x7fff_0000_1000, 1, 0x22, u64::MAX, 0],
        ));
    }
    for nr in (0..450u32).step_by(3) {
        q.push(q1(Arch::X86.audit_arch(), nr, [1, 2, 0, 0, 0, 0]));
        q.push(q1(Arch::X86_64.audit_arch(), 0x4000_0000 | nr, [0; 6]));
    }
    q
}

fn data(q: &[Query]) -> Vec<SeccompData> {
    q.iter()
        .map(|q| SeccompData::new(q.nr, q.audit_arch, q.args))
        .collect()
}

fn interpret(c: &mut Criterion, name: &str, prog: &[Insn], d: &[SeccompData]) {
    let mut g = c.benchmark_group("interpret");
    g.throughput(Throughput::Elements(d.len() as u64));
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for s in d {
                acc ^= interp::run(prog, black_box(s), Endian::Little).unwrap();
            }
            acc
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let text = profile_text();
    let qs = queries();
    let ds = data(&qs);

    let database = database(&text);
    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(qs.len() as u64));
    g.bench_function("docker-default", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for q in &qs {
                acc ^= decide(&database, black_box(q)).ret;
            }
            acc
        })
    });
    g.finish();

    if let Some(compiled) = compile_or_skip(&text) {
        c.bench_function("compile/docker-default", |b| {
            b.iter(|| full_compile(black_box(&text)))
        });
        c.bench_function("codegen/docker-default", |b| {
            b.iter(|| codegen::compile(black_box(&database)).expect("compiles"))
        });
        interpret(c, "seccplay-docker-default", &compiled.insns, &ds);
    }
    let lib = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/bench/libseccomp-tree.bpf"
    );
    if let Ok(bytes) = std::fs::read(lib) {
        let prog = decode(&bytes, Endian::Little).expect("sock_filter records");
        interpret(c, "libseccomp-tree-docker-default", &prog, &ds);
    }
}

criterion_group! {
    name = core;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(core);
