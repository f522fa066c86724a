//! A security review: the calls Docker's documentation lists as kept out by its default profile
//! for a stated reason, that this filter allows on the host ABI whatever the arguments, and
//! that Docker's current default refuses in the same context.
//!
//! The list is Docker's table "Significant syscalls blocked by the default profile"
//! (docs.docker.com/engine/security/seccomp/, docker/docs `content/manuals/engine/security/seccomp.md`),
//! with the reasons in short words, plus io_uring, which Docker's default dropped in 25.0
//! (moby#46762) and containerd's in 2.0 (containerd#9048).
//!
//! 1. Only a verdict of ALLOW (or LOG) whatever the arguments counts. A call allowed for some
//!    arguments (Docker's own `clone` and `personality` rules) is left to the table, which
//!    states the conditions.
//! 2. The table is older than the profile: Docker's default now allows `clock_adjtime`, and
//!    grants many of the calls with a capability. So a call counts only when Docker's current
//!    default, run through the same pipeline in the same context, does not allow it whatever
//!    the arguments. Add CAP_SYS_ADMIN and `mount` no longer counts: the note never claims
//!    what the pipeline has not checked.
//! 3. Where Docker's table says the kernel also checks a capability, the note says whether the
//!    container's bounding set has it. It does not say the call is then harmless: a capability
//!    held in a new user namespace can pass some of those checks.
//! 4. `ptrace` and `process_vm_*` count only on kernels before 4.8, where a tracer could skip a
//!    tracee's filter (Docker's default allows them from 4.8 on).
//! 5. The review reads the analysis; it never changes a verdict. An unconfined container or a
//!    refused profile has nothing to review.

use super::table::RowVerdict;
use super::Analysis;
use crate::context::Context;
use crate::diag::Diagnostic;
use crate::syscalls::{self, Resolved};
use std::sync::{Arc, Mutex};

/// Why Docker's default keeps a group of calls out, and the capability the kernel also checks
/// (as Docker's table gives it).
struct Reason {
    names: &'static str,
    why: &'static str,
    cap: Option<&'static str>,
}

/// Docker's table, grouped by reason (names space-separated).
const REASONS: &[Reason] = &[
    Reason { names: "io_uring_setup io_uring_enter io_uring_register", why: "io_uring's operations run without passing through seccomp, and it has been a rich source of kernel exploits; Docker's default dropped it in 25.0 (moby#46762), containerd's in 2.0", cap: None },
    Reason { names: "add_key keyctl request_key", why: "the kernel keyring is not namespaced", cap: None },
    Reason { names: "bpf", why: "loads possibly persistent BPF programs into the kernel", cap: Some("CAP_SYS_ADMIN") },
    Reason { names: "clock_adjtime clock_settime settimeofday stime", why: "time is not namespaced", cap: Some("CAP_SYS_TIME") },
    Reason { names: "create_module delete_module finit_module init_module", why: "kernel modules", cap: Some("CAP_SYS_MODULE") },
    Reason { names: "kexec_load kexec_file_load", why: "loads a new kernel", cap: Some("CAP_SYS_BOOT") },
    Reason { names: "reboot", why: "reboots the host", cap: Some("CAP_SYS_BOOT") },
    Reason { names: "acct", why: "process accounting: a container could turn off its own accounting", cap: Some("CAP_SYS_PACCT") },
    Reason { names: "quotactl", why: "quotas: a container could lift its own limits", cap: Some("CAP_SYS_ADMIN") },
    Reason { names: "ioperm iopl", why: "changes I/O privilege levels", cap: Some("CAP_SYS_RAWIO") },
    Reason { names: "lookup_dcookie", why: "profiling call that can leak host information", cap: Some("CAP_SYS_ADMIN") },
    Reason { names: "perf_event_open", why: "tracing and profiling that can leak host information", cap: None },
    Reason { names: "open_by_handle_at", why: "the cause of an old container breakout (shocker)", cap: Some("CAP_DAC_READ_SEARCH") },
    Reason { names: "mount umount umount2 pivot_root", why: "mounts should stay privileged", cap: Some("CAP_SYS_ADMIN") },
    Reason { names: "unshare setns", why: "new or other namespaces (unshare(CLONE_NEWUSER) needs no capability)", cap: Some("CAP_SYS_ADMIN") },
    Reason { names: "swapon swapoff", why: "swapping on the host", cap: Some("CAP_SYS_ADMIN") },
    Reason { names: "vm86 vm86old", why: "the kernel's x86 real-mode machine", cap: Some("CAP_SYS_ADMIN") },
    Reason { names: "get_mempolicy mbind set_mempolicy move_pages", why: "kernel memory and NUMA settings", cap: Some("CAP_SYS_NICE") },
    Reason { names: "kcmp", why: "process inspection", cap: Some("CAP_SYS_PTRACE") },
    Reason { names: "userfaultfd", why: "user-space page fault handling, used to widen kernel race windows", cap: None },
    Reason { names: "personality", why: "other execution domains: poorly tested kernel paths", cap: None },
    Reason { names: "nfsservctl get_kernel_syms query_module sysfs _sysctl uselib ustat", why: "obsolete", cap: None },
];

