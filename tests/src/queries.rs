//! Systematic query sets for differential tests: syscall-number sweeps per arch, bad arches,
//! and argument vectors around every constant of the profile's rules.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::random_profile::{Rng, INTERESTING};
use crate::refdata::{self, SyscallTable};

/// One syscall as the kernel presents it to the filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Query {
    /// `seccomp_data.arch` (audit arch value).
    pub arch: u32,
    /// `seccomp_data.nr`.
    pub nr: u32,
    pub args: [u64; 6],
}

/// Arches whose libseccomp resolver multiplexes socket/ipc calls (§2.3).
const ABI_ARCHES: &[&str] = &[
    "x86", "m68k", "mips", "mipsel", "ppc", "ppc64", "ppc64le", "s390", "s390x", "sh", "sheb",
];

/// Audit arch values used as "bad arch" probes.
const PROBE_ARCHES: &[u32] = &[
    0,
    0x4000_0003,
    0xC000_003E,
    0x4000_0028,
    0xC000_00B7,
    0x8000_0016,
    0xC000_00F3,
    0x8000_0015,
    0xffff_ffff,
];

const EDGE_NRS: &[u32] = &[
    0x3fff_ffff,
    0x4000_0000,
    0x4000_0001,
    0x4000_0200,
    0x7fff_ffff,
    0x8000_0000,
    0xbfff_ffff,
    0xffff_d8a3, // a pseudo syscall number (-10077) as u32
    0xffff_ff93, // x86_64 `send` pseudo number (-109)
    0xffff_fffe,
    0xffff_ffff,
];

/// libseccomp's syscall table from `refdata/` (always there; unreadable data is a failure).
fn table() -> &'static SyscallTable {
    static T: std::sync::OnceLock<SyscallTable> = std::sync::OnceLock::new();
    T.get_or_init(|| SyscallTable::load().unwrap_or_else(|e| panic!("{e}")))
}

/// Socket/ipc multiplexer call number of a name (`socket` → 1, `semop` → 1, …).
fn mux_call(name: &str) -> Option<(&'static str, u64)> {
    const SOCKET: &[&str] = &[
        "socket",
        "bind",
        "connect",
        "listen",
        "accept",
        "getsockname",
        "getpeername",
        "socketpair",
        "send",
        "recv",
        "sendto",
        "recvfrom",
        "shutdown",
        "setsockopt",
        "getsockopt",
        "sendmsg",
        "recvmsg",
        "accept4",
        "recvmmsg",
        "sendmmsg",
    ];
    const IPC: &[(&str, u64)] = &[
        ("semop", 1),
        ("semget", 2),
        ("semctl", 3),
        ("semtimedop", 4),
        ("msgsnd", 11),
        ("msgrcv", 12),
        ("msgget", 13),
        ("msgctl", 14),
        ("shmat", 21),
        ("shmdt", 22),
        ("shmget", 23),
        ("shmctl", 24),
    ];
    if let Some(i) = SOCKET.iter().position(|s| *s == name) {
        return Some(("socketcall", i as u64 + 1));
    }
    IPC.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| ("ipc", *c))
}

