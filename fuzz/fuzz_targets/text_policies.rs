//! Invariant 1 for the line-based front-ends: any bytes as a systemd unit or an LXC policy
//! (the format forced, and detected) give one policy or errors located inside the text; what
//! is read converts to Docker JSON and SeccompProfile YAML that read back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::frontend::{self, Format};
use seccplay_core::invariants::diagnostics_are_located;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = Context::docker(Arch::X86_64);
    for format in [None, Some(Format::Systemd), Some(Format::Lxc)] {
        match frontend::read(text, format) {
            Err(f) => {
                assert!(f.first_error().is_some(), "a failure without an error");
                diagnostics_are_located(text, &f.diagnostics).unwrap_or_else(|v| panic!("{v}"));
            }
            Ok(input) => {
                assert_eq!(input.policies.len(), 1);
                diagnostics_are_located(text, &input.diagnostics)
                    .unwrap_or_else(|v| panic!("{v}"));
                for to in [Format::Docker, Format::Spo] {
                    let (out, _) = frontend::convert(text, format, to, &ctx).expect("read once, converts");
                    for c in out {
                        frontend::read(&c.text, Some(to)).expect("what we write reads back");
                    }
                }
            }
        }
    }
});
