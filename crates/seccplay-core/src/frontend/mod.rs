//! Front-ends: every format people write seccomp policy in, read into the Docker/OCI
//! [`Profile`] the rest of the pipeline takes, and written back out.
//!
//! Docker/OCI JSON stays [`crate::profile`]'s (the core's own JSON reader). The other formats
//! build a located JSON tree with the Docker schema's shape whose spans point into *their*
//! text, and hand it to the same reader: one set of checks, and every message located in what
//! the user wrote.
//!
//! 1. Detection ([`detect`]) looks at the content: a JSON object with `kind: SeccompProfile`
//!    or a YAML document with `apiVersion:`/`kind:` is SPO; a JSON object whose members are
//!    all objects with a `filter` array is seccompiler; anything else is Docker/OCI (whose
//!    reader gives the located JSON errors). An explicit [`Format`] overrides detection.
//! 2. One input may hold several policies (SPO's documents, seccompiler's threads): [`read`]
//!    returns them all, in input order; [`read_one`] (what `analysis::analyze` uses) takes the
//!    first and says so when there are more.
//! 3. Writing: [`write_docker`] prints any profile as Docker JSON; [`spo::write`] as a
//!    SeccompProfile. [`flatten`] first applies what the target format cannot say (moby's
//!    `includes`/`excludes`, `archMap`) for a given context, and says what it did.

pub mod firecracker;
pub mod lxc;
pub mod spo;
pub mod systemd;
pub(crate) mod tree;
pub mod unit;
pub mod yaml;

use crate::context::Context;
use crate::diag::{Diagnostic, Failure};
use crate::profile::{self, Parsed, Profile};
use crate::resolve;
use serde::Serialize;

/// A policy format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Format {
    /// Docker/moby or OCI JSON (also a whole OCI config.json).
    Docker,
    /// Kubernetes Security Profiles Operator `SeccompProfile` (YAML or JSON).
    Spo,
    /// Firecracker / rust-vmm seccompiler JSON (one filter per thread).
    Firecracker,
    /// A systemd unit's `SystemCallFilter=` and related settings (systemd 252's semantics).
    Systemd,
    /// LXC's seccomp policy text (version 1 or 2).
    Lxc,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 5] = [
        Format::Docker,
        Format::Spo,
        Format::Firecracker,
        Format::Systemd,
        Format::Lxc,
    ];

    /// The short name used by `--format` and `--to`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Docker => "docker",
            Format::Spo => "spo",
            Format::Firecracker => "firecracker",
            Format::Systemd => "systemd",
            Format::Lxc => "lxc",
        }
    }

    /// A format by short name (`oci` and `json` are Docker, `k8s`/`seccompprofile` SPO,
    /// `seccompiler` Firecracker).
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "docker" | "oci" | "json" | "moby" => Format::Docker,
            "spo" | "k8s" | "kubernetes" | "seccompprofile" | "yaml" => Format::Spo,
            "firecracker" | "seccompiler" => Format::Firecracker,
            "systemd" | "unit" | "service" => Format::Systemd,
            "lxc" => Format::Lxc,
            _ => return None,
        })
    }

    /// A title for messages and menus.
    pub fn title(self) -> &'static str {
        match self {
            Format::Docker => "Docker/OCI seccomp profile (JSON)",
            Format::Spo => "Kubernetes SeccompProfile (Security Profiles Operator, YAML)",
            Format::Firecracker => "Firecracker / seccompiler filters (JSON, per thread)",
            Format::Systemd => "systemd unit (SystemCallFilter=, systemd 252)",
            Format::Lxc => "LXC seccomp policy",
        }
    }
}

