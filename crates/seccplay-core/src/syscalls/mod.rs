//! Syscall names and numbers per ABI (libseccomp's table), `__PNR_*` pseudo numbers,
//! socketcall/ipc multiplexing, prototypes, named argument constants and errno values.
//!
//! Facts come from the generated [`crate::tables`] (see `tools/gen-tables`); this module is the
//! only API over them; [`kernel`] says which kernel version implements each call. Constants are the generic (x86 / arm / arm64 / riscv) values: alpha, mips,
//! parisc, sparc and partly powerpc use other values for some `O_*`, `SOCK_*`, `MAP_*`, tty ioctls
//! and errno numbers.

pub mod kernel;

use crate::arch::{Arch, X32_SYSCALL_BIT};
use crate::libseccomp::Libseccomp;
use crate::tables::{self, N};
use std::fmt;
use std::sync::OnceLock;

/// What a syscall name resolves to on one ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resolved {
    /// The real syscall number as the filter sees it in `seccomp_data.nr` (base applied).
    Number(u32),
    /// libseccomp knows the name, but this ABI has no such syscall: its `__PNR_*` number.
    Pseudo(i32),
    /// libseccomp's table does not know the name (`__NR_SCMP_ERROR`).
    Unknown,
}

/// How a socket or SysV IPC call is multiplexed through `socketcall(2)` / `ipc(2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Multiplexed {
    /// A socket call: `socketcall(call, args)` with `call` = `SYS_SOCKET` (1) … `SYS_SENDMMSG` (20).
    Socket(u32),
    /// A SysV IPC call: `ipc(call, …)` with `call` = `SEMOP` (1) … `SHMCTL` (24).
    Ipc(u32),
}

type Row = tables::SyscallRow;

/// The first eight bytes of a name as a big-endian number (zero-padded): ordering these is
/// ordering the names' first eight bytes, so a search compares whole names only on a tie.
fn prefix_key(name: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = name.len().min(8);
    b[..n].copy_from_slice(&name.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// [`prefix_key`] of every row of the table, in the table's (sorted) order.
fn prefix_keys() -> &'static [u64] {
    static KEYS: OnceLock<Vec<u64>> = OnceLock::new();
    KEYS.get_or_init(|| {
        tables::syscall_rows()
            .iter()
            .map(|r| prefix_key(r.0))
            .collect()
    })
}

fn row(name: &str) -> Option<&'static Row> {
    let t = tables::syscall_rows();
    let keys = prefix_keys();
    let key = prefix_key(name);
    let mut lo = keys.partition_point(|&k| k < key);
    while lo < t.len() && keys[lo] == key {
        if t[lo].0 == name {
            return Some(&t[lo]);
        }
        lo += 1;
    }
    None
}

/// A syscall name libseccomp's table knows, looked up once: what [`resolve`], [`pseudo`],
/// [`multiplexed`] and [`static_name`] answer for it, without searching the table again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syscall(&'static Row);

impl Syscall {
    /// The table's `'static` copy of the name.
    pub fn name(self) -> &'static str {
        self.0 .0
    }

    /// [`resolve`] for this name.
    pub fn on(self, arch: Arch) -> Resolved {
        match raw_nr(arch, self.0) {
            Some(v) => Resolved::Number(with_base(arch, v)),
            None => Resolved::Pseudo(self.0 .1),
        }
    }

    /// [`pseudo`] for this name.
    pub fn pseudo(self) -> Option<i32> {
        Some(self.0 .1).filter(|&p| p != 0)
    }

    /// [`multiplexed`] for this name.
    pub fn multiplexed(self) -> Option<Multiplexed> {
        let p = self.pseudo()?;
        match p {
            -120..=-101 => Some(Multiplexed::Socket(((-p) % 100) as u32)),
            -224..=-201 => Some(Multiplexed::Ipc(((-p) % 200) as u32)),
            _ => None,
        }
    }
}

/// The name's entry in libseccomp's table, if it knows the name (on any ABI).
pub fn lookup(name: &str) -> Option<Syscall> {
    row(name).map(Syscall)
}

/// Applies the ABI's number base to a number as stored in the table.
fn with_base(arch: Arch, raw: u32) -> u32 {
    match arch {
        Arch::X32 => raw | X32_SYSCALL_BIT,
        _ => raw + arch.nr_base(),
    }
}

