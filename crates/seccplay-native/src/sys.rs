//! The Linux system calls the CLI makes. Every `unsafe` block of the crate is here.

use seccplay_core::bpf::Insn;
use std::ffi::{CStr, CString};
use std::io;

/// The last OS error as an `io::Error`.
fn last() -> io::Error {
    io::Error::last_os_error()
}

fn check(r: libc::c_long) -> io::Result<libc::c_long> {
    if r < 0 {
        Err(last())
    } else {
        Ok(r)
    }
}

/// `uname -r`.
pub fn uname_release() -> Option<String> {
    // SAFETY: utsname is plain old data; all-zero bytes are a valid value.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a valid, writable utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return None;
    }
    // SAFETY: the kernel NUL-terminates `release` within the array.
    let r = unsafe { CStr::from_ptr(u.release.as_ptr()) };
    Some(r.to_string_lossy().into_owned())
}

/// `prctl(PR_GET_SECCOMP)`: 0 disabled, 2 filter (a strict-mode caller would be killed).
pub fn get_seccomp_mode() -> io::Result<i32> {
    // SAFETY: PR_GET_SECCOMP takes no pointer arguments.
    let r = unsafe { libc::prctl(libc::PR_GET_SECCOMP, 0, 0, 0, 0) };
    check(r as libc::c_long).map(|r| r as i32)
}

/// `prctl(PR_SET_NO_NEW_PRIVS, 1)`.
pub fn set_no_new_privs() -> io::Result<()> {
    // SAFETY: PR_SET_NO_NEW_PRIVS takes integer arguments only.
    let r = unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) };
    check(r as libc::c_long).map(|_| ())
}

/// The kernel's `struct sock_filter` array of a program.
pub fn sock_filters(prog: &[Insn]) -> Vec<libc::sock_filter> {
    prog.iter()
        .map(|i| libc::sock_filter {
            code: i.code,
            jt: i.jt,
            jf: i.jf,
            k: i.k,
        })
        .collect()
}

/// `seccomp(SECCOMP_SET_MODE_FILTER, flags, prog)`: the listener fd with NEW_LISTENER, else 0.
pub fn set_mode_filter(filters: &mut [libc::sock_filter], flags: u32) -> io::Result<i32> {
    let prog = libc::sock_fprog {
        len: filters.len().min(u16::MAX as usize) as u16,
        filter: filters.as_mut_ptr(),
    };
    // SAFETY: `prog` points at `filters`, which outlives the call; the kernel copies it.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            flags as libc::c_ulong,
            &prog as *const libc::sock_fprog,
        )
    };
    check(r).map(|r| r as i32)
}

/// `seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL)`.
pub fn set_mode_strict() -> io::Result<()> {
    // SAFETY: strict mode takes no pointer.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_STRICT,
            0,
            std::ptr::null::<libc::c_void>(),
        )
    };
    check(r).map(|_| ())
}

/// `seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action)`.
pub fn action_avail(action: u32) -> io::Result<()> {
    // SAFETY: the kernel reads one u32 from `&action`, which is valid for the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_ACTION_AVAIL,
            0,
            &action as *const u32,
        )
    };
    check(r).map(|_| ())
}

/// `seccomp(SECCOMP_GET_NOTIF_SIZES)`: sizes of seccomp_notif, seccomp_notif_resp, seccomp_data.
pub fn notif_sizes() -> io::Result<(u16, u16, u16)> {
    let mut sizes = [0u16; 3];
    // SAFETY: `struct seccomp_notif_sizes` is three u16, which `sizes` provides.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_GET_NOTIF_SIZES,
            0,
            sizes.as_mut_ptr(),
        )
    };
    check(r).map(|_| (sizes[0], sizes[1], sizes[2]))
}

