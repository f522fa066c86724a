//! Profiles as written: Docker/moby seccomp profiles, OCI `linux.seccomp` objects and whole OCI
//! `config.json` files, read from located JSON with Go's decoding rules (member names matched
//! with Go's case folding, see [`go_fold_eq`]; `null` as absent, strict unsigned integers). Every value keeps its location; errors
//! say where, what was expected and why. Nothing here decides what the profile *means* — that is
//! [`crate::resolve`].

use crate::arch::Arch;
use crate::diag::{Diagnostic, Failure, Location};
use crate::json::{self, parse_u64, LineIndex, Member, Node, NumberError, Span, Value};
use serde::Serialize;

/// Which kind of document the profile came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ProfileFormat {
    /// A Docker/moby profile (uses `archMap`, `includes`/`excludes`, `name` or `comment`).
    Docker,
    /// An OCI runtime-spec `linux.seccomp` object.
    Oci,
    /// A whole OCI `config.json`; the profile is its `linux.seccomp`.
    OciConfig,
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub location: Location,
}

/// A seccomp action name as written in a profile (`SCMP_ACT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ActionName {
    /// `SCMP_ACT_KILL` (= kill thread).
    Kill,
    /// `SCMP_ACT_KILL_PROCESS`.
    KillProcess,
    /// `SCMP_ACT_KILL_THREAD`.
    KillThread,
    /// `SCMP_ACT_TRAP`.
    Trap,
    /// `SCMP_ACT_ERRNO`.
    Errno,
    /// `SCMP_ACT_TRACE`.
    Trace,
    /// `SCMP_ACT_ALLOW`.
    Allow,
    /// `SCMP_ACT_LOG`.
    Log,
    /// `SCMP_ACT_NOTIFY`.
    Notify,
}

impl ActionName {
    /// Every action name.
    pub const ALL: [ActionName; 9] = [
        ActionName::Kill,
        ActionName::KillProcess,
        ActionName::KillThread,
        ActionName::Trap,
        ActionName::Errno,
        ActionName::Trace,
        ActionName::Allow,
        ActionName::Log,
        ActionName::Notify,
    ];

    /// The spelling in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionName::Kill => "SCMP_ACT_KILL",
            ActionName::KillProcess => "SCMP_ACT_KILL_PROCESS",
            ActionName::KillThread => "SCMP_ACT_KILL_THREAD",
            ActionName::Trap => "SCMP_ACT_TRAP",
            ActionName::Errno => "SCMP_ACT_ERRNO",
            ActionName::Trace => "SCMP_ACT_TRACE",
            ActionName::Allow => "SCMP_ACT_ALLOW",
            ActionName::Log => "SCMP_ACT_LOG",
            ActionName::Notify => "SCMP_ACT_NOTIFY",
        }
    }

    /// Looks up an exact spelling.
    pub fn parse(s: &str) -> Option<ActionName> {
        ActionName::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A comparison operator as written (`SCMP_CMP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Op {
    /// `SCMP_CMP_NE`: arg != value.
    Ne,
    /// `SCMP_CMP_LT`: arg < value.
    Lt,
    /// `SCMP_CMP_LE`: arg <= value.
    Le,
    /// `SCMP_CMP_EQ`: arg == value.
    Eq,
    /// `SCMP_CMP_GE`: arg >= value.
    Ge,
    /// `SCMP_CMP_GT`: arg > value.
    Gt,
    /// `SCMP_CMP_MASKED_EQ`: (arg & value) == valueTwo.
    MaskedEq,
}

impl Op {
    /// Every operator.
    pub const ALL: [Op; 7] = [Op::Ne, Op::Lt, Op::Le, Op::Eq, Op::Ge, Op::Gt, Op::MaskedEq];

    /// The spelling in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ne => "SCMP_CMP_NE",
            Op::Lt => "SCMP_CMP_LT",
            Op::Le => "SCMP_CMP_LE",
            Op::Eq => "SCMP_CMP_EQ",
            Op::Ge => "SCMP_CMP_GE",
            Op::Gt => "SCMP_CMP_GT",
            Op::MaskedEq => "SCMP_CMP_MASKED_EQ",
        }
    }

    /// The C-like symbol (`!=`, `<`, ...), for explanations.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::MaskedEq => "&",
        }
    }

    /// Looks up an exact spelling.
    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// A kernel version `X.Y` as moby writes `minKernel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct KernelVersion {
    /// The X in X.Y.
    pub major: u8,
    /// The Y in X.Y.
    pub minor: u8,
}

impl KernelVersion {
    /// Parses `X.Y` as moby does (two decimal parts fitting a byte, not both zero).
    pub fn parse(s: &str) -> Result<KernelVersion, String> {
        let parts: Vec<&str> = s.splitn(3, '.').collect();
        let bad = || {
            format!("invalid kernel version \"{s}\": expected \"<kernel>.<major>\" such as \"5.8\"")
        };
        if parts.len() != 2 {
            return Err(bad());
        }
        let p = |x: &str| {
            if x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                x.parse::<u8>().ok()
            }
        };
        let (Some(major), Some(minor)) = (p(parts[0]), p(parts[1])) else {
            return Err(bad());
        };
        if major == 0 && minor == 0 {
            return Err(format!(
                "invalid kernel version \"{s}\": 0.0 is not a kernel"
            ));
        }
        Ok(KernelVersion { major, minor })
    }
}

impl std::fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// `includes` / `excludes` of a Docker profile entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// Capabilities (`CAP_SYS_ADMIN`).
    pub caps: Vec<Located<String>>,
    /// Architectures in Go's spelling (`amd64`, `arm64`, `x86`, ...).
    pub arches: Vec<Located<String>>,
    /// Kernel version bound.
    pub min_kernel: Option<Located<KernelVersion>>,
}

