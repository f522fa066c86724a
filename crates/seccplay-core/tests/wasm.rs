//! seccplay-core compiled to wasm32 and run in a headless browser (wasm-bindgen-test).
//!
//! Run with `make wasm-test` (or, in the wasm environment,
//! `cargo test --target wasm32-unknown-unknown -p seccplay-core --tests`).
#![cfg(target_arch = "wasm32")]

use seccplay_core::action::Action;
use seccplay_core::arch::Arch;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn action_decodes_like_the_kernel() {
    assert_eq!(Action::from_ret(0x0005_0001), Action::Errno(1));
    assert_eq!(Action::from_ret(0x7fff_0000), Action::Allow);
    assert_eq!(Action::from_ret(0x8000_0000), Action::KillProcess);
}

#[wasm_bindgen_test]
fn arch_names_resolve() {
    assert_eq!(Arch::from_name("SCMP_ARCH_X86_64"), Some(Arch::X86_64));
    assert_eq!(Arch::from_name("x86_64"), Some(Arch::X86_64));
    assert_eq!(Arch::from_name("SCMP_ARCH_NOPE"), None);
}

#[wasm_bindgen_test]
fn tagline_is_set() {
    assert!(seccplay_core::TAGLINE.starts_with("seccplay"));
}
