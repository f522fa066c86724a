//! Kubernetes Security Profiles Operator `SeccompProfile` objects
//! (`security-profiles-operator.x-k8s.io/v1beta1`, `v1`): read and write.
//!
//! A `SeccompProfile`'s `spec` has the fields of the containers/common seccomp profile the
//! operator writes to the node, so the spec is read by [`crate::profile`]'s reader (same
//! checks, same located messages), after this module takes out what only the CRD has.
//!
//! 1. Documents. Every document of a multi-document input whose `kind` is `SeccompProfile` is
//!    a policy, named by `metadata.name`; other kinds are skipped with a note.
//! 2. Pruning. The API server keeps only the CRD's fields (structural schema): Docker-only
//!    members (`archMap`, `defaultErrnoRet`, and `includes`, `excludes`, `comment` in
//!    `syscalls[]`) are dropped, each with a warning. `disabled: true` is noted.
//! 3. `baseProfileName` (SPO's api/seccompprofile: "the name of base profile (in the same
//!    namespace) that will be unioned into this profile"): the base's syscalls come first,
//!    then the profile's own; everything else is the profile's. The base is another
//!    SeccompProfile of the same input (bases of bases are followed; a cycle is an error), or a
//!    built-in preset of seccplay's (noted). `oci://` references need a registry and are an
//!    error here (offline).
//! 4. Writing. [`write`] emits a `v1beta1` object. The CRD cannot say everything a Docker
//!    profile can: [`losses`] lists what would change, each as a diagnostic.

use crate::diag::{Diagnostic, Failure};
use crate::frontend::yaml;
use crate::frontend::Policy;
use crate::json::{LineIndex, Span, Value};
use crate::presets::{self, PresetKind};
use crate::profile::{self, ActionName, Parsed, Profile};

/// The API group of SeccompProfile objects.
pub const API_GROUP: &str = "security-profiles-operator.x-k8s.io";

/// Deepest chain of `baseProfileName` references followed.
pub const MAX_BASE_CHAIN: usize = 16;

/// Spec members the CRD does not have (pruned by the API server).
const PRUNED_SPEC: [&str; 2] = ["archMap", "defaultErrnoRet"];
/// `syscalls[]` members the CRD does not have.
const PRUNED_SYSCALL: [&str; 3] = ["includes", "excludes", "comment"];

/// One SeccompProfile as read, before its base is merged.
struct Doc {
    name: String,
    base: Option<(String, Span)>,
    parsed: Parsed,
}

