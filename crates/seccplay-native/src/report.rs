//! `simulate`, `table`, `lint`, `diff`: the core's answers about a profile, formatted.

use crate::ctx::{self, CtxArgs};
use crate::Fail;
use clap::Args;
use seccplay_core::action::Action;
use seccplay_core::analysis::{
    self, describe_action, Analysis, RowVerdict, StrictMode, StrictVerdict, Verdict,
};
use seccplay_core::arch::Arch;
use seccplay_core::bpf::{disasm, interp, Insn};
use seccplay_core::eval::Query;
use seccplay_core::expr;
use seccplay_core::presets::PresetKind;
use serde_json::{json, Value};
use std::io::{BufRead, Write};

/// `simulate` arguments.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Profile: a path, `-` for stdin, or a preset name
    pub profile: String,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// ABI the syscalls are made on (x86_64, x86, x32, aarch64, arm, ...) [default: the host arch]
    #[arg(long)]
    pub arch: Option<String>,
    /// Also show the BPF instructions the compiled program executes
    #[arg(long)]
    pub trace: bool,
    /// Print the verdicts as JSON
    #[arg(long)]
    pub json: bool,
    /// Read JSON-line queries from FILE (`-`: stdin) and write JSON lines
    #[arg(long, value_name = "FILE", conflicts_with_all = ["syscalls", "trace"])]
    pub batch: Option<String>,
    /// Syscalls: 'unshare(CLONE_NEWUSER)', 'nr=135 0x1 0 0'
    #[arg(value_name = "SYSCALL", required_unless_present = "batch")]
    pub syscalls: Vec<String>,
}

/// `table` arguments.
#[derive(Args, Debug)]
pub struct TableArgs {
    /// Profile: a path, `-` for stdin, or a preset name
    pub profile: String,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// ABI to list (x86_64, x86, x32, ...) [default: the host arch]
    #[arg(long)]
    pub arch: Option<String>,
    /// Print the table as JSON
    #[arg(long)]
    pub json: bool,
}

/// `lint` arguments.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// Profile: a path, `-` for stdin, or a preset name
    pub profile: String,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// Print the diagnostics as JSON
    #[arg(long)]
    pub json: bool,
}

/// Context overrides for one side of `diff`.
#[derive(Debug, Clone, Default)]
pub struct Side {
    host_arch: Option<String>,
    cap_add: Vec<String>,
    cap_drop: Vec<String>,
    privileged: bool,
    kernel: Option<String>,
    runtime: Option<String>,
}

/// `diff` arguments.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Profile A: a path, `-` for stdin, or a preset name
    pub a: String,
    /// Profile B: a path, `-` for stdin, or a preset name
    pub b: String,
    /// Context shared by both sides
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// Host architecture of A only
    #[arg(long, value_name = "ARCH")]
    pub a_host_arch: Option<String>,
    /// Capability added for A only (repeatable)
    #[arg(long, value_name = "CAP")]
    pub a_cap_add: Vec<String>,
    /// Capability dropped for A only (repeatable)
    #[arg(long, value_name = "CAP")]
    pub a_cap_drop: Vec<String>,
    /// A is --privileged
    #[arg(long)]
    pub a_privileged: bool,
    /// Kernel X.Y for A only
    #[arg(long, value_name = "X.Y")]
    pub a_kernel: Option<String>,
    /// Runtime (runc, crun) for A only
    #[arg(long, value_name = "RUNTIME")]
    pub a_runtime: Option<String>,
    /// Host architecture of B only
    #[arg(long, value_name = "ARCH")]
    pub b_host_arch: Option<String>,
    /// Capability added for B only (repeatable)
    #[arg(long, value_name = "CAP")]
    pub b_cap_add: Vec<String>,
    /// Capability dropped for B only (repeatable)
    #[arg(long, value_name = "CAP")]
    pub b_cap_drop: Vec<String>,
    /// B is --privileged
    #[arg(long)]
    pub b_privileged: bool,
    /// Kernel X.Y for B only
    #[arg(long, value_name = "X.Y")]
    pub b_kernel: Option<String>,
    /// Runtime (runc, crun) for B only
    #[arg(long, value_name = "RUNTIME")]
    pub b_runtime: Option<String>,
    /// Print the differences as JSON
    #[arg(long)]
    pub json: bool,
}

