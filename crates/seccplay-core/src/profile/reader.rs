//! The reader: located JSON → [`Profile`], with Go's encoding/json decoding rules.

use super::fold::go_fold_eq;
use super::obj::{index_path, last_member, object, Obj, Path};
use super::schema::*;
use crate::arch::Arch;
use crate::diag::{Diagnostic, Failure, Location};
use crate::json::{parse_u64, LineIndex, Member, Node, NumberError, Span, Value};
use crate::suggest;

/// Reads the profile out of the JSON tree, which it consumes: strings move into the profile.
pub(crate) fn read(text: &str, root: Node) -> Result<Parsed, Failure> {
    let mut r = Reader {
        idx: LineIndex::new(text),
        line: std::cell::Cell::new(0),
        errors: Vec::new(),
        warnings: Vec::new(),
        in_config: false,
    };
    let profile = r.profile(root);
    if r.errors.is_empty() {
        match profile {
            Some(profile) => Ok(Parsed {
                profile,
                warnings: r.warnings,
            }),
            None => Err(Failure {
                diagnostics: vec![Diagnostic::error(
                    "invalid-profile",
                    "not a seccomp profile",
                )],
            }),
        }
    } else {
        let mut diagnostics = r.errors;
        diagnostics.extend(r.warnings);
        Err(Failure { diagnostics })
    }
}

struct Reader<'a> {
    idx: LineIndex<'a>,
    /// The line of the last location (the next is usually on it or the next one).
    line: std::cell::Cell<usize>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    /// Reading a whole OCI `config.json` (which crun reads case-sensitively): members matched
    /// only by case folding are reported (see [`Reader::profile`]).
    in_config: bool,
}

impl<'a> Reader<'a> {
    fn loc(&self, span: Span, path: &Path<'_>) -> Location {
        self.span_loc(span, path.render())
    }

    fn span_loc(&self, span: Span, path: String) -> Location {
        let mut line = self.line.get();
        let (line_no, column) = self.idx.line_col_near(span.start, &mut line);
        self.line.set(line);
        Location {
            path,
            line: line_no,
            column,
            start: span.start,
            end: span.end,
        }
    }

    fn err(&mut self, code: &'static str, span: Span, path: &Path<'_>, msg: String) {
        let loc = self.loc(span, path);
        self.errors.push(Diagnostic::error(code, msg).at(Some(loc)));
    }

    fn type_err(&mut self, node: &Node, path: &Path<'_>, expected: &str) {
        let msg = format!("expected {expected}, found {}", node.value.type_name());
        self.err("wrong-type", node.span, path, msg);
    }

    fn obj<'p>(&mut self, node: Node, path: &'p Path<'p>) -> Option<Obj<'p>> {
        match node.value {
            Value::Object(members) => {
                // Duplicate keys: Go keeps the last; say so.
                for (i, m) in members.iter().enumerate() {
                    if members[..i].iter().any(|p| go_fold_eq(&p.key, &m.key)) {
                        let loc = self.span_loc(m.key_span, path.member(&m.key));
                        self.warnings.push(
                            Diagnostic::warning(
                                "duplicate-key",
                                format!(
                                    "\"{}\" appears more than once in this object; Docker uses the last one",
                                    m.key
                                ),
                            )
                            .at(Some(loc)),
                        );
                    }
                }
                Some(Obj {
                    used: 0,
                    used_more: vec![false; members.len().saturating_sub(64)],
                    members,
                    note_folds: self.in_config,
                    folded: Vec::new(),
                    path,
                })
            }
            _ => {
                self.type_err(&node, path, "an object");
                None
            }
        }
    }

    fn finish(&mut self, o: Obj<'_>, known: &[&str]) {
        for &(j, name) in &o.folded {
            self.note_fold(&o.members[j], name, o.path);
        }
        for (j, m) in o.members.iter().enumerate() {
            if !o.is_used(j) {
                let loc = self.span_loc(m.key_span, o.path.member(&m.key));
                let hint = suggest::close_one(&m.key, known.iter().copied());
                self.warnings.push(
                    Diagnostic::warning(
                        "unknown-field",
                        format!("unknown field \"{}\" is ignored{hint}", m.key),
                    )
                    .at(Some(loc)),
                );
            }
        }
    }

