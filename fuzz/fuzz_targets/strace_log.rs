//! Any bytes as strace output: no panic; malformed lines are located on real lines; every call
//! read is decided under Docker's profile, and the summary counts every call once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::evidence::{predict, strace};
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static DOCKER: OnceLock<seccplay_core::analysis::Analysis> = OnceLock::new();
    let an = DOCKER.get_or_init(|| {
        let text = match seccplay_core::presets::get("docker").unwrap().kind {
            seccplay_core::presets::PresetKind::Profile(t) => t,
            _ => unreachable!(),
        };
        analyze(text, &Context::docker(Arch::X86_64))
    });
    let t = strace::parse_inputs(&[strace::Input { bytes: data, pid: None }]);
    let lines = data.split(|&b| b == b'\n').count();
    for m in &t.malformed {
        assert!(m.line >= 1 && m.line <= lines);
    }
    for c in &t.calls {
        assert!(c.args.len() <= 6 && c.line >= 1 && c.line <= lines);
    }
    let p = predict::predict(&t, an, Arch::X86_64);
    let counted: u64 = p.summary.iter().map(|s| s.calls).sum();
    assert_eq!(counted as usize, t.calls.len());
    assert_eq!(p.first_refused.is_some(), !p.refused.is_empty());
});
