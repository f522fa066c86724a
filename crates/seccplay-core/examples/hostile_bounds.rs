//! Time and peak memory of the big hostile inputs (docs/RELIABILITY.md), one input per run so
//! that `/usr/bin/time -v` measures it alone:
//!
//! ```text
//! cargo build --release -p seccplay-core --example hostile_bounds
//! for c in rules-100k-conditional rules-100k-unconditional rules-100k-identical conditional-5000 \
//!          profile-4mib profile-20mb nested-arrays-10k \
//!          nested-objects-10k program-4097 stack-6600 disasm-4096; do
//!   /usr/bin/time -v target/release/examples/hostile_bounds $c 2>&1 | grep -E 'hostile|Maximum resident|Elapsed'
//! done
//! ```

#[path = "../tests/support/huge.rs"]
mod huge;

use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::bpf::verify;
use seccplay_core::context::Context;
use std::time::Instant;

fn main() {
    let case = std::env::args().nth(1).unwrap_or_default();
    let t0 = Instant::now();
    let text = match case.as_str() {
        "rules-100k-conditional" => huge::rules_100k_conditional(),
        n if n.starts_with("conditional-") => {
            huge::conditional_rules(n["conditional-".len()..].parse().unwrap_or(1000))
        }
        "rules-100k-unconditional" => huge::rules_100k_unconditional(),
        "rules-100k-identical" => huge::rules_100k_identical(),
        "profile-4mib" => huge::profile_of_size(seccplay_core::analysis::MAX_PROFILE_BYTES),
        "profile-20mb" => huge::profile_20mb(),
        "nested-arrays-10k" => huge::nested_arrays_10k(),
        "nested-objects-10k" => huge::nested_objects_10k(),
        "stack-6600" | "disasm-4096" => {
            let text = if case == "stack-6600" {
                huge::stack_6600()
            } else {
                huge::disasm_4096().1
            };
            let r = seccplay_core::bpf::format::import_stack(text.as_bytes(), Arch::X86_64);
            println!(
                "hostile {case} ({} bytes): {} in {:.3}s",
                text.len(),
                match r {
                    Ok(s) => format!(
                        "{} filter(s), {} instructions",
                        s.len(),
                        s.iter().map(|s| s.insns.len()).sum::<usize>()
                    ),
                    Err(e) => format!("refused at filter {}: {}", e.filter, e.error.message),
                },
                t0.elapsed().as_secs_f64()
            );
            return;
        }
        "program-4097" => {
            let p = huge::program_4097();
            let r = verify::verify(&p);
            println!(
                "hostile {case}: {:?} in {:.3}s",
                r.map_err(|e| e.rule.name()),
                t0.elapsed().as_secs_f64()
            );
            return;
        }
        _ => {
            eprintln!("usage: hostile_bounds rules-100k-conditional|rules-100k-unconditional|rules-100k-identical|conditional-N|profile-4mib|profile-20mb|nested-arrays-10k|nested-objects-10k|program-4097|stack-6600|disasm-4096");
            std::process::exit(2);
        }
    };
    let generated = t0.elapsed().as_secs_f64();
    if std::env::var_os("STAGES").is_some() {
        stages(&text);
    }
    let t1 = Instant::now();
    let a = analyze(&text, &Context::docker(Arch::X86_64));
    let outcome = match (a.first_error(), &a.program) {
        (Some(e), _) => format!("error[{}]", e.code),
        (None, Some(p)) => format!("{} instructions", p.insns.len()),
        (None, None) => "no filter".into(),
    };
    println!(
        "hostile {case}: {} bytes, {outcome}; generated in {generated:.3}s, analysed in {:.3}s",
        text.len(),
        t1.elapsed().as_secs_f64()
    );
}

/// Times each stage of the pipeline separately (STAGES=1).
fn stages(text: &str) {
    use seccplay_core::{codegen, db, profile, resolve};
    let t = Instant::now();
    let Ok(p) = profile::parse(text) else {
        println!("parse failed after {:.3}s", t.elapsed().as_secs_f64());
        return;
    };
    println!("parse {:.3}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let Ok(r) = resolve::resolve(&p.profile, &Context::docker(Arch::X86_64)) else {
        return;
    };
    println!("resolve {:.3}s", t.elapsed().as_secs_f64());
    let Some(policy) = r.policy else { return };
    let t = Instant::now();
    let Ok(d) = db::build(&policy) else { return };
    println!("db {:.3}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let c = codegen::compile(&d);
    println!(
        "codegen {:.3}s ({:?})",
        t.elapsed().as_secs_f64(),
        c.map(|c| c.insns.len())
    );
}
