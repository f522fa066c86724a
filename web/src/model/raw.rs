//! A raw filter or a stack of filters in the editor (no profile): read by the core's
//! [`format::import_stack`] (raw bytes, hex, C array, JSON, base64, assembly, `dump PID`'s
//! output, `---` between hand-made programs), analysed by [`filter::analyze`] (the same call as
//! `seccplay-native raw table`), run by [`interp::trace_stack`] (as `emu --stack`), decompiled by
//! [`decompile::decompile`] (as `raw decompile`). This module picks the core calls and shapes
//! their answers for the table, the simulation, the step-through and the decompile panel.
use super::{action_class, counted, Row, Rows, Shown};
use seccplay_core::analysis;
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::format::{self, Section, StackError};
use seccplay_core::bpf::{cache, interp, Insn};
use seccplay_core::context::{self, Bypass};
use seccplay_core::eval::Query;
use seccplay_core::filter::{self, decompile, FilterAnalysis, Options, Refused, Verdict};
use seccplay_core::profile::KernelVersion;
use seccplay_core::syscalls;

/// A raw program or stack, read and analysed.
#[derive(Clone, Debug)]
pub struct Raw {
    /// The programs, newest first, as read.
    pub sections: Vec<Section>,
    /// The ABI the text was read for: its byte order, and the names of a disassembly (the
    /// context's host).
    pub arch: Arch,
    /// The analysis of the whole stack, or why the kernel would refuse a filter.
    pub analysis: Result<FilterAnalysis, Refused>,
    /// The context's kernel: calls it passes without running any filter
    /// ([`context::filter_bypass`]) are allowed whatever the filters say.
    pub kernel: KernelVersion,
}

/// "newest", "oldest" or nothing, for filter `i` of `n`.
fn position(i: usize, n: usize) -> &'static str {
    match (i, n) {
        (_, 1) => "",
        (0, _) => " (newest)",
        (i, n) if i + 1 == n => " (oldest)",
        _ => "",
    }
}

impl Raw {
    /// Reads `text` (one program or a stack) for a host of ABI `arch` and analyses it.
    pub fn read(text: &str, arch: Arch, kernel: KernelVersion) -> Result<Raw, StackError> {
        let sections = format::import_stack(text.as_bytes(), arch)?;
        let refs: Vec<&[Insn]> = sections.iter().map(|s| s.insns.as_slice()).collect();
        let opts = Options {
            default_abi: arch,
            ..Options::default()
        };
        let analysis = filter::analyze(&refs, arch.endian(), &opts);
        Ok(Raw {
            sections,
            arch,
            analysis,
            kernel,
        })
    }

    /// The programs, newest first.
    pub fn programs(&self) -> Vec<&[Insn]> {
        self.sections.iter().map(|s| s.insns.as_slice()).collect()
    }

    /// The byte order the programs load words in.
    pub fn endian(&self) -> Endian {
        self.arch.endian()
    }

    /// Filter `i`'s name: `filter 1 (oldest)`.
    pub fn filter_name(&self, i: usize) -> String {
        format!("filter {i}{}", position(i, self.sections.len()))
    }

    /// The status line: what was read.
    pub fn status(&self) -> String {
        let n = self.sections.len();
        let formats: Vec<String> = self
            .sections
            .iter()
            .map(|s| format!("{:?}", s.format))
            .collect();
        let lens: Vec<String> = self
            .sections
            .iter()
            .map(|s| s.insns.len().to_string())
            .collect();
        let what = if n == 1 {
            format!(
                "A raw BPF program ({}, {} instructions)",
                formats[0], lens[0]
            )
        } else {
            format!(
                "A stack of {n} raw BPF programs, newest first ({}; {} instructions)",
                formats.join(", "),
                lens.join(" + ")
            )
        };
        match &self.analysis {
            Ok(_) => format!("{what}: analysed as is, without a profile (every syscall's conditions in the table)."),
            Err(r) => format!(
                "{what}: the kernel would refuse {}: {}",
                self.filter_name(r.filter),
                r.message
            ),
        }
    }