impl Format {
    /// Who installs a filter written in this format, for the formats whose filter no container
    /// runtime loads: systemd (PID 1, `seccomp_load()` through libseccomp), LXC (liblxc, also
    /// libseccomp) and Firecracker (its own BPF, compiled by seccompiler). runc's ENOSYS stub
    /// and Docker's `--privileged` do not apply to them. `None` for Docker/OCI and SPO, which
    /// runc or crun load.
    pub fn own_installer(self) -> Option<&'static str> {
        match self {
            Format::Docker | Format::Spo => None,
            Format::Systemd => Some("systemd loads this filter itself (libseccomp)"),
            Format::Lxc => Some("LXC loads this filter itself (libseccomp)"),
            Format::Firecracker => Some("Firecracker loads this filter itself (seccompiler's BPF)"),
        }
    }

    /// [`Format::own_installer`] and what it leaves out of the context: runc's ENOSYS stub and
    /// Docker's `--privileged` (so also whether the profile is given explicitly).
    pub fn own_installer_note(self) -> Option<String> {
        self.own_installer()
            .map(|who| format!("{who}: runc's ENOSYS stub and Docker's --privileged do not apply"))
    }

    /// What the page and the CLI say they read: the title, with the systemd release for
    /// systemd units.
    pub fn label(self) -> String {
        match self {
            Format::Systemd => format!(
                "{} — semantics and groups of systemd {}",
                self.title(),
                systemd::VERSION
            ),
            f => f.title().to_string(),
        }
    }
}

/// The format of a text that reads as a policy (a JSON object, or any other format detected),
/// `None` for text that is none (a raw BPF program, a C array, assembly).
pub fn detect_policy(text: &str) -> Option<Format> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let f = detect(t);
    (t.starts_with('{') || f != Format::Docker).then_some(f)
}

/// One policy of an input: a name (SPO's `metadata.name`, seccompiler's thread) and the
/// profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// The policy's name in the input (empty for a Docker profile).
    pub name: String,
    /// The profile (its warnings are in [`Input::diagnostics`]).
    pub parsed: Parsed,
}

/// Everything read from one input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Input {
    /// The format read.
    pub format: Format,
    /// The policies, in input order (at least one).
    pub policies: Vec<Policy>,
    /// Warnings and notes about the input.
    pub diagnostics: Vec<Diagnostic>,
}

/// The format of a text, by content (point 1).
pub fn detect(text: &str) -> Format {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if let Some(f) = detect_json(t) {
        return f;
    }
    if lxc::looks_like(t) {
        return Format::Lxc;
    }
    if systemd::looks_like(t) {
        return Format::Systemd;
    }
    if t.starts_with('[') {
        return Format::Docker;
    }
    let yaml_key = t.lines().any(|l| {
        let l = l.trim_start_matches("- ");
        l.starts_with("apiVersion:") || l.starts_with("kind:")
    });
    if yaml_key {
        return Format::Spo;
    }
    Format::Docker
}

/// The format of text that starts with `{` (after a BOM and blanks), read from the JSON alone:
/// SPO (`kind: SeccompProfile`), seccompiler (every member an object with `filter`), else
/// Docker (also JSON that does not parse: its reader gives the located errors). `None` for text
/// that is not a JSON object. [`detect`]'s first step; the playground's first-load build reads
/// only the texts this calls Docker.
pub fn detect_json(text: &str) -> Option<Format> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if !t.starts_with('{') {
        return None;
    }
    let Ok(root) = crate::json::parse(t) else {
        return Some(Format::Docker);
    };
    let crate::json::Value::Object(ms) = &root.value else {
        return Some(Format::Docker);
    };
    let is = |k: &str, v: &str| {
        ms.iter()
            .any(|m| m.key == k && m.value.value == crate::json::Value::String(v.into()))
    };
    if is("kind", "SeccompProfile") {
        return Some(Format::Spo);
    }
    let thread = |m: &crate::json::Member| match &m.value.value {
        crate::json::Value::Object(t) => t.iter().any(|f| f.key == "filter"),
        _ => false,
    };
    if !ms.is_empty() && ms.iter().all(thread) {
        return Some(Format::Firecracker);
    }
    Some(Format::Docker)
}

