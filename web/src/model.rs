//! The page's derived values, computed from [`State`] without timers or DOM: what to analyse,
//! the verdict of the call, the rows of the table, the trace of the program. Every decision
//! comes from seccplay-core; this module only picks the core call and shapes the answer.
use crate::state::State;
use seccplay_core::action::Action;
use seccplay_core::analysis::{self, Analysis, Direction, StrictMode, Table};
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::strict::StrictOutcome;
use seccplay_core::bpf::{interp, Insn};
use seccplay_core::context::{self, Context};
use seccplay_core::eval::Query;
use seccplay_core::expr;
use seccplay_core::frontend::Format;
use seccplay_core::syscalls;

#[cfg(feature = "full")]
pub mod evidence;
pub mod hosts;
#[cfg(feature = "full")]
pub mod raw;

/// What the editor holds, once read.
#[derive(Clone, Debug)]
pub enum Source {
    /// A profile (possibly broken: see its diagnostics).
    Profile(Box<Analysis>),
    /// A raw BPF program, or a stack of them, pasted or opened instead of a profile (the full
    /// build only).
    #[cfg(feature = "full")]
    Bpf(std::rc::Rc<dyn raw::RawView>),
    /// Text in a format whose reader is still loading (the full build's `formats` chunk).
    #[cfg(feature = "full")]
    Loading,
    /// Text that is neither a profile nor a program we can read.
    BpfError {
        message: String,
        line: Option<usize>,
        col: Option<usize>,
    },
    /// SECCOMP_MODE_STRICT: no filter, four syscalls (and those the kernel lets through).
    /// The core's [`StrictMode`] answers every call.
    Strict(StrictMode),
    /// Text above [`MAX_TEXT_BYTES`]: not analysed (the page would stall on it).
    TooLarge {
        /// Its size in bytes.
        bytes: usize,
    },
    /// The context is invalid (a kernel version that is not one): nothing is analysed.
    BadContext(String),
}

/// What the page says while the reader of the editor's format loads.
#[cfg(feature = "full")]
pub const READING: &str = "Loading the reader for this format…";

/// What the page says when the reader of the editor's format did not load.
#[cfg(feature = "full")]
pub const READ_FAILED: &str = "The reader for this format did not load (is the network down?): reload the page to try again. Docker/OCI JSON profiles are read without it.";

/// The largest editor text the page analyses as you type: 1 MiB. Docker's default profile is
/// 16 KB; a larger file is refused with a message instead of stalling the tab (20 MB of rules
/// takes seconds to compile natively and would compile again on every change).
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// The message for `what` (`The text`, `The pasted text`, `mine.json`) of `bytes` bytes, above
/// [`MAX_TEXT_BYTES`].
pub fn too_large_message(what: &str, bytes: usize) -> String {
    format!(
        "{what} is {bytes} bytes ({} MiB): the playground analyses at most {MAX_TEXT_BYTES} bytes (1 MiB; Docker's default profile is 16 KB). Check a file this large with `seccplay-native lint FILE`.",
        bytes >> 20,
    )
}

/// The context of `docker run` the state describes, or why there is none (a kernel version
/// that is not one, read by the core's [`context::parse_kernel_release`]): the page then shows
/// no verdicts rather than verdicts for another kernel.
pub fn context(s: &State) -> Result<Context, String> {
    let mut c = Context::docker(s.host);
    c.caps = context::cap_set(s.caps.iter().cloned());
    c.explicit_profile = s.explicit;
    // The engine whose built-in profile the preset is: what --privileged's sentence names.
    c.engine = seccplay_core::presets::engine_of(&s.preset).unwrap_or_default();
    if s.privileged {
        c = c.with_caps(&[] as &[&str], &[] as &[&str], true)?;
    }
    c.kernel = context::parse_kernel_release(&s.kernel)?;
    c.runtime = s.runtime;
    c.enosys_stub = s.enosys;
    c.libseccomp = s.libseccomp;
    Ok(c)
}

/// The policy format of the text, `None` for text that is none (a BPF program). The full build
/// detects every format the core reads (`frontend::detect_policy`); the first-load build only
/// JSON's (`frontend::detect_json`), without linking the other front-ends: it hands any text
/// that is not a Docker profile to the full build ([`crate::boot::needs_full`]).
pub fn policy_format(text: &str) -> Option<Format> {
    #[cfg(feature = "full")]
    {
        thread_local! {
            static MEMO: FormatMemo = const { std::cell::RefCell::new(None) };
        }
        MEMO.with(|m| remembered(m, text, seccplay_core::frontend::detect_policy))
    }
    #[cfg(not(feature = "full"))]
    json_format(text)
}

