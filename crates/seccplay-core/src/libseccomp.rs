//! libseccomp versions: which syscall table the runtime's libseccomp resolves names with.
//! A leaf of the context (imports nothing of the crate): `syscalls`, `context` and `resolve`
//! select tables by it, and `host` re-exports it with the rest of the host.
//!
//! runc and crun drop a rule whose name their libseccomp does not know, and the number a name
//! resolves to decides what the filter matches. Two tables are modelled: the current one
//! (libseccomp main, `refdata/syscalls/libseccomp/syscalls.csv`) and 2.5.4 as Debian 12
//! ships it, asked from the installed library (`refdata/host/SOURCES.md`). The 2.5.4 table is
//! stored as its differences from the current one and built once on first use
//! ([`crate::syscalls::lookup_in`]).

use serde::Serialize;

/// A libseccomp release whose syscall table is modelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Libseccomp {
    /// 2.5.4 as Debian 12 ships it: libseccomp2 2.5.4-1+deb12u1, whose table also has the 2.5.5
    /// names upstream 2.5.4 lacks (Ubuntu 22.04 ships 2.5.3).
    V2_5_4,
    /// libseccomp main as of 2026-07 (table "v7.1.0-rc4"; the 2.6.x releases have the same numbers).
    #[default]
    Current,
}

impl Libseccomp {
    /// Every modelled version, oldest first.
    pub const ALL: [Libseccomp; 2] = [Libseccomp::V2_5_4, Libseccomp::Current];

    /// `2.5.4` or `current`: the value `--libseccomp`, share links and the page's selector
    /// take ([`Libseccomp::parse`] reads it back). Shown to people as [`Libseccomp::label`].
    pub fn name(self) -> &'static str {
        match self {
            Libseccomp::V2_5_4 => "2.5.4",
            Libseccomp::Current => "current",
        }
    }

    /// The version as people should read it: the 2.5.4 table is Debian 12's package, which
    /// knows names upstream 2.5.4 does not (`cachestat`, `fchmodat2`, `futex_wait/wake/requeue`,
    /// `map_shadow_stack`), so the label says whose (`refdata/SOURCES.md` §12).
    pub fn label(self) -> &'static str {
        match self {
            Libseccomp::V2_5_4 => "2.5.4 (Debian 12: 2.5.4-1+deb12u1)",
            Libseccomp::Current => "current (libseccomp main, 2026-07-01)",
        }
    }

    /// Every version in words, for help and error messages: `2.5.4 (Debian 12:
    /// 2.5.4-1+deb12u1) or current (libseccomp main, 2026-07-01)`.
    pub fn choices() -> String {
        let labels: Vec<&str> = Libseccomp::ALL.iter().map(|l| l.label()).collect();
        labels.join(" or ")
    }

    /// Parses `2.5.4` (also `2.5`, `2.5.x`) or `current` (also `2.6`, `main`).
    pub fn parse(s: &str) -> Option<Libseccomp> {
        match s.trim() {
            "2.5.4" | "2.5" | "2.5.x" => Some(Libseccomp::V2_5_4),
            "current" | "main" | "2.6" | "2.6.x" => Some(Libseccomp::Current),
            _ => None,
        }
    }

    /// True for the current table (the default, left out of JSON output).
    pub fn is_current(&self) -> bool {
        *self == Libseccomp::Current
    }

    /// Where the table comes from.
    pub fn source(self) -> &'static str {
        match self {
            Libseccomp::V2_5_4 => "asked from Debian 12's libseccomp2 2.5.4-1+deb12u1 through python3-seccomp (refdata/host/libseccomp-2.5.4/syscalls.csv)",
            Libseccomp::Current => "libseccomp src/syscalls.csv at 90d3f7dd (2026-07-01, Linux v7.1-rc4)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{Arch, X32_SYSCALL_BIT};
    use crate::syscalls::{resolve_in, Resolved};

    #[test]
    fn names_round_trip() {
        for l in Libseccomp::ALL {
            assert_eq!(Libseccomp::parse(l.name()), Some(l));
        }
        assert_eq!(Libseccomp::parse("1.0"), None);
        // The label says whose 2.5.4 the table is, and starts with the value to type.
        for l in Libseccomp::ALL {
            assert!(l.label().starts_with(l.name()), "{}", l.label());
        }
        assert_eq!(
            Libseccomp::V2_5_4.label(),
            "2.5.4 (Debian 12: 2.5.4-1+deb12u1)"
        );
    }

    /// Debian 12's 2.5.4 knows cachestat (a 2.5.5 name upstream 2.5.4 lacks): the reason the
    /// label names the package.
    #[test]
    fn debian_12s_2_5_4_knows_cachestat() {
        assert!(matches!(
            resolve_in(Libseccomp::V2_5_4, Arch::X86_64, "cachestat"),
            Resolved::Number(451)
        ));
    }

    /// The example: 2.5.4 has no x32 map_shadow_stack, so its filter cannot name it.
    #[test]
    fn map_shadow_stack_on_x32_is_a_pseudo_number_in_2_5_4() {
        let cur = resolve_in(Libseccomp::Current, Arch::X32, "map_shadow_stack");
        assert_eq!(cur, Resolved::Number(453 | X32_SYSCALL_BIT));
        let old = resolve_in(Libseccomp::V2_5_4, Arch::X32, "map_shadow_stack");
        assert_eq!(old, Resolved::Pseudo(-10245));
        assert_eq!(
            resolve_in(Libseccomp::V2_5_4, Arch::X86_64, "map_shadow_stack"),
            Resolved::Number(453)
        );
    }

    #[test]
    fn names_newer_than_2_5_4_are_unknown_there() {
        for n in ["mseal", "listmount", "lsm_get_self_attr", "uretprobe"] {
            assert_eq!(
                resolve_in(Libseccomp::V2_5_4, Arch::X86_64, n),
                Resolved::Unknown,
                "{n}"
            );
            assert!(matches!(
                resolve_in(Libseccomp::Current, Arch::X86_64, n),
                Resolved::Number(_)
            ));
        }
        // Everything else 2.5.4 knows resolves like the current table on x86_64 and aarch64.
        assert_eq!(
            resolve_in(Libseccomp::V2_5_4, Arch::X86_64, "clone3"),
            Resolved::Number(435)
        );
    }
}