/// `pipe2(O_CLOEXEC)`: (read end, write end).
pub fn pipe_cloexec() -> io::Result<(i32, i32)> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` has room for the two descriptors.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    check(r as libc::c_long).map(|_| (fds[0], fds[1]))
}

/// `close(fd)`, ignoring errors.
pub fn close(fd: i32) {
    // SAFETY: closing a descriptor we own.
    unsafe { libc::close(fd) };
}

/// `fork()`: 0 in the child, the child's pid in the parent.
pub fn fork() -> io::Result<i32> {
    // SAFETY: the CLI is single-threaded when it forks; the child only makes syscalls and
    // then execs or `_exit`s.
    let r = unsafe { libc::fork() };
    check(r as libc::c_long).map(|r| r as i32)
}

/// In the child: reports `(stage, errno)` to the parent through `fd` and exits with 125.
pub fn child_fail(fd: i32, stage: u32, err: &io::Error) -> ! {
    let mut buf = [0u8; 8];
    buf[..4].copy_from_slice(&stage.to_ne_bytes());
    buf[4..].copy_from_slice(&err.raw_os_error().unwrap_or(0).to_ne_bytes());
    // SAFETY: writing 8 bytes from a local buffer; `_exit` skips atexit handlers and stdio
    // flushes that belong to the parent.
    unsafe {
        libc::write(fd, buf.as_ptr().cast(), buf.len());
        libc::_exit(125)
    }
}

/// Reads the child's `(stage, errno)` report: `None` when the pipe closed empty (exec worked).
pub fn read_report(fd: i32) -> Option<(u32, i32)> {
    let mut buf = [0u8; 8];
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: reading into the unfilled rest of a local buffer.
        let r = unsafe { libc::read(fd, buf[got..].as_mut_ptr().cast(), buf.len() - got) };
        if r < 0 && last().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        if r <= 0 {
            break;
        }
        got += r as usize;
    }
    (got == 8).then(|| {
        (
            u32::from_ne_bytes(buf[..4].try_into().unwrap_or_default()),
            i32::from_ne_bytes(buf[4..].try_into().unwrap_or_default()),
        )
    })
}

/// `execvp(argv[0], argv)`; returns only on failure.
pub fn execvp(argv: &[CString]) -> io::Error {
    let mut ptrs: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    ptrs.push(std::ptr::null());
    // SAFETY: `ptrs` is a NULL-terminated array of pointers to NUL-terminated strings that
    // live until the call returns (it only returns on failure).
    unsafe { libc::execvp(ptrs[0], ptrs.as_ptr()) };
    last()
}

/// `waitpid(pid)`, retrying on EINTR: the raw status.
pub fn waitpid(pid: i32, flags: i32) -> io::Result<i32> {
    loop {
        let mut status = 0;
        // SAFETY: `status` is a valid out-pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, flags) };
        if r >= 0 {
            return Ok(status);
        }
        let e = last();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// In a child before exec: SIGPIPE back to its default. Rust's runtime ignores SIGPIPE, and an
/// ignored signal stays ignored across execve, so without this the command would get EPIPE
/// where it would normally die of SIGPIPE (`yes | head -1`).
pub fn default_sigpipe() {
    // SAFETY: setting a signal disposition to SIG_DFL has no memory effects.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Ignores SIGINT and SIGQUIT (the parent while the command runs, as system(3) does).
pub fn ignore_interrupts() {
    // SAFETY: setting a signal disposition to SIG_IGN has no memory effects.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGQUIT, libc::SIG_IGN);
    }
}

/// The name of a signal (`SIGSYS`).
pub fn signal_name(sig: i32) -> String {
    // SAFETY: strsignal returns a pointer to a static or thread-local string.
    let p = unsafe { libc::strsignal(sig) };
    let desc = if p.is_null() {
        String::new()
    } else {
        // SAFETY: non-null result of strsignal is a NUL-terminated string.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    };
    let abbrev = match sig {
        libc::SIGSYS => "SIGSYS",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGHUP => "SIGHUP",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGQUIT => "SIGQUIT",
        _ => "",
    };
    match (abbrev.is_empty(), desc.is_empty()) {
        (false, false) => format!("{abbrev} ({desc})"),
        (false, true) => abbrev.to_string(),
        (true, false) => format!("signal {sig} ({desc})"),
        (true, true) => format!("signal {sig}"),
    }
}

/// Stops `pid` as a ptrace tracee (PTRACE_SEIZE + PTRACE_INTERRUPT) and waits for the stop.
pub fn ptrace_seize_stop(pid: i32) -> io::Result<()> {
    // SAFETY: PTRACE_SEIZE with no address or data pointers.
    let r = unsafe { libc::ptrace(libc::PTRACE_SEIZE, pid, 0usize, 0usize) };
    check(r)?;
    // SAFETY: PTRACE_INTERRUPT with no pointers.
    let r = unsafe { libc::ptrace(libc::PTRACE_INTERRUPT, pid, 0usize, 0usize) };
    if let Err(e) = check(r) {
        ptrace_detach(pid);
        return Err(e);
    }
    if let Err(e) = waitpid(pid, libc::__WALL) {
        ptrace_detach(pid);
        return Err(e);
    }
    Ok(())
}

/// `PTRACE_DETACH`, ignoring errors.
pub fn ptrace_detach(pid: i32) {
    // SAFETY: PTRACE_DETACH with no pointers.
    unsafe { libc::ptrace(libc::PTRACE_DETACH, pid, 0usize, 0usize) };
}

const PTRACE_SECCOMP_GET_FILTER: libc::c_uint = 0x420c;

/// `PTRACE_SECCOMP_GET_FILTER`: filter `index` of a stopped tracee, in the kernel's numbering:
/// 0 is the OLDEST filter (kernel/seccomp.c `get_nth_filter` walks `count - index - 1` steps back
/// from the newest); `Ok(None)` past the last one.
pub fn seccomp_get_filter(pid: i32, index: usize) -> io::Result<Option<Vec<Insn>>> {
    // SAFETY: with a NULL data pointer the kernel only returns the instruction count.
    let n = unsafe {
        libc::ptrace(
            PTRACE_SECCOMP_GET_FILTER,
            pid,
            index,
            std::ptr::null_mut::<libc::c_void>(),
        )
    };
    if n < 0 {
        let e = last();
        if e.raw_os_error() == Some(libc::ENOENT) {
            return Ok(None);
        }
        return Err(e);
    }
    let mut buf = vec![
        libc::sock_filter {
            code: 0,
            jt: 0,
            jf: 0,
            k: 0
        };
        n as usize
    ];
    // SAFETY: `buf` has room for the `n` instructions the kernel reported.
    let m = unsafe { libc::ptrace(PTRACE_SECCOMP_GET_FILTER, pid, index, buf.as_mut_ptr()) };
    check(m)?;
    buf.truncate(m as usize);
    Ok(Some(
        buf.iter()
            .map(|f| Insn::new(f.code, f.jt, f.jf, f.k))
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Seccomp user notification (apply --explain, record)

/// `pidfd_open(pid, 0)`: a descriptor that becomes readable when `pid` exits.
pub fn pidfd_open(pid: i32) -> io::Result<i32> {
    // SAFETY: integer arguments only.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    check(r).map(|r| r as i32)
}

/// `pidfd_getfd(pidfd, fd, 0)`: a duplicate of descriptor `fd` of the process (CLOEXEC).
pub fn pidfd_getfd(pidfd: i32, fd: i32) -> io::Result<i32> {
    // SAFETY: integer arguments only.
    let r = unsafe { libc::syscall(libc::SYS_pidfd_getfd, pidfd, fd, 0) };
    check(r).map(|r| r as i32)
}

/// `poll(fds, timeout_ms)`: the number of ready descriptors (EINTR is an error to retry).
pub fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> io::Result<usize> {
    // SAFETY: `fds` is a valid, writable array of `fds.len()` pollfd.
    let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    check(r as libc::c_long).map(|r| r as usize)
}

/// Writes all of `bytes` to `fd` (retrying on EINTR and short writes).
pub fn write_all(fd: i32, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        // SAFETY: reading `bytes.len()` bytes from a live slice.
        let r = unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
        if r < 0 {
            let e = last();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        bytes = &bytes[r as usize..];
    }
    Ok(())
}

/// Reads until `buf` is full or end of file: the number of bytes read.
pub fn read_full(fd: i32, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: reading into the unfilled rest of `buf`.
        let r = unsafe { libc::read(fd, buf[got..].as_mut_ptr().cast(), buf.len() - got) };
        if r < 0 {
            let e = last();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if r == 0 {
            break;
        }
        got += r as usize;
    }
    Ok(got)
}

/// One `struct seccomp_notif`.
#[derive(Clone, Copy, Debug)]
pub struct Notif {
    /// The notification's cookie.
    pub id: u64,
    /// The thread that made the syscall (its tid, in our pid namespace).
    pub tid: i32,
    /// `seccomp_data.nr`.
    pub nr: u32,
    /// `seccomp_data.arch`.
    pub arch: u32,
    /// `seccomp_data.instruction_pointer`.
    pub ip: u64,
    /// `seccomp_data.args`.
    pub args: [u64; 6],
}

/// The kernel's sizes of `struct seccomp_notif` and `struct seccomp_notif_resp`, at least ours.
pub fn notif_buffer_sizes() -> io::Result<(usize, usize)> {
    let (n, r, _) = notif_sizes()?;
    Ok((
        (n as usize).max(std::mem::size_of::<libc::seccomp_notif>()),
        (r as usize).max(std::mem::size_of::<libc::seccomp_notif_resp>()),
    ))
}

/// `SECCOMP_IOCTL_NOTIF_RECV` into a zeroed buffer of `size` bytes (the kernel's size).
pub fn notif_recv(fd: i32, size: usize) -> io::Result<Notif> {
    // u64 words: aligned for the structure.
    let mut buf = vec![0u64; size.div_ceil(8)];
    // SAFETY: `buf` is zeroed, aligned and at least as large as the kernel's seccomp_notif.
    let r = unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV, buf.as_mut_ptr()) };
    check(r as libc::c_long)?;
    // SAFETY: the buffer holds at least one seccomp_notif, which is plain old data.
    let n: libc::seccomp_notif = unsafe { std::ptr::read(buf.as_ptr().cast()) };
    Ok(Notif {
        id: n.id,
        tid: n.pid as i32,
        nr: n.data.nr as u32,
        arch: n.data.arch,
        ip: n.data.instruction_pointer,
        args: n.data.args,
    })
}

/// `SECCOMP_IOCTL_NOTIF_SEND`: the syscall returns `val`, or fails with `-error` when `error`
/// is negative; `continue_` lets it run instead (then `val` and `error` must be 0).
pub fn notif_send(
    fd: i32,
    size: usize,
    id: u64,
    val: i64,
    error: i32,
    continue_: bool,
) -> io::Result<()> {
    let mut buf = vec![0u64; size.div_ceil(8)];
    let resp = libc::seccomp_notif_resp {
        id,
        val,
        error,
        flags: if continue_ {
            libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32
        } else {
            0
        },
    };
    // SAFETY: `buf` is aligned and at least as large as a seccomp_notif_resp.
    unsafe { std::ptr::write(buf.as_mut_ptr().cast(), resp) };
    // SAFETY: `buf` is a valid seccomp_notif_resp followed by zeroes up to the kernel's size.
    let r = unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_SEND, buf.as_mut_ptr()) };
    check(r as libc::c_long).map(|_| ())
}

/// `SECCOMP_IOCTL_NOTIF_ID_VALID`: the thread is still waiting in notification `id` (so what
/// was read from its memory belongs to this syscall, not to a later one or a reused pid).
pub fn notif_id_valid(fd: i32, id: u64) -> bool {
    // SAFETY: the kernel reads one u64 from `&id`.
    let r = unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_ID_VALID, &id as *const u64) };
    r == 0
}

/// `kill(pid, sig)`.
pub fn kill(pid: i32, sig: i32) -> io::Result<()> {
    // SAFETY: integer arguments only.
    let r = unsafe { libc::kill(pid, sig) };
    check(r as libc::c_long).map(|_| ())
}

/// `tgkill(tgid, tid, sig)`: a signal to one thread.
pub fn tgkill(tgid: i32, tid: i32, sig: i32) -> io::Result<()> {
    // SAFETY: integer arguments only.
    let r = unsafe { libc::syscall(libc::SYS_tgkill, tgid, tid, sig) };
    check(r).map(|_| ())
}

extern "C" fn on_sigchld(_: libc::c_int) {}

/// Catches SIGCHLD without SA_RESTART, so a blocking poll or ioctl returns EINTR when the
/// command exits (the supervisor then notices instead of waiting forever).
pub fn interrupt_on_sigchld() {
    // SAFETY: sigaction is plain old data; all-zero is a valid value.
    let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
    sa.sa_sigaction = on_sigchld as *const () as libc::sighandler_t;
    sa.sa_flags = 0;
    // SAFETY: installing a handler that does nothing (async-signal-safe).
    unsafe {
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGCHLD, &sa, std::ptr::null_mut());
    }
}