/// The raw table number of `row` on `arch`, if present.
fn raw_nr(arch: Arch, r: &Row) -> Option<u32> {
    let v = r.2[arch.table_column() as usize];
    (v != N).then_some(v)
}

/// Resolves a syscall name on an ABI as libseccomp's table does: the real number (with the
/// mips base added and the x32 bit set), the `__PNR_*` pseudo number when the name exists but
/// not on this ABI, or [`Resolved::Unknown`].
///
/// Socket and IPC calls resolve to their direct number where one exists (libseccomp's "abi"
/// resolvers would give the pseudo number there); see [`multiplexed`] for the
/// socketcall/ipc route.
pub fn resolve(arch: Arch, name: &str) -> Resolved {
    lookup(name).map_or(Resolved::Unknown, |s| s.on(arch))
}

/// The `__PNR_*` pseudo number of a name, if libseccomp defines one (names present on every
/// ABI have none). Note libseccomp's quirk: `sys_debug_setcontext` and `switch_endian` share
/// −10191.
pub fn pseudo(name: &str) -> Option<i32> {
    lookup(name)?.pseudo()
}

/// The names whose `__PNR_*` number is `pnr` (two for −10191, else at most one), sorted.
pub fn names_of_pseudo(pnr: i32) -> Vec<&'static str> {
    if pnr >= 0 {
        return Vec::new();
    }
    tables::syscall_rows()
        .iter()
        .filter(|r| r.1 == pnr)
        .map(|r| r.0)
        .collect()
}

/// For the 20 socket calls (pseudo −101…−120) and 12 IPC calls (−201…−224): the call number
/// that `socketcall`/`ipc` takes as its first argument, `(−pnr) % 100` / `(−pnr) % 200` as in
/// libseccomp. `None` for every other name.
pub fn multiplexed(name: &str) -> Option<Multiplexed> {
    lookup(name)?.multiplexed()
}

/// The table's own `'static` copy of a known name.
pub fn static_name(name: &str) -> Option<&'static str> {
    row(name).map(|r| r.0)
}

/// Whether libseccomp's table knows the name (on any ABI).
pub fn is_known(name: &str) -> bool {
    row(name).is_some()
}

/// Every name libseccomp's table knows, sorted.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    tables::syscall_rows().iter().map(|r| r.0)
}

/// The syscall table of a libseccomp version: the current rows, or 2.5.4's (the current rows
/// with the generated differences applied, built once), sorted by name.
fn table(lib: Libseccomp) -> &'static [Row] {
    static V2_5_4: OnceLock<Vec<Row>> = OnceLock::new();
    match lib {
        Libseccomp::Current => tables::syscall_rows(),
        Libseccomp::V2_5_4 => V2_5_4.get_or_init(|| {
            use tables::host::{
                LIBSECCOMP_2_5_4_CELLS, LIBSECCOMP_2_5_4_PNR, LIBSECCOMP_2_5_4_UNKNOWN,
            };
            tables::syscall_rows()
                .iter()
                .filter(|r| !LIBSECCOMP_2_5_4_UNKNOWN.contains(&r.0))
                .map(|&(name, pnr, mut nr)| {
                    for &(_, col, v) in LIBSECCOMP_2_5_4_CELLS.iter().filter(|c| c.0 == name) {
                        nr[col] = v;
                    }
                    let pnr = LIBSECCOMP_2_5_4_PNR
                        .iter()
                        .find(|p| p.0 == name)
                        .map_or(pnr, |p| p.1);
                    (name, pnr, nr)
                })
                .collect()
        }),
    }
}

/// [`lookup`] in the table of a libseccomp version.
pub fn lookup_in(lib: Libseccomp, name: &str) -> Option<Syscall> {
    match lib {
        Libseccomp::Current => lookup(name),
        _ => {
            let t = table(lib);
            t.binary_search_by(|r| r.0.cmp(name))
                .ok()
                .map(|i| Syscall(&t[i]))
        }
    }
}

/// [`resolve`] with the table of a libseccomp version.
pub fn resolve_in(lib: Libseccomp, arch: Arch, name: &str) -> Resolved {
    lookup_in(lib, name).map_or(Resolved::Unknown, |s| s.on(arch))
}

/// [`is_known`] for a libseccomp version.
pub fn is_known_in(lib: Libseccomp, name: &str) -> bool {
    lookup_in(lib, name).is_some()
}

