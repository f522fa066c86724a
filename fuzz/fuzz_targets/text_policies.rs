//! Invariant 1 for the line-based front-ends: any bytes as a systemd unit or an LXC policy
//! (the format forced, and detected), checked by `invariants::check_frontend`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seccplay_core::frontend::Format;
use seccplay_core::invariants::check_frontend;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_frontend(text, &[None, Some(Format::Systemd), Some(Format::Lxc)]).unwrap_or_else(|v| panic!("{v}"));
});
