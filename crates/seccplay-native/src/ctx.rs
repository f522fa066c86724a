//! CONTEXT flags and PROFILE loading shared by every profile-taking subcommand.

use crate::Fail;
use clap::Args;
use seccplay_core::analysis::{self, Analysis};
use seccplay_core::arch::Arch;
use seccplay_core::context::{self, Context, Engine, Runtime};
use seccplay_core::host::Libseccomp;
use seccplay_core::presets::{self, PresetKind};
use seccplay_core::profile::KernelVersion;
use std::io::Read;

/// What `docker run` and the host decide: architecture, capabilities, kernel, runtime.
#[derive(Args, Debug, Clone, Default)]
pub struct CtxArgs {
    /// Docker's name of the daemon's architecture (amd64, arm64, 386, arm, ppc64le, s390x,
    /// riscv64, ...; libseccomp names also work) [default: this machine]
    #[arg(long, value_name = "ARCH")]
    pub host_arch: Option<String>,
    /// Add a capability to the bounding set (repeatable; SYS_ADMIN, CAP_SYS_ADMIN or ALL)
    #[arg(long, value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Drop a capability from the bounding set (repeatable; ALL drops every one)
    #[arg(long, value_name = "CAP")]
    pub cap_drop: Vec<String>,
    /// As `docker run --privileged`: all capabilities, and no seccomp for an engine's built-in
    /// profile (Docker's, Podman's, containerd's) nor for a Kubernetes SeccompProfile (a pod's
    /// Localhost profile, which containerd drops for a privileged container)
    #[arg(long)]
    pub privileged: bool,
    /// Kernel version for `minKernel` and the action cache: X.Y or `uname -r` (5.15.0-91-generic)
    /// [default: the running kernel]
    #[arg(long, value_name = "X.Y")]
    pub kernel: Option<String>,
    /// OCI runtime whose conversion to model: runc (ENOSYS stub) or crun [default: runc]
    #[arg(long, value_name = "RUNTIME")]
    pub runtime: Option<String>,
    /// libseccomp whose syscall table the runtime resolves names with [default: current]
    #[arg(long, value_name = "VERSION", help = libseccomp_help())]
    pub libseccomp: Option<String>,
}

/// `--libseccomp`'s help: the values with the core's labels (`2.5.4 (Debian 12:
/// 2.5.4-1+deb12u1)`).
fn libseccomp_help() -> String {
    format!(
        "libseccomp whose syscall table the runtime resolves names with: {} [default: current]",
        Libseccomp::choices()
    )
}

/// The running kernel's `X.Y`, from uname(2).
pub fn running_kernel() -> Option<KernelVersion> {
    context::parse_kernel_release(&crate::sys::uname_release()?).ok()
}

/// Parses `--kernel` (X.Y or `uname -r`), or the running kernel's version, or `fallback` when
/// uname(2) gives none.
pub fn kernel_arg(s: Option<&str>, fallback: KernelVersion) -> Result<KernelVersion, Fail> {
    match s {
        Some(k) => {
            context::parse_kernel_release(k).map_err(|e| Fail::msg(format!("--kernel: {e}")))
        }
        None => Ok(running_kernel().unwrap_or(fallback)),
    }
}

/// The ABI this binary runs on.
pub fn native_arch() -> Result<Arch, Fail> {
    Arch::native().ok_or_else(|| Fail::msg("this machine's architecture is unknown to seccomp"))
}

/// Parses `--arch` (libseccomp or Docker names) or defaults to this machine.
pub fn arch_arg(s: Option<&str>) -> Result<Arch, Fail> {
    match s {
        None => native_arch(),
        Some(s) => Arch::from_name(s)
            .or_else(|| Arch::from_docker_host(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Arch::ALL.iter().map(|a| a.name()).collect();
                Fail::msg(format!(
                    "unknown architecture \"{s}\" (known: {})",
                    names.join(", ")
                ))
            }),
    }
}

impl CtxArgs {
    /// Builds the core's context. `builtin_of`: the engine whose built-in profile it is (not
    /// given with `--security-opt seccomp=`), which `--privileged` switches off; `None` for a
    /// profile given explicitly.
    pub fn context(&self, builtin_of: Option<Engine>) -> Result<Context, Fail> {
        let arch = match &self.host_arch {
            None => native_arch()?,
            Some(h) => Arch::from_docker_host(h).ok_or_else(|| {
                Fail::msg(format!(
                    "--host-arch: unknown architecture \"{h}\" (Docker's names: amd64, arm64, 386, arm, ppc64le, s390x, riscv64, loong64, mips64le, ...)"
                ))
            })?,
        };
        let mut ctx = Context::docker(arch)
            .with_caps(&self.cap_add, &self.cap_drop, self.privileged)
            .map_err(|e| Fail::msg(format!("--cap-add/--cap-drop: {e}")))?;
        ctx.explicit_profile = builtin_of.is_none();
        ctx.engine = builtin_of.unwrap_or_default();
        ctx.kernel = kernel_arg(self.kernel.as_deref(), ctx.kernel)?;
        if let Some(r) = &self.runtime {
            ctx.runtime = Runtime::parse(r).ok_or_else(|| {
                Fail::msg(format!("--runtime: unknown runtime \"{r}\" (runc or crun)"))
            })?;
        }
        ctx.enosys_stub = ctx.runtime == Runtime::Runc;
        if let Some(l) = &self.libseccomp {
            ctx.libseccomp = Libseccomp::parse(l).ok_or_else(|| {
                Fail::msg(format!(
                    "--libseccomp: unknown version \"{l}\"; known: {}",
                    Libseccomp::choices()
                ))
            })?;
        }
        Ok(ctx)
    }
}

