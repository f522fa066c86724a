//! Test-only access to the real kernel's seccomp: install a classic-BPF program in a forked
//! child and let that child issue raw syscalls under it.
//!
//! The child reports through `MAP_SHARED` anonymous memory mapped before `fork`, never through
//! syscalls (once the filter is installed, `write` and `exit` may be denied). The child only
//! runs async-signal-safe code (no allocation: everything is prepared before `fork`), marks
//! itself non-dumpable (a filter returning KILL would otherwise dump core), sets
//! `PR_SET_NO_NEW_PRIVS`, installs the program with `seccomp(SECCOMP_SET_MODE_FILTER, 0, ..)` and
//! then issues the requested syscalls, storing each raw result (`-errno` or the value). The
//! parent waits for the report (bounded time), then SIGKILLs and reaps the child.
//!
//! Kernel tests call [`kernel_or_skip`]: it skips (printing why) on non-Linux hosts and when
//! seccomp filters cannot be installed, except that with `CI` set any such reason is a
//! failure, not a skip.

use seccplay_core::bpf::insn::*;
use seccplay_core::bpf::Insn;

use crate::random_profile::Rng;

/// `AUDIT_ARCH_X86_64`.
pub const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;

/// One syscall for the child to issue: number (as the kernel sees it) and six arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    pub nr: u32,
    pub args: [u64; 6],
}

/// What happened in a child.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The filter was installed; `results[i]` is the raw return of `calls[start + i]`.
    /// `killed_by` is the signal that ended the child *before* it finished its calls (the call
    /// at `start + results.len()` is the one that was running), `None` if it finished.
    Ran {
        results: Vec<i64>,
        killed_by: Option<i32>,
    },
    /// `seccomp(2)` (or `PR_SET_NO_NEW_PRIVS`) failed with this errno.
    Refused(i32),
    /// The child never reported (timeout or early death); the text says what is known.
    NoReport(String),
}

/// Why kernel tests cannot run here, or `None` when they can.
pub fn skip_reason() -> Option<String> {
    imp::skip_reason()
}

/// `true` when kernel tests can run; otherwise prints `"{test}: skipping: ..."` and returns
/// `false`. Panics instead when `CI` is set (CI runs on a Linux kernel with seccomp).
pub fn kernel_or_skip(test: &str) -> bool {
    match skip_reason() {
        None => true,
        Some(why) if std::env::var_os("CI").is_some() => {
            panic!("{test}: CI is set but the kernel tests cannot run: {why}")
        }
        Some(why) => {
            eprintln!("{test}: skipping: {why}");
            false
        }
    }
}

/// How the child enters the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// The native `syscall` instruction (x86_64 ABI, x32 numbers included).
    Native,
    /// `int $0x80` from 64-bit code (x86_64 only): the i386 ABI, `AUDIT_ARCH_I386`. Arguments
    /// are passed in full 64-bit registers; callers give 32-bit values, as i386 programs have.
    Int80,
}

/// The instruction pointer the kernel reports in `seccomp_data` for every syscall the child
/// issues (the address right after the one `syscall` instruction it uses), or `None` where
/// the harness does not know it (not x86_64). The child is a fork of this process, so the
/// address is the same there; each run checks that the child saw this value.
pub fn syscall_ip() -> Option<u64> {
    imp::syscall_ip(Entry::Native)
}

/// As [`syscall_ip`] for `entry`; `None` also when [`int80_skip_reason`] gives a reason.
pub fn syscall_ip_on(entry: Entry) -> Option<u64> {
    imp::syscall_ip(entry)
}

/// Why `int $0x80` cannot be used here (not x86_64, or the kernel has no i386 emulation:
/// probed in a child under an allow-all filter), or `None`.
pub fn int80_skip_reason() -> Option<String> {
    imp::int80_skip_reason()
}

/// Installs `prog` in a fresh child and reports whether the kernel accepted it.
pub fn install(prog: &[Insn]) -> Outcome {
    run(prog, &[])
}