/// The syscall with number `nr` (base applied: mips 4000+, x32 with bit 30 set) on `arch`.
pub fn name(arch: Arch, nr: u32) -> Option<&'static str> {
    let t = by_number(arch);
    let i = t.partition_point(|&(_, n)| n < nr);
    t.get(i).filter(|&&(_, n)| n == nr).map(|&(name, _)| name)
}

/// Every syscall present on `arch` with its number (base applied), sorted by number.
pub fn syscalls(arch: Arch) -> Vec<(&'static str, u32)> {
    by_number(arch).to_vec()
}

/// [`syscalls`], worked out once per ABI: sorted by number, then name.
pub(crate) fn by_number(arch: Arch) -> &'static [(&'static str, u32)] {
    static TABLES: [OnceLock<Vec<(&'static str, u32)>>; Arch::ALL.len()] =
        [const { OnceLock::new() }; Arch::ALL.len()];
    TABLES[arch as usize].get_or_init(|| {
        let mut v: Vec<(&'static str, u32)> = tables::syscall_rows()
            .iter()
            .filter_map(|r| raw_nr(arch, r).map(|n| (r.0, with_base(arch, n))))
            .collect();
        crate::sort::sort_by_key(&mut v, |&(n, nr)| (nr, n));
        v
    })
}

/// The largest syscall number on `arch` (base applied), including ARM's private calls
/// (0xF0001…); `None` only if the ABI had no syscalls.
pub fn max_number(arch: Arch) -> Option<u32> {
    by_number(arch).last().map(|&(_, nr)| nr)
}

pub use crate::tables::Param;

/// A syscall's C prototype: parameter names and types from the kernel.
///
/// Argument positions are `seccomp_data.args[i]` on 64-bit ABIs; on 32-bit ABIs a 64-bit
/// parameter (`loff_t`, `u64`) takes two slots, so later positions shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Prototype {
    /// The syscall name as libseccomp spells it (`umount2`).
    pub name: &'static str,
    /// The kernel function whose prototype this is, without `sys_` (`umount`).
    pub kernel_function: &'static str,
    /// Parameters, in order (0 to 6).
    pub args: &'static [Param],
}

impl Prototype {
    /// Index of the parameter called `param`, if any.
    pub fn arg_index(&self, param: &str) -> Option<usize> {
        self.args.iter().position(|p| p.name == param)
    }
}

impl fmt::Display for Prototype {
    /// `unshare(unsigned long unshare_flags)`; pointer types print as `const char *filename`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name)?;
        for (i, p) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if p.ty.ends_with('*') {
                write!(f, "{}{}", p.ty, p.name)?;
            } else {
                write!(f, "{} {}", p.ty, p.name)?;
            }
        }
        f.write_str(")")
    }
}

/// The prototype of a libseccomp syscall name: the kernel function that name runs on the
/// 64-bit ABIs (e.g. `stat` → `newstat`, `umount2` → `umount`); names that exist only on
/// 32-bit ABIs use their own row or their alias. `None` for the 33 names without one
/// (unimplemented calls, ARM private calls, mips `syscall`).
pub fn prototype(name: &str) -> Option<Prototype> {
    let (name, kernel_function, args) = tables::prototype_row(tables::prototype_index(name)?);
    Some(Prototype {
        name,
        kernel_function,
        args,
    })
}

// ---------------------------------------------------------------------------------------------
// Constants

/// The value of a named constant (`CLONE_NEWUSER`, `AF_NETLINK`, `SOCK_RAW`, `NETLINK_AUDIT`,
/// `O_RDONLY`, `PROT_READ`, `MAP_PRIVATE`, `PER_LINUX`, `TIOCSTI`, `SIGCHLD`, `AT_FDCWD`,
/// `EPERM`, …). Exact, case-sensitive names.
pub fn constant(name: &str) -> Option<u64> {
    const_row(name).map(|r| r.1)
}

/// The group of a named constant (see [`constant_groups`]).
pub fn constant_group(name: &str) -> Option<&'static str> {
    const_row(name).map(|r| r.2)
}

fn const_row(name: &str) -> Option<(&'static str, u64, &'static str)> {
    tables::constants().find(|r| r.0 == name)
}

/// Every constant group, sorted: `address_family`, `at_flags`, `clone`, `dirfd`, `errno`, `ioctl_tty`,
/// `mmap_flags`, `mmap_prot`, `netlink_protocol`, `open_flags`, `personality`, `signal`,
/// `socket_type`, `socket_type_flag`.
pub fn constant_groups() -> Vec<&'static str> {
    let mut g: Vec<&'static str> = tables::constants().map(|r| r.2).collect();
    crate::sort::sort(&mut g);
    g.dedup();
    g
}

