//! Objects as Go decodes them into structs ([`Obj`]), and JSON paths written out only when
//! needed ([`Path`]).

use super::fold::go_fold_eq;
use crate::json::{Member, Node, Value};

/// The members of an object, looked up as Go does, with unused ones reported. A value is taken
/// out when looked up (each known member is looked up once); the names stay for the warnings.
pub(super) struct Obj<'p> {
    pub(super) members: Vec<Member>,
    /// Which members were looked up: bit `j` for the first 64 ...
    pub(super) used: u64,
    /// ... then one flag each (empty, so not allocated, for the objects of a profile).
    pub(super) used_more: Vec<bool>,
    /// Whether to remember the members found only by case folding (in a config.json) ...
    pub(super) note_folds: bool,
    /// ... which are these: (member, the field name it matched).
    pub(super) folded: Vec<(usize, &'static str)>,
    pub(super) path: &'p Path<'p>,
}

/// A JSON path (`syscalls[3].names[0]`), written out only when a location or a message needs
/// it: the links live on the stack of the reader's calls.
#[derive(Clone, Copy)]
pub(super) enum Path<'p> {
    /// The document (or, in a config.json, nothing yet): the empty path.
    Root,
    /// A member: `parent.key`, or `key` when the parent is empty.
    Key(&'p Path<'p>, &'static str),
    /// An item: `parent[i]`.
    Index(&'p Path<'p>, usize),
}

/// Decimal digits of `i`.
pub(super) fn digits(mut i: usize) -> usize {
    let mut n = 1;
    while i >= 10 {
        i /= 10;
        n += 1;
    }
    n
}

/// Appends `[i]`.
pub(super) fn push_index(out: &mut String, i: usize) {
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
pub(super) fn index_path(prefix: &str, i: usize) -> String {
    let mut out = String::with_capacity(prefix.len() + digits(i) + 2);
    out.push_str(prefix);
    push_index(&mut out, i);
    out
}

impl Path<'_> {
    /// The length of the written path.
    pub(super) fn len(&self) -> usize {
        match *self {
            Path::Root => 0,
            Path::Key(parent, key) => match parent.len() {
                0 => key.len(),
                n => n + 1 + key.len(),
            },
            Path::Index(parent, i) => parent.len() + digits(i) + 2,
        }
    }

    pub(super) fn write(&self, out: &mut String) {
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
    pub(super) fn render(&self) -> String {
        let mut out = String::with_capacity(self.len());
        self.write(&mut out);
        out
    }

    /// The path of a member as written (any key, not only known ones).
    pub(super) fn member(&self, key: &str) -> String {
        let mut out = String::with_capacity(self.len() + 1 + key.len());
        self.write(&mut out);
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
        out
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
    pub(super) fn get(&mut self, key: &'static str) -> Option<(Node, Path<'p>)> {
        self.get_as(key, false)
    }

    /// [`Obj::get`] for a field whose Go type is a string or an integer: Go's `literalStore`
    /// ignores `null` for those ("otherwise, ignore null for primitives/string"), so a `null`
    /// after another member of the same name leaves that one's value in place.
    pub(super) fn get_scalar(&mut self, key: &'static str) -> Option<(Node, Path<'p>)> {
        self.get_as(key, true)
    }

    pub(super) fn get_as(
        &mut self,
        key: &'static str,
        null_is_ignored: bool,
    ) -> Option<(Node, Path<'p>)> {
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

    pub(super) fn is_used(&self, j: usize) -> bool {
        if j < 64 {
            self.used & (1 << j) != 0
        } else {
            self.used_more[j - 64]
        }
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.members.iter().any(|m| go_fold_eq(&m.key, key))
    }
}

/// The members of an object value.
pub(super) fn object(node: &Node) -> Option<&[Member]> {
    match &node.value {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// The last member that Go would decode into the field `key`.
pub(super) fn last_member<'n>(members: &'n [Member], key: &str) -> Option<&'n Member> {
    members.iter().rev().find(|m| go_fold_eq(&m.key, key))
}