impl Filter {
    /// True if nothing is set.
    pub fn is_empty(&self) -> bool {
        self.caps.is_empty() && self.arches.is_empty() && self.min_kernel.is_none()
    }
}

/// One argument condition of a syscall entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArgSpec {
    /// The argument index as written (runc and crun refuse > 5).
    pub index: Located<u64>,
    /// `value` (the mask for MASKED_EQ).
    pub value: u64,
    /// `valueTwo` (the expected value for MASKED_EQ).
    pub value_two: u64,
    /// The operator.
    pub op: Located<Op>,
    /// The whole condition object.
    pub location: Location,
}

/// One entry of `syscalls[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyscallEntry {
    /// Position in `syscalls[]`.
    pub index: usize,
    /// The whole entry.
    pub location: Location,
    /// The names (`names`, or the legacy `name` as a one-element list).
    pub names: Vec<Located<String>>,
    /// The action.
    pub action: Located<ActionName>,
    /// `errnoRet`, if given.
    pub errno_ret: Option<Located<u64>>,
    /// Conditions, in the order written.
    pub args: Vec<ArgSpec>,
    /// `comment`.
    pub comment: Option<String>,
    /// `includes`.
    pub includes: Filter,
    /// `excludes`.
    pub excludes: Filter,
}

/// An `archMap` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArchMapEntry {
    /// `architecture`.
    pub architecture: Located<Arch>,
    /// `subArchitectures`.
    pub sub_architectures: Vec<Located<Arch>>,
}

/// A parsed profile, still as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Docker, OCI or OCI config.json.
    pub format: ProfileFormat,
    /// `defaultAction`; `None` when empty or absent.
    pub default_action: Option<Located<ActionName>>,
    /// `defaultErrnoRet`.
    pub default_errno_ret: Option<Located<u64>>,
    /// `architectures`.
    pub architectures: Vec<Located<Arch>>,
    /// `archMap`.
    pub arch_map: Vec<ArchMapEntry>,
    /// `flags`: `None` when absent, `Some(vec![])` when an empty list.
    pub flags: Option<Vec<Located<String>>>,
    /// `listenerPath`.
    pub listener_path: Option<String>,
    /// `listenerMetadata`.
    pub listener_metadata: Option<String>,
    /// `syscalls[]`.
    pub syscalls: Vec<SyscallEntry>,
    /// Bounding capabilities from a config.json's `process.capabilities.bounding`, if present.
    pub config_bounding_caps: Option<Vec<String>>,
}

/// A parsed profile with the warnings found while reading it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parsed {
    /// The profile.
    pub profile: Profile,
    /// Warnings (unknown fields, duplicate keys, ...).
    pub warnings: Vec<Diagnostic>,
}