/// The names and values of a group's constants, in source order (for completion).
pub fn group_constants(group: &str) -> Vec<(&'static str, u64)> {
    tables::constants()
        .filter(|r| r.2 == group)
        .map(|r| (r.0, r.1))
        .collect()
}

/// Every constant name, sorted (for completion).
pub fn constant_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = tables::constants().map(|r| r.0).collect();
    crate::sort::sort(&mut v);
    v
}

/// The first name in `group` whose value is exactly `v`.
fn name_in_group(group: &str, v: u64) -> Option<&'static str> {
    tables::constants()
        .find(|r| r.2 == group && r.1 == v)
        .map(|r| r.0)
}

/// The errno name of `n` (`EPERM` for 1; `EAGAIN`, not its alias `EWOULDBLOCK`, for 11).
pub fn errno_name(n: u16) -> Option<&'static str> {
    name_in_group("errno", n as u64)
}

/// The strerror text of errno `n` ("Operation not permitted"), as the C library of the host
/// that generated the tables words it.
pub fn errno_message(n: u16) -> Option<&'static str> {
    let t = tables::errno_messages::ERRNO_MESSAGES;
    t.binary_search_by_key(&n, |r| r.0).ok().map(|i| t[i].1)
}

/// The errno number of a name (`EPERM` → 1, `EWOULDBLOCK` → 11).
pub fn errno_by_name(name: &str) -> Option<u16> {
    const_row(name)
        .filter(|r| r.2 == "errno")
        .and_then(|r| u16::try_from(r.1).ok())
}

// ---------------------------------------------------------------------------------------------
// Argument decoding

/// The constant group argument `arg_index` of `syscall` takes its values from, if the decoder
/// knows one: clone/unshare/setns flags (`clone`; clone's flags are taken as argument 0, the
/// order of x86_64 and the generic ABIs — s390 swaps the first two), socket/socketpair domain
/// and type, socket's protocol (`netlink_protocol`, meaningful only for `AF_NETLINK`),
/// accept4 flags, open/openat/open_by_handle_at flags, mmap/mmap2/mprotect/pkey_mprotect
/// protection and mmap flags, personality, ioctl requests (`ioctl_tty`), signal numbers of
/// kill/tkill/tgkill/…, and `dirfd` for parameters named `dfd`/`olddfd`/`newdfd`.
pub fn arg_group(syscall: &str, arg_index: usize) -> Option<&'static str> {
    let g = match (syscall, arg_index) {
        ("clone" | "unshare", 0) | ("setns", 1) => "clone",
        ("socket" | "socketpair", 0) => "address_family",
        ("socket" | "socketpair", 1) => "socket_type",
        ("socket", 2) => "netlink_protocol",
        ("accept4", 3) => "socket_type_flag",
        ("open", 1) | ("openat" | "open_by_handle_at", 2) => "open_flags",
        ("mmap" | "mmap2" | "mprotect" | "pkey_mprotect", 2) => "mmap_prot",
        ("mmap" | "mmap2", 3) => "mmap_flags",
        ("personality", 0) => "personality",
        ("ioctl", 1) => "ioctl_tty",
        ("kill" | "tkill" | "rt_sigqueueinfo" | "pidfd_send_signal", 1)
        | ("tgkill" | "rt_tgsigqueueinfo", 2) => "signal",
        // The *at() calls whose `flags`/`flag` takes AT_* flags (not renameat2's RENAME_*,
        // fanotify_mark's FAN_MARK_*, fspick's FSPICK_*, ...).
        ("statx" | "unlinkat" | "mount_setattr", 2)
        | (
            "newfstatat" | "fstatat64" | "utimensat" | "utimensat_time32" | "faccessat2"
            | "fchmodat2",
            3,
        )
        | ("linkat" | "fchownat" | "execveat", 4) => "at_flags",
        _ => {
            let p = prototype(syscall)?.args.get(arg_index)?;
            return matches!(p.name, "dfd" | "olddfd" | "newdfd" | "from_dfd" | "to_dfd")
                .then_some("dirfd");
        }
    };
    Some(g)
}

