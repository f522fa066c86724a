//! YAML read into the core's located JSON tree, with bounds: the SPO front-end then reads its
//! `spec` with the Docker/OCI schema reader, so a YAML profile gets the same checks and the
//! same located messages as a JSON one.
//!
//! yaml-rust2's parser (pure Rust, no recursion, events with line and column) does the syntax;
//! this module builds the tree from its events. Kubernetes reads YAML with go-yaml v2 through
//! sigs.k8s.io/yaml, so plain scalars resolve as YAML 1.1 does there.
//!
//! 1. Bounds. A YAML "billion laughs" is a few lines of anchors whose aliases expand to
//!    billions of nodes. Every node an alias copies counts against [`MAX_ALIAS_NODES`];
//!    nesting (aliases included) is bounded by [`json::MAX_DEPTH`]; a scalar longer than
//!    [`MAX_SCALAR_BYTES`] is refused. Each refusal is an error at the offending place.
//! 2. Spans. Events carry a start (in characters); spans are turned into byte offsets through
//!    a checkpoint every 256 characters (non-ASCII text only). A scalar's span ends after its plain text.
//! 3. Scalars. Plain `null`/`~`/empty are null; `true`/`yes`/`on` (and their false twins)
//!    are booleans; integers (decimal, `0x`, leading-zero octal, `_` separators) become
//!    decimal number text so the schema reader says "negative" or "too large"; other numbers
//!    stay as written. Quoted and block scalars are strings. Merge keys (`<<`) are refused.

use crate::diag::{Diagnostic, Location};
use crate::json::{self, LineIndex, Member, Node, Span, Value};
use std::collections::BTreeMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Most nodes all aliases of one input may copy (a profile needs none; Docker's default
/// profile is about 1,500 nodes).
pub const MAX_ALIAS_NODES: usize = 100_000;

/// Longest scalar accepted (a syscall name is under 32 bytes; comments are short).
pub const MAX_SCALAR_BYTES: usize = 64 << 10;

/// Characters between two checkpoints of the character → byte map.
const CHARS_PER_CHECKPOINT: usize = 256;

/// One YAML document of a stream, as a located tree.
#[derive(Clone, Debug)]
pub struct Document {
    /// The root node (null for an empty document).
    pub root: Node,
    /// Where the document starts.
    pub span: Span,
}

/// Reads every document of a YAML stream. Errors are located at the offending place.
pub fn parse(text: &str) -> Result<Vec<Document>, Diagnostic> {
    let mut b = Builder {
        text,
        ascii: text.is_ascii(),
        checkpoints: Vec::new(),
        stack: Vec::new(),
        anchors: BTreeMap::new(),
        copied: 0,
        docs: Vec::new(),
        doc_start: 0,
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(e) => e,
            Err(e) => {
                let at = b.offset(e.marker());
                return Err(b.error(at, "yaml-syntax", e.info().to_string()));
            }
        };
        if b.event(event, mark)? {
            return Ok(b.docs);
        }
    }
}

/// A collection being built.
enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        members: Vec<Member>,
        key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    text: &'a str,
    /// The text is ASCII: markers' character indexes are byte offsets.
    ascii: bool,
    /// Byte offset of every [`CHARS_PER_CHECKPOINT`]-th character (non-ASCII text only).
    checkpoints: Vec<usize>,
    stack: Vec<Frame>,
    /// Anchor id → (node, its node count, its depth).
    anchors: BTreeMap<usize, (Node, usize, usize)>,
    copied: usize,
    docs: Vec<Document>,
    doc_start: usize,
}

