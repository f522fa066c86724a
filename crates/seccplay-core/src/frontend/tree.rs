//! The Docker-shaped located tree the text front-ends (systemd, LXC) build, and its reading.
//!
//! A front-end that is not JSON states its policy as entries (names, action, errno, argument
//! conditions) whose spans point into *its* text; [`policy`] turns them into a Docker/OCI
//! JSON tree and hands it to [`crate::profile`]'s reader, so the pipeline and every located
//! message are the ones Docker profiles get.

use crate::arch::Arch;
use crate::diag::{Diagnostic, Failure};
use crate::frontend::Policy;
use crate::json::{Member, Node, Span, Value};
use crate::profile::{self, Parsed};

/// One argument condition, in Docker's terms (`value`/`valueTwo` as libseccomp's datum a/b).
#[derive(Clone, Debug)]
pub(crate) struct Arg {
    /// Argument index (0..=5).
    pub index: u64,
    /// `value` (the mask for `SCMP_CMP_MASKED_EQ`).
    pub value: u64,
    /// `valueTwo` (the compared value for `SCMP_CMP_MASKED_EQ`), if any.
    pub value_two: Option<u64>,
    /// `SCMP_CMP_*`.
    pub op: &'static str,
    /// Where the condition is written.
    pub span: Span,
}

/// One entry of the profile being built.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Names with the span of the word that put each there.
    pub names: Vec<(String, Span)>,
    /// `SCMP_ACT_*`.
    pub action: &'static str,
    /// `errnoRet` for `SCMP_ACT_ERRNO`.
    pub errno: Option<u16>,
    /// Argument conditions (all must hold).
    pub args: Vec<Arg>,
    /// `includes.arches`: the hosts (moby's native names) the entry is kept on (empty: all).
    pub includes_arches: Vec<&'static str>,
    /// `excludes.arches`: the hosts the entry is dropped on.
    pub excludes_arches: Vec<&'static str>,
    /// Where the entry comes from, as the user wrote it.
    pub comment: String,
    /// The span the entry as a whole is located at.
    pub span: Span,
}

/// The whole profile being built.
#[derive(Clone, Debug)]
pub(crate) struct Tree {
    /// `defaultAction` and its span.
    pub default_action: (&'static str, Span),
    /// `defaultErrnoRet`.
    pub default_errno: Option<u16>,
    /// `architectures` (empty: the native ABI only).
    pub architectures: Vec<Arch>,
    /// `archMap`: host → sub-architectures.
    pub arch_map: Vec<(Arch, Vec<Arch>)>,
    /// `flags`.
    pub flags: Vec<&'static str>,
    /// The entries, in order.
    pub entries: Vec<Entry>,
}

/// A JSON node at `span` (the front-ends' trees point into their own input).
pub(super) fn node(value: Value, span: Span) -> Node {
    Node { value, span }
}

/// An object member whose key is located where its value is.
pub(super) fn member(key: &str, value: Node) -> Member {
    Member {
        key: key.into(),
        key_span: value.span,
        value,
    }
}

fn string(s: &str, span: Span) -> Node {
    node(Value::String(s.into()), span)
}

fn number(n: u64, span: Span) -> Node {
    node(Value::Number(n.to_string()), span)
}

fn arches(a: &[Arch], span: Span) -> Node {
    node(
        Value::Array(a.iter().map(|a| string(&a.oci_name(), span)).collect()),
        span,
    )
}

impl Tree {
    /// The tree as a located JSON object.
    fn node(&self, whole: Span) -> Node {
        let (action, aspan) = self.default_action;
        let mut top = vec![member("defaultAction", string(action, aspan))];
        if let Some(e) = self.default_errno {
            top.push(member("defaultErrnoRet", number(e as u64, aspan)));
        }
        if !self.architectures.is_empty() {
            top.push(member("architectures", arches(&self.architectures, whole)));
        }
        if !self.arch_map.is_empty() {
            let maps = self
                .arch_map
                .iter()
                .map(|(host, subs)| {
                    node(
                        Value::Object(vec![
                            member("architecture", string(&host.oci_name(), whole)),
                            member("subArchitectures", arches(subs, whole)),
                        ]),
                        whole,
                    )
                })
                .collect();
            top.push(member("archMap", node(Value::Array(maps), whole)));
        }
        if !self.flags.is_empty() {
            let f = self.flags.iter().map(|f| string(f, whole)).collect();
            top.push(member("flags", node(Value::Array(f), whole)));
        }
        let entries = self.entries.iter().map(entry_node).collect();
        top.push(member("syscalls", node(Value::Array(entries), whole)));
        node(Value::Object(top), whole)
    }
}

fn entry_node(e: &Entry) -> Node {
    let names = e.names.iter().map(|(n, s)| string(n, *s)).collect();
    let mut m = vec![
        member("names", node(Value::Array(names), e.span)),
        member("action", string(e.action, e.span)),
    ];
    if let Some(r) = e.errno {
        m.push(member("errnoRet", number(r as u64, e.span)));
    }
    if !e.args.is_empty() {
        let args = e
            .args
            .iter()
            .map(|a| {
                let mut c = vec![
                    member("index", number(a.index, a.span)),
                    member("value", number(a.value, a.span)),
                ];
                if let Some(v2) = a.value_two {
                    c.push(member("valueTwo", number(v2, a.span)));
                }
                c.push(member("op", string(a.op, a.span)));
                node(Value::Object(c), a.span)
            })
            .collect();
        m.push(member("args", node(Value::Array(args), e.span)));
    }
    m.push(member("comment", string(&e.comment, e.span)));
    for (key, list) in [
        ("includes", &e.includes_arches),
        ("excludes", &e.excludes_arches),
    ] {
        if !list.is_empty() {
            let a = list.iter().map(|a| string(a, e.span)).collect();
            let f = vec![member("arches", node(Value::Array(a), e.span))];
            m.push(member(key, node(Value::Object(f), e.span)));
        }
    }
    node(Value::Object(m), e.span)
}

/// Reads the tree as a Docker profile located in `text`: one [`Policy`] named `name`, and the
/// reader's warnings.
pub(crate) fn policy(
    text: &str,
    tree: &Tree,
    name: &str,
) -> Result<(Policy, Vec<Diagnostic>), Failure> {
    let whole = Span {
        start: 0,
        end: text.len().min(1),
    };
    let parsed = profile::read(text, tree.node(whole))?;
    let policy = Policy {
        name: name.into(),
        parsed: Parsed {
            profile: parsed.profile,
            warnings: Vec::new(),
        },
    };
    Ok((policy, parsed.warnings))
}