/// Reads every SeccompProfile of a YAML (or JSON) stream.
pub fn read(text: &str) -> Result<(Vec<Policy>, Vec<Diagnostic>), Failure> {
    let docs = yaml::parse(text).map_err(Failure::single)?;
    let idx = LineIndex::new(text);
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    let mut read: Vec<Doc> = Vec::new();
    for (i, d) in docs.into_iter().enumerate() {
        let at = |span: Span| Some(idx.location(span, &format!("documents[{i}]")));
        let Value::Object(mut top) = d.root.value else {
            if d.root.value != Value::Null {
                notes.push(
                    Diagnostic::note(
                        "spo-not-an-object",
                        "a document that is not a mapping: skipped",
                    )
                    .at(at(d.root.span)),
                );
            }
            continue;
        };
        let str_of = |top: &[crate::json::Member], key: &str| {
            top.iter()
                .rev()
                .find(|m| m.key == key)
                .and_then(|m| match &m.value.value {
                    Value::String(s) => Some((s.clone(), m.value.span)),
                    _ => None,
                })
        };
        let kind = str_of(&top, "kind");
        if kind.as_ref().map(|k| k.0.as_str()) != Some("SeccompProfile") {
            notes.push(
                Diagnostic::note(
                    "spo-other-kind",
                    format!(
                        "a document of kind {}: only SeccompProfile objects are read",
                        kind.map_or("(none)".into(), |k| format!("\"{}\"", k.0))
                    ),
                )
                .at(at(d.root.span)),
            );
            continue;
        }
        match str_of(&top, "apiVersion") {
            Some((v, s)) if !v.starts_with(&format!("{API_GROUP}/")) => notes.push(
                Diagnostic::warning(
                    "spo-api-version",
                    format!("apiVersion \"{v}\" is not in the {API_GROUP} group: read as a SeccompProfile anyway"),
                )
                .at(at(s)),
            ),
            None => notes.push(Diagnostic::warning("spo-api-version", "no apiVersion").at(at(d.root.span))),
            _ => {}
        }
        let name = top
            .iter()
            .rev()
            .find(|m| m.key == "metadata")
            .and_then(|m| match &m.value.value {
                Value::Object(ms) => str_of(ms, "name").map(|n| n.0),
                _ => None,
            })
            .unwrap_or_else(|| format!("document-{}", i + 1));
        let Some(pos) = top.iter().rposition(|m| m.key == "spec") else {
            errors.push(
                Diagnostic::error("spo-no-spec", format!("SeccompProfile {name} has no spec"))
                    .at(at(d.root.span)),
            );
            continue;
        };
        let mut spec = top.swap_remove(pos).value;
        let mut base = None;
        if let Value::Object(ms) = &mut spec.value {
            let mut keep = Vec::with_capacity(ms.len());
            for m in ms.drain(..) {
                match m.key.as_str() {
                    "baseProfileName" => match m.value.value {
                        Value::String(s) if !s.is_empty() => base = Some((s, m.value.span)),
                        Value::String(_) | Value::Null => {}
                        _ => errors.push(
                            Diagnostic::error("spo-base", "baseProfileName must be a string")
                                .at(at(m.value.span)),
                        ),
                    },
                    "disabled" => {
                        if m.value.value == Value::Bool(true) {
                            notes.push(Diagnostic::note("spo-disabled", format!("SeccompProfile {name} is disabled: the operator does not install it")).at(at(m.key_span)));
                        }
                    }
                    k if PRUNED_SPEC.contains(&k) => notes.push(pruned(&idx, k, m.key_span, i)),
                    _ => keep.push(m),
                }
            }
            *ms = keep;
            prune_syscalls(ms, &idx, i, &mut notes);
        }
        match profile::read(text, spec) {
            Ok(mut parsed) => {
                notes.append(&mut parsed.warnings);
                read.push(Doc { name, base, parsed });
            }
            Err(f) => errors.extend(f.diagnostics),
        }
    }
    if !errors.is_empty() {
        errors.extend(notes);
        return Err(Failure {
            diagnostics: errors,
        });
    }
    let mut out = Vec::new();
    for i in 0..read.len() {
        match merged(&read, i, &idx, &mut notes) {
            Ok(profile) => out.push(Policy {
                name: read[i].name.clone(),
                parsed: Parsed {
                    profile,
                    warnings: Vec::new(),
                },
            }),
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        errors.extend(notes);
        return Err(Failure {
            diagnostics: errors,
        });
    }
    if out.is_empty() {
        let mut diagnostics = vec![Diagnostic::error(
            "spo-no-profile",
            "no SeccompProfile object in the input",
        )];
        diagnostics.extend(notes);
        return Err(Failure { diagnostics });
    }
    Ok((out, notes))
}

fn pruned(idx: &LineIndex, key: &str, span: Span, doc: usize) -> Diagnostic {
    Diagnostic::warning(
        "spo-pruned",
        format!("\"{key}\" is not a field of SeccompProfile: the API server drops it (it is ignored here too)"),
    )
    .at(Some(idx.location(span, &format!("documents[{doc}].spec"))))
}

fn prune_syscalls(
    spec: &mut [crate::json::Member],
    idx: &LineIndex,
    doc: usize,
    notes: &mut Vec<Diagnostic>,
) {
    for m in spec.iter_mut().filter(|m| m.key == "syscalls") {
        if let Value::Array(items) = &mut m.value.value {
            for item in items {
                if let Value::Object(ms) = &mut item.value {
                    ms.retain(|m| {
                        let drop = PRUNED_SYSCALL.contains(&m.key.as_str());
                        if drop {
                            notes.push(pruned(idx, &m.key, m.key_span, doc));
                        }
                        !drop
                    });
                }
            }
        }
    }
}

/// Profile `i` with its chain of bases merged in (point 3).
fn merged(
    docs: &[Doc],
    i: usize,
    idx: &LineIndex,
    notes: &mut Vec<Diagnostic>,
) -> Result<Profile, Diagnostic> {
    let mut profile = docs[i].parsed.profile.clone();
    let mut chain = vec![i];
    let mut base = docs[i].base.clone();
    while let Some((name, span)) = base.take() {
        let here = Some(idx.location(span, "spec.baseProfileName"));
        if chain.len() > MAX_BASE_CHAIN {
            return Err(Diagnostic::error(
                "spo-base",
                format!("more than {MAX_BASE_CHAIN} base profiles in a chain"),
            )
            .at(here));
        }
        let base_profile = if let Some(j) = docs.iter().position(|d| d.name == name) {
            if chain.contains(&j) {
                return Err(Diagnostic::error(
                    "spo-base-cycle",
                    format!(
                        "baseProfileName \"{name}\" leads back to {}: a cycle",
                        docs[i].name
                    ),
                )
                .at(here));
            }
            chain.push(j);
            base = docs[j].base.clone();
            docs[j].parsed.profile.clone()
        } else if name.starts_with("oci://") {
            return Err(Diagnostic::error(
                "spo-base-unresolvable",
                format!("baseProfileName \"{name}\" is an OCI artifact: the operator pulls it from a registry, which seccplay does not do (offline); paste the base profile as another document"),
            )
            .at(here));
        } else if let Some(PresetKind::Profile(t)) = presets::get(&name).map(|p| p.kind) {
            notes.push(Diagnostic::note("spo-base-preset", format!("baseProfileName \"{name}\" is not in the input: seccplay's built-in preset of that name is used (the operator would look for a SeccompProfile \"{name}\" in the namespace)")).at(here));
            profile::parse(t)
                .map_err(|f| {
                    f.diagnostics
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Diagnostic::error("spo-base", "bad preset"))
                })?
                .profile
        } else {
            let names: Vec<&str> = docs.iter().map(|d| d.name.as_str()).collect();
            return Err(Diagnostic::error(
                "spo-base-unknown",
                format!("baseProfileName \"{name}\" is not a SeccompProfile of this input ({}) nor a preset", names.join(", ")),
            )
            .at(here));
        };
        let own = std::mem::take(&mut profile.syscalls);
        profile.syscalls = base_profile.syscalls;
        profile.syscalls.extend(own);
        for (k, e) in profile.syscalls.iter_mut().enumerate() {
            e.index = k;
        }
    }
    Ok(profile)
}

