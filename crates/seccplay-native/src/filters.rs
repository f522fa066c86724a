//! `raw table`, `raw explain`, `raw decompile`: any filter or stack of filters, without a
//! profile (seccplay_core::filter). Also the stack reader `emu --stack` uses.

use crate::ctx;
use crate::{read_input, write_out, Fail};
use clap::{Args, Subcommand};
use seccplay_core::arch::Arch;
use seccplay_core::bpf::{format, Insn};
use seccplay_core::context::{self, Bypass, Context};
use seccplay_core::filter::{self, decompile, FilterAnalysis, Options, Row, Verdict};
use seccplay_core::profile::KernelVersion;
use serde_json::json;
use std::path::PathBuf;

/// `raw` subcommands.
#[derive(Subcommand, Debug)]
pub enum RawCmd {
    /// Every syscall with what the filter (or stack) returns: one value, or "conditional"
    Table(RawArgs),
    /// The conditions, in syscall terms, under which each syscall gets each action
    Explain(RawArgs),
    /// An equivalent Docker-format profile, and what no profile can state
    Decompile(DecompileArgs),
}

/// Input shared by the `raw` subcommands.
#[derive(Args, Debug)]
pub struct RawArgs {
    /// Programs, newest first (as the kernel runs a stack): raw bytes, hex, C array, JSON,
    /// base64, assembly, or `dump PID` output with several filters (`-`: stdin)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Byte order, and the ABI assumed when the programs test no AUDIT_ARCH value
    /// [default: this machine]
    #[arg(long)]
    pub arch: Option<String>,
    /// Only this ABI's rows (e.g. x86_64, x32)
    #[arg(long)]
    pub abi: Option<String>,
    /// Kernel version (X.Y or `uname -r`): calls it passes without running any filter are
    /// marked (uretprobe on x86_64 since 6.14) [default: the running kernel]
    #[arg(long, value_name = "X.Y")]
    pub kernel: Option<String>,
    /// Also list rows that get the default action (explain)
    #[arg(long)]
    pub all: bool,
    /// JSON output
    #[arg(long)]
    pub json: bool,
}

/// `raw decompile` arguments.
#[derive(Args, Debug)]
pub struct DecompileArgs {
    #[command(flatten)]
    pub input: RawArgs,
    /// Write the profile to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compile the profile again (Docker context of the first ABI, no ENOSYS stub) and
    /// run both programs on every path of both analyses; exit 1 if they differ
    #[arg(long)]
    pub check: bool,
}

/// Reads one file as one or more programs (the core's [`format::import_stack`]: `dump` output
/// or `---`-separated programs give one program per section, in the file's order, newest
/// first).
pub fn load_stack_file(path: &str, arch: Arch) -> Result<Vec<Vec<Insn>>, Fail> {
    let bytes = read_input(path)?;
    format::import_stack(&bytes, arch)
        .map(|s| s.into_iter().map(|s| s.insns).collect())
        .map_err(|e| Fail::msg(format!("{path}: {e}")))
}

/// Every file's programs, newest first.
pub fn load_stack(files: &[String], arch: Arch) -> Result<Vec<Vec<Insn>>, Fail> {
    let mut out = Vec::new();
    for f in files {
        out.extend(load_stack_file(f, arch)?);
    }
    Ok(out)
}

fn analyse(a: &RawArgs) -> Result<(Arch, Vec<Vec<Insn>>, FilterAnalysis), Fail> {
    let arch = ctx::arch_arg(a.arch.as_deref())?;
    let stack = load_stack(&a.files, arch)?;
    let refs: Vec<&[Insn]> = stack.iter().map(|p| p.as_slice()).collect();
    let opts = Options {
        default_abi: arch,
        ..Options::default()
    };
    let an = filter::analyze(&refs, arch.endian(), &opts)
        .map_err(|e| Fail::msg(format!("the kernel would refuse {e}")))?;
    Ok((arch, stack, an))
}

/// The kernel of `--kernel`, or the running one (6.1, the page's default, where uname fails).
fn kernel(a: &RawArgs) -> Result<KernelVersion, Fail> {
    ctx::kernel_arg(a.kernel.as_deref(), Context::docker(Arch::X86_64).kernel)
}

/// What `kernel` does with a row's call before any filter runs ([`context::filter_bypass`]).
fn bypass(kernel: KernelVersion, r: &Row) -> Option<Bypass> {
    context::filter_bypass(kernel, r.abi?, r.nr?)
}

fn abi_filter(a: &RawArgs) -> Result<Option<Arch>, Fail> {
    a.abi
        .as_deref()
        .map(|s| Arch::from_name(s).ok_or_else(|| Fail::msg(format!("unknown ABI '{s}'"))))
        .transpose()
}

fn header(an: &FilterAnalysis) -> String {
    let lens: Vec<String> = an.lengths.iter().map(|l| l.to_string()).collect();
    format!(
        "# {} filter(s), newest first: {} instructions; default {}\n",
        an.lengths.len(),
        lens.join(" + "),
        an.default_ret
            .map_or("(none)".into(), seccplay_core::analysis::describe_action)
    )
}

/// Runs `raw table`, `raw explain` and `raw decompile`.
pub fn run(cmd: RawCmd) -> Result<u8, Fail> {
    match cmd {
        RawCmd::Table(a) => table(a),
        RawCmd::Explain(a) => explain(a),
        RawCmd::Decompile(a) => decompile_cmd(a),
    }
}