/// Docker's current default, given explicitly in `context` (point 2). The last one is kept:
/// the page reviews every edit of a profile in one context.
fn docker_default_in(context: &Context) -> Arc<Analysis> {
    static LAST: Mutex<Option<Arc<Analysis>>> = Mutex::new(None);
    let mut ctx = context.clone();
    ctx.explicit_profile = true;
    ctx.engine = crate::context::Engine::Docker;
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    match &*last {
        Some(a) if a.context == ctx => a.clone(),
        _ => {
            let a = Arc::new(super::analyze_docker(
                crate::tables::presets::DOCKER_DEFAULT,
                &ctx,
            ));
            *last = Some(a.clone());
            a
        }
    }
}

/// Calls that could skip the caller's tracee's filter before Linux 4.8.
const BEFORE_4_8: &str = "ptrace process_vm_readv process_vm_writev";

impl Analysis {
    /// The review's notes (`review-allowed`): each call of Docker's table that the filter
    /// allows on the host ABI whatever the arguments and Docker's current default, in the same
    /// context, does not, with Docker's reason. Empty for a refused profile or an unconfined
    /// container. `lint` and the page's diagnostics add them.
    pub fn review(&self) -> Vec<Diagnostic> {
        // No rule database (unconfined, or refused early) or refused later (a program too
        // large): no filter to review.
        if self.database.is_none() || self.failed() {
            return Vec::new();
        }
        let docker = docker_default_in(&self.context);
        let arch = self.context.host_arch;
        let allowed = |a: &Analysis, nr: u32| {
            a.database.as_ref().is_some_and(|db| {
                matches!(
                    super::table::row_verdict(db, arch, nr),
                    RowVerdict::Allowed { .. }
                )
            })
        };
        let k = self.context.kernel;
        let tracing = Reason {
            names: BEFORE_4_8,
            why: "before Linux 4.8 a tracer could skip its tracee's seccomp filter (Docker's default allows it from 4.8)",
            cap: Some("CAP_SYS_PTRACE"),
        };
        let old_kernel = (k.major, k.minor) < (4, 8);
        let mut out = Vec::new();
        for r in REASONS.iter().chain(old_kernel.then_some(&tracing)) {
            for name in r.names.split(' ') {
                let Resolved::Number(nr) = syscalls::resolve(arch, name) else {
                    continue;
                };
                if !allowed(self, nr) || allowed(&docker, nr) {
                    continue;
                }
                let cap = r.cap.map_or(String::new(), |c| {
                    let has = if self.context.has_cap(c) {
                        "has it"
                    } else {
                        "does not have it"
                    };
                    format!("; the kernel also checks {c}, and the container {has}")
                });
                out.push(Diagnostic::note(
                    "review-allowed",
                    format!(
                        "{name} is allowed on {arch} whatever the arguments, where Docker's default ({}) refuses it in this context: {}{cap}",
                        crate::presets::CURRENT_DOCKER.name,
                        r.why
                    ),
                ));
            }
        }
        out
    }
}