impl Builder<'_> {
    /// The byte offset of a marker (markers count characters): from the checkpoint of its
    /// block of [`CHARS_PER_CHECKPOINT`] characters, at most that many characters are read.
    fn offset(&mut self, m: &Marker) -> usize {
        let want = m.index();
        if self.ascii {
            return want.min(self.text.len());
        }
        if self.checkpoints.is_empty() {
            let mut at = Vec::with_capacity(self.text.len() / CHARS_PER_CHECKPOINT + 1);
            for (i, (b, _)) in self.text.char_indices().enumerate() {
                if i % CHARS_PER_CHECKPOINT == 0 {
                    at.push(b);
                }
            }
            at.push(self.text.len());
            self.checkpoints = at;
        }
        let block = (want / CHARS_PER_CHECKPOINT).min(self.checkpoints.len() - 1);
        let from = self.checkpoints[block];
        let skip = want - block * CHARS_PER_CHECKPOINT;
        self.text[from..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(b, _)| from + b)
    }

    fn error(&self, at: usize, code: &'static str, message: String) -> Diagnostic {
        let idx = LineIndex::new(self.text);
        let end = self.text[at.min(self.text.len())..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        Diagnostic::error(code, message).at(Some(idx.location(Span { start: at, end }, "")))
    }

    /// Handles one event; true at the end of the stream.
    fn event(&mut self, event: Event, mark: Marker) -> Result<bool, Diagnostic> {
        let at = self.offset(&mark);
        match event {
            Event::StreamEnd => return Ok(true),
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart => self.doc_start = at,
            Event::DocumentEnd => {}
            Event::Scalar(value, style, anchor, _) => {
                if value.len() > MAX_SCALAR_BYTES {
                    return Err(self.error(
                        at,
                        "yaml-too-large",
                        format!(
                            "a scalar of {} bytes: seccplay reads scalars up to {} KiB (a syscall name or a comment needs far less)",
                            value.len(),
                            MAX_SCALAR_BYTES >> 10
                        ),
                    ));
                }
                let plain = style == TScalarStyle::Plain;
                let end = if plain {
                    (at + value.len()).min(self.text.len())
                } else {
                    (at + 1).min(self.text.len())
                };
                let end = (end..=self.text.len())
                    .find(|&e| self.text.is_char_boundary(e))
                    .unwrap_or(self.text.len());
                let node = Node {
                    value: if plain {
                        resolve_plain(value)
                    } else {
                        Value::String(value)
                    },
                    span: Span { start: at, end },
                };
                self.complete(node, anchor)?;
            }
            Event::Alias(id) => {
                let Some((node, count, depth)) = self.anchors.get(&id) else {
                    return Err(self.error(
                        at,
                        "yaml-syntax",
                        "an alias to an unknown anchor".into(),
                    ));
                };
                self.copied = self.copied.saturating_add(*count);
                if self.copied > MAX_ALIAS_NODES {
                    return Err(self.error(
                        at,
                        "yaml-alias-bomb",
                        format!(
                            "aliases here expand to more than {MAX_ALIAS_NODES} nodes (a \"billion laughs\" document): refused"
                        ),
                    ));
                }
                if self.stack.len() + depth > json::MAX_DEPTH {
                    return Err(self.too_deep(at));
                }
                let mut node = node.clone();
                // The copy is located at the alias, where the reader sees it.
                relocate(
                    &mut node,
                    Span {
                        start: at,
                        end: at + 1,
                    },
                );
                self.complete(node, 0)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.push(at)?;
                self.stack.push(Frame::Seq {
                    start: at,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.push(at)?;
                self.stack.push(Frame::Map {
                    start: at,
                    anchor,
                    members: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = at.max(1).min(self.text.len());
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        items,
                    }) => (
                        Node {
                            value: Value::Array(items),
                            span: Span { start, end },
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        start,
                        anchor,
                        members,
                        ..
                    }) => (
                        Node {
                            value: Value::Object(members),
                            span: Span { start, end },
                        },
                        anchor,
                    ),
                    None => {
                        return Err(self.error(at, "yaml-syntax", "unbalanced collection".into()))
                    }
                };
                self.complete(node, anchor)?;
            }
        }
        Ok(false)
    }

    fn too_deep(&self, at: usize) -> Diagnostic {
        self.error(
            at,
            "yaml-too-deep",
            format!(
                "nesting deeper than {} levels (a profile needs 5): refused",
                json::MAX_DEPTH
            ),
        )
    }

    fn push(&self, at: usize) -> Result<(), Diagnostic> {
        if self.stack.len() >= json::MAX_DEPTH {
            return Err(self.too_deep(at));
        }
        Ok(())
    }

    /// A finished node goes to its parent (or becomes a document).
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            let (count, depth) = measure(&node);
            self.anchors.insert(anchor, (node.clone(), count, depth));
        }
        let at = node.span.start;
        match self.stack.last_mut() {
            None => self.docs.push(Document {
                root: node,
                span: Span {
                    start: self.doc_start,
                    end: self.text.len(),
                },
            }),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { members, key, .. }) => match key.take() {
                Some((k, key_span)) => members.push(Member {
                    key: k,
                    key_span,
                    value: node,
                }),
                None => {
                    let name =
                        match node.value {
                            Value::String(s) => s,
                            Value::Number(n) => n,
                            Value::Bool(b) => b.to_string(),
                            Value::Null => "null".into(),
                            Value::Array(_) | Value::Object(_) => return Err(self.error(
                                at,
                                "yaml-complex-key",
                                "a mapping key that is a collection: keys must be plain strings"
                                    .into(),
                            )),
                        };
                    if name == "<<" {
                        return Err(self.error(
                            at,
                            "yaml-merge-key",
                            "merge keys (<<) are not read: write the members out".into(),
                        ));
                    }
                    *key = Some((name, node.span));
                }
            },
        }
        Ok(())
    }
}

/// Nodes in a tree and its depth, without recursion.
fn measure(node: &Node) -> (usize, usize) {
    let mut count = 0;
    let mut deepest = 0;
    let mut todo = vec![(node, 1usize)];
    while let Some((n, d)) = todo.pop() {
        count += 1;
        deepest = deepest.max(d);
        match &n.value {
            Value::Array(items) => todo.extend(items.iter().map(|i| (i, d + 1))),
            Value::Object(ms) => todo.extend(ms.iter().map(|m| (&m.value, d + 1))),
            _ => {}
        }
    }
    (count, deepest)
}

