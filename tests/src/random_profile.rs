//! Random Docker-format seccomp profiles for differential tests (deterministic per seed).

use serde_json::{json, Map, Value};

/// The core's splitmix64 generator (shared with the property tests and fuzz targets).
pub use seccplay_core::invariants::Rng;

/// Syscall names used by the generator: common calls, socket and ipc family calls
/// (multiplexed on x86/s390/ppc…), names absent on some arches, and names libseccomp
/// 2.5.4 does not know.
pub const NAMES: &[&str] = &[
    "read",
    "write",
    "open",
    "openat",
    "close",
    "ioctl",
    "fcntl",
    "fcntl64",
    "mmap",
    "mmap2",
    "mprotect",
    "personality",
    "clone",
    "clone3",
    "prctl",
    "arch_prctl",
    "kill",
    "tgkill",
    "ptrace",
    "execve",
    "futex",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "lseek",
    "_llseek",
    "statx",
    "getpid",
    "uname",
    "socket",
    "connect",
    "bind",
    "accept",
    "accept4",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "socketpair",
    "setsockopt",
    "getsockopt",
    "socketcall",
    "semop",
    "semget",
    "semctl",
    "msgsnd",
    "msgrcv",
    "shmat",
    "shmget",
    "ipc",
    "chown32",
    "cacheflush",
    "set_tls",
    "riscv_flush_icache",
    "sync_file_range2",
    "s390_pci_mmio_read",
    "mseal",
    "uretprobe",
    "no_such_syscall",
];

const OPS: &[&str] = &[
    "SCMP_CMP_NE",
    "SCMP_CMP_LT",
    "SCMP_CMP_LE",
    "SCMP_CMP_EQ",
    "SCMP_CMP_GE",
    "SCMP_CMP_GT",
    "SCMP_CMP_MASKED_EQ",
];

/// Interesting argument values.
pub const INTERESTING: &[u64] = &[
    0,
    1,
    2,
    3,
    38,
    39,
    40,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_0000_0001,
    0x1_ffff_ffff,
    0x2_0000_0000,
    u64::MAX - 1,
    u64::MAX,
];

fn value(rng: &mut Rng, used: &[u64]) -> u64 {
    match rng.below(10) {
        0..=4 => *rng.pick(INTERESTING),
        5 | 6 => rng.below(64),
        // a value ≥ 2^32 whose low word equals an earlier value (32-bit truncation clash)
        7 | 8 if !used.is_empty() => ((1 + rng.below(3)) << 32) | (*rng.pick(used) & 0xffff_ffff),
        _ => rng.next_u64() >> (rng.below(64) as u32),
    }
}

const ACTIONS: &[&str] = &[
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_ALLOW",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_ERRNO",
    "SCMP_ACT_KILL",
    "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",
    "SCMP_ACT_LOG",
    "SCMP_ACT_TRACE",
];

fn any_action(rng: &mut Rng) -> &'static str {
    ACTIONS[rng.below(ACTIONS.len() as u64) as usize]
}

fn errno_ret(rng: &mut Rng) -> u64 {
    match rng.below(20) {
        0 => 0,
        1 if rng.chance(25) => 4095, // rejected by libseccomp
        2 => 65537,                  // truncated to 16 bits: ERRNO(1)
        1..=9 => 1,
        _ => rng.below(134),
    }
}

fn with_errno(rng: &mut Rng, obj: &mut Map<String, Value>, act: &str, key: &str) {
    let errno_action = act == "SCMP_ACT_ERRNO" || act == "SCMP_ACT_TRACE";
    // usually only on ERRNO/TRACE; rarely elsewhere (runc ignores it, crun refuses)
    if (errno_action && rng.chance(60)) || rng.chance(2) {
        obj.insert(key.into(), json!(errno_ret(rng)));
    }
}