/// Installs `prog` in a fresh child, which then issues `calls` in order.
pub fn run(prog: &[Insn], calls: &[Call]) -> Outcome {
    imp::run(prog, calls, Entry::Native)
}

/// As [`run`], entering the kernel by `entry`.
pub fn run_on(prog: &[Insn], calls: &[Call], entry: Entry) -> Outcome {
    imp::run(prog, calls, entry)
}

/// Runs `calls` under `prog`, restarting a child after each call that kills one (KILL_THREAD
/// from a division by zero, say). Returns per call `Ok(raw result)` or `Err(signal)`.
pub fn run_all(prog: &[Insn], calls: &[Call]) -> Result<Vec<Result<i64, i32>>, String> {
    run_all_on(prog, calls, Entry::Native)
}

/// As [`run_all`], entering the kernel by `entry`.
pub fn run_all_on(
    prog: &[Insn],
    calls: &[Call],
    entry: Entry,
) -> Result<Vec<Result<i64, i32>>, String> {
    let mut out = Vec::with_capacity(calls.len());
    while out.len() < calls.len() {
        match run_on(prog, &calls[out.len()..], entry) {
            Outcome::Ran { results, killed_by } => {
                out.extend(results.into_iter().map(Ok));
                if let Some(sig) = killed_by {
                    out.push(Err(sig));
                } else if out.len() < calls.len() {
                    return Err("the child stopped before its last call".into());
                }
            }
            Outcome::Refused(e) => {
                return Err(format!("the kernel refused the program: errno {e}"))
            }
            Outcome::NoReport(why) => return Err(why),
        }
    }
    Ok(out)
}

/// What the kernel returns to the caller for a filter value when the filter only returns
/// ERRNO actions: `Ok(-min(data, 4095))`; `Err(SIGSYS)` for KILL_THREAD / KILL_PROCESS;
/// `None` for an action whose effect this harness does not model.
pub fn expected_result(ret: u32) -> Option<Result<i64, i32>> {
    const SIGSYS: i32 = 31;
    match ret & 0xffff_0000 {
        0x0005_0000 => Some(Ok(-((ret & 0xffff).min(4095) as i64))),
        0x0000_0000 | 0x8000_0000 => Some(Err(SIGSYS)),
        _ => None,
    }
}

