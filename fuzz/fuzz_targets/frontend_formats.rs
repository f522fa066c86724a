//! Invariant 1 for every front-end: any bytes as SeccompProfile YAML or seccompiler JSON (the
//! format forced, and detected) give policies or errors located inside the text; what is
//! read converts to Docker JSON and SeccompProfile YAML that read back.
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
    for format in [None, Some(Format::Spo), Some(Format::Firecracker)] {
        match frontend::read(text, format) {
            Err(f) => {
                assert!(f.first_error().is_some(), "a failure without an error");
                diagnostics_are_located(text, &f.diagnostics).unwrap_or_else(|v| panic!("{v}"));
            }
            Ok(input) => {
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