/// Parses a profile from text (Docker, OCI or config.json; detected).
pub fn parse(text: &str) -> Result<Parsed, Failure> {
    let root = json::parse(text).map_err(Failure::single)?;
    read(text, root)
}

/// Parses a profile from bytes that should be UTF-8.
pub fn parse_bytes(bytes: &[u8]) -> Result<Parsed, Failure> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Failure::single(json::parse_bytes(bytes).expect_err("invalid UTF-8 is an error"))
    })?;
    parse(text)
}

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

/// The members of an object, looked up as Go does, with unused ones reported. A value is taken
/// out when looked up (each known member is looked up once); the names stay for the warnings.
struct Obj<'p> {
    members: Vec<Member>,
    /// Which members were looked up: bit `j` for the first 64 ...
    used: u64,
    /// ... then one flag each (empty, so not allocated, for the objects of a profile).
    used_more: Vec<bool>,
    /// Whether to remember the members found only by case folding (in a config.json) ...
    note_folds: bool,
    /// ... which are these: (member, the field name it matched).
    folded: Vec<(usize, &'static str)>,
    path: &'p Path<'p>,
}

/// A JSON path (`syscalls[3].names[0]`), written out only when a location or a message needs
/// it: the links live on the stack of the reader's calls.
#[derive(Clone, Copy)]
enum Path<'p> {
    /// The document (or, in a config.json, nothing yet): the empty path.
    Root,
    /// A member: `parent.key`, or `key` when the parent is empty.
    Key(&'p Path<'p>, &'static str),
    /// An item: `parent[i]`.
    Index(&'p Path<'p>, usize),
}

/// Decimal digits of `i`.
fn digits(mut i: usize) -> usize {
    let mut n = 1;
    while i >= 10 {
        i /= 10;
        n += 1;
    }
    n
}

/// Appends `[i]`.
fn push_index(out: &mut String, i: usize) {
    let digit = |d: usize| char::from(b'0' + (d % 10) as u8);
    out.push('[');
    if i < 10 {
        out.push(digit(i));
    } else if i < 100 {
        out.push(digit(i / 10));
        out.push(digit(i));
    } else {
        let mut buf = [0u8; 20];
        let mut at = buf.len();
        let mut i = i;
        while i > 0 {
            at -= 1;
            buf[at] = b'0' + (i % 10) as u8;
            i /= 10;
        }
        out.extend(buf[at..].iter().map(|&b| char::from(b)));
    }
    out.push(']');
}

/// `prefix[i]`, allocated at its size.
fn index_path(prefix: &str, i: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + digits(i) + 2);
    out.push_str(prefix);
    push_index(&mut out, i);
    out
}

impl Path<'_> {
    /// The length of the written path.
    fn len(&self) -> usize {
        match *self {
            Path::Root => 0,
            Path::Key(parent, key) => match parent.len() {
                0 => key.len(),
                n => n + 1 + key.len(),
            },
            Path::Index(parent, i) => parent.len() + digits(i) + 2,
        }
    }

    fn write(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, i) => {
                parent.write(out);
                push_index(out, i);
            }
        }
    }

    /// The path written out.
    fn render(&self) -> String {
        let mut out = String::with_capacity(self.len());
        self.write(&mut out);
        out
    }

    /// The path of a member as written (any key, not only known ones).
    fn member(&self, key: &str) -> String {
        let mut out = String::with_capacity(self.len() + 1 + key.len());
        self.write(&mut out);
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
        out
    }
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
                let hint = known
                    .iter()
                    .find(|k| close(k, &m.key))
                    .map(|k| format!(" (did you mean \"{k}\"?)"))
                    .unwrap_or_default();
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
                let hint = Arch::ALL
                    .iter()
                    .map(|a| a.oci_name())
                    .find(|n| close(n, &s.value))
                    .map(|n| format!(" (did you mean \"{n}\"?)"))
                    .unwrap_or_default();
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
                let hint = ActionName::ALL
                    .iter()
                    .find(|a| close(a.as_str(), &s.value))
                    .map(|a| format!(" (did you mean \"{}\"?)", a.as_str()))
                    .unwrap_or_default();
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
                        let hint = Op::ALL
                            .iter()
                            .find(|o| close(o.as_str(), &s.value))
                            .map(|o| format!(" (did you mean \"{}\"?)", o.as_str()))
                            .unwrap_or_default();
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

