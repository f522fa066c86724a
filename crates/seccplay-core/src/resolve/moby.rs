//! moby's half of resolution (seccomp-semantics.md §3.1): which ABIs the profile lists for
//! this host, and which entries `includes` and `excludes` keep in this context.

use super::Steps;
use crate::arch::Arch;
use crate::context::Context;
use crate::diag::{Diagnostic, Failure, Location};
use crate::profile::{Filter, SyscallEntry};

impl<'a> Steps<'a> {
    /// Step 2a: the ABIs the profile lists, with where each is written. `architectures` as
    /// written, or the `archMap` entry of the host (its architecture and sub-architectures).
    /// Docker refuses a profile with both.
    pub(super) fn moby_architectures(&mut self) -> Result<Vec<(Arch, Option<Location>)>, Failure> {
        let (profile, ctx) = (self.profile, self.ctx);
        if !profile.architectures.is_empty() && !profile.arch_map.is_empty() {
            return Err(Failure::single(Diagnostic::error(
                "architectures-and-archmap",
                "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap' (Docker refuses this)",
            )));
        }
        let mut listed: Vec<(Arch, Option<Location>)> = profile
            .architectures
            .iter()
            .map(|a| (a.value, Some(a.location.clone())))
            .collect();
        if profile.arch_map.is_empty() {
            return Ok(listed);
        }
        match moby_arch_string(ctx.host_arch).and_then(moby_seccomp_arch) {
            Some(key) => {
                if let Some(e) = profile.arch_map.iter().find(|e| e.architecture.value == key) {
                    listed.push((e.architecture.value, Some(e.architecture.location.clone())));
                    for s in &e.sub_architectures {
                        listed.push((s.value, Some(s.location.clone())));
                    }
                } else {
                    self.diags.push(Diagnostic::note(
                        "archmap-no-match",
                        format!("archMap has no entry for the host architecture {}: the filter covers {} only", ctx.host_arch.oci_name(), ctx.host_arch),
                    ));
                }
            }
            None => self.diags.push(Diagnostic::warning(
                "archmap-ignored",
                format!(
                    "dockerd on {} does not look up archMap (moby's table has no matching key): the filter covers the native architecture only",
                    ctx.host_arch
                ),
            )),
        }
        Ok(listed)
    }

    /// Step 2b: the entries moby keeps in this context, in profile order. Each dropped entry
    /// gets an `entry-excluded` note with the reason.
    pub(super) fn moby_entries(&mut self) -> Vec<&'a SyscallEntry> {
        let native = moby_arch_string(self.ctx.host_arch);
        let mut kept = Vec::new();
        for e in &self.profile.syscalls {
            match excluded_by(e, native, self.ctx) {
                Some(reason) => self.diags.push(
                    Diagnostic::note(
                        "entry-excluded",
                        format!("{}{NOT_APPLIED}{reason}", entry_label(e)),
                    )
                    .at(Some(e.location.clone())),
                ),
                None => kept.push(e),
            }
        }
        kept
    }
}

/// moby's native-arch string for a daemon ABI (`goToNative[GOARCH]`), used for `arches`
/// filters; `None` for ABIs Docker does not run on.
pub fn moby_arch_string(a: Arch) -> Option<&'static str> {
    Some(match a {
        Arch::X86_64 => "amd64",
        Arch::X86 => "x86",
        Arch::Arm => "arm",
        Arch::Aarch64 => "arm64",
        Arch::Loongarch64 => "loongarch64",
        Arch::Mips64 => "mips64",
        Arch::Mips64n32 => "mips64n32",
        Arch::Mipsel64 => "mipsel64",
        Arch::Mipsel64n32 => "mips3l64n32",
        Arch::Mipsel => "mipsel",
        Arch::Ppc => "ppc",
        Arch::Ppc64 => "ppc64",
        Arch::Ppc64le => "ppc64le",
        Arch::Riscv64 => "riscv64",
        Arch::S390 => "s390",
        Arch::S390x => "s390x",
        _ => return None,
    })
}

/// moby's `nativeToSeccomp` lookup: the archMap key for a native-arch string. Upstream keys
/// `loong64` and `mipsle` never match `goToNative`'s values, so those hosts ignore `archMap`.
pub(crate) fn moby_seccomp_arch(native: &str) -> Option<Arch> {
    Some(match native {
        "x86" => Arch::X86,
        "amd64" => Arch::X86_64,
        "arm" => Arch::Arm,
        "arm64" => Arch::Aarch64,
        "loong64" => Arch::Loongarch64,
        "mips64" => Arch::Mips64,
        "mips64n32" => Arch::Mips64n32,
        "mipsel64" => Arch::Mipsel64,
        "mips3l64n32" => Arch::Mipsel64n32,
        "mipsle" => Arch::Mipsel,
        "ppc" => Arch::Ppc,
        "ppc64" => Arch::Ppc64,
        "ppc64le" => Arch::Ppc64le,
        "riscv64" => Arch::Riscv64,
        "s390" => Arch::S390,
        "s390x" => Arch::S390x,
        _ => return None,
    })
}

/// Why moby drops an entry in this context, or `None` if it is kept (§3.1, in moby's order).
pub(crate) fn excluded_by(e: &SyscallEntry, native: Option<&str>, ctx: &Context) -> Option<String> {
    let native_s = native.unwrap_or("");
    let ex: &Filter = &e.excludes;
    if ex.arches.iter().any(|a| a.value == native_s) {
        return Some(format!(
            "excludes.arches contains \"{native_s}\", the host architecture"
        ));
    }
    if let Some(c) = ex.caps.iter().find(|c| ctx.has_cap(&c.value)) {
        return Some(format!("excluded because the container has {}", c.value));
    }
    if let Some(k) = &ex.min_kernel {
        if ctx.kernel >= k.value {
            return Some(format!(
                "excludes.minKernel {} ≤ host kernel {}",
                k.value, ctx.kernel
            ));
        }
    }
    let inc = &e.includes;
    if !inc.arches.is_empty() && !inc.arches.iter().any(|a| a.value == native_s) {
        let list: Vec<&str> = inc.arches.iter().map(|a| a.value.as_str()).collect();
        return Some(format!(
            "only for architectures [{}], and the host is \"{}\"",
            list.join(", "),
            if native_s.is_empty() {
                ctx.host_arch.name()
            } else {
                native_s
            }
        ));
    }
    if let Some(c) = inc.caps.iter().find(|c| !ctx.has_cap(&c.value)) {
        return Some(format!(
            "requires {}, which the container does not have",
            c.value
        ));
    }
    if let Some(k) = &inc.min_kernel {
        if ctx.kernel < k.value {
            return Some(format!(
                "requires kernel ≥ {}, the host runs {}",
                k.value, ctx.kernel
            ));
        }
    }
    None
}

/// What separates an `entry-excluded` note's entry label from its reason.
pub(crate) const NOT_APPLIED: &str = " not applied: ";

/// `syscalls[i] (a, b, c, … (n names))`: how diagnostics name an entry.
pub(super) fn entry_label(e: &SyscallEntry) -> String {
    let names: Vec<&str> = e.names.iter().take(3).map(|n| n.value.as_str()).collect();
    let more = if e.names.len() > 3 {
        format!(", … ({} names)", e.names.len())
    } else {
        String::new()
    };
    format!("syscalls[{}] ({}{more})", e.index, names.join(", "))
}