    /// The table rows of `abi`: the analysis per syscall, with the filter that decided.
    pub fn rows(&self, abi: Arch) -> Rows {
        let an = match &self.analysis {
            Ok(a) => a,
            Err(r) => {
                return Rows {
                    none: Some(format!(
                        "The kernel would refuse {} ({}): seccomp(2) returns EINVAL, no filter is installed.",
                        self.filter_name(r.filter),
                        r.message
                    )),
                    ..counted(Vec::new(), String::new())
                }
            }
        };
        let lines = |r: &filter::Row| filter::row_lines(r).join("; ");
        let rows = an.rows_of(abi);
        if rows.is_empty() {
            return Rows {
                none: Some(format!(
                    "The filter does not test {abi}'s AUDIT_ARCH value ({:#x}): a call on {abi} gets what every other arch gets: {}.",
                    abi.audit_arch(),
                    lines(&an.other_arches)
                )),
                ..counted(Vec::new(), String::new())
            };
        }
        let progs = self.programs();
        let n = progs.len();
        let audit = abi.audit_arch();
        let shown = rows
            .into_iter()
            .filter_map(|r| {
                let (nr, name) = (r.nr?, r.name?);
                let kind = match &r.verdict {
                    Verdict::Constant { ret, .. }
                        if seccplay_core::action::Action::from_ret(*ret).is_allow() =>
                    {
                        "allowed"
                    }
                    Verdict::Constant { .. } => "blocked",
                    _ => "conditional",
                };
                let bypass = context::filter_bypass(self.kernel, abi, nr);
                let bypassed = matches!(bypass, Some(Bypass::Always(_)));
                let kind = if bypassed { "allowed" } else { kind };
                let mut why = match bypass {
                    Some(b) => format!("{} The filter's answer: {}", b.describe(), lines(r)),
                    None => lines(r),
                };
                if n > 1 {
                    let d: Vec<String> = filter::deciders(r)
                        .iter()
                        .map(|i| self.filter_name(*i))
                        .collect();
                    if !d.is_empty() {
                        why.push_str(&format!(" [decided by {}]", d.join(", ")));
                    }
                }
                let data = analysis::data_of(&Query {
                    audit_arch: audit,
                    nr,
                    args: [0; 6],
                    instruction_pointer: 0,
                });
                let cost: Option<usize> = progs
                    .iter()
                    .map(|p| {
                        interp::run_counted(p, &data, self.endian())
                            .ok()
                            .map(|x| x.1)
                    })
                    .sum();
                let worst: Option<usize> = progs
                    .iter()
                    .map(|p| cache::worst_case_steps(p, audit, nr).ok().map(|w| w.steps))
                    .sum();
                Some(Row {
                    name,
                    nr,
                    kind,
                    verdict: if bypassed {
                        "ALLOW".into()
                    } else {
                        filter::verdict_short(r)
                    },
                    cached: Some(
                        bypassed || progs.iter().all(|p| cache::is_const_allow(p, audit, nr)),
                    ),
                    cost,
                    worst,
                    older_libseccomp: false,
                    why,
                })
            })
            .collect();
        let other_numbers = an
            .arches
            .iter()
            .find(|a| a.abis.contains(&abi))
            .map(|a| lines(&a.other_numbers))
            .unwrap_or_default();
        let default = an
            .default_ret
            .map_or("none".into(), analysis::describe_action);
        let summary = format!(
            "{abi}: {} — default {default}; every other number: {other_numbers}; every other arch: {}",
            if n == 1 {
                "raw program, analysed on every path".to_string()
            } else {
                format!("stack of {n} filters (newest first), combined as the kernel does")
            },
            lines(&an.other_arches)
        );
        counted(shown, summary)
    }

    /// The analysis' lines for syscall `nr` of `abi` (`mkdir(...) → ERRNO(EROFS)`), if the
    /// filter has a row for it.
    fn row_lines(&self, abi: Arch, nr: u32) -> Option<Vec<String>> {
        let an = self.analysis.as_ref().ok()?;
        let r = an.rows_of(abi).into_iter().find(|r| r.nr == Some(nr))?;
        Some(filter::row_lines(r))
    }

    /// The verdict of the query across the stack: each filter's value and the one the
    /// kernel takes.
    pub fn simulate(&self, abi: Arch, q: &Query, call: String) -> Result<Shown, String> {
        let progs = self.programs();
        let t = interp::trace_stack(&progs, &analysis::data_of(q), self.endian())
            .map_err(|(i, e)| format!("{} stops without a verdict: {e}", self.filter_name(i)))?;
        let bypass = context::filter_bypass(self.kernel, abi, q.nr);
        let out = match bypass {
            Some(Bypass::Always(_)) => seccplay_core::action::RET_ALLOW,
            _ => t.ret,
        };
        let action = seccplay_core::action::Action::from_ret(out);
        let label = analysis::describe_action(out);
        let word = analysis::outcome_word(action);
        let n = progs.len();
        let headline = if out != t.ret {
            format!("{word}: the kernel runs no filter for this call.")
        } else if n == 1 {
            format!("{word}: the program returns {label}.")
        } else {
            format!(
                "{word}: {} of {n} returns {label}, the most restrictive answer of the stack.",
                self.filter_name(t.decided_by)
            )
        };
        let each: Vec<String> = t
            .traces
            .iter()
            .enumerate()
            .map(|(i, tr)| {
                format!(
                    "{} returns {} after {} instructions",
                    self.filter_name(i),
                    analysis::describe_action(tr.ret),
                    tr.steps.len()
                )
            })
            .collect();
        let mut explanation = if n == 1 {
            format!(
                "The program returned {:#010x} after {} instructions (a raw program: no profile rule to point at).",
                t.ret,
                t.traces[0].steps.len()
            )
        } else {
            format!(
                "The kernel runs every filter, newest first, and takes the most restrictive action (on a tie, the newest filter's): {}.",
                each.join("; ")
            )
        };
        if let Some(ls) = self.row_lines(abi, q.nr) {
            explanation.push_str(&format!(" For every argument: {}.", ls.join("; ")));
        }
        if let Some(b) = bypass {
            explanation = format!("{} {explanation}", b.describe());
        }
        Ok(Shown {
            headline,
            label,
            class: action_class(action),
            errno_message: action
                .errno()
                .and_then(syscalls::errno_message)
                .map(str::to_string),
            explanation,
            line: Some(self.sections[t.decided_by].line as u32),
            path: None,
            ret: Some(t.ret),
            program_ret: Some(t.ret),
            steps: Some(t.traces.iter().map(|x| x.steps.len()).sum()),
            call,
            older_libseccomp: None,
            kernel_enosys: None,
        })
    }

