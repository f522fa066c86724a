//! Running a command under a filter whose notifications this process answers: the part
//! `apply --explain` and `record` share.
//!
//! Design: three CLOEXEC pipes and a fork. The child sets no_new_privs and installs the filter
//! with `SECCOMP_FILTER_FLAG_NEW_LISTENER` (plus `TSYNC_ESRCH`, which TSYNC needs with it, and
//! `WAIT_KILLABLE_RECV`, so that once we have received a notification only a fatal signal
//! interrupts the waiting thread: a TRAP's SIGSYS is then delivered after our reply, as the
//! kernel's would be). It writes the listener's descriptor number on the "ready" pipe and
//! blocks reading the "go" pipe. The parent takes a copy of the listener with `pidfd_getfd`,
//! then writes "go"; only then does the child exec (the listener is CLOEXEC, so the command
//! does not inherit it). Anything failing before exec is reported on `child::Launch`'s pipe, as
//! in plain `apply`, and the command never runs (exit status 125). The handshake's `write` and
//! `read` happen under the filter, so the filter must let them through: `build` receives the
//! two descriptors to allow them (or to check that the profile does).
//!
//! The supervisor then polls the listener, the child's pidfd and the report pipe; SIGCHLD
//! (without SA_RESTART) interrupts a blocking ioctl. When the direct child has exited, the
//! supervisor stops: it closes the listener, so syscalls of descendants still running under
//! the filter that would notify fail with ENOSYS from then on (the kernel's behaviour without
//! a supervisor), and it never waits for them.

use crate::child::{self, setup, Stage};
use crate::{sys, Fail};
use std::ffi::CString;

/// The descriptors of the handshake, as the child sees them (the same numbers as ours).
#[derive(Clone, Copy, Debug)]
pub struct Handshake {
    /// The child writes the listener's number here (4 bytes).
    pub ready: i32,
    /// The child reads one byte here before it execs.
    pub go: i32,
    /// The child writes `(stage, errno)` here if anything fails before exec.
    pub report: i32,
}

/// How to answer a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Run the syscall (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`).
    Continue,
    /// Return `val` (`error` 0) or fail with errno `-error`.
    Return {
        /// The return value when `error` is 0.
        val: i64,
        /// A negative errno, or 0.
        error: i32,
    },
    /// Do not answer (the thread was killed).
    Nothing,
}

/// The supervisor's view of the listener, for the notification handler.
pub struct Listener {
    fd: i32,
}

impl Listener {
    /// True while the thread of notification `id` is still waiting for our answer.
    pub fn valid(&self, id: u64) -> bool {
        sys::notif_id_valid(self.fd, id)
    }
}

/// Reads a NUL-terminated string of at most `max` bytes at `addr` in thread `tid`'s memory
/// (`/proc/TID/mem`); `None` when it cannot be read. Callers check [`Listener::valid`] after.
pub fn read_string(tid: i32, addr: u64, max: usize) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open(format!("/proc/{tid}/mem")).ok()?;
    let mut out = Vec::new();
    let mut at = addr;
    // Page-sized steps, so an unmapped page after the string does not fail the whole read.
    while out.len() <= max {
        let room = 4096 - (at % 4096) as usize;
        let mut buf = vec![0u8; room.min(max + 1 - out.len()).max(1)];
        let n = f.read_at(&mut buf, at).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(z) = buf[..n].iter().position(|&b| b == 0) {
            out.extend_from_slice(&buf[..z]);
            return Some(out);
        }
        out.extend_from_slice(&buf[..n]);
        at = at.checked_add(n as u64)?;
    }
    Some(out)
}

/// Reads a native-endian u64 at `addr` in thread `tid`'s memory. Callers check
/// [`Listener::valid`] after.
pub fn read_u64(tid: i32, addr: u64) -> Option<u64> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open(format!("/proc/{tid}/mem")).ok()?;
    let mut b = [0u8; 8];
    f.read_exact_at(&mut b, addr).ok()?;
    Some(u64::from_ne_bytes(b))
}

