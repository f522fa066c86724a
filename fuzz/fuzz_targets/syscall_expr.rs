//! Invariant 5: any string as a syscall expression gives a call or a located error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::arch::Arch;
use seccplay_core::invariants::check_expr;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let arch = Arch::ALL[sel as usize % Arch::ALL.len()];
    check_expr(&text, arch).unwrap_or_else(|v| panic!("{v}"));
});