/// [`seccplay_core::frontend::detect_json`], remembered for the last text.
pub fn json_format(text: &str) -> Option<Format> {
    thread_local! {
        static MEMO: FormatMemo = const { std::cell::RefCell::new(None) };
    }
    MEMO.with(|m| remembered(m, text, seccplay_core::frontend::detect_json))
}

/// The last text a format was detected for, and its format.
type FormatMemo = std::cell::RefCell<Option<(String, Option<Format>)>>;

/// `detect(text)`, from `memo` when it holds the same text. A render asks for the format of
/// the editor's text several times (the build hand-off, the analysis, the context panel, the
/// format line), and each detection of JSON parses the whole text.
fn remembered(memo: &FormatMemo, text: &str, detect: fn(&str) -> Option<Format>) -> Option<Format> {
    if let Some((t, f)) = &*memo.borrow() {
        if t == text {
            return *f;
        }
    }
    let f = detect(text);
    *memo.borrow_mut() = Some((text.to_string(), f));
    f
}

/// Who loads the filter when the text is in a format no container runtime loads (a systemd
/// unit, an LXC policy, Firecracker filters: the core's `Format::own_installer`), with what
/// that leaves out of the context; for a raw BPF program, the core's `filter::AS_IS_NOTE`;
/// `None` for profiles runc or crun load.
pub fn own_installer(text: &str) -> Option<String> {
    match policy_format(text) {
        Some(f) => f.own_installer_note(),
        None if cfg!(feature = "full") && is_program(text) => {
            Some(seccplay_core::filter::AS_IS_NOTE.to_string())
        }
        None => None,
    }
}

/// True when the text is a raw BPF program (or a stack of them) rather than a policy.
pub fn is_program(text: &str) -> bool {
    !looks_like_profile(text)
}

/// True when the text looks like a policy (a JSON profile, or any format the core's front-ends
/// detect: SeccompProfile YAML, seccompiler JSON, a systemd unit, an LXC policy) rather than a
/// BPF program.
pub fn looks_like_profile(text: &str) -> bool {
    text.trim_start().is_empty() || policy_format(text).is_some()
}

/// The download's file name and MIME type for the editor's text, by its format.
pub fn download_name(name: &str, text: &str) -> (String, &'static str) {
    let json = text.trim_start().starts_with('{') || text.trim().is_empty();
    match policy_format(text) {
        _ if json => (format!("{name}.json"), "application/json"),
        Some(Format::Spo) => (format!("{name}.yaml"), "application/yaml"),
        Some(Format::Systemd) => (format!("{name}.service"), "text/plain"),
        Some(Format::Lxc) => (format!("{name}.seccomp"), "text/plain"),
        _ => (format!("{name}.txt"), "text/plain"),
    }
}

/// What the page says it read the editor as (the core's detection, as `frontend::read_one`
/// uses it), for a policy.
pub fn format_read(text: &str) -> Option<String> {
    policy_format(text).map(|f| f.label())
}

/// Reads text in any format but Docker/OCI JSON ([`raw::read_other`]): the full build's
/// `formats` chunk, passed to [`analyze_loaded`] once loaded (`crate::lazy::reader`).
#[cfg(feature = "full")]
pub type Reader = fn(&str, &Context) -> Source;

/// Reads the editor text in a context: the debounce-free analysis the page runs. The full
/// build reads every format here; its App reads with [`analyze_loaded`] instead, so that the
/// main module links only Docker's reader. The first-load build reads Docker/OCI JSON and hands
/// any other text to the full build.
pub fn analyze(text: &str, strict: bool, ctx: &Result<Context, String>) -> Source {
    #[cfg(feature = "full")]
    return read_with(text, strict, ctx, raw::read_other);
    #[cfg(not(feature = "full"))]
    read_with(text, strict, ctx, |_, _| Source::BpfError {
        message: crate::boot::LOADING.into(),
        line: None,
        col: None,
    })
}

/// [`analyze`] with the reader of other formats as loaded (`crate::lazy::reader`):
/// [`Source::Loading`] for such text until it is, [`READ_FAILED`] if it did not load.
#[cfg(feature = "full")]
pub fn analyze_loaded(
    text: &str,
    strict: bool,
    ctx: &Result<Context, String>,
    reader: Option<Result<Reader, crate::lazy::LoadError>>,
) -> Source {
    read_with(text, strict, ctx, |t, c| match reader {
        Some(Ok(read)) => read(t, c),
        Some(Err(_)) => Source::BpfError {
            message: READ_FAILED.into(),
            line: None,
            col: None,
        },
        None => Source::Loading,
    })
}