/// `(name, [(index, value, valueTwo, op)])` for every syscall entry of a Docker/OCI profile.
fn profile_conditions(profile: &Value) -> BTreeMap<String, Vec<(usize, u64, u64, String)>> {
    let mut out: BTreeMap<String, Vec<(usize, u64, u64, String)>> = BTreeMap::new();
    for e in profile["syscalls"].as_array().into_iter().flatten() {
        let mut names: Vec<String> = e["names"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        if let Some(n) = e["name"].as_str() {
            names.push(n.to_string());
        }
        let conds: Vec<(usize, u64, u64, String)> = e["args"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                (
                    a["index"].as_u64().unwrap_or(0).min(5) as usize,
                    a["value"].as_u64().unwrap_or(0),
                    a["valueTwo"].as_u64().unwrap_or(0),
                    a["op"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        for n in names {
            out.entry(n).or_default().extend(conds.iter().cloned());
        }
    }
    out
}

/// Values around a constant: ±1, and the same low word under other high words.
fn around(c: u64, out: &mut BTreeSet<u64>) {
    let lo = c & 0xffff_ffff;
    let hi = c >> 32;
    for v in [c.wrapping_sub(1), c, c.wrapping_add(1)] {
        out.insert(v);
        out.insert(v & 0xffff_ffff);
        out.insert((v & 0xffff_ffff) | ((hi.wrapping_add(1) & 0xffff_ffff) << 32));
        out.insert((v & 0xffff_ffff) | 0xffff_ffff_0000_0000);
    }
    out.insert(hi << 32);
    out.insert((hi << 32) | 0xffff_ffff);
    out.insert(lo | (1 << 32));
}

fn arg_candidates(conds: &[(usize, u64, u64, String)]) -> [Vec<u64>; 6] {
    let mut sets: [BTreeSet<u64>; 6] = Default::default();
    for s in sets.iter_mut() {
        s.insert(0);
    }
    for (i, v, v2, op) in conds {
        let s = &mut sets[*i];
        around(*v, s);
        if op == "SCMP_CMP_MASKED_EQ" {
            let want = v2 & v;
            around(want, s);
            around(*v2, s);
            s.insert(want | !v); // all bits outside the mask set
            s.insert(want ^ (v & v.wrapping_neg())); // lowest mask bit flipped
            s.insert(want ^ (v & 0xffff_ffff_0000_0000)); // high mask half flipped
        }
    }
    sets.map(|s| s.into_iter().collect())
}

fn random_args(rng: &mut Rng) -> [u64; 6] {
    let mut a = [0u64; 6];
    for x in a.iter_mut() {
        *x = match rng.below(4) {
            0 => *rng.pick(INTERESTING),
            1 => rng.below(64),
            2 => rng.next_u64(),
            _ => 0,
        };
    }
    a
}

/// Systematic queries for `profile` over `arches` (`(libseccomp name, audit arch)`).
///
/// Per arch: every syscall number `0..=max+64` of libseccomp's table (mips bases applied;
/// x32 numbers with bit 30, also probed on an x86_64-only filter), the table's own numbers
/// (arm private calls), edge numbers (0x40000000±1, pseudo numbers, 0xffffffff); audit
/// arches not in the filter; and for every syscall named in the profile (and its
/// socketcall/ipc multiplexer on abi arches) argument vectors around every constant of its
/// rules (v-1, v, v+1; same low word under other high words; masked values), pairwise
/// random combinations, plus seeded random vectors.
pub fn systematic_queries(profile: &Value, arches: &[(String, u32)], seed: u64) -> Vec<Query> {
    let mut rng = Rng::new(seed);
    let mut out: BTreeSet<Query> = BTreeSet::new();
    let t = table();
    let push = |arch: u32, nr: u32, args: [u64; 6], out: &mut BTreeSet<Query>| {
        out.insert(Query { arch, nr, args });
    };
    let names: Vec<&str> = arches.iter().map(|(n, _)| n.as_str()).collect();
    let mut sweep_arches: Vec<(String, u32)> = arches.to_vec();
    if names.contains(&"x86_64") && !names.contains(&"x32") {
        sweep_arches.push(("x32".into(), 0xC000_003E));
    }
    for (name, audit) in &sweep_arches {
        let mut nrs: BTreeSet<u32> = EDGE_NRS.iter().copied().collect();
        let (_, _, base, _) = refdata::arch_info(name).unwrap_or((0, "", 0, false));
        let nums = t.numbers(name);
        let regular: Vec<u32> = nums
            .iter()
            .map(|(_, n)| *n)
            .filter(|n| *n < base + 0xf_0000)
            .collect();
        let max = regular.iter().copied().max().unwrap_or(base + 512);
        let start = if base == 0x4000_0000 { base } else { 0 };
        nrs.extend(start..=max + 64);
        for (_, n) in &nums {
            nrs.extend([n.wrapping_sub(1), *n, n.wrapping_add(1)]);
        }
        for nr in nrs {
            push(*audit, nr, [0; 6], &mut out);
            let a = random_args(&mut rng);
            push(*audit, nr, a, &mut out);
        }
    }
    let present: BTreeSet<u32> = arches.iter().map(|(_, a)| *a).collect();
    for bad in PROBE_ARCHES.iter().filter(|a| !present.contains(a)) {
        for nr in [0, 1, 2, 41, 59, 102, 0x4000_0000, 0xffff_ffff] {
            push(*bad, nr, [0; 6], &mut out);
        }
    }
    for (sys, conds) in profile_conditions(profile) {
        let cands = arg_candidates(&conds);
        for (arch, audit) in arches {
            // (nr, forced a0) targets for this name on this arch
            let mut targets: Vec<(u32, Option<u64>)> = Vec::new();
            if let Some(nr) = t.number(arch, &sys) {
                targets.push((nr, None));
            }
            if ABI_ARCHES.contains(&arch.as_str()) {
                if let Some((mux, call)) = mux_call(&sys) {
                    if let Some(nr) = t.number(arch, mux) {
                        targets.push((nr, Some(call)));
                    }
                }
            }
            for (nr, a0) in targets {
                let fix = |mut a: [u64; 6]| {
                    if let Some(c) = a0 {
                        a[0] = c;
                    }
                    a
                };
                if let Some(c) = a0 {
                    for v in [c.wrapping_sub(1), c + 1, c | (1 << 32)] {
                        push(*audit, nr, [v, 0, 0, 0, 0, 0], &mut out);
                    }
                }
                for (i, set) in cands.iter().enumerate() {
                    for &v in set {
                        let mut a = [0u64; 6];
                        a[i] = v;
                        push(*audit, nr, fix(a), &mut out);
                    }
                }
                let combos = if conds.is_empty() { 2 } else { 96 };
                for _ in 0..combos {
                    let mut a = [0u64; 6];
                    for (i, set) in cands.iter().enumerate() {
                        a[i] = *rng.pick(set);
                    }
                    push(*audit, nr, fix(a), &mut out);
                }
                for _ in 0..if conds.is_empty() { 1 } else { 8 } {
                    let a = random_args(&mut rng);
                    push(*audit, nr, fix(a), &mut out);
                }
            }
        }
    }
    out.into_iter().collect()
}