impl<'p> Obj<'p> {
    /// Finds a member as Go decodes it into a struct field: every member whose name folds to
    /// `key` ([`go_fold_eq`]) is decoded in turn, so for scalars, string lists and `null` the
    /// last one wins, whether or not an earlier one is spelled exactly (Go looks for an exact
    /// match first only to choose the *field*, and no two fields read here differ only in
    /// case). Takes the last one's value out. Not modelled: Go decodes a later object or list
    /// of objects *into* the earlier value (fields the later one omits survive), and a type
    /// error in an earlier duplicate still fails Go's `Unmarshal`; here the last member is
    /// taken whole and earlier ones only get a `duplicate-key` warning.
    ///
    /// For a field Go decodes `null` into by setting it to nil (a pointer or a slice).
    fn get(&mut self, key: &'static str) -> Option<(Node, Path<'p>)> {
        self.get_as(key, false)
    }

    /// [`Obj::get`] for a field whose Go type is a string or an integer: Go's `literalStore`
    /// ignores `null` for those ("otherwise, ignore null for primitives/string"), so a `null`
    /// after another member of the same name leaves that one's value in place.
    fn get_scalar(&mut self, key: &'static str) -> Option<(Node, Path<'p>)> {
        self.get_as(key, true)
    }

    fn get_as(&mut self, key: &'static str, null_is_ignored: bool) -> Option<(Node, Path<'p>)> {
        let Obj {
            members,
            used,
            used_more,
            ..
        } = self;
        let (mut last, mut last_set) = (None, None);
        for (j, m) in members.iter().enumerate() {
            if go_fold_eq(&m.key, key) {
                if j < 64 {
                    *used |= 1 << j;
                } else {
                    used_more[j - 64] = true;
                }
                last = Some(j);
                if !matches!(m.value.value, Value::Null) {
                    last_set = Some(j);
                }
            }
        }
        let i = if null_is_ignored {
            last_set.or(last)?
        } else {
            last?
        };
        if self.note_folds && self.members[i].key != key {
            self.folded.push((i, key));
        }
        let node = &mut self.members[i].value;
        let value = std::mem::replace(&mut node.value, Value::Null);
        Some((
            Node {
                value,
                span: node.span,
            },
            Path::Key(self.path, key),
        ))
    }

    fn is_used(&self, j: usize) -> bool {
        if j < 64 {
            self.used & (1 << j) != 0
        } else {
            self.used_more[j - 64]
        }
    }

    fn has(&self, key: &str) -> bool {
        self.members.iter().any(|m| go_fold_eq(&m.key, key))
    }
}

/// The members of an object value.
fn object(node: &Node) -> Option<&[Member]> {
    match &node.value {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The last member that Go would decode into the field `key`.
fn last_member<'n>(members: &'n [Member], key: &str) -> Option<&'n Member> {
    members.iter().rev().find(|m| go_fold_eq(&m.key, key))
}

/// `ſ` U+017F LATIN SMALL LETTER LONG S, in UTF-8.
const LONG_S: &[u8] = "\u{17f}".as_bytes();
/// `K` U+212A KELVIN SIGN, in UTF-8.
const KELVIN: &[u8] = "\u{212a}".as_bytes();

/// True if Go's encoding/json treats the member names `a` and `b` as the same name, for the
/// names it can matter for: those that fold to a field name, which are all ASCII here.
///
/// Go matches a JSON member name to a struct field with `bytes.EqualFold`, Unicode simple case
/// folding. Go ≥ 1.21 (encoding/json/fold.go) compares `foldName(key)` with the fields' folded
/// names, where `foldName` upper-cases ASCII letters and maps every other rune through
/// `foldRune`, the smallest rune of its `unicode.SimpleFold` orbit. The only non-ASCII runes
/// whose orbit holds an ASCII letter are U+017F `ſ` (orbit S s ſ) and U+212A KELVIN SIGN
/// (orbit K k K); Go < 1.21 had the same two special cases spelled out in `equalFoldRight`
/// ("The letters S and K are special because they map to 3 runes, not just 2"). So: ASCII
/// letters compare case-insensitively, `ſ` is `s`, `K` is `k`, and any other character only
/// equals itself. (Two non-ASCII names differing in case, "é" and "É", are the same for Go
/// but not here: no field has such a name, so such members are unknown either way.)
#[inline]
pub(crate) fn go_fold_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Equal lengths: the same bytes up to ASCII case (the common case), or a mix of ſ/K and
    // plain letters in different places ("ſs" and "sſ"), found below.
    if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    // Most different names differ in their first letter.
    if let (Some(&x), Some(&y)) = (a.first(), b.first()) {
        if x < 0x80 && y < 0x80 && !x.eq_ignore_ascii_case(&y) {
            return false;
        }
    }
    fold_eq_slow(a, b)
}

