//! The calls the kernel passes without running any seccomp filter
//! (`seccomp_core::context::FILTER_BYPASSES`: x86_64 `uretprobe` from 6.14, `uprobe` from 6.18)
//! against the running kernel.
//!
//! A forked child installs a filter that answers `ERRNO(1234)` to every call and issues each
//! bypass candidate once. Errno 1234 means the filter ran; anything else (the call's own
//! answer: SIGILL for `uretprobe` outside a uretprobe trampoline, `ENXIO` for `uprobe`) means
//! the kernel let it through unfiltered. `Context::filter_bypass` for the running kernel's X.Y
//! must say the same (on a series where it depends on the point release, either is accepted
//! and the test says which it saw). Both calls are harmless outside a probe: they only signal
//! or fail.

use seccplay_conformance::kernel::{self, Call};
use seccplay_core::arch::Arch;
use seccplay_core::bpf::insn::*;
use seccplay_core::bpf::Insn;
use seccplay_core::context::{self, Bypass, Context, FILTER_BYPASSES};

const MARK: i64 = 1234;

fn running_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .expect("/proc/sys/kernel/osrelease")
        .trim()
        .to_string()
}

#[test]
fn the_running_kernel_passes_exactly_the_calls_the_context_says() {
    if !kernel::kernel_or_skip("kernel_bypass") {
        return;
    }
    if !cfg!(target_arch = "x86_64") {
        // The bypassed numbers exist on x86_64 only; elsewhere there is nothing to observe.
        assert!(
            std::env::var_os("CI").is_none(),
            "kernel_bypass: needs an x86_64 host (the only ABI with these calls)"
        );
        eprintln!("kernel_bypass: SKIPPED, not an x86_64 host");
        return;
    }
    let release = running_release();
    let mut ctx = Context::docker(Arch::X86_64);
    ctx.kernel = context::parse_kernel_release(&release).expect("uname -r");
    let prog = [Insn::stmt(BPF_RET | BPF_K, 0x0005_0000 | MARK as u32)];
    let calls: Vec<Call> = FILTER_BYPASSES
        .iter()
        .map(|b| Call {
            nr: b.nr,
            args: [0; 6],
        })
        .collect();
    let got = kernel::run_all(&prog, &calls).expect("the harness ran");
    for (b, r) in FILTER_BYPASSES.iter().zip(&got) {
        let filtered = *r == Ok(-MARK);
        let said = ctx.filter_bypass(Arch::X86_64, b.nr);
        eprintln!(
            "kernel_bypass: Linux {release}: {} (nr {}) -> {r:?}: {}; seccplay says {said:?}",
            b.name,
            b.nr,
            if filtered {
                "the filter ran"
            } else {
                "no filter ran"
            }
        );
        match said {
            Some(Bypass::Always(_)) => assert!(
                !filtered,
                "{}: seccplay says Linux {release} runs no filter for it, but the filter answered",
                b.name
            ),
            None => assert!(
                filtered,
                "{}: seccplay says Linux {release} runs the filter, but the call went through ({r:?})",
                b.name
            ),
            Some(Bypass::DependsOnPointRelease(_)) => {}
        }
    }
}

/// The table the test relies on: the native ABI only, the versions the sources give.
#[test]
fn bypass_is_x86_64_native_only_and_versioned() {
    let mut ctx = Context::docker(Arch::X86_64);
    let at = |ctx: &mut Context, k: &str| {
        ctx.kernel = context::parse_kernel_release(k).unwrap();
    };
    at(&mut ctx, "6.11");
    assert_eq!(ctx.filter_bypass(Arch::X86_64, 335), None);
    for k in ["6.12", "6.13"] {
        at(&mut ctx, k);
        assert!(matches!(
            ctx.filter_bypass(Arch::X86_64, 335),
            Some(Bypass::DependsOnPointRelease(_))
        ));
    }
    at(&mut ctx, "6.14");
    assert!(matches!(
        ctx.filter_bypass(Arch::X86_64, 335),
        Some(Bypass::Always(_))
    ));
    assert_eq!(ctx.filter_bypass(Arch::X86_64, 336), None);
    // x32 numbers carry bit 30; i386's 335 is another call: the filter runs for both.
    assert_eq!(ctx.filter_bypass(Arch::X32, 335 | 0x4000_0000), None);
    assert_eq!(ctx.filter_bypass(Arch::X86, 335), None);
    at(&mut ctx, "6.18");
    assert!(matches!(
        ctx.filter_bypass(Arch::X86_64, 336),
        Some(Bypass::Always(_))
    ));
}
