//! Invariant 1 (and 2, 6 on what compiles): any bytes as a Docker/OCI/config.json profile give
//! a value or located errors, in a few contexts; a compiled program is checked like
//! compile_differential's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::arch::Arch;
use seccplay_core::context::{Context, Runtime};
use seccplay_core::invariants::{check_profile, diagnostics_are_located};
use seccplay_core::profile;

fuzz_target!(|data: &[u8]| {
    let text = match std::str::from_utf8(data) {
        Ok(t) => t,
        Err(_) => {
            // Invalid UTF-8: one located error, at the bad byte.
            let f = profile::parse_bytes(data).expect_err("invalid UTF-8 must be refused");
            let d = f.first_error().expect("an error");
            assert_eq!(d.code, "invalid-utf8", "{d}");
            let loc = d.location.as_ref().expect("located");
            assert!(loc.start < data.len(), "{d}");
            return;
        }
    };
    if let Err(f) = profile::parse(text) {
        assert!(f.first_error().is_some(), "a failure without an error");
        diagnostics_are_located(text, &f.diagnostics).unwrap_or_else(|v| panic!("{v}"));
    }
    let mut crun = Context::docker(Arch::Aarch64);
    crun.runtime = Runtime::Crun;
    crun.enosys_stub = false;
    let contexts = [Context::docker(Arch::X86_64), crun];
    for ctx in &contexts {
        check_profile(text, ctx, data.len() as u64, 16).unwrap_or_else(|v| panic!("{v}"));
    }
});
