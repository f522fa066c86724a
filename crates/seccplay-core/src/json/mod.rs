//! A small JSON parser whose values remember where they are.
//!
//! Profiles come from people: every error must say line, column and JSON path. This parser
//! keeps each value's byte span and every object member (duplicates included, in order), keeps
//! numbers as written so the schema layer can say "negative", "fractional" or "above u64", and
//! bounds nesting so hostile input cannot exhaust the stack.

mod lines;
mod parser;
mod write;

pub use lines::{LineIndex, CHECKPOINT};
pub use write::Out;

use crate::diag::Diagnostic;

/// Deepest nesting of arrays and objects accepted (profiles need 5).
pub const MAX_DEPTH: usize = 128;

/// A byte range in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset just past the last byte.
    pub end: usize,
}

/// A JSON value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it is in the text.
    pub span: Span,
}

/// An object member: key (with its own span) and value.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, members in source order (duplicates kept).
    Object(Vec<Member>),
}

impl Value {
    /// The JSON type name, for messages ("string", "array", ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// Why a number does not fit an unsigned 64-bit integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// It is negative.
    Negative,
    /// It has a fraction or an exponent.
    NotInteger,
    /// It is larger than 18446744073709551615.
    TooLarge,
}

/// Parses a number literal as Go's `encoding/json` does for an unsigned integer field.
pub fn parse_u64(raw: &str) -> Result<u64, NumberError> {
    if raw.starts_with('-') {
        // "-0" is accepted by Go's ParseUint? No: ParseUint rejects any sign.
        return Err(if raw.contains(['.', 'e', 'E']) {
            NumberError::NotInteger
        } else {
            NumberError::Negative
        });
    }
    if raw.contains(['.', 'e', 'E']) {
        return Err(NumberError::NotInteger);
    }
    raw.parse::<u64>().map_err(|_| NumberError::TooLarge)
}

/// Parses JSON text. Errors are located at the offending character.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let res = parser::Parser::new(text).document();
    res.map_err(|(offset, message)| {
        let idx = LineIndex::new(text);
        let end = (offset + 1).min(text.len());
        Diagnostic::error("json-syntax", message)
            .at(Some(idx.location(Span { start: offset, end }, "")))
    })
}

/// Parses bytes that should be UTF-8 JSON; invalid UTF-8 is an error located at the bad byte.
pub fn parse_bytes(bytes: &[u8]) -> Result<Node, Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => {
            let good = e.valid_up_to();
            // Locate within the valid prefix (line/column of the bad byte).
            let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or("");
            let idx = LineIndex::new(prefix);
            let mut loc = idx.location(
                Span {
                    start: good,
                    end: good + 1,
                },
                "",
            );
            loc.end = good + 1;
            Err(Diagnostic::error(
                "invalid-utf8",
                format!(
                    "the profile is not valid UTF-8: byte 0x{:02x} at offset {good} cannot start or continue a character",
                    bytes[good]
                ),
            )
            .at(Some(loc)))
        }
    }
}

/// Appends `s` as a JSON string literal, escaped as serde_json escapes it: `\"`, `\\`,
/// `\n`, `\r`, `\t`, `\b`, `\f`, other control characters as `\u00xx`, everything else
/// as it is. The one JSON-string writer of the workspace (core and shells).
pub fn push_quoted(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        run = i + 1;
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(esc);
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// `s` as a JSON string literal ([`push_quoted`]).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s);
    out
}

#[cfg(test)]
mod tests;