    /// In a config.json, warns that `m` was found as the field `name` only by case folding.
    fn note_fold(&mut self, m: &Member, name: &'static str, parent: &Path<'_>) {
        if m.key == name {
            return;
        }
        let loc = self.span_loc(m.key_span, parent.member(&m.key));
        self.warnings.push(
            Diagnostic::warning(
                "case-folded-member",
                format!(
                    "\"{}\" matched \"{name}\" as Go's encoding/json matches member names (runc reads it); crun reads config.json case-sensitively and would not see it",
                    m.key
                ),
            )
            .at(Some(loc)),
        );
    }

    fn string(&mut self, node: Node, path: &Path<'_>) -> Option<Located<String>> {
        match node.value {
            Value::String(s) => Some(Located {
                value: s,
                location: self.loc(node.span, path),
            }),
            Value::Null => None,
            _ => {
                self.type_err(&node, path, "a string");
                None
            }
        }
    }

    fn uint(&mut self, node: Node, path: &Path<'_>) -> Option<Located<u64>> {
        match &node.value {
            Value::Number(raw) => match parse_u64(raw) {
                Ok(v) => Some(Located {
                    value: v,
                    location: self.loc(node.span, path),
                }),
                Err(e) => {
                    let why = match e {
                        NumberError::Negative => "it is negative",
                        NumberError::NotInteger => "it is not a whole number",
                        NumberError::TooLarge => {
                            "it does not fit in 64 bits (max 18446744073709551615)"
                        }
                    };
                    self.err(
                        "bad-number",
                        node.span,
                        path,
                        format!("{raw} is not a valid unsigned integer: {why}"),
                    );
                    None
                }
            },
            Value::Null => None,
            _ => {
                self.type_err(&node, path, "an unsigned integer");
                None
            }
        }
    }

    fn strings(&mut self, node: Node, path: &Path<'_>) -> Vec<Located<String>> {
        match node.value {
            Value::Array(items) => {
                // The items' paths share the array's: write it once.
                let prefix = path.render();
                let mut out = Vec::with_capacity(items.len());
                for (i, n) in items.into_iter().enumerate() {
                    let value = match n.value {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        _ => {
                            self.type_err(&n, &Path::Index(path, i), "a string");
                            continue;
                        }
                    };
                    out.push(Located {
                        value,
                        location: self.span_loc(n.span, index_path(&prefix, i)),
                    });
                }
                out
            }
            Value::Null => Vec::new(),
            _ => {
                self.type_err(&node, path, "an array of strings");
                Vec::new()
            }
        }
    }

    fn array(&mut self, node: Node, path: &Path<'_>) -> Vec<Node> {
        match node.value {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            _ => {
                self.type_err(&node, path, "an array");
                Vec::new()
            }
        }
    }

    fn arch(&mut self, s: Located<String>) -> Option<Located<Arch>> {
        match Arch::from_name(&s.value) {
            Some(a) if s.value.starts_with("SCMP_ARCH_") => Some(Located {
                value: a,
                location: s.location,
            }),
            _ => {
                let hint = suggest::close_one(&s.value, Arch::ALL.iter().map(|a| a.oci_name()));
                self.errors.push(
                    Diagnostic::error(
                        "unknown-arch",
                        format!(
                            "unknown architecture \"{}\"{hint}: expected one of SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, ...",
                            s.value
                        ),
                    )
                    .at(Some(s.location)),
                );
                None
            }
        }
    }

    fn action(&mut self, s: Located<String>) -> Option<Located<ActionName>> {
        match ActionName::parse(&s.value) {
            Some(a) => Some(Located {
                value: a,
                location: s.location,
            }),
            None => {
                let hint = suggest::close_one(&s.value, ActionName::ALL.iter().map(|a| a.as_str()));
                self.errors.push(
                    Diagnostic::error(
                        "unknown-action",
                        format!(
                            "unknown action \"{}\"{hint}: expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG or SCMP_ACT_NOTIFY (runc and crun refuse anything else)",
                            s.value
                        ),
                    )
                    .at(Some(s.location)),
                );
                None
            }
        }
    }