fn hex_args(args: &[u64; 6]) -> Vec<String> {
    args.iter().map(|a| format!("{a:#x}")).collect()
}

/// One line of a trace: `  0004: jeq #0x3e, L5, L9    A=0x3e X=0 read nr`.
pub fn trace_lines(prog: &[Insn], t: &interp::Trace) -> String {
    let mut s = String::new();
    for st in &t.steps {
        let mut line = format!(
            "  {:04}: {:<36}",
            st.pc,
            disasm::plain_insn(st.insn, st.pc, Some(prog.len()))
        );
        line.push_str(&format!(" A={:#x} X={:#x}", st.a, st.x));
        if let Some(r) = &st.read {
            line.push_str(&format!("  ; {} = {:#x}", r.field, r.value));
        }
        if let Some(m) = &st.mem_write {
            line.push_str(&format!("  ; M[{}] = {:#x}", m.index, m.value));
        }
        if let Some(b) = &st.branch {
            match b.cond {
                Some(c) => line.push_str(&format!("  ; {c} -> {:04}", b.target)),
                None => line.push_str(&format!("  ; -> {:04}", b.target)),
            }
        }
        if let Some(r) = st.ret {
            line.push_str(&format!("  ; return {}", describe_action(r)));
        }
        if let Some(n) = st.note {
            line.push_str(&format!("  ; {n}"));
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

fn action_line(ret: u32) -> String {
    let a = Action::from_ret(ret);
    match a.errno() {
        Some(e) => format!(
            "{} — {}{}",
            describe_action(ret),
            seccplay_core::syscalls::errno_name(e).unwrap_or("?"),
            seccplay_core::syscalls::errno_message(e)
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ),
        None => describe_action(ret),
    }
}

fn verdict_text(a: &Analysis, v: &Verdict, call: &str, trace: bool) -> String {
    let mut s = format!("{call} on {}: {}\n", v.arch, action_line(v.outcome_ret()));
    if let Some(k) = &v.kernel_bypass {
        s.push_str(&format!("  kernel: {k}\n"));
    }
    let of = if v.bypassed {
        " (the filter's, not run)"
    } else {
        ""
    };
    s.push_str(&format!("  return value: {:#010x}{of}\n", v.ret));
    if let Some(r) = &v.rule {
        let loc = v
            .location
            .as_ref()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        s.push_str(&format!(
            "  decided by: syscalls[{}]{loc}\n",
            r.origin.entry
        ));
    } else if let Some(l) = &v.location {
        s.push_str(&format!("  decided by: the default action at {l}\n"));
    }
    s.push_str(&format!("  why: {}\n", v.explanation));
    if let Some(k) = &v.kernel_enosys {
        s.push_str(&format!("  then the kernel: {k}\n"));
    }
    if let Some(n) = &v.older_libseccomp {
        s.push_str(&format!("  note: {n}\n"));
    }
    if let Some(p) = v.program_ret {
        let agree = if p == v.ret {
            "agrees with the evaluator".to_string()
        } else {
            format!("DIFFERS from the evaluator ({})", describe_action(p))
        };
        s.push_str(&format!(
            "  program: {:#010x} after {} instructions ({agree})\n",
            p,
            v.program_steps.unwrap_or(0)
        ));
    }
    if trace {
        if let Some(p) = &a.program {
            match interp::trace(&p.insns, &analysis::data_of(&v.query), p.arch.endian()) {
                Ok(t) => {
                    s.push_str("  trace:\n");
                    s.push_str(&trace_lines(&p.insns, &t));
                }
                Err(e) => s.push_str(&format!("  trace: {e}\n")),
            }
        } else {
            s.push_str("  trace: no program (no filter)\n");
        }
    }
    s
}

/// One batch query: arch, and either nr/args/ip or a syscall expression.
pub fn batch_query(v: &Value, default_arch: Arch) -> Result<(Arch, Query), String> {
    let obj = v.as_object().ok_or("expected a JSON object")?;
    let arch = match obj.get("arch") {
        None => default_arch,
        Some(Value::String(s)) => {
            Arch::from_name(s).ok_or_else(|| format!("arch: unknown architecture \"{s}\""))?
        }
        Some(_) => return Err("arch: expected a string".into()),
    };
    let ip_of = |v: Option<&Value>| -> Result<Option<u64>, String> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| "ip: expected an unsigned integer".into()),
        }
    };
    if let Some(sc) = obj.get("syscall") {
        let text = sc.as_str().ok_or("syscall: expected a string")?;
        let call = expr::parse_call(text, arch).map_err(|e| format!("syscall: {e}"))?;
        let mut q = analysis::query_of(&call, arch);
        if let Some(ip) = ip_of(obj.get("ip"))? {
            q.instruction_pointer = ip;
        }
        return Ok((arch, q));
    }
    let nr = obj
        .get("nr")
        .ok_or("expected \"nr\" or \"syscall\"")?
        .as_u64()
        .filter(|n| *n <= u32::MAX as u64)
        .or_else(|| {
            obj.get("nr")
                .and_then(Value::as_i64)
                .filter(|n| *n >= i32::MIN as i64)
                .map(|n| n as u32 as u64)
        })
        .ok_or("nr: expected a 32-bit integer")? as u32;
    let mut args = [0u64; 6];
    if let Some(a) = obj.get("args") {
        let list = a.as_array().ok_or("args: expected an array")?;
        if list.len() > 6 {
            return Err("args: at most 6 arguments".into());
        }
        for (i, x) in list.iter().enumerate() {
            args[i] = x
                .as_u64()
                .ok_or_else(|| format!("args[{i}]: expected an unsigned 64-bit integer"))?;
        }
    }
    Ok((
        arch,
        Query {
            audit_arch: arch.audit_arch(),
            nr,
            args,
            instruction_pointer: ip_of(obj.get("ip"))?.unwrap_or(0),
        },
    ))
}