/// [`go_fold_eq`] unit by unit.
#[inline(never)]
fn fold_eq_slow(a: &[u8], b: &[u8]) -> bool {
    // One unit of a name: an ASCII byte lower-cased, ſ as `s`, K as `k`, and any other
    // byte as itself (bytes of other characters, >= 0x80, never equal an ASCII unit).
    fn unit(s: &[u8], i: usize) -> (u8, usize) {
        let b = s[i];
        if b < 0x80 {
            (b.to_ascii_lowercase(), 1)
        } else if s[i..].starts_with(LONG_S) {
            (b's', LONG_S.len())
        } else if s[i..].starts_with(KELVIN) {
            (b'k', KELVIN.len())
        } else {
            (b, 1)
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let ((x, n), (y, m)) = (unit(a, i), unit(b, j));
        if x != y {
            return false;
        }
        i += n;
        j += m;
    }
    i == a.len() && j == b.len()
}

/// Two spellings are close: same letters ignoring case and `_`, or at most two edits apart.
fn close(known: &str, written: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(|c| c.to_lowercase())
            .collect()
    };
    let (a, b) = (norm(known), norm(written));
    a == b || edit_distance(&a, &b) <= 2
}

/// Levenshtein distance (small strings only).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 3 || a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_docker_profile() {
        let text = r#"{
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
  "syscalls": [
    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
     "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390x"]}},
    {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}}
  ]
}"#;
        let p = parse(text).unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let p = p.profile;
        assert_eq!(p.format, ProfileFormat::Docker);
        assert_eq!(p.default_action.unwrap().value, ActionName::Errno);
        assert_eq!(p.syscalls.len(), 3);
        assert_eq!(p.syscalls[1].args[0].op.value, Op::MaskedEq);
        assert_eq!(p.syscalls[1].args[0].value, 0x7E02_0000);
        assert_eq!(p.syscalls[1].excludes.caps[0].value, "CAP_SYS_ADMIN");
        assert_eq!(
            p.syscalls[2].includes.min_kernel.as_ref().unwrap().value,
            KernelVersion { major: 4, minor: 8 }
        );
        assert_eq!(p.syscalls[0].names[1].location.line, 6);
    }

    #[test]
    fn errors_name_path_line_and_column() {
        let text = "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\",\n   \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQQ\"}]}]}";
        let f = parse(text).unwrap_err();
        let errs: Vec<_> = f.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errs.len(), 2, "{f}");
        let value = errs.iter().find(|d| d.code == "bad-number").unwrap();
        let loc = value.location.as_ref().unwrap();
        assert_eq!(loc.path, "syscalls[0].args[0].value");
        assert_eq!((loc.line, loc.column), (3, 35));
        assert!(value.message.contains("negative"));
        let op = errs.iter().find(|d| d.code == "unknown-op").unwrap();
        assert_eq!(op.location.as_ref().unwrap().path, "syscalls[0].args[0].op");
        assert!(
            op.message.contains("did you mean \"SCMP_CMP_EQ\""),
            "{}",
            op.message
        );
    }

    #[test]
    fn name_and_names_together_is_an_error() {
        let f = parse(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}"#)
            .unwrap_err();
        assert_eq!(f.first_error().unwrap().code, "name-and-names");
    }

    #[test]
    fn unknown_fields_and_duplicates_warn() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","defaultAction":"SCMP_ACT_ERRNO","sycalls":[]}"#,
        )
        .unwrap();
        let codes: Vec<_> = p.warnings.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["duplicate-key", "unknown-field"]);
        assert!(p.warnings[1].message.contains("did you mean \"syscalls\""));
        assert_eq!(p.profile.default_action.unwrap().value, ActionName::Errno);
    }

    #[test]
    fn go_matches_member_names_case_insensitively() {
        let p = parse(r#"{"DefaultAction":"SCMP_ACT_ERRNO","SYSCALLS":[{"Names":["read"],"Action":"SCMP_ACT_ALLOW"}]}"#).unwrap();
        assert!(p.warnings.is_empty());
        assert_eq!(p.profile.syscalls[0].names[0].value, "read");
    }

    #[test]
    fn reads_linux_seccomp_from_a_config_json() {
        let p = parse(r#"{"ociVersion":"1.0.2","process":{"capabilities":{"bounding":["CAP_CHOWN"]}},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}}}"#)
            .unwrap_err();
        assert_eq!(f_path(&p), "linux.seccomp.syscalls[0].args[0].op",);
        let ok = parse(r#"{"ociVersion":"1.0.2","process":{"capabilities":{"bounding":["CAP_CHOWN"]}},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}"#).unwrap();
        assert_eq!(ok.profile.format, ProfileFormat::OciConfig);
        assert_eq!(
            ok.profile.config_bounding_caps,
            Some(vec!["CAP_CHOWN".to_string()])
        );
    }

    /// Go matches member names with Unicode simple case folding: `ſ` (U+017F) is an `s` and
    /// the Kelvin sign (U+212A) a `k`, escaped or not; nothing else non-ASCII folds to ASCII.
    #[test]
    fn member_names_match_with_go_case_folding() {
        let p = parse(
            "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"ſyſcalls\":[{\"nameſ\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}],\
             \"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}",
        )
        .unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.profile.syscalls[0].names[0].value, "read");
        assert_eq!(
            p.profile.syscalls[0].names[0].location.path,
            "syscalls[0].names[0]"
        );
        // Escaped: the name is compared after unescaping, as Go's `unquote`s it.
        let p = parse(r#"{"defaultAction":"SCMP_ACT_ERRNO","\u017Fyscalls":[],"ar\u212AsMap":[]}"#)
            .unwrap();
        let codes: Vec<_> = p.warnings.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["unknown-field"], "arKsMap is not archMap");
        let p = parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\
             \"includes\":{\"minKernel\":\"4.8\"},\"excludes\":{\"caps\":[\"CAP_SYS_PTRACE\"]}}]}")
            .unwrap();
        assert!(p.warnings.is_empty());
        let p = parse(
            "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\
             \"includes\":{\"minKernel\":\"4.8\"}}]}",
        )
        .unwrap();
        assert_eq!(
            p.profile.syscalls[0]
                .includes
                .min_kernel
                .as_ref()
                .unwrap()
                .value,
            KernelVersion { major: 4, minor: 8 }
        );
        // Other non-ASCII look-alikes do not fold: "ı" (dotless i), "ſ" only folds to s.
        let p = parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[],\"archıtectures\":[\"SCMP_ARCH_X86\"]}")
            .unwrap();
        assert!(p.profile.architectures.is_empty());
        assert_eq!(p.warnings[0].code, "unknown-field");
        assert!(go_fold_eq("ſs", "sſ") && go_fold_eq("SK", "ſ\u{212a}") && go_fold_eq("Ņ", "Ņ"));
        assert!(
            !go_fold_eq("Ņ", "ſ") && !go_fold_eq("names", "name") && !go_fold_eq("ſ", "\u{212a}")
        );
    }

    /// Go decodes every member that folds to a field in order: the last one wins even when an
    /// earlier one is spelled exactly.
    #[test]
    fn the_last_case_folded_duplicate_wins_as_in_go() {
        let p = parse(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","DefaultAction":"SCMP_ACT_ERRNO","syscalls":[]}"#,
        )
        .unwrap();
        assert_eq!(p.profile.default_action.unwrap().value, ActionName::Errno);
        assert_eq!(p.warnings[0].code, "duplicate-key");
        let p = parse("{\"DEFAULTACTION\":\"SCMP_ACT_ALLOW\",\"defaultAction\":\"SCMP_ACT_LOG\",\"defaultAction\":\"SCMP_ACT_TRAP\",\"ſyscalls\":[],\"syscalls\":null}")
            .unwrap();
        assert_eq!(p.profile.default_action.unwrap().value, ActionName::Trap);
        let codes: Vec<_> = p.warnings.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["duplicate-key"; 3]);
    }

    /// Go ignores `null` for a string or integer field and sets a pointer or slice to nil: a
    /// later `null` duplicate keeps an earlier action, but drops an earlier `errnoRet`.
    #[test]
    fn a_later_null_duplicate_is_decoded_as_go_decodes_it() {
        let p = parse(r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultAction":null,"defaultErrnoRet":1,"defaulterrnoret":null,
            "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","Action":null,"errnoRet":5,"errnoRet":null,
              "args":[{"index":1,"index":null,"value":2,"VALUE":null,"op":"SCMP_CMP_EQ","op":null}]}],"syscalls":[]}"#)
        .unwrap();
        let p = p.profile;
        assert_eq!(p.default_action.unwrap().value, ActionName::Errno);
        assert_eq!(p.default_errno_ret, None);
        assert!(p.syscalls.is_empty(), "the last \"syscalls\" is empty");
        let p = parse(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","Action":null,"errnoRet":5,"errnoRet":null,
              "args":[{"index":1,"index":null,"value":2,"VALUE":null,"op":"SCMP_CMP_EQ","op":null}]}]}"#)
        .unwrap();
        let e = &p.profile.syscalls[0];
        assert_eq!(e.action.value, ActionName::Allow);
        assert_eq!(e.errno_ret, None);
        assert_eq!(
            (e.args[0].index.value, e.args[0].value, e.args[0].op.value),
            (1, 2, Op::Eq)
        );
    }

    /// runc (Go) finds `Linux`/`Seccomp` in a config.json as it finds `linux`/`seccomp`; crun
    /// (libocispec) would not, which a warning says.
    #[test]
    fn config_json_members_fold_like_runc_and_warn_for_crun() {
        let p = parse(r#"{"ociVersion":"1.0.2","Process":{"Capabilities":{"bounding":["CAP_CHOWN"]}},"Linux":{"Seccomp":{"defaultAction":"SCMP_ACT_ERRNO","SYSCALLS":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}}}"#)
            .unwrap();
        assert_eq!(p.profile.format, ProfileFormat::OciConfig);
        assert_eq!(p.profile.syscalls[0].names[0].value, "read");
        assert_eq!(
            p.profile.syscalls[0].names[0].location.path,
            "linux.seccomp.syscalls[0].names[0]"
        );
        assert_eq!(
            p.profile.config_bounding_caps,
            Some(vec!["CAP_CHOWN".to_string()])
        );
        let folded: Vec<_> = p
            .warnings
            .iter()
            .filter(|d| d.code == "case-folded-member")
            .map(|d| d.location.as_ref().unwrap().path.as_str())
            .collect();
        assert_eq!(folded.len(), 5, "{:?}", p.warnings);
        for path in [
            "Process",
            "process.Capabilities",
            "Linux",
            "linux.Seccomp",
            "linux.seccomp.SYSCALLS",
        ] {
            assert!(folded.contains(&path), "{path}: {folded:?}");
        }
        assert!(p.warnings.iter().all(|d| d.code == "case-folded-member"));
        assert!(
            p.warnings[0].message.contains("crun"),
            "{}",
            p.warnings[0].message
        );
        // Written exactly: no warning.
        let p = parse(
            r#"{"ociVersion":"1.0.2","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}"#,
        )
        .unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        // ſ and K fold here too, and a config.json is recognised by a folded "linux".
        let p = parse("{\"linux\":{\"ſeccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}}").unwrap();
        assert_eq!(p.profile.format, ProfileFormat::OciConfig);
        let p = parse(r#"{"LINUX":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}"#).unwrap();
        assert_eq!(p.profile.format, ProfileFormat::OciConfig);
        // A Docker profile is read by Docker (Go): no crun warning there.
        let p = parse(r#"{"DefaultAction":"SCMP_ACT_ERRNO"}"#).unwrap();
        assert!(p.warnings.is_empty());
    }

    fn f_path(f: &Failure) -> String {
        f.first_error()
            .unwrap()
            .location
            .as_ref()
            .unwrap()
            .path
            .clone()
    }

    #[test]
    fn kernel_versions_parse_like_moby() {
        assert_eq!(
            KernelVersion::parse("5.8"),
            Ok(KernelVersion { major: 5, minor: 8 })
        );
        assert!(KernelVersion::parse("5").is_err());
        assert!(KernelVersion::parse("5.8.1").is_err());
        assert!(KernelVersion::parse("0.0").is_err());
        assert!(KernelVersion::parse("256.1").is_err());
    }
}