/// Renders `value` as bit flags of `group`: multi-bit constants first (when all their bits are
/// set), then single bits; each set bit is used once; unknown bits end as one hex number.
/// Names listed in `skip` (masks and field values) are not used.
fn flags(group: &str, value: u64, skip: &[&str]) -> Vec<String> {
    let mut cands: Vec<(&'static str, u64)> = Vec::new();
    for (n, v) in group_constants(group) {
        if v == 0 || skip.contains(&n) || cands.iter().any(|&(_, w)| w == v) {
            continue;
        }
        cands.push((n, v));
    }
    // Wider constants first; ties keep source order (stable sort).
    crate::sort::sort_by_key(&mut cands, |&(_, v)| std::cmp::Reverse(v.count_ones()));
    let mut rest = value;
    let mut used: Vec<(&'static str, u64)> = Vec::new();
    for (n, v) in cands {
        if rest & v == v {
            rest &= !v;
            used.push((n, v));
        }
    }
    crate::sort::sort_by_key(&mut used, |&(_, v)| v.trailing_zeros());
    let mut out: Vec<String> = used.into_iter().map(|(n, _)| n.to_string()).collect();
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out
}

fn join(parts: Vec<String>) -> String {
    if parts.is_empty() {
        "0".to_string()
    } else {
        parts.join("|")
    }
}

const MASKS: &[&str] = &[
    "CSIGNAL",
    "O_ACCMODE",
    "MAP_TYPE",
    "SOCK_TYPE_MASK",
    "SOCK_MAX",
    "PER_MASK",
    "PER_CLEAR_ON_SETID",
    "PERSONALITY_QUERY",
    "O_RDONLY",
    "O_WRONLY",
    "O_RDWR",
    "MAP_SHARED",
    "MAP_PRIVATE",
    "MAP_SHARED_VALIDATE",
    "MAP_DROPPABLE",
];

fn describe_clone(value: u64, with_signal: bool) -> String {
    let mut parts = flags("clone", value & !0xff, MASKS);
    let sig = value & 0xff;
    if with_signal && sig != 0 {
        parts.push(name_in_group("signal", sig).map_or_else(|| sig.to_string(), str::to_string));
    } else if sig != 0 {
        // Bits in the CSIGNAL byte mean nothing for unshare/setns.
        match parts.last_mut() {
            Some(l) if l.starts_with("0x") => {
                let v = u64::from_str_radix(&l[2..], 16).unwrap_or(0) | sig;
                *l = format!("{v:#x}");
            }
            _ => parts.push(format!("{sig:#x}")),
        }
    }
    join(parts)
}

fn describe_personality(value: u64) -> String {
    if value == 0xffff_ffff {
        return "PERSONALITY_QUERY".to_string();
    }
    if let Some(n) = tables::constants().find(|r| {
        r.2 == "personality" && r.0.starts_with("PER_") && r.0 != "PER_MASK" && r.1 == value
    }) {
        return n.0.to_string();
    }
    let persona = value & 0xff;
    let mut parts = Vec::new();
    let base = tables::constants().find(|r| {
        r.2 == "personality" && r.0.starts_with("PER_") && r.0 != "PER_MASK" && r.1 == persona
    });
    match base {
        Some(b) => parts.push(b.0.to_string()),
        None => parts.push(format!("{persona:#x}")),
    }
    let rest = value & !0xff;
    if rest != 0 {
        // Flag bits: the non-PER_ names of the group.
        let mut skip: Vec<&str> = MASKS.to_vec();
        for (n, _) in group_constants("personality") {
            if n.starts_with("PER_") {
                skip.push(n);
            }
        }
        parts.extend(flags("personality", rest, &skip));
    }
    parts.join("|")
}

/// Renders one argument symbolically for display (`CLONE_NEWUSER|SIGCHLD`, `AF_NETLINK`,
/// `SOCK_RAW|SOCK_CLOEXEC`, `O_WRONLY|O_CREAT|O_TRUNC`, `PROT_READ|PROT_WRITE`,
/// `MAP_PRIVATE|MAP_ANONYMOUS`, `PER_LINUX`, `TIOCSTI`, `AT_FDCWD`), or `None` when the
/// argument has no known group ([`arg_group`]) or no name fits (`ioctl` requests, signals,
/// address families are named only on an exact match). Socket's protocol is rendered as a hint,
/// `NETLINK_AUDIT (if AF_NETLINK)`; [`describe_args`] uses the domain to decide.
pub fn describe_arg(syscall: &str, arg_index: usize, value: u64) -> Option<String> {
    let group = arg_group(syscall, arg_index)?;
    Some(match group {
        "clone" => describe_clone(value, syscall == "clone"),
        "address_family" => name_in_group(group, value)?.to_string(),
        "socket_type" => {
            let ty = value & 0xf;
            let mut parts = vec![name_in_group(group, ty)
                .filter(|n| *n != "SOCK_MAX" && *n != "SOCK_TYPE_MASK")
                .map_or_else(|| ty.to_string(), str::to_string)];
            parts.extend(flags("socket_type_flag", value & !0xf, MASKS));
            parts.join("|")
        }
        "socket_type_flag" => join(flags(group, value, MASKS)),
        "netlink_protocol" => format!("{} (if AF_NETLINK)", name_in_group(group, value)?),
        "open_flags" => {
            let acc = match value & 3 {
                0 => "O_RDONLY".to_string(),
                1 => "O_WRONLY".to_string(),
                2 => "O_RDWR".to_string(),
                _ => "O_ACCMODE".to_string(),
            };
            let mut parts = vec![acc];
            parts.extend(flags(group, value & !3, MASKS));
            parts.join("|")
        }
        "mmap_prot" => {
            if value == 0 {
                "PROT_NONE".to_string()
            } else {
                join(flags(group, value, MASKS))
            }
        }
        "mmap_flags" => {
            let mut parts = Vec::new();
            let ty = value & 0xf;
            match ty {
                0 => {}
                1 => parts.push("MAP_SHARED".to_string()),
                2 => parts.push("MAP_PRIVATE".to_string()),
                3 => parts.push("MAP_SHARED_VALIDATE".to_string()),
                8 => parts.push("MAP_DROPPABLE".to_string()),
                t => parts.push(format!("{t:#x}")),
            }
            parts.extend(flags(group, value & !0xf, MASKS));
            join(parts)
        }
        "personality" => describe_personality(value),
        "at_flags" => {
            // Bit 0x200 is AT_REMOVEDIR for unlinkat, AT_EACCESS for faccessat2, nothing
            // named for the others.
            let mut skip: Vec<&str> = vec!["AT_STATX_SYNC_TYPE"];
            if syscall != "unlinkat" {
                skip.push("AT_REMOVEDIR");
            }
            if syscall != "faccessat2" {
                skip.push("AT_EACCESS");
            }
            join(flags(group, value, &skip))
        }
        "ioctl_tty" | "signal" => name_in_group(group, value)?.to_string(),
        "dirfd" => {
            let at = constant("AT_FDCWD")?;
            if value == at || value == at & 0xffff_ffff {
                "AT_FDCWD".to_string()
            } else {
                return None;
            }
        }
        _ => return None,
    })
}

/// Renders every argument of a call (as [`describe_arg`]), using the other arguments where
/// they decide the meaning: socket's protocol is named only when the domain is `AF_NETLINK`.
pub fn describe_args(syscall: &str, args: &[u64]) -> Vec<Option<String>> {
    args.iter()
        .enumerate()
        .map(|(i, &v)| {
            if syscall == "socket" && i == 2 {
                let netlink = constant("AF_NETLINK");
                return (args.first().copied() == netlink)
                    .then(|| name_in_group("netlink_protocol", v).map(str::to_string))
                    .flatten();
            }
            describe_arg(syscall, i, v)
        })
        .collect()
}

/// The names of libseccomp's current table that libseccomp 2.5.x does not know (Debian 12's
/// 2.5.4; Ubuntu 22.04 and 24.04, RHEL 9 ship 2.5.x too), sorted. Such a host's runc or crun
/// cannot resolve them and leaves their rules out, so the call falls to runc's ENOSYS stub or
/// the default action. The list is the generated difference between the current table and
/// 2.5.4's (`refdata/host/libseccomp-2.5.4/`, captured from the real library), the same one
/// [`lookup_in`] applies; the conformance test `libseccomp_2_5_unknown_names` (tests/) asks
/// python3-seccomp again for every name of the table.
pub static UNKNOWN_TO_LIBSECCOMP_2_5: &[&str] = tables::host::LIBSECCOMP_2_5_4_UNKNOWN;

/// True when hosts with libseccomp 2.5.x do not know the name ([`UNKNOWN_TO_LIBSECCOMP_2_5`]).
pub fn unknown_to_libseccomp_2_5(name: &str) -> bool {
    UNKNOWN_TO_LIBSECCOMP_2_5.binary_search(&name).is_ok()
}

#[cfg(test)]
mod tests;