/// Random classic-BPF programs that seccomp accepts and whose every `ret` is `ret #k` with
/// `k = ERRNO(id)`, a distinct id in 1..=4095 per return site, so no syscall ever runs under
/// them (a `div x` by zero makes the filter return 0 = KILL_THREAD instead). They load nr,
/// arch and both halves of every argument, read the instruction pointer only right before
/// overwriting `A`, and use every ALU operation (K and X forms), `tax`/`txa`, `len`, scratch
/// memory and every jump kind. Returns the program and the constants it compares with.
/// Programs are only as valid as the generator makes them: callers check them with
/// `bpf::verify::verify`.
pub fn random_errno_program(rng: &mut Rng) -> (Vec<Insn>, Vec<u32>) {
    let mut pool: Vec<u32> = vec![
        0,
        1,
        0xffff_ffff,
        0x8000_0000,
        0x4000_0000,
        AUDIT_ARCH_X86_64,
    ];
    for _ in 0..6 {
        pool.push(match rng.below(4) {
            0 => rng.below(463) as u32,
            1 => rng.below(64) as u32,
            2 => 0x4000_0000 | rng.below(600) as u32,
            _ => rng.next_u64() as u32,
        });
    }
    let body = 12 + rng.below(48) as usize;
    let tail = 2 + rng.below(6) as usize;
    let len = body + tail;
    let mut ids: Vec<u32> = Vec::new();
    let mut new_id = |rng: &mut Rng| loop {
        let id = 1 + rng.below(4095) as u32;
        if !ids.contains(&id) {
            ids.push(id);
            return id;
        }
    };
    let ret_errno = |id: u32| Insn::stmt(BPF_RET | BPF_K, 0x0005_0000 | id);
    let mut prog: Vec<Insn> = Vec::with_capacity(len);
    let mut stored: Vec<u32> = Vec::new();
    let mut used: Vec<u32> = Vec::new();
    // Start from data: A (and often X) hold words of seccomp_data, not the initial zeros.
    let data_off = |rng: &mut Rng| match rng.below(6) {
        0 => 0,
        1 => 4,
        _ => 16 + 4 * rng.below(12) as u32,
    };
    if rng.chance(60) {
        let o = data_off(rng);
        prog.push(Insn::stmt(BPF_LD | BPF_W | BPF_ABS, o));
        prog.push(Insn::stmt(BPF_MISC | BPF_TAX, 0));
    }
    let o = data_off(rng);
    prog.push(Insn::stmt(BPF_LD | BPF_W | BPF_ABS, o));
    while prog.len() < body {
        let pc = prog.len();
        let konst = |rng: &mut Rng, pool: &[u32]| -> u32 {
            let v = *rng.pick(pool);
            match rng.below(6) {
                0 => v.wrapping_add(1),
                1 => v.wrapping_sub(1),
                _ => v,
            }
        };
        let target = |rng: &mut Rng, pc: usize| -> u8 {
            // a forward target in pc+1..len (offset < 256), mostly a near one
            let max = (len - pc - 1).min(255) as u64;
            let span = if rng.chance(70) { max.min(6) } else { max };
            rng.below(span) as u8
        };
        let r = rng.below(100);
        let insn = if r < 22 {
            let off = match rng.below(10) {
                0..=2 => 0,
                3 => 4,
                _ => 16 + 4 * rng.below(12) as u32,
            };
            Insn::stmt(BPF_LD | BPF_W | BPF_ABS, off)
        } else if r < 24 && pc + 1 < body {
            // the instruction pointer is not controllable: read it, then overwrite A
            prog.push(Insn::stmt(
                BPF_LD | BPF_W | BPF_ABS,
                if rng.chance(50) { 8 } else { 12 },
            ));
            if rng.chance(50) {
                Insn::stmt(BPF_ALU | BPF_AND | BPF_K, 0)
            } else {
                Insn::stmt(BPF_LD | BPF_IMM, konst(rng, &pool))
            }
        } else if r < 28 {
            let k = konst(rng, &pool);
            Insn::stmt(if rng.chance(50) { BPF_LD } else { BPF_LDX } | BPF_IMM, k)
        } else if r < 30 {
            Insn::stmt(
                if rng.chance(50) { BPF_LD } else { BPF_LDX } | BPF_W | BPF_LEN,
                0,
            )
        } else if r < 46 {
            let op = *rng.pick(&[
                BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_XOR,
                BPF_NEG,
            ]);
            if op == BPF_NEG {
                Insn::stmt(BPF_ALU | BPF_NEG, 0)
            } else if rng.chance(if op == BPF_DIV { 85 } else { 70 }) {
                let k = match op {
                    BPF_LSH | BPF_RSH => rng.below(32) as u32,
                    BPF_DIV => konst(rng, &pool).max(1),
                    BPF_MUL => *rng.pick(&[0, 1, 2, 3, 0xffff_ffff, 0x10001]),
                    _ => konst(rng, &pool),
                };
                Insn::stmt(BPF_ALU | op | BPF_K, k)
            } else {
                Insn::stmt(BPF_ALU | op | BPF_X, 0)
            }
        } else if r < 50 {
            Insn::stmt(BPF_MISC | if rng.chance(50) { BPF_TAX } else { BPF_TXA }, 0)
        } else if r < 56 {
            let cell = rng.below(16) as u32;
            stored.push(cell);
            Insn::stmt(if rng.chance(50) { BPF_ST } else { BPF_STX }, cell)
        } else if r < 60 && !stored.is_empty() {
            let cell = *rng.pick(&stored);
            Insn::stmt(
                if rng.chance(50) { BPF_LD } else { BPF_LDX } | BPF_MEM,
                cell,
            )
        } else if r < 63 {
            Insn::stmt(BPF_JMP | BPF_JA, target(rng, pc) as u32)
        } else if r < 98 {
            let op = *rng.pick(&[BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET]);
            let mut pc = pc;
            if rng.chance(65) && pc + 1 < body {
                // test fresh data more often than values the ALU has scrambled
                let off = match rng.below(4) {
                    0 => 0,
                    _ => 16 + 4 * rng.below(12) as u32,
                };
                prog.push(Insn::stmt(BPF_LD | BPF_W | BPF_ABS, off));
                pc += 1;
            }
            let (mut jt, mut jf) = (target(rng, pc), target(rng, pc));
            // often: return right away on one side, so inputs reach many return sites
            let ret_next = pc + 1 < body && rng.chance(45);
            if ret_next {
                (jt, jf) = (jt.max(1), 0);
            }
            let jump = if rng.chance(75) {
                let k = if op == BPF_JSET {
                    1u32 << rng.below(32)
                } else {
                    konst(rng, &pool)
                };
                used.push(k);
                Insn::jump(BPF_JMP | op | BPF_K, k, jt, jf)
            } else {
                Insn::jump(BPF_JMP | op | BPF_X, 0, jt, jf)
            };
            if ret_next {
                prog.push(jump);
                ret_errno(new_id(rng))
            } else {
                jump
            }
        } else {
            ret_errno(new_id(rng))
        };
        prog.push(insn);
    }
    // Jumps were aimed at the planned length; an IP pair may have grown the body by one.
    let tail = len.saturating_sub(prog.len()).max(1);
    for _ in 0..tail {
        let id = new_id(rng);
        prog.push(ret_errno(id));
    }
    used.extend(pool);
    used.sort_unstable();
    used.dedup();
    (prog, used)
}