/// `{"ret", "action", "errno"}` of a return value.
pub fn ret_json(ret: u32) -> Value {
    let a = Action::from_ret(ret);
    json!({
        "ret": ret,
        "action": a.short_name(),
        "errno": a.errno(),
        "errno_name": a.errno().and_then(seccplay_core::syscalls::errno_name),
    })
}

/// Runs `f` on every JSON line of `input`, writing its JSON answer; returns true if all were Ok.
pub fn batch_lines(
    input: &str,
    mut f: impl FnMut(&Value) -> Result<(Value, bool), String>,
) -> Result<bool, Fail> {
    let reader: Box<dyn BufRead> = if input == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(input).map_err(|e| Fail::msg(format!("--batch {input}: {e}")))?,
        ))
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut ok = true;
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Fail::msg(format!("--batch {input}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = serde_json::from_str::<Value>(&line)
            .map_err(|e| format!("invalid JSON: {e}"))
            .and_then(|v| f(&v));
        let v = match answer {
            Ok((mut v, good)) => {
                ok &= good;
                v["line"] = json!(i + 1);
                v
            }
            Err(e) => {
                ok = false;
                json!({"line": i + 1, "error": e})
            }
        };
        writeln!(out, "{}", crate::schema::line(v))
            .map_err(|e| Fail::msg(format!("writing to stdout: {e}")))?;
    }
    out.flush()
        .map_err(|e| Fail::msg(format!("writing to stdout: {e}")))?;
    Ok(ok)
}

/// `simulate strict`'s text for one call: the core's label, headline and explanation.
fn strict_text(v: &StrictVerdict, call: &str, trace: bool) -> String {
    let mut s = format!("{call} on {}: {}\n", v.arch, v.label);
    s.push_str(&format!("  {}\n", v.headline));
    s.push_str(&format!("  why: {}\n", v.explanation));
    if trace {
        s.push_str("  trace: no program (strict mode runs no filter)\n");
    }
    s
}