/// What a SeccompProfile cannot say about this profile: one diagnostic for each loss.
pub fn losses(p: &Profile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let errno_default = matches!(
        p.default_action.as_ref().map(|a| a.value),
        Some(ActionName::Errno) | Some(ActionName::Trace)
    );
    if let Some(r) = &p.default_errno_ret {
        if errno_default && r.value != 1 {
            out.push(Diagnostic::warning("not-expressible", format!("SeccompProfile has no defaultErrnoRet: the default action would return EPERM (1) instead of {}", r.value)).at(Some(r.location.clone())));
        }
    }
    if !p.arch_map.is_empty() {
        out.push(Diagnostic::warning(
            "not-expressible",
            "SeccompProfile has no archMap: flatten the profile for a host first (convert does)",
        ));
    }
    for e in &p.syscalls {
        if !e.includes.is_empty() || !e.excludes.is_empty() {
            out.push(Diagnostic::warning("not-expressible", "SeccompProfile has no includes/excludes: flatten the profile for a host first (convert does)").at(Some(e.location.clone())));
        }
        if let Some(r) = &e.errno_ret {
            let errno = matches!(e.action.value, ActionName::Errno | ActionName::Trace);
            if r.value > i32::MAX as u64 || (errno && r.value == 0) {
                out.push(Diagnostic::warning("not-expressible", format!("errnoRet {} cannot be written in a SeccompProfile (an int32 that is omitted when 0, so 0 becomes EPERM)", r.value)).at(Some(r.location.clone())));
            }
        }
        for a in &e.args {
            if a.value > i64::MAX as u64 || a.value_two > i64::MAX as u64 {
                out.push(Diagnostic::warning("not-expressible", "SeccompProfile's value and valueTwo are int64 ≥ 0: a value above 2^63-1 cannot be written").at(Some(a.location.clone())));
            }
        }
    }
    out
}

/// Writes a profile as a `v1beta1` SeccompProfile named `name` (see [`losses`] first).
pub fn write(p: &Profile, name: &str) -> String {
    let mut s = format!(
        "apiVersion: {API_GROUP}/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: {}\nspec:\n",
        scalar(name)
    );
    if let Some(a) = &p.default_action {
        s += &format!("  defaultAction: {}\n", a.value.as_str());
    }
    if !p.architectures.is_empty() {
        s += "  architectures:\n";
        for a in &p.architectures {
            s += &format!("  - {}\n", a.value.oci_name());
        }
    }
    if let Some(v) = &p.listener_path {
        s += &format!("  listenerPath: {}\n", scalar(v));
    }
    if let Some(v) = &p.listener_metadata {
        s += &format!("  listenerMetadata: {}\n", scalar(v));
    }
    if let Some(flags) = &p.flags {
        if flags.is_empty() {
            s += "  flags: []\n";
        } else {
            s += "  flags:\n";
            for f in flags {
                s += &format!("  - {}\n", scalar(&f.value));
            }
        }
    }
    if !p.syscalls.is_empty() {
        s += "  syscalls:\n";
    }
    for e in &p.syscalls {
        s += &format!("  - action: {}\n", e.action.value.as_str());
        if let Some(r) = &e.errno_ret {
            if r.value != 0 {
                s += &format!("    errnoRet: {}\n", r.value);
            }
        }
        s += "    names:\n";
        for n in &e.names {
            s += &format!("    - {}\n", scalar(&n.value));
        }
        if !e.args.is_empty() {
            s += "    args:\n";
            for a in &e.args {
                s += &format!("    - index: {}\n", a.index.value);
                if a.value != 0 {
                    s += &format!("      value: {}\n", a.value);
                }
                if a.value_two != 0 {
                    s += &format!("      valueTwo: {}\n", a.value_two);
                }
                s += &format!("      op: {}\n", a.op.value.as_str());
            }
        }
    }
    s
}

/// A YAML scalar: plain when it reads back as the same string, else double-quoted (JSON
/// string syntax is YAML's).
pub fn scalar(v: &str) -> String {
    let safe = !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
        && !v.starts_with(['-', '.'])
        && yaml_plain_is_string(v);
    if safe {
        v.to_string()
    } else {
        crate::json::quote(v)
    }
}

fn yaml_plain_is_string(v: &str) -> bool {
    let docs = yaml::parse(&format!("k: {v}\n"));
    matches!(docs.as_deref(), Ok([d]) if matches!(&d.root.value, Value::Object(ms) if ms.len() == 1 && ms[0].value.value == Value::String(v.into())))
}
