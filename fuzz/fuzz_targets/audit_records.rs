//! Any bytes as audit records: no panic; every line is a record, a malformed record (located
//! on a real line) or skipped; and read against Docker's profile every record gets an answer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::evidence::{attribute, audit};
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
    let log = audit::parse_bytes(data);
    let lines = data.strip_suffix(b"\n").unwrap_or(data).split(|&b| b == b'\n').count();
    let lines = if data.is_empty() { 0 } else { lines };
    assert_eq!(log.records.len() + log.malformed.len() + log.skipped, lines);
    for m in &log.malformed {
        assert!(m.line >= 1 && m.line <= lines && !m.message.is_empty());
    }
    let att = attribute::attribute(&log, an);
    assert_eq!(att.len(), log.records.len());
    assert!(att.iter().all(|a| !a.summary.is_empty()));
});