/// Gives every node of a copied tree one span (without recursion).
fn relocate(node: &mut Node, span: Span) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        n.span = span;
        match &mut n.value {
            Value::Array(items) => todo.extend(items.iter_mut()),
            Value::Object(ms) => todo.extend(ms.iter_mut().map(|m| {
                m.key_span = span;
                &mut m.value
            })),
            _ => {}
        }
    }
}

/// What go-yaml v2 makes of a plain scalar (point 3).
fn resolve_plain(s: String) -> Value {
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    let int = if let Some(h) = digits.strip_prefix("0x") {
        u128::from_str_radix(h, 16).ok()
    } else if let Some(b) = digits.strip_prefix("0b") {
        u128::from_str_radix(b, 2).ok()
    } else if digits.len() > 1 && digits.starts_with('0') {
        u128::from_str_radix(&digits[1..], 8).ok()
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<u128>().ok().or(Some(u128::MAX))
    } else {
        None
    };
    if let Some(v) = int {
        if !body.is_empty() && body.as_bytes()[0].is_ascii_digit() {
            return Value::Number(if neg { format!("-{v}") } else { v.to_string() });
        }
    }
    let is_float = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+' | b'_'))
        && body
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().any(|b| b.is_ascii_digit());
    if is_float
        || matches!(body, ".inf" | ".Inf" | ".INF")
        || matches!(s.as_str(), ".nan" | ".NaN" | ".NAN")
    {
        return Value::Number(s);
    }
    Value::String(s)
}

/// A location in YAML text for a span (no JSON path).
pub fn location(text: &str, span: Span) -> Location {
    LineIndex::new(text).location(span, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let mut d = parse(text).unwrap();
        assert_eq!(d.len(), 1);
        d.remove(0).root
    }

    #[test]
    fn scalars_resolve_as_go_yaml_v2() {
        let n = one("a: 0x10\nb: 010\nc: -3\nd: 1.5\ne: yes\nf: ~\ng: '12'\nh: read\ni: 1_000\n");
        let Value::Object(ms) = n.value else { panic!() };
        let v: Vec<&Value> = ms.iter().map(|m| &m.value.value).collect();
        assert_eq!(v[0], &Value::Number("16".into()));
        assert_eq!(v[1], &Value::Number("8".into()));
        assert_eq!(v[2], &Value::Number("-3".into()));
        assert_eq!(v[3], &Value::Number("1.5".into()));
        assert_eq!(v[4], &Value::Bool(true));
        assert_eq!(v[5], &Value::Null);
        assert_eq!(v[6], &Value::String("12".into()));
        assert_eq!(v[7], &Value::String("read".into()));
        assert_eq!(v[8], &Value::Number("1000".into()));
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_text() {
        let text = "# é è\nnames:\n- read\n";
        let n = one(text);
        let Value::Object(ms) = n.value else { panic!() };
        let Value::Array(items) = &ms[0].value.value else {
            panic!()
        };
        assert_eq!(&text[items[0].span.start..items[0].span.end], "read");
    }

    #[test]
    fn billion_laughs_is_refused_at_the_alias() {
        let mut t = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            t.push_str(&format!(
                "{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let e = parse(&t).unwrap_err();
        assert_eq!(e.code, "yaml-alias-bomb");
        assert!(e.location.unwrap().line > 1);
    }

    #[test]
    fn deep_nesting_and_huge_scalars_are_refused() {
        // Flow nesting: yaml-rust2's scanner stops at 255 levels itself (a located error).
        let e = parse(&"[".repeat(100_000)).unwrap_err();
        assert!(matches!(e.code, "yaml-too-deep" | "yaml-syntax"), "{e}");
        assert!(e.location.is_some());
        // Block nesting: ours, at 128.
        let deep: String = (0..200)
            .map(|i| format!("{}a:\n", "  ".repeat(i)))
            .collect();
        let e = parse(&deep).unwrap_err();
        assert_eq!(e.code, "yaml-too-deep");
        assert_eq!(
            e.location.unwrap().line,
            129,
            "the 129th mapping starts on line 129"
        );
        let big = format!("a: {}\n", "x".repeat(MAX_SCALAR_BYTES + 1));
        let e = parse(&big).unwrap_err();
        assert_eq!(e.code, "yaml-too-large");
        assert_eq!(e.location.unwrap().column, 4);
    }

    #[test]
    fn merge_keys_and_syntax_errors_are_located() {
        assert_eq!(
            parse("a: &x {b: 1}\nc:\n  <<: *x\n").unwrap_err().code,
            "yaml-merge-key"
        );
        let e = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(e.code, "yaml-syntax");
        assert!(e.location.is_some());
    }

    #[test]
    fn documents_are_split() {
        let d = parse("---\na: 1\n---\nb: 2\n").unwrap();
        assert_eq!(d.len(), 2);
    }
}