    /// Reads a profile, or the `linux.seccomp` of a whole OCI `config.json`.
    ///
    /// Member names are matched as Go's encoding/json matches them ([`go_fold_eq`]) everywhere,
    /// config.json included: that is how Docker reads a profile and how runc (Docker's default
    /// runtime) reads config.json. crun reads config.json with libocispec (C, yajl), which
    /// compares names exactly. The runtime of the context is not known here (profiles are read
    /// before they are resolved against a context), so a config.json is read as runc reads it
    /// and every member found only by case folding (`"Linux"` for `linux`, also inside
    /// `linux.seccomp`) gets a `case-folded-member` warning saying crun would not see it.
    fn profile(&mut self, root: Node) -> Option<Profile> {
        let Value::Object(top) = &root.value else {
            self.type_err(&root, &Path::Root, "a JSON object (a seccomp profile)");
            return None;
        };
        let has = |key: &str| top.iter().any(|m| go_fold_eq(&m.key, key));
        // A whole OCI config.json: take linux.seccomp.
        let is_config = (has("ociVersion") || has("process") || has("root") || has("linux"))
            && !(has("defaultAction") || has("syscalls"));
        if is_config {
            self.in_config = true;
            let process = last_member(top, "process");
            let caps =
                process.and_then(|m| Some((m, last_member(object(&m.value)?, "capabilities")?)));
            let bounding =
                caps.and_then(|(_, c)| Some((c, last_member(object(&c.value)?, "bounding")?)));
            if let Some((p, c)) = caps {
                self.note_fold(p, "process", &Path::Root);
                self.note_fold(c, "capabilities", &Path::Key(&Path::Root, "process"));
            }
            let bounding = bounding.and_then(|(_, b)| {
                let path = Path::Key(&Path::Key(&Path::Root, "process"), "capabilities");
                self.note_fold(b, "bounding", &path);
                match &b.value.value {
                    Value::Array(items) => Some(
                        items
                            .iter()
                            .filter_map(|i| match &i.value {
                                Value::String(s) => Some(s.clone()),
                                _ => None,
                            })
                            .collect(),
                    ),
                    _ => None,
                }
            });
            let Some(at) = top.iter().rposition(|m| go_fold_eq(&m.key, "linux")) else {
                self.err(
                    "no-seccomp",
                    root.span,
                    &Path::Root,
                    "this looks like an OCI config.json but it has no \"linux\" section, so no seccomp profile".into(),
                );
                return None;
            };
            let Value::Object(mut top) = root.value else {
                unreachable!("checked above")
            };
            let linux = top.swap_remove(at);
            self.note_fold(&linux, "linux", &Path::Root);
            let linux_span = linux.value.span;
            let sec = match linux.value.value {
                Value::Object(mut m) => m
                    .iter()
                    .rposition(|m| go_fold_eq(&m.key, "seccomp"))
                    .map(|i| m.swap_remove(i)),
                _ => None,
            };
            let Some(sec) = sec else {
                self.err(
                    "no-seccomp",
                    linux_span,
                    &Path::Key(&Path::Root, "linux"),
                    "this OCI config.json has no \"linux.seccomp\": the container runs without a seccomp filter".into(),
                );
                return None;
            };
            self.note_fold(&sec, "seccomp", &Path::Key(&Path::Root, "linux"));
            let mut p = self.seccomp(
                sec.value,
                &Path::Key(&Path::Key(&Path::Root, "linux"), "seccomp"),
            )?;
            p.format = ProfileFormat::OciConfig;
            p.config_bounding_caps = bounding;
            return Some(p);
        }
        self.seccomp(root, &Path::Root)
    }

