//! `seccplay-native`: seccplay-core on Linux, for real.
//!
//! A thin shell: every decision, explanation, table and format comes from `seccplay-core`;
//! this crate parses arguments, reads files and makes the system calls.

/// `eprintln!` that ignores write errors: a supervisor must not die because stderr is a closed
/// pipe (the command it answers for would be left without answers).
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod apply;
mod child;
mod convert;
mod ctx;
mod evidence;
mod explain;
mod filters;
mod host;
mod kernel;
mod meta;
mod notif;
mod prog;
mod record;
mod report;
mod schema;
mod sys;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// An error that ends the command: a message and the exit status.
#[derive(Debug)]
pub struct Fail {
    /// Exit status (1 for ordinary errors, 125 for `apply` before the command ran).
    pub code: u8,
    /// What went wrong, where and why.
    pub message: String,
}

impl Fail {
    /// An error with exit status 1.
    pub fn msg(m: impl Into<String>) -> Fail {
        Fail {
            code: 1,
            message: m.into(),
        }
    }
}

/// Compile Docker/OCI seccomp profiles, simulate syscalls, and install filters for real.
#[derive(Parser, Debug)]
#[command(name = "seccplay-native", about, long_about = seccplay_core::TAGLINE)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run a command under a profile's filter, installed with seccomp(2)
    #[command(after_help = "\
Examples:
  seccplay-native apply --default -- unshare --map-root-user --user sh -c whoami
  seccplay-native apply --default --cap-add SYS_ADMIN -- unshare --user true
  seccplay-native apply profile.json --log -- ./server
  seccplay-native apply --unconfined -- sh -c 'grep Seccomp /proc/self/status'
  seccplay-native apply --default --explain -- unshare --user true
  seccplay-native apply profile.json --explain --json -- ./server 2> explain.jsonl

--explain installs the same program with USER_NOTIF where the profile would not allow the
syscall, answers each notification as the profile would and prints pid, call, action and the
deciding rule. How each action is reproduced (ERRNO, KILL, TRAP, TRACE, LOG) is the table in
README.md, section 'Which syscall was blocked, and by which rule: apply --explain'. It stops when
the command exits: descendants still running then get ENOSYS where they would have been notified.")]
    Apply(apply::ApplyArgs),

    /// Run a command, see every syscall it makes, and write a profile that allows them
    #[command(after_help = "\
Every syscall not allowed by --base is notified to seccplay, counted and continued
(SECCOMP_USER_NOTIF_FLAG_CONTINUE): the command runs unconfined (this records, it does not
confine). The profile: defaultAction SCMP_ACT_ERRNO (EPERM), this machine's architecture, the
recorded syscalls sorted in one entry whose comment gives each count, one entry per recorded
value with --args, then what the exec path needs (execve; runc's privilege drop after the
filter: capset, setresuid, ...; its Go runtime threads: futex, nanosleep, ...) and the base
profile's syscalls.

Examples:
  seccplay-native record -o sh.json -- sh -c 'mkdir -p /tmp/x && ls /tmp/x'
  seccplay-native apply sh.json -- sh -c 'mkdir -p /tmp/x && ls /tmp/x'
  seccplay-native record --base docker --args -o app.json -- ./app && seccplay-native diff docker app.json")]
    Record(record::RecordArgs),

    /// Compile a profile to a BPF program for a host architecture
    #[command(after_help = "\
Default format: disasm to a terminal or pipe, raw bytes to a file (-o FILE or a redirect).

Examples:
  seccplay-native compile docker
  seccplay-native compile profile.json --host-arch arm64 -o filter.bpf
  seccplay-native compile docker --format c > filter.h")]
    Compile(prog::CompileArgs),

    /// What happens to syscalls under a profile, and why
    #[command(after_help = "\
SYSCALL: a call such as 'unshare(CLONE_NEWUSER)', 'clone(flags=CLONE_NEWNS|SIGCHLD)',
'personality(0xffffffff)', or raw 'nr=135 0x1 0 0' (number, then arguments; '@ip=0x401000').
The number is seccomp_data.nr, an int: 'nr=-1' (what a ptracer sets to skip a call; the kernel
filters it again) is 0xffffffff to the filter.

PROFILE strict answers for SECCOMP_MODE_STRICT (no profile, no filter): read, write, exit and
sigreturn pass, any other call kills the thread with SIGKILL; --arch other than the host's ABI
is a compat task (x86 on amd64), and --kernel adds the calls newer kernels let through.

