//! `compile`, `disasm`, `asm`, `emu`: BPF programs in and out.

use crate::ctx::{self, CtxArgs};
use crate::report::{self, ret_json};
use crate::{read_input, stdout_is_file, write_out, Fail};
use clap::{Args, ValueEnum};
use seccplay_core::analysis::{self, describe_action};
use seccplay_core::arch::Arch;
use seccplay_core::bpf::format::{self, ExportFormat};
use seccplay_core::bpf::{asm as bpfasm, disasm, interp, verify, Insn};
use seccplay_core::expr;
use serde_json::json;
use std::path::PathBuf;

/// Program output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// `struct sock_filter` bytes
    Raw,
    /// hex, one instruction per line
    Hex,
    /// C `struct sock_filter` array
    C,
    /// Rust array of `libc::sock_filter`
    Rust,
    /// JSON array of {code, jt, jf, k}
    Json,
    /// base64 of the raw bytes
    Base64,
    /// plain assembly (input for `asm`)
    Asm,
    /// annotated disassembly
    Disasm,
}

/// Renders a program in a format (bytes in `arch`'s byte order).
pub fn render(prog: &[Insn], arch: Arch, f: OutFormat) -> Vec<u8> {
    let ef = match f {
        OutFormat::Raw => ExportFormat::Raw,
        OutFormat::Hex => ExportFormat::Hex,
        OutFormat::C => ExportFormat::C,
        OutFormat::Rust => ExportFormat::Rust,
        OutFormat::Json => ExportFormat::Json,
        OutFormat::Base64 => ExportFormat::Base64,
        OutFormat::Asm => return disasm::plain(prog).into_bytes(),
        OutFormat::Disasm => {
            return disasm::human_text(prog, Some(arch), disasm::HumanOptions::default())
                .into_bytes()
        }
    };
    format::export_file(prog, ef, arch.endian())
}

