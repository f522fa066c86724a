//! The same profile and context give the same program bytes on every run and on every target:
//! this file runs natively (`cargo test`) and in headless Chromium (`make wasm-test`), and both
//! must find the same digest. tests/golden/ in the conformance crate holds the bytes themselves.

use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::codegen::digest;
use seccplay_core::context::Context;
use seccplay_core::presets::{get, PresetKind};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// FNV-1a of Docker's default preset compiled in Docker's amd64 and arm64 contexts. Update both
/// (and tests/golden/) when the compiler or the preset changes on purpose.
const DOCKER_AMD64: u64 = 0x03dd_1b62_af45_cd43;
const DOCKER_ARM64: u64 = 0xaeae_1eb5_ccd3_31ce;

fn docker_digest(host: Arch) -> (u64, usize) {
    let PresetKind::Profile(text) = get("docker").expect("preset").kind else {
        unreachable!("docker is a profile")
    };
    let a = analyze(text, &Context::docker(host));
    let p = a.program.as_ref().expect("compiles");
    // Twice in the same process: no hidden state.
    let again = analyze(text, &Context::docker(host));
    assert_eq!(again.program.as_ref().unwrap().insns, p.insns);
    (digest(p), p.insns.len())
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn docker_default_digests_are_the_same_everywhere() {
    let (amd64, n) = docker_digest(Arch::X86_64);
    let (arm64, m) = docker_digest(Arch::Aarch64);
    assert_eq!(
        (amd64, arm64),
        (DOCKER_AMD64, DOCKER_ARM64),
        "digests changed: {amd64:#018x} ({n} instructions) and {arm64:#018x} ({m})"
    );
}