/// The analysis: Docker/OCI JSON here, any other text by `other`.
fn read_with(
    text: &str,
    strict: bool,
    ctx: &Result<Context, String>,
    other: impl FnOnce(&str, &Context) -> Source,
) -> Source {
    let ctx = match ctx {
        Ok(c) => c,
        Err(e) => return Source::BadContext(e.clone()),
    };
    if strict {
        return Source::Strict(StrictMode::of(ctx));
    }
    if text.len() > MAX_TEXT_BYTES {
        return Source::TooLarge { bytes: text.len() };
    }
    if crate::boot::first_reads(text) {
        return Source::Profile(Box::new(analysis::analyze_docker(text, ctx)));
    }
    other(text, ctx)
}

impl Source {
    /// The program the kernel would run, with its byte order (the newest of a stack).
    pub fn program(&self) -> Option<(&[Insn], Endian)> {
        self.program_at(0)
    }

    /// Filter `i` of the stack (0 = the newest; a profile's program is filter 0).
    pub fn program_at(&self, i: usize) -> Option<(&[Insn], Endian)> {
        match self {
            #[cfg(feature = "full")]
            Source::Bpf(r) => r.program_at(i),
            _ if i > 0 => None,
            Source::Profile(a) => a.program.as_ref().map(|p| (&p.insns[..], p.arch.endian())),
            _ => None,
        }
    }

    /// Why there are no verdicts at all: a refused profile (the container would not start),
    /// unreadable text, or text too large to analyse. `None` when the table and the simulation
    /// mean something (a filter, no filter, or strict mode).
    pub fn no_verdicts(&self) -> Option<String> {
        match self {
            Source::Profile(a) if a.failed() => Some(
                "The profile is refused (see the error under the editor): the container would not start, so there is no program and no syscall verdict.".into(),
            ),
            Source::BpfError { .. } => Some(
                "The text is neither a profile nor a BPF program (see the error under the editor): there is no program and no syscall verdict.".into(),
            ),
            Source::TooLarge { bytes } => Some(too_large_message("The text", *bytes)),
            #[cfg(feature = "full")]
            Source::Loading => Some(READING.into()),
            Source::BadContext(e) => Some(format!(
                "The context is invalid ({e}): no verdicts until it is fixed."
            )),
            _ => None,
        }
    }
}

/// The answer for one call, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    /// `ERRNO(EPERM)`, `ALLOW`, `KILL_PROCESS`, ...
    pub label: String,
    /// A CSS class: allow, errno, kill, trap, other.
    pub class: &'static str,
    /// "Operation not permitted".
    pub errno_message: Option<String>,
    /// The answer in one plain sentence (the core's [`seccplay_core::analysis::Analysis::headline`]).
    pub headline: String,
    /// Why, in detail.
    pub explanation: String,
    /// The deciding rule's line (or the default action's) in the editor.
    pub line: Option<u32>,
    /// Its JSON path.
    pub path: Option<String>,
    /// The filter's return value.
    pub ret: Option<u32>,
    /// The program's own answer, and whether it agrees.
    pub program_ret: Option<u32>,
    /// Instructions executed.
    pub steps: Option<usize>,
    /// The call as the filter sees it (`unshare(0x10000000)`).
    pub call: String,
    /// What hosts with libseccomp 2.5.x do instead (names newer than it).
    pub older_libseccomp: Option<String>,
    /// The kernel answers ENOSYS: the filter lets the call through, but the context's kernel
    /// predates it (the core's `Verdict::kernel_enosys`).
    pub kernel_enosys: Option<String>,
}

/// The CSS class of an action.
pub fn action_class(a: Action) -> &'static str {
    match a {
        Action::Allow | Action::Log => "allow",
        Action::Errno(_) => "errno",
        Action::KillProcess | Action::KillThread => "kill",
        Action::Trap(_) => "trap",
        _ => "other",
    }
}

/// Parses the call and the optional instruction pointer into the query for `abi`.
pub fn query(call: &str, ip: &str, abi: Arch) -> Result<(expr::Call, Query), String> {
    let c = expr::parse_call(call, abi).map_err(|e| e.to_string())?;
    let mut q = analysis::query_of(&c, abi);
    if !ip.trim().is_empty() {
        q.instruction_pointer =
            expr::eval(ip.trim()).map_err(|e| format!("instruction pointer: {e}"))?;
    }
    Ok((c, q))
}