/// `simulate` of preset strict: SECCOMP_MODE_STRICT, answered by the core's [`StrictMode`].
fn simulate_strict(a: &SimulateArgs) -> Result<u8, Fail> {
    if a.batch.is_some() {
        return Err(Fail::msg(
            "--batch compares the compiled program with the evaluator, and strict mode (preset strict) runs no filter: give the calls as arguments",
        ));
    }
    let context = a.ctx.context(None)?;
    let mode = StrictMode::of(&context);
    let arch = match &a.arch {
        Some(s) => ctx::arch_arg(Some(s))?,
        None => context.host_arch,
    };
    let verdicts = verdicts_of(&a.syscalls, |s| mode.simulate_call(s, arch))?;
    if a.json {
        let list: Vec<Value> = verdicts.iter().map(|(s, v)| result_json(s, v)).collect();
        println!(
            "{}",
            crate::schema::pretty(json!({ "mode": "strict", "results": list }))
        );
        return Ok(0);
    }
    let out: String = verdicts
        .iter()
        .map(|(s, v)| strict_text(v, s, a.trace))
        .collect();
    crate::write_out(None, out.as_bytes())?;
    Ok(0)
}

/// Each call expression's verdict, in order; the first that cannot be read fails the command.
fn verdicts_of<V>(
    calls: &[String],
    decide: impl Fn(&str) -> Result<V, seccplay_core::expr::ExprError>,
) -> Result<Vec<(&String, V)>, Fail> {
    calls
        .iter()
        .map(|s| {
            decide(s)
                .map(|v| (s, v))
                .map_err(|e| Fail::msg(format!("'{s}': {e}")))
        })
        .collect()
}

/// A verdict as `--json` writes it: its fields, and the call expression as `input`.
fn result_json(input: &str, v: &impl serde::Serialize) -> Value {
    let mut j = serde_json::to_value(v).unwrap_or(Value::Null);
    j["input"] = json!(input);
    j
}

/// Runs `simulate`.
pub fn simulate(a: SimulateArgs) -> Result<u8, Fail> {
    let loaded = ctx::load(&a.profile)?;
    if matches!(loaded.kind, PresetKind::Strict) {
        return simulate_strict(&a);
    }
    let (loaded, an) = ctx::analyze_loaded(loaded, &a.ctx)?;
    ctx::require_ok(&loaded, &an)?;
    let arch = match &a.arch {
        Some(s) => ctx::arch_arg(Some(s))?,
        None => an.context.host_arch,
    };
    if let Some(input) = &a.batch {
        let ok = batch_lines(input, |v| {
            let (arch, q) = batch_query(v, arch)?;
            let verdict = an.simulate(arch, q);
            let differ = verdict.program_ret.is_some_and(|p| p != verdict.ret);
            Ok((
                json!({
                    "arch": arch.name(),
                    "nr": q.nr,
                    "name": verdict.name,
                    "args": q.args,
                    "ip": q.instruction_pointer,
                    "program": verdict.program_ret.map(ret_json),
                    "reference": ret_json(verdict.ret),
                    "differ": differ,
                }),
                !differ,
            ))
        })?;
        return Ok(if ok { 0 } else { 1 });
    }
    let verdicts = verdicts_of(&a.syscalls, |s| an.simulate_call(s, arch))?;
    if a.json {
        let list: Vec<Value> = verdicts
            .iter()
            .map(|(s, v)| {
                let mut j = result_json(s, v);
                if a.trace {
                    if let Some(p) = &an.program {
                        j["trace"] =
                            interp::trace(&p.insns, &analysis::data_of(&v.query), p.arch.endian())
                                .ok()
                                .and_then(|t| serde_json::to_value(t).ok())
                                .unwrap_or(Value::Null);
                    }
                }
                j
            })
            .collect();
        println!("{}", crate::schema::pretty(json!({ "results": list })));
        return Ok(0);
    }
    if let Some(why) = &an.unconfined {
        println!("note: no seccomp filter: {why}");
    }
    for (s, v) in &verdicts {
        print!("{}", verdict_text(&an, v, s, a.trace));
    }
    Ok(0)
}