/// Reads every policy of an input, in `format` or the detected one.
pub fn read(text: &str, format: Option<Format>) -> Result<Input, Failure> {
    if text.len() > crate::analysis::MAX_PROFILE_BYTES {
        return Err(Failure::single(Diagnostic::error(
            "profile-too-large",
            format!(
                "the input is {} bytes; seccplay reads policies up to {} MiB",
                text.len(),
                crate::analysis::MAX_PROFILE_BYTES >> 20
            ),
        )));
    }
    let format = format.unwrap_or_else(|| detect(text));
    let (policies, diagnostics) = match format {
        Format::Docker => {
            let mut p = profile::parse(text)?;
            let d = std::mem::take(&mut p.warnings);
            (
                vec![Policy {
                    name: String::new(),
                    parsed: p,
                }],
                d,
            )
        }
        Format::Spo => spo::read(text)?,
        Format::Firecracker => firecracker::read(text)?,
        Format::Systemd => systemd::read(text)?,
        Format::Lxc => lxc::read(text)?,
    };
    Ok(Input {
        format,
        policies,
        diagnostics,
    })
}

/// The first policy of an input in any format, with the input's diagnostics as its warnings
/// (point 2): what the analysis runs.
pub fn read_one(text: &str) -> Result<Parsed, Failure> {
    read_one_with_format(text).map(|(_, parsed)| parsed)
}

/// [`read_one`], with the format it read.
pub fn read_one_with_format(text: &str) -> Result<(Format, Parsed), Failure> {
    let input = read(text, None)?;
    let mut warnings = input.diagnostics;
    let n = input.policies.len();
    let mut first = input
        .policies
        .into_iter()
        .next()
        .expect("at least one policy");
    if input.format != Format::Docker {
        warnings.insert(
            0,
            Diagnostic::note(
                "format",
                if n > 1 {
                    format!(
                        "read as {}: {n} policies, the first (\"{}\") is analysed (convert splits them)",
                        input.format.title(),
                        first.name
                    )
                } else {
                    format!("read as {}", input.format.label())
                },
            ),
        );
    }
    warnings.append(&mut first.parsed.warnings);
    first.parsed.warnings = warnings;
    Ok((input.format, first.parsed))
}

/// The context a filter in `format` runs in: for the formats no container runtime loads
/// ([`Format::own_installer`]), `ctx` without runc's ENOSYS stub and without `--privileged`,
/// with a note saying so; for a privileged SeccompProfile, Kubernetes as the engine (its CRI
/// runtime drops the profile); otherwise `None` (use `ctx` as it is).
pub fn format_context(format: Format, ctx: &Context) -> Option<(Context, Diagnostic)> {
    if format == Format::Spo && ctx.privileged && ctx.explicit_profile {
        // A SeccompProfile runs as a Localhost profile of a Kubernetes pod: the node's CRI
        // runtime, not Docker, decides what privileged does with it.
        let mut k8s = ctx.clone();
        k8s.engine = crate::context::Engine::Kubernetes;
        let note = Diagnostic::note(
            "kubernetes-runtime",
            "a SeccompProfile runs as a pod's Localhost profile: --privileged is securityContext.privileged, as the node's CRI runtime treats it",
        );
        return Some((k8s, note));
    }
    let note = format.own_installer_note()?;
    if !ctx.enosys_stub && !ctx.privileged {
        return None;
    }
    let mut own = ctx.clone();
    own.enosys_stub = false;
    own.privileged = false;
    Some((
        own,
        Diagnostic::note(
            "no-container-runtime",
            format!("{note}, and are left out of the verdicts"),
        ),
    ))
}