    /// Each filter's value for the query (newest first) and the one that decided, for the
    /// step-through's filter choice.
    pub fn each(&self, q: &Query) -> Result<(Vec<u32>, usize), String> {
        let progs = self.programs();
        interp::trace_stack(&progs, &analysis::data_of(q), self.endian())
            .map(|t| (t.traces.iter().map(|x| x.ret).collect(), t.decided_by))
            .map_err(|(i, e)| format!("{} stops without a verdict: {e}", self.filter_name(i)))
    }

    /// The equivalent Docker-format profile and what no profile can state.
    pub fn decompiled(&self) -> Result<decompile::Decompiled, String> {
        match &self.analysis {
            Ok(a) => Ok(decompile::decompile(a)),
            Err(r) => Err(format!(
                "The kernel would refuse {}: {}",
                self.filter_name(r.filter),
                r.message
            )),
        }
    }
}

/// A raw program as the page's main module holds it ([`super::Source::Bpf`]). Only the
/// `formats` chunk reads programs (`crate::lazy`), so only it makes a [`Raw`]: calls through
/// this trait run the chunk's code, and the main module links none of the programs' readers,
/// analysis or interpreter.
pub trait RawView: std::fmt::Debug {
    /// [`Raw::rows`].
    fn rows(&self, abi: Arch) -> Rows;
    /// [`Raw::simulate`].
    fn simulate(&self, abi: Arch, q: &Query, call: String) -> Result<Shown, String>;
    /// [`Raw::status`].
    fn status(&self) -> String;
    /// True when the kernel would refuse a filter of the stack.
    fn refused(&self) -> bool;
    /// Filter `i` of the stack (0 = the newest), with its byte order.
    fn program_at(&self, i: usize) -> Option<(&[Insn], Endian)>;
    /// The program itself, for the chunks' panels (decompilation, the stack's answers).
    fn raw(&self) -> &Raw;
}

impl RawView for Raw {
    fn rows(&self, abi: Arch) -> Rows {
        Raw::rows(self, abi)
    }
    fn simulate(&self, abi: Arch, q: &Query, call: String) -> Result<Shown, String> {
        Raw::simulate(self, abi, q, call)
    }
    fn status(&self) -> String {
        Raw::status(self)
    }
    fn refused(&self) -> bool {
        self.analysis.is_err()
    }
    fn program_at(&self, i: usize) -> Option<(&[Insn], Endian)> {
        self.sections.get(i).map(|s| (&s.insns[..], self.endian()))
    }
    fn raw(&self) -> &Raw {
        self
    }
}

/// Reads text that is not a Docker/OCI JSON profile: any other policy format (the core's
/// front-ends), else a raw program or stack. The `formats` chunk's reader (`crate::lazy`).
pub fn read_other(text: &str, ctx: &seccplay_core::context::Context) -> super::Source {
    use super::Source;
    if super::looks_like_profile(text) {
        return Source::Profile(Box::new(analysis::analyze(text, ctx)));
    }
    match Raw::read(text, ctx.host_arch, ctx.kernel) {
        Ok(r) => Source::Bpf(std::rc::Rc::new(r)),
        Err(e) => Source::BpfError {
            message: format!(
                "not a profile, and not a BPF program{} ({:?}): {}",
                if e.filters > 1 {
                    format!(" stack (filter {} of {})", e.filter, e.filters)
                } else {
                    String::new()
                },
                e.error.format,
                e.error.message
            ),
            line: e.error.line,
            col: e.error.col,
        },
    }
}

/// Each filter's value and the deciding filter for the call, when the editor holds a stack of
/// more than one filter (the step-through's filter choice).
pub fn stack_answers(
    src: &super::Source,
    call: &str,
    ip: &str,
    abi: Arch,
) -> Option<(Vec<u32>, usize)> {
    let super::Source::Bpf(r) = src else {
        return None;
    };
    let r = r.raw();
    if r.sections.len() < 2 {
        return None;
    }
    let (_, q) = super::query(call, ip, abi).ok()?;
    r.each(&q).ok()
}