/// A row verdict in words (the core's label; conditional rows say so first).
pub fn row_text(v: &RowVerdict) -> String {
    match v {
        RowVerdict::Conditional { .. } => format!("conditional: {}", v.label()),
        _ => v.label(),
    }
}

/// `table` of preset strict: every syscall of the ABI under SECCOMP_MODE_STRICT, the core's
/// [`StrictMode::table`] (the page's strict table).
fn table_strict(a: &TableArgs) -> Result<u8, Fail> {
    let context = a.ctx.context(None)?;
    let arch = match &a.arch {
        Some(s) => ctx::arch_arg(Some(s))?,
        None => context.host_arch,
    };
    let t = StrictMode::of(&context).table(arch);
    if a.json {
        let mut j = serde_json::to_value(&t).unwrap_or(Value::Null);
        j["mode"] = json!("strict");
        println!("{}", crate::schema::pretty(j));
        return Ok(0);
    }
    let mut out = String::new();
    if let Some(why) = &t.none {
        out.push_str(&format!("note: {why}\n"));
    } else {
        out.push_str(&format!("{:>10}  {:<24} VERDICT\n", "NR", "SYSCALL"));
        for r in &t.rows {
            out.push_str(&format!("{:>10}  {:<24} {}\n", r.nr, r.name, r.label));
        }
    }
    out.push_str(&format!("{}\n", t.summary));
    crate::write_out(None, out.as_bytes())?;
    Ok(0)
}

/// Runs `table`.
pub fn table(a: TableArgs) -> Result<u8, Fail> {
    let loaded = ctx::load(&a.profile)?;
    if matches!(loaded.kind, PresetKind::Strict) {
        return table_strict(&a);
    }
    let (loaded, an) = ctx::analyze_loaded(loaded, &a.ctx)?;
    ctx::require_ok(&loaded, &an)?;
    let arch = match &a.arch {
        Some(s) => ctx::arch_arg(Some(s))?,
        None => an.context.host_arch,
    };
    let t = an.table(arch);
    if a.json {
        let mut j = serde_json::to_value(&t).unwrap_or(Value::Null);
        j["summary"] = json!(t.to_string());
        println!("{}", crate::schema::pretty(j));
        return Ok(0);
    }
    let mut out = String::new();
    if let Some(why) = &an.unconfined {
        out.push_str(&format!("note: no seccomp filter: {why}\n"));
    }
    out.push_str(&format!(
        "{:>10}  {:<24} {:>6} {:>5} {:>5}  VERDICT\n",
        "NR", "SYSCALL", "CACHED", "COST", "WORST"
    ));
    let opt = |o: Option<usize>| o.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
    for r in &t.rows {
        out.push_str(&format!(
            "{:>10}  {:<24} {:>6} {:>5} {:>5}  {}\n",
            r.nr,
            r.name,
            match (t.action_cache, r.cached) {
                (false, _) => "-",
                (true, true) => "yes",
                (true, false) => "no",
            },
            opt(r.cost),
            opt(r.worst),
            row_text(&r.verdict)
        ));
    }
    out.push_str(&format!("{t}\n"));
    if !t.action_cache {
        out.push_str(&format!(
            "(kernel {} has no constant-action cache: it came in 5.11)\n",
            an.context.kernel
        ));
    }
    crate::write_out(None, out.as_bytes())?;
    Ok(0)
}