    fn seccomp(&mut self, node: Node, path: &Path<'_>) -> Option<Profile> {
        const KNOWN: &[&str] = &[
            "defaultAction",
            "defaultErrnoRet",
            "architectures",
            "archMap",
            "flags",
            "listenerPath",
            "listenerMetadata",
            "syscalls",
        ];
        let mut o = self.obj(node, path)?;
        let mut p = Profile {
            format: ProfileFormat::Oci,
            default_action: None,
            default_errno_ret: None,
            architectures: Vec::new(),
            arch_map: Vec::new(),
            flags: None,
            listener_path: None,
            listener_metadata: None,
            syscalls: Vec::new(),
            config_bounding_caps: None,
        };
        let mut docker = false;
        if let Some((n, pth)) = o.get_scalar("defaultAction") {
            if let Some(s) = self.string(n, &pth) {
                if !s.value.is_empty() {
                    p.default_action = self.action(s);
                }
            }
        }
        if let Some((n, pth)) = o.get("defaultErrnoRet") {
            p.default_errno_ret = self.uint(n, &pth);
        }
        if let Some((n, pth)) = o.get("architectures") {
            for s in self.strings(n, &pth) {
                if let Some(a) = self.arch(s) {
                    p.architectures.push(a);
                }
            }
        }
        if let Some((n, pth)) = o.get("archMap") {
            docker = true;
            for (i, item) in self.array(n, &pth).into_iter().enumerate() {
                let ip = Path::Index(&pth, i);
                let item_span = item.span;
                let Some(mut e) = self.obj(item, &ip) else {
                    continue;
                };
                let arch = e
                    .get_scalar("architecture")
                    .and_then(|(n, pth)| self.string(n, &pth))
                    .and_then(|s| self.arch(s));
                let subs = match e.get("subArchitectures") {
                    Some((n, pth)) => self
                        .strings(n, &pth)
                        .into_iter()
                        .filter_map(|s| self.arch(s))
                        .collect(),
                    None => Vec::new(),
                };
                self.finish(e, &["architecture", "subArchitectures"]);
                match arch {
                    Some(architecture) => p.arch_map.push(ArchMapEntry {
                        architecture,
                        sub_architectures: subs,
                    }),
                    None => {
                        if !self.errors.iter().any(|d| d.code == "unknown-arch") {
                            self.err(
                                "missing-field",
                                item_span,
                                &ip,
                                "an archMap entry needs \"architecture\"".into(),
                            );
                        }
                    }
                }
            }
        }
        if let Some((n, pth)) = o.get("flags") {
            if !matches!(n.value, Value::Null) {
                p.flags = Some(self.strings(n, &pth));
            }
        }
        if let Some((n, pth)) = o.get_scalar("listenerPath") {
            p.listener_path = self.string(n, &pth).map(|s| s.value);
        }
        if let Some((n, pth)) = o.get_scalar("listenerMetadata") {
            p.listener_metadata = self.string(n, &pth).map(|s| s.value);
        }
        if let Some((n, pth)) = o.get("syscalls") {
            for (i, item) in self.array(n, &pth).into_iter().enumerate() {
                let ip = Path::Index(&pth, i);
                if let Some((e, d)) = self.entry(i, item, &ip) {
                    docker |= d;
                    p.syscalls.push(e);
                }
            }
        }
        self.finish(o, KNOWN);
        if docker {
            p.format = ProfileFormat::Docker;
        }
        Some(p)
    }

    /// Reads a `syscalls[]` entry; the bool says whether it used Docker-only fields.
    fn entry(&mut self, index: usize, node: Node, path: &Path<'_>) -> Option<(SyscallEntry, bool)> {
        const KNOWN: &[&str] = &[
            "names", "name", "action", "errnoRet", "args", "comment", "includes", "excludes",
        ];
        let span = node.span;
        let mut o = self.obj(node, path)?;
        let mut docker = false;
        let names_field = o.get("names");
        let name_field = o.get_scalar("name");
        let mut names = match names_field {
            Some((n, pth)) => self.strings(n, &pth),
            None => Vec::new(),
        };
        if let Some((n, pth)) = name_field {
            docker = true;
            if let Some(s) = self.string(n, &pth) {
                if !s.value.is_empty() {
                    if !names.is_empty() {
                        self.errors.push(
                            Diagnostic::error(
                                "name-and-names",
                                "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names' (Docker refuses this)",
                            )
                            .at(Some(s.location.clone())),
                        );
                    }
                    names = vec![s];
                }
            }
        }
        for n in &names {
            if n.value.is_empty() {
                self.warnings.push(
                    Diagnostic::warning(
                        "empty-name",
                        "an empty syscall name matches nothing; runc and crun skip it",
                    )
                    .at(Some(n.location.clone())),
                );
            }
        }
        if names.is_empty() {
            self.warnings.push(
                Diagnostic::warning(
                    "no-names",
                    "this entry names no syscall, so it does nothing",
                )
                .at(Some(self.loc(span, path))),
            );
        }
        let action = match o.get_scalar("action") {
            Some((n, pth)) => match self.string(n, &pth) {
                Some(s) if !s.value.is_empty() => self.action(s),
                _ => {
                    self.err(
                        "missing-action",
                        span,
                        path,
                        "this entry has no \"action\" (runc: unknown action \"\")".into(),
                    );
                    None
                }
            },
            None => {
                self.err(
                    "missing-action",
                    span,
                    path,
                    "this entry has no \"action\"".into(),
                );
                None
            }
        };
        let errno_ret = o.get("errnoRet").and_then(|(n, pth)| self.uint(n, &pth));
        let mut args = Vec::new();
        if let Some((n, pth)) = o.get("args") {
            for (i, item) in self.array(n, &pth).into_iter().enumerate() {
                let ip = Path::Index(&pth, i);
                if let Some(a) = self.arg(item, &ip) {
                    args.push(a);
                }
            }
        }
        let comment = o
            .get_scalar("comment")
            .and_then(|(n, pth)| self.string(n, &pth))
            .map(|s| s.value);
        if comment.is_some() {
            docker = true;
        }
        let includes = match o.get("includes") {
            Some((n, pth)) => {
                docker = true;
                self.filter(n, &pth)
            }
            None => Filter::default(),
        };
        let excludes = match o.get("excludes") {
            Some((n, pth)) => {
                docker = true;
                self.filter(n, &pth)
            }
            None => Filter::default(),
        };
        self.finish(o, KNOWN);
        Some((
            SyscallEntry {
                index,
                location: self.loc(span, path),
                names,
                action: action?,
                errno_ret,
                args,
                comment,
                includes,
                excludes,
            },
            docker,
        ))
    }

