//! `matrix`: one call (or a few) across named hosts and presets, and `--diff` between two
//! hosts for a whole profile. The core decides (`seccplay_core::host`); this formats.

use crate::ctx::{self, CtxArgs};
use crate::Fail;
use clap::Args;
use seccplay_core::host::{self, diff, matrix, Column, HOSTS};
use seccplay_core::presets::{self, PresetKind};
use serde_json::json;

/// `matrix` arguments.
#[derive(Args, Debug)]
pub struct MatrixArgs {
    /// Syscall expressions (`clone3()`, `unshare(CLONE_NEWUSER)`, `socket(AF_VSOCK, SOCK_STREAM, 0)`)
    pub calls: Vec<String>,
    /// A named host column (repeatable) [default: every named host]
    #[arg(long, value_name = "HOST")]
    pub host: Vec<String>,
    /// A preset column in the context given by the CONTEXT flags (repeatable)
    #[arg(long, value_name = "PRESET")]
    pub preset: Vec<String>,
    /// A `custom` column: this profile (path, `-` or preset) in the CONTEXT flags
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Compare two columns for every syscall instead (column names as shown, e.g.
    /// `k8s-containerd1.7 k8s-containerd2`, `docker@25`, `custom`)
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub diff: Vec<String>,
    /// List the named hosts, runtime releases and their sources
    #[arg(long)]
    pub list: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Context of the preset and custom columns
    #[command(flatten)]
    pub ctx: CtxArgs,
}

fn profile_of(preset: &str) -> Result<&'static str, Fail> {
    match presets::get(preset).map(|p| p.kind) {
        Some(PresetKind::Profile(t)) => Ok(t),
        _ => Err(Fail::msg(format!("{preset}: not a profile preset"))),
    }
}

fn columns(a: &MatrixArgs) -> Result<Vec<Column>, Fail> {
    let mut cols = Vec::new();
    let only_extra = a.host.is_empty() && (!a.preset.is_empty() || a.profile.is_some());
    let hosts: Vec<&str> = if a.host.is_empty() && !only_extra {
        HOSTS.iter().map(|h| h.name).collect()
    } else {
        a.host.iter().map(String::as_str).collect()
    };
    for h in hosts {
        let nh = host::host(h).ok_or_else(|| {
            let names: Vec<&str> = HOSTS.iter().map(|h| h.name).collect();
            Fail::msg(format!(
                "--host {h}: no such host (hosts: {})",
                names.join(", ")
            ))
        })?;
        cols.push(Column::host(nh));
    }
    for p in &a.preset {
        let pr =
            presets::get(p).ok_or_else(|| Fail::msg(format!("--preset {p}: no such preset")))?;
        let c = a.ctx.context(pr.engine)?;
        cols.push(Column::new(pr.name, profile_of(p)?, &c));
    }
    if let Some(p) = &a.profile {
        let loaded = ctx::load(p)?;
        let c = a.ctx.context(loaded.builtin)?;
        cols.push(Column::new("custom", &loaded.text, &c));
    }
    Ok(cols)
}

/// Runs `matrix`.
pub fn run(a: MatrixArgs) -> Result<u8, Fail> {
    if a.list {
        return list(a.json);
    }
    if !a.diff.is_empty() {
        return run_diff(&a);
    }
    if a.calls.is_empty() {
        return Err(Fail::msg(
            "give at least one call, e.g. 'clone3()' (or --diff A B, or --list)",
        ));
    }
    let cols = columns(&a)?;
    let calls: Vec<&str> = a.calls.iter().map(String::as_str).collect();
    let m = matrix(&calls, &cols).map_err(Fail::msg)?;
    if a.json {
        println!("{}", crate::schema::pretty(json!({ "matrix": m })));
        return Ok(0);
    }
    let w0 = calls.iter().map(|c| c.len()).max().unwrap_or(4).max(4);
    let cell = |c: &host::Cell| format!("{} [{}]", c.outcome.label, c.outcome.by);
    let widths: Vec<usize> = (0..m.columns.len())
        .map(|i| {
            m.rows
                .iter()
                .map(|r| cell(&r.cells[i]).len())
                .chain([m.columns[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = format!("{:<w0$}", "call");
    for (c, w) in m.columns.iter().zip(&widths) {
        out.push_str(&format!("  {c:<w$}"));
    }
    out.push('\n');
    for r in &m.rows {
        out.push_str(&format!("{:<w0$}", r.call));
        for (c, w) in r.cells.iter().zip(&widths) {
            out.push_str(&format!("  {:<w$}", cell(c)));
        }
        out.push('\n');
    }
    let differ: Vec<_> = m.rows.iter().filter(|r| r.differ).collect();
    if !differ.is_empty() {
        out.push_str("\nWhere they differ:\n");
        for r in differ {
            out.push_str(&format!("{}\n", r.call));
            for c in &r.cells {
                out.push_str(&format!(
                    "  {}: {} — {}\n",
                    c.column, c.outcome.label, c.reason
                ));
            }
        }
    }
    crate::write_out(None, out.as_bytes())?;
    Ok(0)
}

fn run_diff(a: &MatrixArgs) -> Result<u8, Fail> {
    let mut want: Vec<Column> = Vec::new();
    for name in &a.diff {
        let col = if let Some(h) = host::host(name) {
            Column::host(h)
        } else if name == "custom" {
            let p = a
                .profile
                .as_deref()
                .ok_or_else(|| Fail::msg("--diff custom needs --profile"))?;
            let loaded = ctx::load(p)?;
            Column::new("custom", &loaded.text, &a.ctx.context(loaded.builtin)?)
        } else if let Some(pr) = presets::get(name) {
            Column::new(pr.name, profile_of(name)?, &a.ctx.context(pr.engine)?)
        } else {
            return Err(Fail::msg(format!(
                "--diff {name}: not a host, a preset or `custom`"
            )));
        };
        want.push(col);
    }
    let d = diff(&want[0], &want[1]);
    if a.json {
        println!("{}", crate::schema::pretty(json!({ "diff": d })));
        return Ok(0);
    }
    let mut out = format!(
        "{} vs {}: {} syscalls compared, {} differ\n",
        d.a,
        d.b,
        d.compared,
        d.rows.len()
    );
    let w = d.rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for r in &d.rows {
        out.push_str(&format!("  {:<w$}  {}  |  {}\n", r.name, r.a, r.b));
    }
    crate::write_out(None, out.as_bytes())?;
    Ok(0)
}

fn list(as_json: bool) -> Result<u8, Fail> {
    if as_json {
        let hosts: Vec<_> = HOSTS
            .iter()
            .map(|h| json!({ "host": h, "release": h.release() }))
            .collect();
        println!("{}", crate::schema::pretty(json!({ "hosts": hosts })));
        return Ok(0);
    }
    let mut out = String::new();
    for h in HOSTS {
        out.push_str(&format!(
            "{} — {}\n  preset {}, {} kernel {}.{}, {} ({}), libseccomp {}\n",
            h.name,
            h.title,
            h.preset,
            h.host_arch,
            h.kernel.0,
            h.kernel.1,
            h.runtime,
            h.release().releases,
            h.libseccomp.label()
        ));
        for (fact, src) in h.facts {
            out.push_str(&format!("  - {fact} [{src}]\n"));
        }
    }
    crate::write_out(None, out.as_bytes())?;
    Ok(0)
}