--batch reads JSON lines, one query each:
  {\"arch\": \"x86_64\", \"nr\": 135, \"args\": [1, 0, 0, 0, 0, 0], \"ip\": 0}
  {\"arch\": \"x86_64\", \"syscall\": \"clone(CLONE_NEWUSER)\"}
and writes one JSON line per query: the return value, action and errno decided by the compiled
program and by the reference evaluator, and \"differ\": true when they disagree.

Examples:
  seccplay-native simulate docker 'unshare(CLONE_NEWUSER)'
  seccplay-native simulate docker --cap-add SYS_ADMIN 'unshare(CLONE_NEWUSER)' --trace
  seccplay-native simulate profile.json --arch x86 'nr=120 0x10000'
  seccplay-native simulate strict 'read(0, 0, 0)' 'getpid()'
  seccplay-native simulate docker --batch queries.jsonl")]
    Simulate(report::SimulateArgs),

    /// Every syscall of an architecture with its verdict, cache status and cost
    #[command(after_help = "\
Examples:
  seccplay-native table docker
  seccplay-native table docker --arch x86 --json | jq '.rows[] | select(.verdict.kind == \"Conditional\")'
  seccplay-native table strict --arch x86 --kernel 6.18

PROFILE strict lists strict mode's verdict for every syscall (no cache, cost or rule: no filter).")]
    Table(report::TableArgs),

    /// The profile's diagnostics, one per line with its location
    #[command(after_help = "\
An error means Docker/the runtime would refuse the profile (exit status 1).

Examples:
  seccplay-native lint profile.json
  seccplay-native lint profile.json --kernel 4.19 --runtime crun")]
    Lint(report::LintArgs),

    /// Where two profiles (or one profile in two contexts) give different verdicts
    #[command(after_help = "\
The CONTEXT flags (--cap-add, --kernel, ...) apply to both sides; --a-* and --b-* apply to one
side only, on top of them (capabilities are added/dropped after the shared ones; --X-kernel,
--X-runtime and --X-host-arch replace the shared value).
Exit status 0 when the verdicts are identical, 1 when they differ.

Examples:
  seccplay-native diff docker-2020 docker
  seccplay-native diff docker docker --b-cap-add SYS_ADMIN
  seccplay-native diff docker docker --a-runtime runc --b-runtime crun --json")]
    Diff(report::DiffArgs),
    /// One call across named hosts and presets (engine, libseccomp, runtime, kernel), or --diff
    /// between two hosts for every syscall
    #[command(after_help = "\
Examples:
  seccplay-native matrix 'clone3()' 'io_uring_setup(0, 0)' 'unshare(CLONE_NEWUSER)'
  seccplay-native matrix 'faccessat2(0, 0, 0, 0)' --preset docker@20.10 --kernel 5.4
  seccplay-native matrix --diff k8s-containerd1.7 k8s-containerd2
  seccplay-native matrix --list")]
    Matrix(host::MatrixArgs),

    /// Write a policy in another format (Docker/OCI JSON, Kubernetes SeccompProfile YAML)
    #[command(after_help = "\
Reads Docker/OCI JSON, SeccompProfile YAML (Security Profiles Operator) and Firecracker's
seccompiler JSON (detected; --format overrides). Whatever the target cannot say is reported.

Examples:
  seccplay-native convert docker --to spo > docker-default.yaml
  seccplay-native convert docker-default.yaml --to docker
  seccplay-native convert firecracker.json --policy vcpu --to docker")]
    Convert(convert::ConvertArgs),

    /// Disassemble a raw BPF program (raw bytes, hex, C array, JSON, base64 or assembly)
    #[command(after_help = "\
Examples:
  seccplay-native disasm filter.bpf
  seccplay-native dump 1234 --format hex > f.hex && seccplay-native disasm f.hex --raw")]
    Disasm(prog::DisasmArgs),

    /// Assemble the plain assembly form (as `compile --format asm` writes it) to a program
    #[command(after_help = "\
Default format: raw to a file (-o FILE or a redirect), hex to a terminal or pipe.

Examples:
  seccplay-native asm filter.s -o filter.bpf
  seccplay-native compile docker --format asm | seccplay-native asm - --format c")]
    Asm(prog::AsmArgs),

    /// Run a raw BPF program on syscalls, as the kernel would
    #[command(after_help = "\
Examples:
  seccplay-native emu filter.bpf 'unshare(CLONE_NEWUSER)' 'read(0, 0, 16)'
  seccplay-native emu filter.bpf --arch x86 --trace 'nr=11'
  seccplay-native emu filter.bpf --batch queries.jsonl")]
    Emu(prog::EmuArgs),

    /// Seccomp mode of a process (this one by default), from /proc/PID/status
    #[command(after_help = "\
Examples:
  seccplay-native status
  seccplay-native status 1234 --json")]
    Status(kernel::StatusArgs),

    /// Does this kernel support seccomp, and which actions?
    #[command(after_help = "\
Examples:
  seccplay-native check
  seccplay-native check --json")]
    Check(kernel::CheckArgs),

    /// The filters of a live process (PTRACE_SECCOMP_GET_FILTER; needs CAP_SYS_ADMIN)
    #[command(after_help = "\
Filters are listed and numbered newest first, the order the kernel runs them (filter 0 is the
newest; its most restrictive action wins, and on equal actions its data). The kernel's own
PTRACE_SECCOMP_GET_FILTER index counts the other way (0 = the oldest): each header gives it.
With several filters, --format asm/hex/c/json/base64 prints one section per filter under its
header: a stack file `emu` and `raw` read as it is. Output of --format hex/raw/c/json/asm is
input for `emu` and `disasm`.

Examples:
  seccplay-native dump 1234
  seccplay-native dump 1234 --index 0 --format raw -o f.bpf && seccplay-native emu f.bpf 'mkdir(0, 0)'
  seccplay-native dump 1234 --format asm -o stack.asm && seccplay-native raw explain stack.asm")]
    Dump(kernel::DumpArgs),

    /// Kernel seccomp audit records (dmesg, journalctl -k, audit.log, ausearch -i): the call,
    /// the action, and the profile's rule that logged it
    #[command(after_help = "\
Reads type=1326 / type=SECCOMP records in every form: the kernel's line with or without a dmesg,
dmesg -T, /dev/kmsg or journald prefix, auditd's audit.log, ausearch -i output. Other lines are
counted and skipped; a broken seccomp record is reported with its line number.
The kernel logs the action without its errno: with a profile, the rule says which errno.
It logs ERRNO/TRAP/TRACE only for filters with SECCOMP_FILTER_FLAG_LOG (see add-log-flag).

Examples:
  journalctl -k | seccplay-native audit profile.json
  dmesg | seccplay-native audit docker --json
  seccplay-native audit /var/log/audit/audit.log
  seccplay-native audit profile.json records.txt --cap-add SYS_ADMIN")]
    Audit(evidence::AuditArgs),

    /// Read strace -f output and predict what a profile answers to every call (without running)
    #[command(after_help = "\
Accepts strace -f output with or without -tt/-ttt/-T/-y/-X raw|abbrev|verbose, to stderr or -o,
and the files of strace -ff -o NAME (pass every NAME.PID). Strings, structs and arrays are
pointers to seccomp: such an argument may hold any value, and a verdict that depends on one is
listed apart.
Exit status: 1 when a call would be refused, else 0.

Examples:
  strace -f -o app.trace ./app && seccplay-native replay docker app.trace
  strace -ff -o t ./app && seccplay-native replay strict.json t.* --json")]
    Replay(evidence::ReplayArgs),

    /// Write a copy of a profile with SECCOMP_FILTER_FLAG_LOG, so the kernel logs its refusals
    #[command(after_help = "\
Only \"flags\" changes (checked: same rules, same program). Then:
  docker run --security-opt seccomp=logged.json IMAGE ...
  journalctl -k | seccplay-native audit logged.json

Examples:
  seccplay-native add-log-flag profile.json -o logged.json
  seccplay-native add-log-flag docker > docker-logged.json")]
    AddLogFlag(evidence::LogFlagArgs),
    /// Shell completion script for bash, zsh or fish, on stdout
    #[command(after_help = "\
Examples:
  source <(seccplay-native completions bash)
  seccplay-native completions zsh > ~/.zfunc/_seccplay-native
  seccplay-native completions fish > ~/.config/fish/completions/seccplay-native.fish")]
    Completions(meta::CompletionsArgs),

    /// The man page (roff), on stdout or one page per subcommand into a directory
    #[command(after_help = "\
Examples:
  seccplay-native man > seccplay-native.1 && man -l seccplay-native.1
  seccplay-native man --dir ~/.local/share/man/man1")]
    Man(meta::ManArgs),

    /// Any raw filter or stack (files newest first, or `dump PID` output): table, explain, decompile
    #[command(
        subcommand,
        after_help = "\
Examples:
  seccplay-native raw explain filter.bpf
  seccplay-native raw table new.bpf old.bpf --json   (from dump 1234 --index N --format raw)
  seccplay-native raw decompile filter.bpf --check -o profile.json"
    )]
    Raw(filters::RawCmd),
}