/// The thread group of a thread, from `/proc/TID/status`.
pub fn tgid_of(tid: i32) -> Option<i32> {
    let s = std::fs::read_to_string(format!("/proc/{tid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("Tgid:"))
        .and_then(|v| v.trim().parse().ok())
}

/// The number of threads of a process, from `/proc/PID/status`.
pub fn threads_of(pid: i32) -> Option<u32> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Forks, installs the filter `build` returns in the child with `flags` (NEW_LISTENER and
/// friends are added here), execs `argv`, and answers every notification with `on` until the
/// child exits. Returns the child's pid and raw wait status.
pub fn run(
    argv: &[CString],
    nnp: bool,
    flags: u32,
    build: &dyn Fn(Handshake) -> Result<Vec<libc::sock_filter>, Fail>,
    on: &mut dyn FnMut(&Listener, &sys::Notif) -> Answer,
) -> Result<(i32, i32), Fail> {
    let flags = flags
        | libc::SECCOMP_FILTER_FLAG_NEW_LISTENER as u32
        | libc::SECCOMP_FILTER_FLAG_TSYNC_ESRCH as u32
        | libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV as u32;
    let (recv_size, resp_size) = sys::notif_buffer_sizes().map_err(|e| {
        setup(format!(
            "seccomp(SECCOMP_GET_NOTIF_SIZES): {e} (the kernel has no seccomp user notification)"
        ))
    })?;
    let launch = child::Launch::new(argv)?;
    let (ready_rd, ready_wr) = match sys::pipe_cloexec() {
        Ok(p) => p,
        Err(e) => {
            launch.abandon();
            return Err(setup(format!("pipe2: {e}")));
        }
    };
    let (go_rd, go_wr) = match sys::pipe_cloexec() {
        Ok(p) => p,
        Err(e) => {
            launch.abandon();
            sys::close(ready_rd);
            sys::close(ready_wr);
            return Err(setup(format!("pipe2: {e}")));
        }
    };
    let close_pipes = || {
        for fd in [ready_rd, ready_wr, go_rd, go_wr] {
            sys::close(fd);
        }
    };
    let mut filters = match build(Handshake {
        ready: ready_wr,
        go: go_rd,
        report: launch.report_fd(),
    }) {
        Ok(f) => f,
        Err(e) => {
            launch.abandon();
            close_pipes();
            return Err(e);
        }
    };
    let launch = launch.filter(flags, filters.len());
    let spawned = launch.spawn(|c| {
        sys::close(ready_rd);
        sys::close(go_wr);
        if nnp {
            c.stage(Stage::NoNewPrivs, sys::set_no_new_privs());
        }
        let fd = c.stage(Stage::Filter, sys::set_mode_filter(&mut filters, flags));
        c.stage(
            Stage::Handshake,
            sys::write_all(ready_wr, &fd.to_ne_bytes()),
        );
        let mut go = [0u8; 1];
        // The supervisor is gone or refused: never run the command unsupervised.
        match c.stage(Stage::Handshake, sys::read_full(go_rd, &mut go)) {
            1 => c.exec(argv),
            _ => c.fail(
                Stage::Handshake,
                &std::io::Error::from_raw_os_error(libc::EPIPE),
            ),
        }
    });
    sys::close(ready_wr);
    sys::close(go_rd);
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            sys::close(ready_rd);
            sys::close(go_wr);
            return Err(e);
        }
    };
    sys::ignore_interrupts();
    sys::interrupt_on_sigchld();
    let pid = child.pid;
    let mut num = [0u8; 4];
    let got = sys::read_full(ready_rd, &mut num).unwrap_or(0);
    sys::close(ready_rd);
    if got != 4 {
        sys::close(go_wr);
        // A stage that failed says what (`child::PreExec`); otherwise the child just ended.
        child.wait()?;
        return Err(setup(
            "the child ended before installing the filter; the command did not run",
        ));
    }
    // Whatever happens from here, the child is reaped before we return.
    let abort = |child: child::Running, msg: String| {
        child.kill();
        setup(format!("{msg}; the command did not run"))
    };
    let child_fd = i32::from_ne_bytes(num);
    let pidfd = match sys::pidfd_open(pid) {
        Ok(p) => p,
        Err(e) => {
            sys::close(go_wr);
            return Err(abort(child, format!("pidfd_open: {e}")));
        }
    };
    let listener = match sys::pidfd_getfd(pidfd, child_fd) {
        Ok(l) => l,
        Err(e) => {
            sys::close(go_wr);
            sys::close(pidfd);
            return Err(abort(
                child,
                format!("pidfd_getfd (taking the seccomp listener from the child): {e}"),
            ));
        }
    };
    let go = sys::write_all(go_wr, b"g");
    sys::close(go_wr);
    if let Err(e) = go {
        sys::close(pidfd);
        sys::close(listener);
        return Err(abort(child, format!("writing to the child: {e}")));
    }
    let l = Listener { fd: listener };
    let mut listener_open = true;
    loop {
        let mut fds = vec![libc::pollfd {
            fd: pidfd,
            events: libc::POLLIN,
            revents: 0,
        }];
        if listener_open {
            fds.push(libc::pollfd {
                fd: listener,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        let report_rd = child.report_fd();
        if let Some(fd) = report_rd {
            fds.push(libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        match sys::poll(&mut fds, -1) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                say!("seccplay-native: poll: {e}; stopping the supervisor");
                break;
            }
        }
        for p in &fds[1..] {
            if p.revents == 0 {
                continue;
            }
            if Some(p.fd) == report_rd {
                child.read_report();
            } else if p.revents & libc::POLLIN != 0 {
                match sys::notif_recv(listener, recv_size) {
                    Ok(n) => {
                        let answer = on(&l, &n);
                        let r = match answer {
                            Answer::Continue => {
                                sys::notif_send(listener, resp_size, n.id, 0, 0, true)
                            }
                            Answer::Return { val, error } => {
                                sys::notif_send(listener, resp_size, n.id, val, error, false)
                            }
                            Answer::Nothing => Ok(()),
                        };
                        // ENOENT: the thread is gone (killed, or interrupted before we
                        // answered); nothing to do.
                        if let Err(e) = r {
                            if e.raw_os_error() != Some(libc::ENOENT) {
                                say!("seccplay-native: SECCOMP_IOCTL_NOTIF_SEND: {e}");
                            }
                        }
                    }
                    Err(e)
                        if matches!(e.raw_os_error(), Some(libc::EINTR) | Some(libc::ENOENT)) => {}
                    Err(e) => {
                        say!("seccplay-native: SECCOMP_IOCTL_NOTIF_RECV: {e}");
                        listener_open = false;
                    }
                }
            } else {
                // POLLHUP: no task uses the filter any more.
                listener_open = false;
            }
        }
        if fds[0].revents != 0 {
            break;
        }
    }
    sys::close(listener);
    sys::close(pidfd);
    let status = child.wait()?;
    Ok((pid, status))
}