/// The verdict of the call on `abi`.
pub fn simulate(src: &Source, call: &str, ip: &str, abi: Arch) -> Result<Shown, String> {
    if let Some(why) = src.no_verdicts() {
        return Err(why);
    }
    let (c, q) = query(call, ip, abi)?;
    let shown_call = c.to_string();
    Ok(match src {
        Source::Profile(a) => {
            let v = a.simulate(abi, q);
            let outcome = Action::from_ret(v.outcome_ret());
            Shown {
                headline: a.headline(&v),
                label: analysis::describe_action(v.outcome_ret()),
                class: action_class(outcome),
                errno_message: outcome
                    .errno()
                    .and_then(syscalls::errno_message)
                    .map(str::to_string),
                explanation: match &v.kernel_bypass {
                    Some(k) => format!("{k} {}", v.explanation),
                    None => v.explanation,
                },
                line: v.location.as_ref().map(|l| l.line),
                path: v.location.map(|l| l.path),
                ret: Some(v.ret),
                program_ret: v.program_ret,
                steps: v.program_steps,
                call: shown_call,
                older_libseccomp: v.older_libseccomp,
                kernel_enosys: v.kernel_enosys,
            }
        }
        #[cfg(feature = "full")]
        Source::Bpf(r) => r.simulate(abi, &q, shown_call)?,
        Source::Strict(m) => {
            let v = m.simulate(abi, q);
            Shown {
                label: v.label.to_string(),
                class: match v.outcome {
                    Some(StrictOutcome::Allowed) => "allow",
                    Some(StrictOutcome::ThreadKilledSigkill) => "kill",
                    None => "other",
                },
                errno_message: None,
                headline: v.headline,
                explanation: v.explanation,
                line: None,
                path: None,
                ret: None,
                program_ret: None,
                steps: None,
                call: shown_call,
                older_libseccomp: None,
                kernel_enosys: None,
            }
        }
        #[cfg(feature = "full")]
        Source::Loading => return Err(src.no_verdicts().unwrap_or_default()),
        Source::BpfError { .. } | Source::TooLarge { .. } | Source::BadContext(_) => {
            return Err(src.no_verdicts().unwrap_or_default())
        }
    })
}

/// One row of the table, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub name: &'static str,
    pub nr: u32,
    /// allowed, blocked, conditional.
    pub kind: &'static str,
    /// `ALLOW`, `ERRNO(EPERM)`, or the rules of a conditional row.
    pub verdict: String,
    pub cached: Option<bool>,
    pub cost: Option<usize>,
    pub worst: Option<usize>,
    /// Hosts with libseccomp 2.5.x leave this syscall's rules out.
    pub older_libseccomp: bool,
    /// Why (the core's [`seccplay_core::analysis::TableRow::why`]; empty without a profile).
    pub why: String,
}

/// The table of an ABI with its counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Rows {
    pub rows: Vec<Row>,
    pub allowed: usize,
    pub conditional: usize,
    pub blocked: usize,
    /// The core's one-line summary, when there is one.
    pub summary: String,
    /// Why there are no rows ([`Source::no_verdicts`], or an ABI strict mode has no list for on
    /// the host): shown instead of the table.
    pub none: Option<String>,
    /// The kernel of the context has the constant-action cache (5.11 and later).
    pub action_cache: bool,
    /// The core's table, for profiles (what Compare diffs).
    pub table: Option<std::rc::Rc<Table>>,
}

/// The table for `abi`.
pub fn table(src: &Source, abi: Arch) -> Rows {
    if let Some(why) = src.no_verdicts() {
        return Rows {
            none: Some(why),
            ..counted(Vec::new(), String::new())
        };
    }
    match src {
        Source::Profile(a) => from_table(a.table(abi)),
        #[cfg(feature = "full")]
        Source::Bpf(r) => r.rows(abi),
        Source::Strict(m) => {
            let t = m.table(abi);
            let rows = t
                .rows
                .iter()
                .map(|r| Row {
                    name: r.name,
                    nr: r.nr,
                    kind: if r.allowed { "allowed" } else { "blocked" },
                    verdict: r.label.into(),
                    cached: None,
                    cost: None,
                    worst: None,
                    older_libseccomp: false,
                    why: String::new(),
                })
                .collect();
            Rows {
                none: t.none,
                ..counted(rows, t.summary)
            }
        }
        // Answered by no_verdicts() above.
        #[cfg(feature = "full")]
        Source::Loading => counted(Vec::new(), String::new()),
        Source::BpfError { .. } | Source::TooLarge { .. } | Source::BadContext(_) => {
            counted(Vec::new(), String::new())
        }
    }
}