/// A loaded profile: its text and where it came from.
pub struct Loaded {
    /// For messages: the path, `<stdin>` or `preset docker`.
    pub origin: String,
    /// The text.
    pub text: String,
    /// The engine whose built-in default it is (the `docker`, `podman`, `containerd`,
    /// `kubernetes` presets), `None` for any other profile.
    pub builtin: Option<Engine>,
    /// A profile, or one of the strict/unconfined modes.
    pub kind: PresetKind,
}

/// PROFILE: a path, `-` for stdin, or a preset name (a path wins over a preset).
pub fn load(profile: &str) -> Result<Loaded, Fail> {
    if profile == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Fail::msg(format!("reading the profile from stdin: {e}")))?;
        return Ok(Loaded {
            origin: "<stdin>".into(),
            text,
            builtin: None,
            kind: PresetKind::Profile(""),
        });
    }
    let path = std::path::Path::new(profile);
    if path.exists() {
        let bytes =
            std::fs::read(path).map_err(|e| Fail::msg(format!("reading {profile}: {e}")))?;
        // Invalid UTF-8: the core's located error (line, column, offset and byte).
        let text = String::from_utf8(bytes).map_err(|e| {
            let why = seccplay_core::json::parse_bytes(e.as_bytes())
                .err()
                .map_or_else(|| e.to_string(), |d| d.to_string());
            Fail::msg(format!("{profile}:{why}"))
        })?;
        return Ok(Loaded {
            origin: profile.into(),
            text,
            builtin: None,
            kind: PresetKind::Profile(""),
        });
    }
    match presets::get(profile) {
        Some(p) => match p.kind {
            PresetKind::Profile(text) => Ok(Loaded {
                origin: format!("preset {}", p.name),
                text: text.to_string(),
                builtin: p.engine,
                kind: p.kind,
            }),
            // Modes, not profiles: `apply` installs them, `simulate` and `table` answer strict
            // mode.
            PresetKind::Strict | PresetKind::Unconfined => Ok(Loaded {
                origin: format!("preset {}", p.name),
                text: String::new(),
                builtin: None,
                kind: p.kind,
            }),
        },
        None => {
            let names: Vec<&str> = presets::MENU.iter().map(|p| p.name).collect();
            Err(Fail::msg(format!(
                "{profile}: no such file, and not a preset (presets: {})",
                names.join(", ")
            )))
        }
    }
}

/// The `--help` paragraph listing the presets.
pub fn presets_help() -> String {
    let mut s = String::from("Presets (PROFILE may name one instead of a path):\n");
    for p in presets::MENU.iter() {
        let aliases = if p.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also: {})", p.aliases.join(", "))
        };
        s.push_str(&format!("  {:<15} {}{aliases}\n", p.name, p.description));
    }
    s
}

/// Loads PROFILE and runs the core's pipeline in the CONTEXT.
pub fn analyze(profile: &str, ctx: &CtxArgs) -> Result<(Loaded, Analysis), Fail> {
    analyze_loaded(load(profile)?, ctx)
}

/// Runs the core's pipeline on a loaded PROFILE in the CONTEXT. Strict mode has no profile:
/// `simulate` and `table` answer it with [`analysis::StrictMode`] before calling this,
/// `apply --strict` installs it.
pub fn analyze_loaded(loaded: Loaded, ctx: &CtxArgs) -> Result<(Loaded, Analysis), Fail> {
    let context = ctx.context(loaded.builtin)?;
    let a = match loaded.kind {
        PresetKind::Profile(_) => analysis::analyze(&loaded.text, &context),
        PresetKind::Unconfined => Analysis {
            context,
            parsed: None,
            unconfined: Some("the unconfined preset installs no filter".into()),
            database: None,
            program: None,
            diagnostics: Vec::new(),
        },
        PresetKind::Strict => {
            return Err(Fail::msg(
                "preset strict is SECCOMP_MODE_STRICT, a mode without a profile or BPF program: only `simulate`, `table` and `apply --strict` use it",
            ))
        }
    };
    Ok((loaded, a))
}

/// The diagnostics as lines `origin:line:col (path): severity[code]: message`.
pub fn diagnostics_text(origin: &str, a: &Analysis, errors_only: bool) -> String {
    let mut s = String::new();
    for d in &a.diagnostics {
        if errors_only && !d.is_error() {
            continue;
        }
        if d.location.is_some() {
            s.push_str(&format!("{origin}:{d}\n"));
        } else {
            s.push_str(&format!("{origin}: {d}\n"));
        }
    }
    s
}

/// Fails with the profile's errors when the core refused it.
pub fn require_ok(l: &Loaded, a: &Analysis) -> Result<(), Fail> {
    if a.failed() {
        let text = diagnostics_text(&l.origin, a, true);
        return Err(Fail::msg(format!(
            "the profile is invalid:\n{}",
            text.trim_end()
        )));
    }
    Ok(())
}