fn table(a: RawArgs) -> Result<u8, Fail> {
    let (_, _, an) = analyse(&a)?;
    let only = abi_filter(&a)?;
    let kernel = kernel(&a)?;
    if a.json {
        let v = serde_json::to_value(&an).unwrap_or_default();
        println!("{}", crate::schema::pretty(v));
        return Ok(0);
    }
    let mut out = header(&an);
    for ar in &an.arches {
        for r in ar.rows.iter().filter(|r| only.is_none() || r.abi == only) {
            out.push_str(&format!(
                "{:<8} {:>10} {:<24} {}{}\n",
                r.abi.map_or("", |a| a.name()),
                r.nr.map_or(String::new(), |n| n.to_string()),
                r.name.unwrap_or(""),
                filter::verdict_short(r),
                bypass(kernel, r)
                    .map_or(String::new(), |b| format!("  [kernel: {}]", b.describe()))
            ));
        }
        out.push_str(&format!(
            "{:#010x} other numbers: {}\n",
            ar.audit_arch,
            filter::verdict_short(&ar.other_numbers)
        ));
    }
    out.push_str(&format!(
        "other arches: {}\n",
        filter::verdict_short(&an.other_arches)
    ));
    write_out(None, out.as_bytes())?;
    Ok(0)
}

fn explain(a: RawArgs) -> Result<u8, Fail> {
    let (_, _, an) = analyse(&a)?;
    let only = abi_filter(&a)?;
    let kernel = kernel(&a)?;
    let default = an.default_ret;
    let shown = |r: &Row| {
        a.all
            || bypass(kernel, r).is_some()
            || !matches!(r.verdict, Verdict::Constant { ret, .. } if Some(ret) == default)
    };
    let mut lines = Vec::new();
    let mut list = Vec::new();
    for ar in &an.arches {
        let label = ar
            .abis
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join("/");
        lines.push(format!("## {label} (arch {:#010x})", ar.audit_arch));
        for r in ar
            .rows
            .iter()
            .filter(|r| (only.is_none() || r.abi == only) && shown(r))
        {
            let prefix = abi_prefix(r, ar.abis.len());
            for l in filter::row_lines(r) {
                lines.push(format!("{prefix}{l}"));
            }
            let by = bypass(kernel, r).map(Bypass::describe);
            if let Some(b) = &by {
                lines.push(format!("{prefix}  kernel {kernel}: {b}"));
            }
            list.push(json!({"abi": r.abi, "nr": r.nr, "name": r.name, "verdict": r.verdict, "lines": filter::row_lines(r), "kernel_bypass": by}));
        }
        for l in filter::row_lines(&ar.other_numbers) {
            lines.push(format!("every other number: {l}"));
        }
        list.push(json!({"abi": ar.abis.first(), "nr": null, "name": "(other numbers)", "verdict": ar.other_numbers.verdict}));
    }
    for l in filter::row_lines(&an.other_arches) {
        lines.push(format!("every other arch: {l}"));
    }
    list.push(json!({"abi": null, "nr": null, "name": "(other arches)", "verdict": an.other_arches.verdict}));
    if a.json {
        let v = json!({"lengths": an.lengths, "default": default, "kernel": kernel.to_string(), "rows": list});
        println!("{}", crate::schema::pretty(v));
    } else {
        let mut out = header(&an);
        out.push_str(&lines.join("\n"));
        out.push('\n');
        write_out(None, out.as_bytes())?;
    }
    Ok(0)
}

fn abi_prefix(r: &Row, abis: usize) -> String {
    match (abis > 1, r.abi) {
        (true, Some(a)) => format!("{}: ", a.name()),
        _ => String::new(),
    }
}

fn decompile_cmd(a: DecompileArgs) -> Result<u8, Fail> {
    let (_, stack, an) = analyse(&a.input)?;
    let d = decompile::decompile(&an);
    let mut mismatches = Vec::new();
    if a.check {
        let native = d.abis.first().copied().ok_or_else(|| Fail::msg("no ABI"))?;
        let mut c = seccplay_core::context::Context::docker(native);
        c.enosys_stub = false;
        let again = seccplay_core::analysis::analyze(&d.profile, &c);
        let p = again.program.ok_or_else(|| {
            Fail::msg(format!(
                "the decompiled profile does not compile: {:?}",
                again.diagnostics.first().map(|d| d.message.clone())
            ))
        })?;
        let refs: Vec<&[Insn]> = stack.iter().map(|p| p.as_slice()).collect();
        let an2 = filter::analyze(&[&p.insns], an.endian, &Options::default())
            .map_err(|e| Fail::msg(e.to_string()))?;
        mismatches = decompile::differences(&refs, &an, &[&p.insns], &an2);
    }
    if a.input.json {
        let v = json!({"profile": serde_json::from_str::<serde_json::Value>(&d.profile).unwrap_or_default(),
            "abis": d.abis, "gaps": d.gaps, "checked": a.check, "mismatches": mismatches});
        println!("{}", crate::schema::pretty(v));
    } else {
        write_out(a.output.as_ref(), d.profile.as_bytes())?;
        for g in &d.gaps {
            eprintln!(
                "not stated: {}{}: {}",
                g.abi.map_or(String::new(), |a| format!("{} ", a.name())),
                g.syscall,
                g.why
            );
        }
        if a.check {
            eprintln!(
                "check: {} input(s) decided differently by the recompiled profile",
                mismatches.len()
            );
            for m in mismatches.iter().take(10) {
                eprintln!("  {:?}: {:?} vs {:?}", m.data, m.original, m.other);
            }
        }
    }
    Ok(if mismatches.is_empty() { 0 } else { 1 })
}