fn counted(rows: Vec<Row>, summary: String) -> Rows {
    let n = |k: &str| rows.iter().filter(|r| r.kind == k).count();
    Rows {
        allowed: n("allowed"),
        conditional: n("conditional"),
        blocked: n("blocked"),
        rows,
        summary,
        none: None,
        action_cache: true,
        table: None,
    }
}

fn from_table(t: Table) -> Rows {
    let rows = t
        .rows
        .iter()
        .map(|r| Row {
            name: r.name,
            nr: r.nr,
            kind: r.verdict.kind(),
            verdict: r.verdict.label(),
            cached: Some(r.cached),
            cost: r.cost,
            worst: r.worst,
            older_libseccomp: r.unknown_to_libseccomp_2_5,
            why: r.why.clone(),
        })
        .collect();
    Rows {
        rows,
        allowed: t.allowed,
        conditional: t.conditional,
        blocked: t.blocked,
        summary: t.to_string(),
        none: None,
        action_cache: t.action_cache,
        table: Some(std::rc::Rc::new(t)),
    }
}

/// A syscall whose verdict differs between two tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub name: &'static str,
    pub nr: u32,
    pub a: String,
    pub b: String,
    /// Both sides behave the same for every call (only what decided it differs).
    pub same_outcome: bool,
    /// `looser`, `tighter` or `other` (B against A).
    pub direction: &'static str,
}

/// The syscalls whose verdict changes from `a` to `b` (tables of the same ABI): the core's
/// [`analysis::diff_tables`] for two profiles; for a raw program or strict mode (no rule
/// database) the rows' verdicts as shown.
pub fn changes(a: &Rows, b: &Rows) -> Vec<Change> {
    if let (Some(ta), Some(tb)) = (&a.table, &b.table) {
        return analysis::diff_tables(ta, tb)
            .into_iter()
            .map(|c| Change {
                name: c.name,
                nr: c.nr,
                a: c.a.label(),
                b: c.b.label(),
                same_outcome: c.same_outcome,
                direction: match c.direction {
                    Direction::Looser => "looser",
                    Direction::Tighter => "tighter",
                    Direction::Other => "other",
                },
            })
            .collect();
    }
    let open = |k: &str| match k {
        "allowed" => 2,
        "conditional" => 1,
        _ => 0,
    };
    a.rows
        .iter()
        .filter_map(|ra| {
            let rb = b.rows.iter().find(|r| r.nr == ra.nr)?;
            (ra.verdict != rb.verdict).then(|| Change {
                name: ra.name,
                nr: ra.nr,
                a: ra.verdict.clone(),
                b: rb.verdict.clone(),
                same_outcome: false,
                direction: match open(rb.kind).cmp(&open(ra.kind)) {
                    std::cmp::Ordering::Greater => "looser",
                    std::cmp::Ordering::Less => "tighter",
                    std::cmp::Ordering::Equal => "other",
                },
            })
        })
        .collect()
}

/// The second context of the comparison: the first with capabilities added/dropped, and, when
/// B is a preset, whether it is an engine's built-in default (and whose) as B's preset says, as
/// `seccplay-native diff A B` loads B.
pub fn compare_context(s: &State) -> Result<Context, String> {
    let split = |v: &str| -> Vec<String> {
        v.split([',', ' '])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut c = context(s)?;
    if !s.cmp_preset.is_empty() {
        let engine = seccplay_core::presets::engine_of(&s.cmp_preset);
        c.explicit_profile = engine.is_none();
        c.engine = engine.unwrap_or_default();
    }
    c.with_caps(
        &split(&s.cmp_cap_add),
        &split(&s.cmp_cap_drop),
        s.cmp_privileged || s.privileged,
    )
}

/// The trace of the program on the call, for the step-through view (of filter `which` of a
/// stack, 0 = the newest).
pub fn trace(
    src: &Source,
    call: &str,
    ip: &str,
    abi: Arch,
    which: usize,
) -> Result<interp::Trace, String> {
    if let Some(why) = src.no_verdicts() {
        return Err(why);
    }
    let (_, q) = query(call, ip, abi)?;
    let (insns, endian) = src.program_at(which).ok_or(match src {
        Source::Strict { .. } => "no program to step through: strict mode runs no filter",
        _ => "no program to step through: this profile installs no filter (unconfined)",
    })?;
    interp::trace(insns, &analysis::data_of(&q), endian).map_err(|e| e.to_string())
}

/// Which argument the cursor is in (commas after the opening parenthesis), and the syscall name.
pub fn current_arg(call: &str) -> Option<(&str, usize)> {
    let open = call.find('(')?;
    let name = call[..open].trim();
    let idx = call[open + 1..].chars().filter(|&c| c == ',').count();
    Some((name, idx))
}