/// The profile as moby would hand it to the runtime in `ctx`: entries that `includes` /
/// `excludes` drop are gone, the rest lose those filters, and `archMap` becomes the
/// `architectures` of the host (point 3). Each change is a note.
pub fn flatten(p: &Profile, ctx: &Context) -> (Profile, Vec<Diagnostic>) {
    let mut out = p.clone();
    let mut notes = Vec::new();
    let native = resolve::moby_arch_string(ctx.host_arch);
    if !p.arch_map.is_empty() {
        let key = native.and_then(resolve::moby_seccomp_arch);
        out.architectures = Vec::new();
        if let Some(e) = key.and_then(|k| p.arch_map.iter().find(|e| e.architecture.value == k)) {
            out.architectures.push(e.architecture.clone());
            out.architectures
                .extend(e.sub_architectures.iter().cloned());
        }
        out.arch_map.clear();
        notes.push(Diagnostic::note(
            "flattened",
            format!(
                "archMap resolved for host {}: architectures [{}]",
                ctx.host_arch,
                out.architectures
                    .iter()
                    .map(|a| a.value.oci_name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    out.syscalls.clear();
    for e in &p.syscalls {
        if e.includes.is_empty() && e.excludes.is_empty() {
            out.syscalls.push(e.clone());
            continue;
        }
        match resolve::excluded_by(e, native, ctx) {
            Some(why) => notes.push(
                Diagnostic::note("flattened", format!("entry dropped for this host: {why}"))
                    .at(Some(e.location.clone())),
            ),
            None => {
                let mut e = e.clone();
                e.includes = Default::default();
                e.excludes = Default::default();
                out.syscalls.push(e);
            }
        }
    }
    for (i, e) in out.syscalls.iter_mut().enumerate() {
        e.index = i;
    }
    (out, notes)
}

/// A profile as Docker/OCI JSON (every field it has; moby's filters included).
pub fn write_docker(p: &Profile) -> String {
    let q = crate::json::quote;
    let mut top: Vec<String> = Vec::new();
    if let Some(a) = &p.default_action {
        top.push(format!("  \"defaultAction\": {}", q(a.value.as_str())));
    }
    if let Some(r) = &p.default_errno_ret {
        top.push(format!("  \"defaultErrnoRet\": {}", r.value));
    }
    if !p.architectures.is_empty() {
        let a: Vec<String> = p
            .architectures
            .iter()
            .map(|a| q(&a.value.oci_name()))
            .collect();
        top.push(format!("  \"architectures\": [{}]", a.join(", ")));
    }
    if !p.arch_map.is_empty() {
        let maps: Vec<String> = p
            .arch_map
            .iter()
            .map(|m| {
                let subs: Vec<String> = m
                    .sub_architectures
                    .iter()
                    .map(|a| q(&a.value.oci_name()))
                    .collect();
                format!(
                    "    {{ \"architecture\": {}, \"subArchitectures\": [{}] }}",
                    q(&m.architecture.value.oci_name()),
                    subs.join(", ")
                )
            })
            .collect();
        top.push(format!("  \"archMap\": [\n{}\n  ]", maps.join(",\n")));
    }
    if let Some(f) = &p.flags {
        let f: Vec<String> = f.iter().map(|f| q(&f.value)).collect();
        top.push(format!("  \"flags\": [{}]", f.join(", ")));
    }
    if let Some(v) = &p.listener_path {
        top.push(format!("  \"listenerPath\": {}", q(v)));
    }
    if let Some(v) = &p.listener_metadata {
        top.push(format!("  \"listenerMetadata\": {}", q(v)));
    }
    let entries: Vec<String> = p.syscalls.iter().map(|e| entry_json(e, &q)).collect();
    top.push(format!("  \"syscalls\": [\n{}\n  ]", entries.join(",\n")));
    if p.syscalls.is_empty() {
        top.pop();
        top.push("  \"syscalls\": []".into());
    }
    format!("{{\n{}\n}}\n", top.join(",\n"))
}

fn entry_json(e: &profile::SyscallEntry, q: &dyn Fn(&str) -> String) -> String {
    let names: Vec<String> = e.names.iter().map(|n| q(&n.value)).collect();
    let mut f = vec![
        format!("\"names\": [{}]", names.join(", ")),
        format!("\"action\": {}", q(e.action.value.as_str())),
    ];
    if let Some(r) = &e.errno_ret {
        f.push(format!("\"errnoRet\": {}", r.value));
    }
    if !e.args.is_empty() {
        let args: Vec<String> = e
            .args
            .iter()
            .map(|a| {
                format!(
                    "{{ \"index\": {}, \"value\": {}, \"valueTwo\": {}, \"op\": {} }}",
                    a.index.value,
                    a.value,
                    a.value_two,
                    q(a.op.value.as_str())
                )
            })
            .collect();
        f.push(format!("\"args\": [{}]", args.join(", ")));
    }
    if let Some(c) = &e.comment {
        f.push(format!("\"comment\": {}", q(c)));
    }
    for (key, filt) in [("includes", &e.includes), ("excludes", &e.excludes)] {
        if filt.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        if !filt.caps.is_empty() {
            let c: Vec<String> = filt.caps.iter().map(|c| q(&c.value)).collect();
            parts.push(format!("\"caps\": [{}]", c.join(", ")));
        }
        if !filt.arches.is_empty() {
            let c: Vec<String> = filt.arches.iter().map(|c| q(&c.value)).collect();
            parts.push(format!("\"arches\": [{}]", c.join(", ")));
        }
        if let Some(k) = &filt.min_kernel {
            parts.push(format!("\"minKernel\": {}", q(&k.value.to_string())));
        }
        f.push(format!("\"{key}\": {{ {} }}", parts.join(", ")));
    }
    format!("    {{ {} }}", f.join(", "))
}

/// A converted policy: its name, the text, and what did not survive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Converted {
    /// The policy's name (empty for a single Docker profile).
    pub name: String,
    /// The text in the target format.
    pub text: String,
}

/// Reads `text` (in `from`, or detected) and writes each policy in `to`: the profile is
/// flattened for `ctx` when the target cannot say moby's filters (SPO), and every loss is a
/// diagnostic. Firecracker, systemd and LXC are read-only.
pub fn convert(
    text: &str,
    from: Option<Format>,
    to: Format,
    ctx: &Context,
) -> Result<(Vec<Converted>, Vec<Diagnostic>), Failure> {
    let input = read(text, from)?;
    let mut diags = input.diagnostics;
    let mut out = Vec::new();
    if input.format == Format::Firecracker && to != Format::Firecracker {
        diags.push(Diagnostic::warning(
            "not-expressible",
            format!(
                "seccompiler has one filter per thread; a {} profile has one: {} policies are written, one per thread",
                to.name(),
                input.policies.len()
            ),
        ));
    }
    for p in input.policies {
        let profile = &p.parsed.profile;
        let text = match to {
            Format::Docker => write_docker(profile),
            Format::Spo => {
                let (flat, notes) = if profile.arch_map.is_empty()
                    && profile
                        .syscalls
                        .iter()
                        .all(|e| e.includes.is_empty() && e.excludes.is_empty())
                {
                    (profile.clone(), Vec::new())
                } else {
                    flatten(profile, ctx)
                };
                diags.extend(notes);
                diags.extend(spo::losses(&flat));
                let name = if p.name.is_empty() {
                    "profile"
                } else {
                    &p.name
                };
                spo::write(&flat, name)
            }
            Format::Firecracker | Format::Systemd | Format::Lxc => {
                return Err(Failure::single(Diagnostic::error(
                    "unsupported-target",
                    format!(
                        "writing {} is not supported (read-only format): convert --to docker or spo",
                        to.title()
                    ),
                )))
            }
        };
        out.push(Converted { name: p.name, text });
    }
    Ok((out, diags))
}