/// Where a command's output goes: a file (`-o`) or stdout.
pub fn write_out(out: Option<&PathBuf>, bytes: &[u8]) -> Result<(), Fail> {
    use std::io::Write;
    match out {
        Some(p) => {
            std::fs::write(p, bytes).map_err(|e| Fail::msg(format!("writing {}: {e}", p.display())))
        }
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(bytes)
                .and_then(|_| o.flush())
                .map_err(|e| Fail::msg(format!("writing to stdout: {e}")))
        }
    }
}

/// True when stdout is a regular file (a redirect), for "raw to a file" defaults.
pub fn stdout_is_file() -> bool {
    std::fs::metadata("/proc/self/fd/1")
        .map(|m| m.is_file())
        .unwrap_or(false)
}

/// Reads FILE or `-` (stdin) as bytes.
pub fn read_input(path: &str) -> Result<Vec<u8>, Fail> {
    use std::io::Read;
    if path == "-" {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .map_err(|e| Fail::msg(format!("reading stdin: {e}")))?;
        Ok(b)
    } else {
        std::fs::read(path).map_err(|e| Fail::msg(format!("reading {path}: {e}")))
    }
}

/// The whole command tree: the derive, plus the presets list, the version and the exit statuses.
fn command() -> clap::Command {
    let presets = ctx::presets_help();
    let version: &'static str = Box::leak(meta::version().into_boxed_str());
    let mut c = Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .long_version(version)
        .after_help(meta::EXIT_STATUS);
    let all: Vec<String> = c
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in all {
        c = c.mut_subcommand(name, |s| {
            let after = s
                .get_after_help()
                .map(|h| format!("{h}\n\n"))
                .unwrap_or_default();
            s.after_help(format!("{after}Exit status: see `seccplay-native --help`."))
        });
    }
    for name in [
        "apply",
        "record",
        "compile",
        "simulate",
        "table",
        "lint",
        "diff",
        "audit",
        "replay",
        "add-log-flag",
        "matrix",
    ] {
        let p = presets.clone();
        c = c.mut_subcommand(name, move |s| {
            let after = s
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            s.after_help(format!("{p}\n{after}"))
        });
    }
    c
}