/// Runs `lint`.
pub fn lint(a: LintArgs) -> Result<u8, Fail> {
    let (loaded, an) = ctx::analyze(&a.profile, &a.ctx)?;
    let extra: Vec<String> = an
        .execve_blocked()
        .into_iter()
        .chain(an.review())
        .map(|d| d.to_string())
        .collect();
    if a.json {
        let j = json!({
            "profile": loaded.origin,
            "ok": !an.failed(),
            "unconfined": an.unconfined,
            "diagnostics": an.diagnostics,
            "extra": extra,
        });
        println!("{}", crate::schema::pretty(j));
    } else {
        let mut out = ctx::diagnostics_text(&loaded.origin, &an, false);
        for e in &extra {
            out.push_str(&format!("{}: {e}\n", loaded.origin));
        }
        if let Some(why) = &an.unconfined {
            out.push_str(&format!(
                "{}: note: no seccomp filter: {why}\n",
                loaded.origin
            ));
        }
        let errors = an.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = an.diagnostics.len() - errors;
        out.push_str(&format!(
            "{}: {errors} error(s), {} warning(s) or note(s)\n",
            loaded.origin,
            warnings + extra.len()
        ));
        crate::write_out(None, out.as_bytes())?;
    }
    Ok(if an.failed() { 1 } else { 0 })
}

fn side_ctx(shared: &CtxArgs, s: &Side) -> CtxArgs {
    let mut c = shared.clone();
    c.cap_add.extend(s.cap_add.iter().cloned());
    c.cap_drop.extend(s.cap_drop.iter().cloned());
    c.privileged |= s.privileged;
    if s.host_arch.is_some() {
        c.host_arch = s.host_arch.clone();
    }
    if s.kernel.is_some() {
        c.kernel = s.kernel.clone();
    }
    if s.runtime.is_some() {
        c.runtime = s.runtime.clone();
    }
    c
}

fn arches_of(an: &Analysis) -> Vec<Arch> {
    match &an.database {
        Some(db) => db.dbs.iter().map(|d| d.arch).collect(),
        None => vec![an.context.host_arch],
    }
}

/// Runs `diff`.
pub fn diff(a: DiffArgs) -> Result<u8, Fail> {
    let sa = Side {
        host_arch: a.a_host_arch.clone(),
        cap_add: a.a_cap_add.clone(),
        cap_drop: a.a_cap_drop.clone(),
        privileged: a.a_privileged,
        kernel: a.a_kernel.clone(),
        runtime: a.a_runtime.clone(),
    };
    let sb = Side {
        host_arch: a.b_host_arch.clone(),
        cap_add: a.b_cap_add.clone(),
        cap_drop: a.b_cap_drop.clone(),
        privileged: a.b_privileged,
        kernel: a.b_kernel.clone(),
        runtime: a.b_runtime.clone(),
    };
    let (la, aa) = ctx::analyze(&a.a, &side_ctx(&a.ctx, &sa))?;
    ctx::require_ok(&la, &aa)?;
    let (lb, ab) = ctx::analyze(&a.b, &side_ctx(&a.ctx, &sb))?;
    ctx::require_ok(&lb, &ab)?;
    let mut arches = arches_of(&aa);
    for x in arches_of(&ab) {
        if !arches.contains(&x) {
            arches.push(x);
        }
    }
    let mut diffs = Vec::new();
    let mut text = String::new();
    let mut total = 0;
    for arch in arches {
        let (ta, tb) = (aa.table(arch), ab.table(arch));
        let changes = analysis::diff_tables(&ta, &tb);
        let n = changes.len();
        for c in changes {
            text.push_str(&format!(
                "{arch} {} ({}):\n  A: {}\n  B: {}\n",
                c.name,
                c.nr,
                row_text(&c.a),
                row_text(&c.b)
            ));
            diffs.push(
                json!({"arch": arch.name(), "name": c.name, "nr": c.nr, "a": c.a, "b": c.b,
                "same_outcome": c.same_outcome, "direction": c.direction}),
            );
        }
        text.push_str(&format!(
            "{arch}: {n} syscall(s) differ\n  A: {ta}\n  B: {tb}\n"
        ));
        total += n;
    }
    if a.json {
        let j = json!({"a": la.origin, "b": lb.origin, "differences": diffs});
        println!("{}", crate::schema::pretty(j));
    } else {
        crate::write_out(None, text.as_bytes())?;
    }
    Ok(if total == 0 { 0 } else { 1 })
}

/// For tests of the shell: `hex_args` is used in emu output.
pub fn args_text(args: &[u64; 6]) -> String {
    hex_args(args).join(", ")
}