    fn arg(&mut self, node: Node, path: &Path<'_>) -> Option<ArgSpec> {
        let span = node.span;
        let mut o = self.obj(node, path)?;
        let index = o
            .get_scalar("index")
            .and_then(|(n, pth)| self.uint(n, &pth));
        let value = o
            .get_scalar("value")
            .and_then(|(n, pth)| self.uint(n, &pth));
        let value_two = o
            .get_scalar("valueTwo")
            .and_then(|(n, pth)| self.uint(n, &pth));
        let op = match o.get_scalar("op") {
            Some((n, pth)) => match self.string(n, &pth) {
                Some(s) => match Op::parse(&s.value) {
                    Some(op) => Some(Located {
                        value: op,
                        location: s.location,
                    }),
                    None => {
                        let hint = suggest::close_one(&s.value, Op::ALL.iter().map(|o| o.as_str()));
                        self.errors.push(
                            Diagnostic::error(
                                "unknown-op",
                                format!(
                                    "unknown operator \"{}\"{hint}: expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ",
                                    s.value
                                ),
                            )
                            .at(Some(s.location)),
                        );
                        None
                    }
                },
                None => None,
            },
            None => None,
        };
        let had_op = o.has("op");
        self.finish(o, &["index", "value", "valueTwo", "op"]);
        let location = self.loc(span, path);
        let op = match op {
            Some(op) => op,
            None => {
                if !had_op {
                    self.errors.push(
                        Diagnostic::error(
                            "missing-op",
                            "this condition has no \"op\" (runc: unknown operator \"\")",
                        )
                        .at(Some(location)),
                    );
                }
                return None;
            }
        };
        Some(ArgSpec {
            index: index.unwrap_or(Located {
                value: 0,
                location: location.clone(),
            }),
            value: value.map(|v| v.value).unwrap_or(0),
            value_two: value_two.map(|v| v.value).unwrap_or(0),
            op,
            location,
        })
    }

    fn filter(&mut self, node: Node, path: &Path<'_>) -> Filter {
        if matches!(node.value, Value::Null) {
            return Filter::default();
        }
        let Some(mut o) = self.obj(node, path) else {
            return Filter::default();
        };
        let caps = o
            .get("caps")
            .map(|(n, pth)| self.strings(n, &pth))
            .unwrap_or_default();
        let arches = o
            .get("arches")
            .map(|(n, pth)| self.strings(n, &pth))
            .unwrap_or_default();
        let min_kernel = match o.get("minKernel") {
            Some((n, pth)) => match self.string(n, &pth) {
                Some(s) if s.value.is_empty() => None,
                Some(s) => match KernelVersion::parse(&s.value) {
                    Ok(k) => Some(Located {
                        value: k,
                        location: s.location,
                    }),
                    Err(msg) => {
                        self.errors.push(
                            Diagnostic::error("bad-kernel-version", msg).at(Some(s.location)),
                        );
                        None
                    }
                },
                None => None,
            },
            None => None,
        };
        self.finish(o, &["caps", "arches", "minKernel"]);
        Filter {
            caps,
            arches,
            min_kernel,
        }
    }
}