fn main() -> ExitCode {
    let matches = command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    // Commands that only print die quietly on a closed pipe (`... | head`), as Unix tools do;
    // apply and record keep Rust's ignored SIGPIPE so that a supervisor whose stderr is
    // gone keeps answering the command's syscalls.
    if !matches!(cli.cmd, Cmd::Apply(_) | Cmd::Record(_)) {
        sys::default_sigpipe();
    }
    let r = match cli.cmd {
        Cmd::Apply(a) => apply::run(a),
        Cmd::Record(a) => record::run(a),
        Cmd::Compile(a) => prog::compile(a),
        Cmd::Simulate(a) => report::simulate(a),
        Cmd::Table(a) => report::table(a),
        Cmd::Lint(a) => report::lint(a),
        Cmd::Diff(a) => report::diff(a),
        Cmd::Matrix(a) => host::run(a),
        Cmd::Convert(a) => convert::run(a),
        Cmd::Disasm(a) => prog::disasm(a),
        Cmd::Asm(a) => prog::asm(a),
        Cmd::Emu(a) => prog::emu(a),
        Cmd::Status(a) => kernel::status(a),
        Cmd::Check(a) => kernel::check(a),
        Cmd::Dump(a) => kernel::dump(a),
        Cmd::Audit(a) => evidence::audit(a),
        Cmd::Replay(a) => evidence::replay(a),
        Cmd::AddLogFlag(a) => evidence::add_log_flag(a),
        Cmd::Completions(a) => meta::completions(a),
        Cmd::Man(a) => meta::man(a),
        Cmd::Raw(c) => filters::run(c),
    };
    match r {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("seccplay-native: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