/// A random Docker-format profile, deterministic per `seed`.
pub fn random_profile(seed: u64) -> Value {
    let mut rng = Rng::new(seed);
    let mut p = Map::new();
    let def = *rng.pick(&[
        "SCMP_ACT_ERRNO",
        "SCMP_ACT_ERRNO",
        "SCMP_ACT_ERRNO",
        "SCMP_ACT_KILL",
        "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_ALLOW",
        "SCMP_ACT_ALLOW",
        "SCMP_ACT_TRAP",
        "SCMP_ACT_LOG",
        "SCMP_ACT_TRACE",
    ]);
    p.insert("defaultAction".into(), json!(def));
    with_errno(&mut rng, &mut p, def, "defaultErrnoRet");
    match rng.below(10) {
        0..=2 => {}
        3..=5 => {
            p.insert(
                "archMap".into(),
                json!([
                    {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]},
                    {"architecture": "SCMP_ARCH_S390X", "subArchitectures": ["SCMP_ARCH_S390"]}
                ]),
            );
        }
        _ => {
            let pool = [
                "SCMP_ARCH_X86_64",
                "SCMP_ARCH_X86",
                "SCMP_ARCH_X32",
                "SCMP_ARCH_X86",
            ];
            let mut arches: Vec<&str> = (0..1 + rng.below(3)).map(|_| *rng.pick(&pool)).collect();
            if rng.chance(4) {
                arches.push(*rng.pick(&[
                    "SCMP_ARCH_S390X",
                    "SCMP_ARCH_AARCH64",
                    "SCMP_ARCH_PARISC",
                ]));
            }
            p.insert("architectures".into(), json!(arches));
        }
    }
    // most profiles use one or two rule actions (so that most build); some use any
    let palette: Vec<&str> = (0..3).map(|_| any_action(&mut rng)).collect();
    let spread = rng.below(10);
    let action = |rng: &mut Rng| match spread {
        0..=5 => palette[0],
        6..=8 => palette[rng.below(2) as usize],
        _ => any_action(rng),
    };
    let n = 1 + rng.below(40);
    let mut used: Vec<u64> = Vec::new();
    let mut syscalls = Vec::new();
    for _ in 0..n {
        let mut e = Map::new();
        let max_names = if rng.chance(80) { 2 } else { 5 };
        let names: Vec<&str> = (0..1 + rng.below(max_names))
            .map(|_| *rng.pick(NAMES))
            .collect();
        if names.len() == 1 && rng.chance(10) {
            e.insert("name".into(), json!(names[0]));
        } else {
            e.insert("names".into(), json!(names));
        }
        let act = action(&mut rng);
        e.insert("action".into(), json!(act));
        with_errno(&mut rng, &mut e, act, "errnoRet");
        let nargs = *rng.pick(&[0, 0, 0, 1, 1, 1, 2, 2, 3]);
        let mut args = Vec::new();
        for _ in 0..nargs {
            let index = if rng.chance(85) {
                rng.below(3)
            } else {
                rng.below(6)
            };
            let op = *rng.pick(OPS);
            let v = value(&mut rng, &used);
            used.push(v);
            let mut a = json!({"index": index, "value": v, "op": op});
            if op == "SCMP_CMP_MASKED_EQ" || rng.chance(5) {
                let v2 = if rng.chance(50) {
                    v & value(&mut rng, &used)
                } else {
                    value(&mut rng, &used)
                };
                a["valueTwo"] = json!(v2);
            }
            args.push(a);
        }
        if !args.is_empty() || rng.chance(10) {
            e.insert("args".into(), json!(args));
        }
        if rng.chance(15) {
            let mut f = Map::new();
            match rng.below(3) {
                0 => {
                    f.insert(
                        "caps".into(),
                        json!([rng.pick(&["CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_SYS_PTRACE"])]),
                    );
                }
                1 => {
                    f.insert(
                        "arches".into(),
                        json!([rng.pick(&["amd64", "arm64", "x86", "x32", "s390x"])]),
                    );
                }
                _ => {
                    f.insert(
                        "minKernel".into(),
                        json!(rng.pick(&["4.8", "5.10", "6.1", "6.2", "7.0"])),
                    );
                }
            }
            let key = if rng.chance(50) {
                "includes"
            } else {
                "excludes"
            };
            e.insert(key.into(), Value::Object(f));
        }
        syscalls.push(Value::Object(e));
        // sometimes repeat an entry's first name with the same conditions and another action
        if rng.chance(4) {
            let mut twin = syscalls.last().cloned().unwrap_or_default();
            twin["action"] = json!(action(&mut rng));
            syscalls.push(twin);
        }
    }
    p.insert("syscalls".into(), Value::Array(syscalls));
    Value::Object(p)
}