/// `compile` arguments.
#[derive(Args, Debug)]
pub struct CompileArgs {
    /// Profile: a path, `-` for stdin, or a preset name
    pub profile: String,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// Output format [default: disasm to a terminal or pipe, raw to a file]
    #[arg(long, value_enum)]
    pub format: Option<OutFormat>,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `compile`.
pub fn compile(a: CompileArgs) -> Result<u8, Fail> {
    let (loaded, an) = ctx::analyze(&a.profile, &a.ctx)?;
    ctx::require_ok(&loaded, &an)?;
    if an
        .diagnostics
        .iter()
        .any(|d| d.severity == seccplay_core::diag::Severity::Warning)
    {
        eprintln!(
            "{}: the profile has warnings; see `seccplay-native lint`",
            loaded.origin
        );
    }
    if let Some(why) = &an.unconfined {
        return Err(Fail::msg(format!(
            "{}: nothing to compile: no seccomp filter in this context: {why}",
            loaded.origin
        )));
    }
    let p = an
        .program
        .as_ref()
        .ok_or_else(|| Fail::msg(format!("{}: no program was compiled", loaded.origin)))?;
    let f = a
        .format
        .unwrap_or(if a.output.is_some() || stdout_is_file() {
            OutFormat::Raw
        } else {
            OutFormat::Disasm
        });
    write_out(a.output.as_ref(), &render(&p.insns, p.arch, f))?;
    Ok(0)
}

/// Reads a program in any format `import_auto` detects.
pub fn load_program(path: &str, arch: Arch) -> Result<Vec<Insn>, Fail> {
    let bytes = read_input(path)?;
    format::import_auto_for(&bytes, arch)
        .map(|(_, p)| p)
        .map_err(|e| Fail::msg(format!("{path}: {e}")))
}

fn warn_unverified(path: &str, prog: &[Insn]) {
    if let Err(e) = verify::verify(prog) {
        eprintln!("{path}: warning: the kernel would refuse this program: {e}");
    }
}

/// `disasm` arguments.
#[derive(Args, Debug)]
pub struct DisasmArgs {
    /// Program: raw bytes, hex, C array, JSON, base64 or assembly (`-`: stdin)
    pub file: String,
    /// ABI whose byte order and syscall names to use [default: this machine]
    #[arg(long)]
    pub arch: Option<String>,
    /// Also show the raw fields of every instruction
    #[arg(long)]
    pub raw: bool,
}

/// Runs `disasm`.
pub fn disasm(a: DisasmArgs) -> Result<u8, Fail> {
    let arch = ctx::arch_arg(a.arch.as_deref())?;
    let prog = load_program(&a.file, arch)?;
    warn_unverified(&a.file, &prog);
    let text = disasm::human_text(&prog, Some(arch), disasm::HumanOptions { raw: a.raw });
    write_out(None, text.as_bytes())?;
    Ok(0)
}

/// `asm` arguments.
#[derive(Args, Debug)]
pub struct AsmArgs {
    /// Assembly source (`-`: stdin)
    pub file: String,
    /// Write to OUT instead of stdout
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Output format [default: raw to a file, hex to a terminal or pipe]
    #[arg(long, value_enum)]
    pub format: Option<OutFormat>,
    /// ABI whose byte order to use [default: this machine]
    #[arg(long)]
    pub arch: Option<String>,
}

/// Runs `asm`.
pub fn asm(a: AsmArgs) -> Result<u8, Fail> {
    let arch = ctx::arch_arg(a.arch.as_deref())?;
    let src = String::from_utf8(read_input(&a.file)?)
        .map_err(|e| Fail::msg(format!("{}: not UTF-8 text ({e})", a.file)))?;
    let prog = bpfasm::assemble(&src)
        .map_err(|e| Fail::msg(format!("{}:{}:{}: {}", a.file, e.line, e.col, e.message)))?;
    warn_unverified(&a.file, &prog);
    let f = a
        .format
        .unwrap_or(if a.output.is_some() || stdout_is_file() {
            OutFormat::Raw
        } else {
            OutFormat::Hex
        });
    write_out(a.output.as_ref(), &render(&prog, arch, f))?;
    Ok(0)
}

/// `emu` arguments.
#[derive(Args, Debug)]
pub struct EmuArgs {
    /// Program: raw bytes, hex, C array, JSON, base64 or assembly (`-`: stdin)
    pub file: String,
    /// ABI the syscalls are made on (sets AUDIT_ARCH, numbers, byte order) [default: this machine]
    #[arg(long)]
    pub arch: Option<String>,
    /// Show every executed instruction
    #[arg(long)]
    pub trace: bool,
    /// Print the results as JSON
    #[arg(long)]
    pub json: bool,
    /// Read JSON-line queries (as `simulate --batch`) from FILE (`-`: stdin)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["syscalls", "trace"])]
    pub batch: Option<String>,
    /// Older filters of the stack, after FILE (repeatable, newest first); FILE may also be
    /// `dump PID` output with several filters. The result combines them as the kernel does
    #[arg(long, value_name = "OLDER")]
    pub stack: Vec<String>,
    /// Syscalls: 'unshare(CLONE_NEWUSER)', 'nr=135 0x1 0 0'
    #[arg(value_name = "SYSCALL", required_unless_present = "batch")]
    pub syscalls: Vec<String>,
}

/// Runs `emu`.
pub fn emu(a: EmuArgs) -> Result<u8, Fail> {
    let arch = ctx::arch_arg(a.arch.as_deref())?;
    let mut files = vec![a.file.clone()];
    files.extend(a.stack.iter().cloned());
    let stack = crate::filters::load_stack(&files, arch)?;
    if stack.len() > 1 {
        return emu_stack(&a, arch, &stack);
    }
    let prog = stack.into_iter().next().unwrap_or_default();
    warn_unverified(&a.file, &prog);
    if let Some(input) = &a.batch {
        let ok = report::batch_lines(input, |v| {
            let (qarch, q) = report::batch_query(v, arch)?;
            let t = interp::run(&prog, &analysis::data_of(&q), arch.endian())
                .map_err(|e| e.to_string())?;
            Ok((
                json!({
                    "arch": qarch.name(),
                    "nr": q.nr,
                    "args": q.args,
                    "ip": q.instruction_pointer,
                    "program": ret_json(t),
                }),
                true,
            ))
        })?;
        return Ok(if ok { 0 } else { 1 });
    }
    let mut out = String::new();
    let mut list = Vec::new();
    let mut failed = false;
    for s in &a.syscalls {
        let call = expr::parse_call(s, arch).map_err(|e| Fail::msg(format!("'{s}': {e}")))?;
        let q = analysis::query_of(&call, arch);
        match analysis::run_program(&prog, arch, &q) {
            Ok(t) => {
                out.push_str(&format!(
                    "{call} [nr {:#x}, args {}]: {} ({:#010x}) after {} instructions\n",
                    q.nr,
                    report::args_text(&q.args),
                    describe_action(t.ret),
                    t.ret,
                    t.steps.len()
                ));
                if a.trace {
                    out.push_str(&report::trace_lines(&prog, &t));
                }
                let mut j = ret_json(t.ret);
                j["input"] = json!(s);
                j["steps"] = json!(t.steps.len());
                if a.trace {
                    j["trace"] = serde_json::to_value(&t.steps).unwrap_or_default();
                }
                list.push(j);
            }
            Err(e) => {
                failed = true;
                out.push_str(&format!(
                    "{call}: the program stops without a verdict: {e}\n"
                ));
                list.push(json!({"input": s, "error": e.to_string()}));
            }
        }
    }
    print_results(&a, &out, list, failed)
}

/// Prints `emu`'s results (`{"results": [...]}` with `--json`, else the text) and gives the
/// exit status: 1 when a program stopped without a verdict.
fn print_results(
    a: &EmuArgs,
    out: &str,
    list: Vec<serde_json::Value>,
    failed: bool,
) -> Result<u8, Fail> {
    if a.json {
        println!("{}", crate::schema::pretty(json!({ "results": list })));
    } else {
        write_out(None, out.as_bytes())?;
    }
    Ok(if failed { 1 } else { 0 })
}

/// `emu` over a stack: every filter's value and the combined one (no trace, no batch).
fn emu_stack(a: &EmuArgs, arch: Arch, stack: &[Vec<Insn>]) -> Result<u8, Fail> {
    if a.batch.is_some() || a.trace {
        return Err(Fail::msg(
            "--batch and --trace take one filter, not a stack",
        ));
    }
    for (i, p) in stack.iter().enumerate() {
        warn_unverified(&format!("filter {i}"), p);
    }
    let refs: Vec<&[Insn]> = stack.iter().map(|p| p.as_slice()).collect();
    let mut out = String::new();
    let mut list = Vec::new();
    let mut failed = false;
    for s in &a.syscalls {
        let call = expr::parse_call(s, arch).map_err(|e| Fail::msg(format!("'{s}': {e}")))?;
        let d = analysis::data_of(&analysis::query_of(&call, arch));
        let each: Vec<Result<u32, String>> = refs
            .iter()
            .map(|p| interp::run(p, &d, arch.endian()).map_err(|e| e.to_string()))
            .collect();
        match interp::run_stack(&refs, &d, arch.endian()) {
            Ok(ret) => {
                let parts: Vec<String> = each
                    .iter()
                    .map(|r| {
                        r.as_ref()
                            .map_or_else(|e| e.clone(), |v| describe_action(*v))
                    })
                    .collect();
                out.push_str(&format!(
                    "{call}: {} ({ret:#010x}); filters newest first: {}\n",
                    describe_action(ret),
                    parts.join(", ")
                ));
                let mut j = ret_json(ret);
                j["input"] = json!(s);
                j["filters"] = json!(each
                    .iter()
                    .map(|r| r
                        .clone()
                        .map(ret_json)
                        .unwrap_or_else(|e| json!({"error": e})))
                    .collect::<Vec<_>>());
                list.push(j);
            }
            Err(e) => {
                failed = true;
                out.push_str(&format!("{call}: the stack stops without a verdict: {e}\n"));
                list.push(json!({"input": s, "error": e.to_string()}));
            }
        }
    }
    print_results(a, &out, list, failed)
}