/// `count` syscalls to probe a program with: numbers of real x86_64 syscalls, the program's
/// constants (±1), random and x32 numbers; arguments random, zero, small or built from the
/// constants (in either half). Never `__NR_uretprobe`/`__NR_uprobe` (335/336): kernels may
/// let those through without running the filter.
pub fn random_calls(rng: &mut Rng, consts: &[u32], count: usize) -> Vec<Call> {
    let mut out = Vec::with_capacity(count);
    let near = |rng: &mut Rng| -> u32 {
        let c = if consts.is_empty() {
            0
        } else {
            *rng.pick(consts)
        };
        match rng.below(4) {
            0 => c.wrapping_add(1),
            1 => c.wrapping_sub(1),
            _ => c,
        }
    };
    while out.len() < count {
        let nr = match rng.below(10) {
            0..=3 => near(rng),
            4..=6 => rng.below(463) as u32,
            7 => rng.next_u64() as u32,
            8 => 0x4000_0000 | rng.below(600) as u32,
            _ => 0xffff_ffff - rng.below(3) as u32,
        };
        if nr == 335 || nr == 336 {
            continue;
        }
        let mut args = [0u64; 6];
        for a in args.iter_mut() {
            *a = match rng.below(8) {
                0 | 1 => rng.next_u64(),
                2 => 0,
                3 => rng.below(8),
                4 | 5 => near(rng) as u64,
                6 => (near(rng) as u64) << 32 | near(rng) as u64,
                _ => (near(rng) as u64) << 32 | rng.below(4),
            };
        }
        out.push(Call { nr, args });
    }
    out
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::*;

    pub fn skip_reason() -> Option<String> {
        Some("not Linux: seccomp filters need a Linux kernel".into())
    }

    pub fn run(_prog: &[Insn], _calls: &[Call], _entry: Entry) -> Outcome {
        Outcome::NoReport("not Linux".into())
    }

    pub fn syscall_ip(_entry: Entry) -> Option<u64> {
        None
    }

    pub fn int80_skip_reason() -> Option<String> {
        Some("not Linux".into())
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    const STATE: usize = 0;
    const ERRNO: usize = 1;
    const COUNT: usize = 2;
    const IP: usize = 3;
    const RESULTS: usize = 4;
    const STARTED: u64 = 0;
    const INSTALLED: u64 = 1;
    const REFUSED: u64 = 2;
    const DONE: u64 = 3;

    /// How long a child may take to report (it only issues a few hundred syscalls).
    const TIMEOUT: Duration = Duration::from_secs(10);

    /// `MAP_SHARED | MAP_ANONYMOUS` words, shared with the forked child.
    struct Shared {
        ptr: *mut u64,
        words: usize,
    }

    impl Shared {
        fn new(words: usize) -> Result<Shared, String> {
            // SAFETY: a fresh anonymous mapping, checked for failure.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    words * 8,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            if ptr == libc::MAP_FAILED {
                return Err(format!("mmap: {}", std::io::Error::last_os_error()));
            }
            Ok(Shared {
                ptr: ptr as *mut u64,
                words,
            })
        }

        fn cell(&self, i: usize) -> &AtomicU64 {
            assert!(i < self.words);
            // SAFETY: in bounds, 8-aligned (page-aligned base), lives as long as `self`.
            unsafe { AtomicU64::from_ptr(self.ptr.add(i)) }
        }

        fn get(&self, i: usize) -> u64 {
            self.cell(i).load(Ordering::SeqCst)
        }

        fn set(&self, i: usize, v: u64) {
            self.cell(i).store(v, Ordering::SeqCst)
        }
    }

    impl Drop for Shared {
        fn drop(&mut self) {
            // SAFETY: the mapping made in `new`.
            unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.words * 8) };
        }
    }

    fn errno() -> i32 {
        // SAFETY: thread-local errno; no syscall.
        unsafe { *libc::__errno_location() }
    }

    /// A raw syscall: the kernel's return value (`-errno` on failure), no libc errno dance,
    /// and the address right after the `syscall` instruction (what the kernel reports as
    /// `seccomp_data.instruction_pointer`). Never inlined: one instruction, one address.
    #[cfg(target_arch = "x86_64")]
    #[inline(never)]
    fn raw_syscall(nr: u32, a: &[u64; 6]) -> (i64, u64) {
        let ret: i64;
        let ip: u64;
        // SAFETY: only ever issued under a filter that denies the call (see the module docs),
        // or for getpid; `syscall` clobbers rcx and r11.
        unsafe {
            std::arch::asm!(
                "lea {ip}, [rip + 2f]",
                "syscall",
                "2:",
                ip = out(reg) ip,
                inlateout("rax") nr as u64 as i64 => ret,
                in("rdi") a[0],
                in("rsi") a[1],
                in("rdx") a[2],
                in("r10") a[3],
                in("r8") a[4],
                in("r9") a[5],
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        (ret, ip)
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn raw_syscall(nr: u32, a: &[u64; 6]) -> (i64, u64) {
        // SAFETY: as above.
        let r = unsafe { libc::syscall(nr as libc::c_long, a[0], a[1], a[2], a[3], a[4], a[5]) };
        let r = if r == -1 { -(errno() as i64) } else { r as i64 };
        (r, 0)
    }

    /// `int $0x80`: the i386 ABI from 64-bit code. rbx and rbp cannot be operands (LLVM
    /// reserves them), so they are saved, loaded and restored around the instruction; the
    /// return value is eax, sign-extended. Never inlined, as `raw_syscall`.
    #[cfg(target_arch = "x86_64")]
    #[inline(never)]
    fn raw_int80(nr: u32, a: &[u64; 6]) -> (i64, u64) {
        let ret: u64;
        let ip: u64;
        // SAFETY: as `raw_syscall`; the stack is used (push/pop), so no `nostack`.
        unsafe {
            std::arch::asm!(
                "push rbx",
                "push rbp",
                "mov rbx, {a0}",
                "mov rbp, {a5}",
                "int 0x80",
                "2:",
                "pop rbp",
                "pop rbx",
                "lea {ip}, [rip + 2b]",
                a0 = in(reg) a[0],
                a5 = in(reg) a[5],
                ip = lateout(reg) ip,
                inlateout("rax") nr as u64 => ret,
                in("rcx") a[1],
                in("rdx") a[2],
                in("rsi") a[3],
                in("rdi") a[4],
                lateout("r8") _,
                lateout("r9") _,
                lateout("r10") _,
                lateout("r11") _,
            );
        }
        (ret as u32 as i32 as i64, ip)
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn raw_int80(_nr: u32, _a: &[u64; 6]) -> (i64, u64) {
        (-(libc::ENOSYS as i64), 0)
    }

    fn enter(entry: Entry, nr: u32, a: &[u64; 6]) -> (i64, u64) {
        match entry {
            Entry::Native => raw_syscall(nr, a),
            Entry::Int80 => raw_int80(nr, a),
        }
    }

    pub fn syscall_ip(entry: Entry) -> Option<u64> {
        if !cfg!(target_arch = "x86_64") {
            return None;
        }
        static IPS: OnceLock<(u64, Option<u64>)> = OnceLock::new();
        let ips = IPS.get_or_init(|| {
            // getpid, in this process: harmless, and it runs the one instruction of each
            // entry (i386's getpid is 20; int $0x80 only once a child showed it works).
            let native = raw_syscall(libc::SYS_getpid as u32, &[0; 6]).1;
            let int80 = int80_skip_reason()
                .is_none()
                .then(|| raw_int80(20, &[0; 6]).1);
            (native, int80)
        });
        match entry {
            Entry::Native => Some(ips.0),
            Entry::Int80 => ips.1,
        }
    }

    pub fn int80_skip_reason() -> Option<String> {
        if !cfg!(target_arch = "x86_64") {
            return Some("int $0x80 from 64-bit code is an x86_64 thing".into());
        }
        static REASON: OnceLock<Option<String>> = OnceLock::new();
        REASON
            .get_or_init(|| {
                let allow = [Insn::stmt(BPF_RET | BPF_K, 0x7fff_0000)];
                // i386 getpid (20) under an allow-all filter: the child's pid, or a signal
                // (SIGSEGV where the kernel has no i386 emulation).
                let getpid = Call {
                    nr: 20,
                    args: [0; 6],
                };
                match run_inner(&allow, &[getpid], Entry::Int80, false) {
                    Ok(Outcome::Ran { results, .. }) if results.first().is_some_and(|r| *r > 0) => {
                        None
                    }
                    other => Some(format!(
                        "int $0x80 does not reach the i386 ABI here: {other:?}"
                    )),
                }
            })
            .clone()
    }

    /// The child: async-signal-safe only, never returns.
    fn child(fprog: &libc::sock_fprog, calls: &[Call], entry: Entry, sh: &Shared) -> ! {
        // SAFETY: plain syscalls on this process; `fprog` points at a live filter array.
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                sh.set(ERRNO, errno() as u64);
                sh.set(STATE, REFUSED);
                libc::_exit(1);
            }
            let r = libc::syscall(
                libc::SYS_seccomp,
                libc::SECCOMP_SET_MODE_FILTER as libc::c_long,
                0 as libc::c_long,
                fprog as *const libc::sock_fprog,
            );
            if r != 0 {
                sh.set(ERRNO, errno() as u64);
                sh.set(STATE, REFUSED);
                libc::_exit(1);
            }
        }
        sh.set(STATE, INSTALLED);
        for (i, c) in calls.iter().enumerate() {
            let (r, ip) = enter(entry, c.nr, &c.args);
            sh.set(IP, ip);
            sh.set(RESULTS + i, r as u64);
            sh.set(COUNT, i as u64 + 1);
        }
        sh.set(STATE, DONE);
        // exit_group may be denied: glibc's _exit then tries exit and finally faults (hlt),
        // and the parent kills us anyway.
        unsafe { libc::_exit(0) }
    }

    pub fn run(prog: &[Insn], calls: &[Call], entry: Entry) -> Outcome {
        match run_inner(prog, calls, entry, true) {
            Ok(o) => o,
            Err(e) => Outcome::NoReport(e),
        }
    }

    fn run_inner(
        prog: &[Insn],
        calls: &[Call],
        entry: Entry,
        check_ip: bool,
    ) -> Result<Outcome, String> {
        let filter: Vec<libc::sock_filter> = prog
            .iter()
            .map(|i| libc::sock_filter {
                code: i.code,
                jt: i.jt,
                jf: i.jf,
                k: i.k,
            })
            .collect();
        let len = u16::try_from(filter.len())
            .map_err(|_| format!("{} instructions do not fit sock_fprog.len", filter.len()))?;
        let fprog = libc::sock_fprog {
            len,
            filter: filter.as_ptr() as *mut libc::sock_filter,
        };
        let sh = Shared::new(RESULTS + calls.len())?;
        sh.set(STATE, STARTED);
        // SAFETY: the child only runs `child` (async-signal-safe, no allocation).
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(format!("fork: {}", std::io::Error::last_os_error()));
        }
        if pid == 0 {
            child(&fprog, calls, entry, &sh);
        }
        let deadline = Instant::now() + TIMEOUT;
        let mut status: libc::c_int = 0;
        let mut reaped = false;
        let mut pause = Duration::from_micros(20);
        loop {
            let st = sh.get(STATE);
            if st == REFUSED || st == DONE {
                break;
            }
            // SAFETY: our own child.
            let w = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if w == pid {
                reaped = true;
                break;
            }
            if Instant::now() > deadline {
                break;
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(2));
        }
        if !reaped {
            // SAFETY: our own, not yet reaped child.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
        }
        let st = sh.get(STATE);
        let count = (sh.get(COUNT) as usize).min(calls.len());
        let results = (0..count).map(|i| sh.get(RESULTS + i) as i64).collect();
        // (Only then: the int $0x80 probe runs here with check_ip = false while syscall_ip's
        // OnceLock is being initialised.)
        let want = if check_ip && count > 0 {
            syscall_ip(entry)
        } else {
            None
        };
        if let Some(want) = want {
            if sh.get(IP) != want {
                return Err(format!(
                    "the child's syscall instruction pointer {:#x} is not syscall_ip() {want:#x}",
                    sh.get(IP)
                ));
            }
        }
        Ok(match st {
            REFUSED => Outcome::Refused(sh.get(ERRNO) as i32),
            DONE => Outcome::Ran {
                results,
                killed_by: None,
            },
            INSTALLED if reaped && libc::WIFSIGNALED(status) => Outcome::Ran {
                results,
                killed_by: Some(libc::WTERMSIG(status)),
            },
            _ => Outcome::NoReport(format!(
                "child state {st} after {count} calls, {}",
                if reaped {
                    format!("wait status {status:#x}")
                } else {
                    format!("no report within {TIMEOUT:?}")
                }
            )),
        })
    }

    pub fn skip_reason() -> Option<String> {
        static REASON: OnceLock<Option<String>> = OnceLock::new();
        REASON
            .get_or_init(|| {
                // SAFETY: a query of this process's seccomp mode.
                let mode = unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) };
                if mode < 0 {
                    return Some(format!(
                        "the kernel has no seccomp (PR_GET_SECCOMP: {})",
                        std::io::Error::last_os_error()
                    ));
                }
                let allow = [Insn::stmt(BPF_RET | BPF_K, 0x7fff_0000)];
                match run(&allow, &[], Entry::Native) {
                    Outcome::Ran { .. } => None,
                    other => {
                        let why = format!("cannot install a seccomp filter in a child: {other:?}");
                        if std::env::var_os("CI").is_some() {
                            panic!("CI is set and the kernel has seccomp, but {why}");
                        }
                        Some(why)
                    }
                }
            })
            .clone()
    }
}
