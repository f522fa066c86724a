//! `convert`: a policy in any format the core reads, written in another (the core converts;
//! this prints its texts and diagnostics).

use crate::ctx::{self, CtxArgs};
use crate::Fail;
use clap::Args;
use seccplay_core::frontend::{self, Format};
use seccplay_core::presets::PresetKind;

/// Arguments of `convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The policy: a file (Docker/OCI JSON, SeccompProfile YAML, seccompiler JSON, a systemd
    /// unit, an LXC policy), `-` for
    /// stdin, or a preset name
    #[arg(value_name = "PROFILE")]
    pub profile: String,
    /// The format to write: docker (Docker/OCI JSON) or spo (Kubernetes SeccompProfile YAML)
    #[arg(long, value_name = "FORMAT", default_value = "docker")]
    pub to: String,
    /// Read PROFILE in this format instead of detecting it (docker, spo, firecracker, systemd,
    /// lxc)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Only this policy of the input (a SeccompProfile's metadata.name, a seccompiler thread)
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// One JSON object: the input format, the texts written and the diagnostics
    #[arg(long)]
    pub json: bool,
    /// The host whose moby filters (includes/excludes, archMap) apply when the target format
    /// cannot say them
    #[command(flatten)]
    pub ctx: CtxArgs,
}

fn format_arg(flag: &str, s: &str) -> Result<Format, Fail> {
    Format::parse(s).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        Fail::msg(format!(
            "{flag}: unknown format \"{s}\" (known: {})",
            names.join(", ")
        ))
    })
}

/// Runs `convert`.
pub fn run(a: ConvertArgs) -> Result<u8, Fail> {
    let to = format_arg("--to", &a.to)?;
    let from = a
        .format
        .as_deref()
        .map(|f| format_arg("--format", f))
        .transpose()?;
    let loaded = ctx::load(&a.profile)?;
    if !matches!(loaded.kind, PresetKind::Profile(_)) {
        return Err(Fail::msg(format!(
            "{}: a mode, not a policy: nothing to convert",
            loaded.origin
        )));
    }
    let context = a.ctx.context(loaded.builtin)?;
    let detected = from.unwrap_or_else(|| frontend::detect(&loaded.text));
    let (mut out, diags) = frontend::convert(&loaded.text, from, to, &context)
        .map_err(|f| Fail::msg(located(&loaded.origin, &f.diagnostics)))?;
    if let Some(name) = &a.policy {
        let names: Vec<String> = out.iter().map(|c| c.name.clone()).collect();
        out.retain(|c| &c.name == name);
        if out.is_empty() {
            return Err(Fail::msg(format!(
                "--policy {name}: not in {} (policies: {})",
                loaded.origin,
                names.join(", ")
            )));
        }
    }
    if to == Format::Docker && out.len() > 1 {
        let names: Vec<&str> = out.iter().map(|c| c.name.as_str()).collect();
        return Err(Fail::msg(format!(
            "{} holds {} policies ({}) and a Docker profile is one: choose with --policy NAME",
            loaded.origin,
            out.len(),
            names.join(", ")
        )));
    }
    if a.json {
        let j = serde_json::json!({
            "from": detected.name(),
            "to": to.name(),
            "policies": out,
            "diagnostics": diags,
        });
        println!("{}", crate::schema::pretty(j));
        return Ok(0);
    }
    eprint!("{}", located(&loaded.origin, &diags));
    let texts: Vec<&str> = out.iter().map(|c| c.text.as_str()).collect();
    print!("{}", texts.join("---\n"));
    Ok(0)
}

/// Diagnostics as `origin:line:col (path): severity[code]: message` lines.
fn located(origin: &str, diags: &[seccplay_core::diag::Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| match &d.location {
            Some(_) => format!("{origin}:{d}\n"),
            None => format!("{origin}: {d}\n"),
        })
        .collect()
}
