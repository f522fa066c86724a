//! A small JSON parser whose values remember where they are.
//!
//! Profiles come from people: every error must say line, column and JSON path. This parser
//! keeps each value's byte span and every object member (duplicates included, in order), keeps
//! numbers as written so the schema layer can say "negative", "fractional" or "above u64", and
//! bounds nesting so hostile input cannot exhaust the stack.

use crate::diag::{Diagnostic, Location};

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

/// Maps byte offsets to 1-based line and column numbers.
///
/// Columns count characters, so they need the characters before an offset on its line: the
/// index keeps, every [`CHECKPOINT`] bytes, how many characters precede that byte, so that a
/// lookup reads at most [`CHECKPOINT`] bytes whatever the line length (a profile written on
/// one 20 MB line would otherwise make every lookup scan megabytes: quadratic).
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    /// `chars_at[i]`: characters in `text[..i * CHECKPOINT]` (empty for ASCII text, where
    /// characters are bytes).
    chars_at: Vec<usize>,
}

/// Bytes between two character-count checkpoints of a [`LineIndex`].
pub const CHECKPOINT: usize = 256;

/// True for the bytes that start a character (everything but UTF-8 continuation bytes).
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        // Eight bytes at a time: the zero bytes of `word ^ "\n\n\n\n\n\n\n\n"` are the
        // newlines; `found` has the high bit of each (exactly: no carry crosses bytes).
        const LOWS: u64 = u64::from_le_bytes([0x7f; 8]);
        const NEWLINES: u64 = u64::from_le_bytes([b'\n'; 8]);
        let mut words = bytes.chunks_exact(8);
        let mut at = 0;
        for word in &mut words {
            let x = u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ NEWLINES;
            let mut found = !(((x & LOWS) + LOWS) | x | LOWS);
            while found != 0 {
                line_starts.push(at + (found.trailing_zeros() / 8) as usize + 1);
                found &= found - 1;
            }
            at += 8;
        }
        for (i, &b) in words.remainder().iter().enumerate() {
            if b == b'\n' {
                line_starts.push(at + i + 1);
            }
        }
        let mut chars_at = Vec::new();
        if !text.is_ascii() {
            chars_at.reserve(text.len() / CHECKPOINT + 1);
            let mut chars = 0usize;
            for block in text.as_bytes().chunks(CHECKPOINT) {
                chars_at.push(chars);
                chars += block.iter().filter(|&&b| starts_char(b)).count();
            }
            chars_at.push(chars);
        }
        LineIndex {
            text,
            line_starts,
            chars_at,
        }
    }

    /// Characters that start in `text[..offset]`.
    fn chars_before(&self, offset: usize) -> usize {
        if self.chars_at.is_empty() {
            return offset;
        }
        let block = offset / CHECKPOINT;
        let from = block * CHECKPOINT;
        self.chars_at[block]
            + self.text.as_bytes()[from..offset]
                .iter()
                .filter(|&&b| starts_char(b))
                .count()
    }

    /// 1-based (line, column-in-characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        self.line_col_near(offset, &mut 0)
    }

    /// [`LineIndex::line_col`], looking first at the 0-based line `near` and the next one
    /// (offsets asked in order are found without a search); sets `near` to the line found.
    pub(crate) fn line_col_near(&self, offset: usize, near: &mut usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let starts = &self.line_starts;
        let on = |l: usize| starts[l] <= offset && starts.get(l + 1).is_none_or(|&n| offset < n);
        let line = if *near < starts.len() && on(*near) {
            *near
        } else if *near + 1 < starts.len() && on(*near + 1) {
            *near + 1
        } else {
            match starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i - 1,
            }
        };
        *near = line;
        let start = self.line_starts[line];
        let col = self.chars_before(offset) - self.chars_before(start) + 1;
        (line as u32 + 1, col as u32)
    }

    /// A [`Location`] for a span and a JSON path.
    pub fn location(&self, span: Span, path: &str) -> Location {
        let (line, column) = self.line_col(span.start);
        Location {
            path: path.to_string(),
            line,
            column,
            start: span.start,
            end: span.end,
        }
    }
}

/// Parses JSON text. Errors are located at the offending character.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        pos: 0,
        depth: 0,
        nodes: Vec::new(),
        members: Vec::new(),
    };
    let res = p.document();
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

type PResult<T> = Result<T, (usize, String)>;

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    pos: usize,
    depth: usize,
    /// Items of the arrays being parsed, innermost last: each array takes its own off the top
    /// when it closes, so its `Vec` is allocated once at its final size.
    nodes: Vec<Node>,
    /// Members of the objects being parsed, likewise.
    members: Vec<Member>,
}

/// The character of the surrogate pair that starts with the escape of `first` (a surrogate,
/// already read) and ends with a `\uXXXX` escape at `s[at..]`, if that pair is valid.
///
/// This is Go's rule (`unquote` in encoding/json/decode.go, unchanged since Go 1.x):
///
/// ```go
/// if utf16.IsSurrogate(rr) {
///     rr1 := getu4(s[r:])
///     if dec := utf16.DecodeRune(rr, rr1); dec != unicode.ReplacementChar {
///         // A valid pair; consume.
///         r += 6
///         ...
///     }
///     // Invalid surrogate; fall back to replacement rune.
///     rr = unicode.ReplacementChar
/// }
/// ```
///
/// On `None` the caller writes U+FFFD and consumes only the first escape: what follows is
/// decoded on its own, so `"\ud800\u0041"` is `"\u{fffd}A"` and `"\udc00\ud800\udc00"` is
/// `"\u{fffd}\u{10000}"` (`getu4` returns -1 unless it sees `\u` and four hex digits, and
/// `DecodeRune` accepts only a high surrogate followed by a low one).
fn surrogate_pair(s: &[u8], at: usize, first: u32) -> Option<char> {
    if !(0xd800..0xdc00).contains(&first) {
        return None;
    }
    let esc = s.get(at..at + 6)?;
    if &esc[..2] != b"\\u" {
        return None;
    }
    let mut second = 0u32;
    for &c in &esc[2..] {
        second = second * 16 + (c as char).to_digit(16)?;
    }
    if !(0xdc00..0xe000).contains(&second) {
        return None;
    }
    char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))
}

/// True for the bytes that end a run of characters copied as they are in a string: the closing
/// quote, a backslash, and the control characters (an error). All are ASCII, so a run always
/// ends on a character boundary.
fn ends_run(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

fn describe_byte(b: u8) -> String {
    match b {
        b' '..=b'~' => format!("'{}'", b as char),
        0 => "NUL byte".to_string(),
        _ => format!("byte 0x{b:02x}"),
    }
}

impl Parser<'_> {
    fn document(&mut self) -> PResult<Node> {
        self.ws();
        if self.pos >= self.s.len() {
            return Err((self.pos, "empty document: expected a JSON object".into()));
        }
        let v = self.value()?;
        self.ws();
        if self.pos < self.s.len() {
            return Err((
                self.pos,
                format!(
                    "unexpected {} after the end of the JSON value",
                    describe_byte(self.s[self.pos])
                ),
            ));
        }
        Ok(v)
    }

    fn ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn value(&mut self) -> PResult<Node> {
        let start = self.pos;
        let value = match self.peek() {
            None => return Err((self.pos, "unexpected end of input: expected a value".into())),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b) => {
                return Err((
                    self.pos,
                    format!("unexpected {}: expected a value", describe_byte(b)),
                ))
            }
        };
        Ok(Node {
            value,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    fn literal(&mut self, word: &str, v: Value) -> PResult<Value> {
        if self.s[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err((self.pos, format!("invalid literal: expected '{word}'")))
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err((
                self.pos,
                format!("nesting deeper than {MAX_DEPTH} levels: not a seccomp profile"),
            ));
        }
        Ok(())
    }

    fn object(&mut self) -> PResult<Value> {
        self.enter()?;
        self.pos += 1;
        let mark = self.members.len();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Object(Vec::new()));
        }
        loop {
            self.ws();
            let key_start = self.pos;
            match self.peek() {
                Some(b'"') => {}
                Some(b) => {
                    return Err((
                        self.pos,
                        format!(
                            "unexpected {}: expected a member name in double quotes",
                            describe_byte(b)
                        ),
                    ))
                }
                None => return Err((self.pos, "unexpected end of input inside an object".into())),
            }
            let key = self.string()?;
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            self.ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                Some(b) => {
                    return Err((
                        self.pos,
                        format!(
                            "unexpected {} after member name: expected ':'",
                            describe_byte(b)
                        ),
                    ))
                }
                None => return Err((self.pos, "unexpected end of input inside an object".into())),
            }
            self.ws();
            let value = self.value()?;
            self.members.push(Member {
                key,
                key_span,
                value,
            });
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                Some(b) => {
                    return Err((
                        self.pos,
                        format!(
                            "unexpected {} in object: expected ',' or '}}'",
                            describe_byte(b)
                        ),
                    ))
                }
                None => {
                    return Err((
                        self.pos,
                        "unexpected end of input: object not closed".into(),
                    ))
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Object(self.members.split_off(mark)))
    }

    fn array(&mut self) -> PResult<Value> {
        self.enter()?;
        self.pos += 1;
        let mark = self.nodes.len();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array(Vec::new()));
        }
        loop {
            self.ws();
            let item = self.value()?;
            self.nodes.push(item);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                Some(b) => {
                    return Err((
                        self.pos,
                        format!(
                            "unexpected {} in array: expected ',' or ']'",
                            describe_byte(b)
                        ),
                    ))
                }
                None => return Err((self.pos, "unexpected end of input: array not closed".into())),
            }
        }
        self.depth -= 1;
        Ok(Value::Array(self.nodes.split_off(mark)))
    }

    fn number(&mut self) -> PResult<Value> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err((
                        self.pos - 1,
                        "numbers cannot have leading zeros (JSON has no octal)".into(),
                    ));
                }
            }
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.pos += 1;
                }
            }
            _ => return Err((self.pos, "invalid number: expected a digit".into())),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err((
                    self.pos,
                    "invalid number: expected a digit after '.'".into(),
                ));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err((
                    self.pos,
                    "invalid number: expected a digit in the exponent".into(),
                ));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        // The slice is ASCII by construction.
        Ok(Value::Number(self.text[start..self.pos].to_owned()))
    }

    fn hex4(&mut self) -> PResult<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err((self.pos, "invalid \\u escape: expected 4 hex digits".into())),
            };
            v = v * 16 + d as u32;
            self.pos += 1;
        }
        Ok(v)
    }

    /// The end of the run of plain characters that starts at `from`.
    fn run_end(&self, from: usize) -> usize {
        // Eight bytes at a time while none ends the run (the tests below are exact: a word
        // passes only if none of its bytes is a quote, a backslash or below 0x20), then the
        // bytes of the last word one by one.
        const ONES: u64 = u64::from_le_bytes([0x01; 8]);
        const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
        const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
        const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);
        const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        let mut end = from;
        while let Some(word) = self.s.get(end..end + 8) {
            let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
            if zero(w ^ QUOTES) | zero(w ^ BACKSLASHES) | (w.wrapping_sub(SPACES) & !w & HIGHS) != 0
            {
                break;
            }
            end += 8;
        }
        while end < self.s.len() && !ends_run(self.s[end]) {
            end += 1;
        }
        end
    }

    fn string(&mut self) -> PResult<String> {
        let open = self.pos;
        let start = open + 1;
        let end = self.run_end(start);
        if self.s.get(end) == Some(&b'"') {
            // No escape: one allocation, of the right size.
            self.pos = end + 1;
            return Ok(self.text[start..end].to_owned());
        }
        let mut out = String::with_capacity(end - start + 16);
        out.push_str(&self.text[start..end]);
        self.pos = end;
        loop {
            let Some(b) = self.peek() else {
                return Err((open, "unterminated string".into()));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return Err((open, "unterminated string".into()));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let u = self.hex4()?;
                            let c = match char::from_u32(u) {
                                Some(c) => c,
                                // A surrogate: see [`surrogate_pair`].
                                None => match surrogate_pair(self.s, self.pos, u) {
                                    Some(c) => {
                                        self.pos += 6;
                                        c
                                    }
                                    None => '\u{fffd}',
                                },
                            };
                            out.push(c);
                        }
                        _ => {
                            return Err((
                                self.pos - 1,
                                format!("invalid escape '\\{}' in string", e as char),
                            ))
                        }
                    }
                }
                0..=0x1f => {
                    return Err((
                        self.pos,
                        format!(
                            "{} inside a string: control characters must be escaped",
                            describe_byte(b)
                        ),
                    ))
                }
                _ => {
                    // A run of plain characters, copied at once (the input is a `&str`).
                    let end = self.run_end(self.pos);
                    out.push_str(&self.text[self.pos..end]);
                    self.pos = end;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Line and column the slow way: what [`LineIndex::line_col`] must equal.
    fn naive_line_col(text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let start = text.as_bytes()[..offset]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line = text.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let col = text[start..]
            .char_indices()
            .take_while(|(i, _)| start + i < offset)
            .count();
        (line as u32 + 1, col as u32 + 1)
    }

    proptest::proptest! {
        #[test]
        fn line_col_counts_characters(s in "[a\né€😀\n]{0,3000}", at in 0usize..4000) {
            let idx = LineIndex::new(&s);
            proptest::prop_assert_eq!(idx.line_col(at), naive_line_col(&s, at));
        }
    }

    /// Strings decoded one character at a time, the obvious way: what [`Parser::string`],
    /// which copies runs of plain characters at once, must equal (value, end, error).
    fn reference_string(text: &str, open: usize) -> Result<(String, usize), (usize, String)> {
        let s = text.as_bytes();
        let hex4 = |at: usize| -> Result<u32, (usize, String)> {
            let mut v = 0;
            for i in at..at + 4 {
                let d = s.get(i).and_then(|&c| (c as char).to_digit(16));
                let Some(d) = d else {
                    return Err((i, "invalid \\u escape: expected 4 hex digits".into()));
                };
                v = v * 16 + d;
            }
            Ok(v)
        };
        let mut out = String::new();
        let mut pos = open + 1;
        loop {
            let Some(&b) = s.get(pos) else {
                return Err((open, "unterminated string".into()));
            };
            match b {
                b'"' => return Ok((out, pos + 1)),
                b'\\' => {
                    let Some(&e) = s.get(pos + 1) else {
                        return Err((open, "unterminated string".into()));
                    };
                    pos += 2;
                    let simple = match e {
                        b'"' => Some('"'),
                        b'\\' => Some('\\'),
                        b'/' => Some('/'),
                        b'b' => Some('\u{8}'),
                        b'f' => Some('\u{c}'),
                        b'n' => Some('\n'),
                        b'r' => Some('\r'),
                        b't' => Some('\t'),
                        _ => None,
                    };
                    if let Some(c) = simple {
                        out.push(c);
                    } else if e == b'u' {
                        // Go's unquote: a surrogate followed by `\uXXXX` forming a valid
                        // pair takes both escapes; any other surrogate is U+FFFD and takes
                        // only its own escape (the next one is decoded on its own).
                        let hi = hex4(pos)?;
                        pos += 4;
                        let pair = || -> Option<char> {
                            if !(0xd800..0xdc00).contains(&hi) || !s[pos..].starts_with(b"\\u") {
                                return None;
                            }
                            let lo = hex4(pos + 2).ok()?;
                            if !(0xdc00..0xe000).contains(&lo) {
                                return None;
                            }
                            char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
                        };
                        let c = match char::from_u32(hi) {
                            Some(c) => c,
                            None => match pair() {
                                Some(c) => {
                                    pos += 6;
                                    c
                                }
                                None => '\u{fffd}',
                            },
                        };
                        out.push(c);
                    } else {
                        return Err((
                            pos - 1,
                            format!("invalid escape '\\{}' in string", e as char),
                        ));
                    }
                }
                0..=0x1f => {
                    return Err((
                        pos,
                        format!(
                            "{} inside a string: control characters must be escaped",
                            describe_byte(b)
                        ),
                    ))
                }
                _ => {
                    let c = text[pos..].chars().next().unwrap();
                    out.push(c);
                    pos += c.len_utf8();
                }
            }
        }
    }

    /// Pieces of string bodies: plain text, multi-byte characters, every escape, surrogates
    /// paired, lone and mismatched; then ([`GOOD_PIECES`] on) bad and truncated escapes,
    /// control characters and a quote.
    const PIECES: &[&str] = &[
        "a",
        "syscall_name",
        " ",
        "é",
        "€",
        "😀",
        "\u{7f}",
        "\u{80}",
        "\\\"",
        "\\\\",
        "\\/",
        "\\b",
        "\\f",
        "\\n",
        "\\r",
        "\\t",
        "\\u0041",
        "\\u00e9",
        "\\uFFFF",
        "\\ud83d\\ude00",
        "\\ud800",
        "\\udc00",
        "\\ud800\\u0041",
        "\\ud800x",
        "\\udc00\\ud800\\udc00",
        "\\ud800\\ud800\\udc00",
        "\\ud800\\n",
        "\\u12",
        "\\uZZZZ",
        "\\q",
        "\\",
        "\u{0}",
        "\u{1f}",
        "\t",
        "\n",
        "\"",
    ];
    /// The pieces before this index are valid in a string.
    const GOOD_PIECES: usize = 27;

    proptest::proptest! {
        #[test]
        fn strings_decode_like_the_reference(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![12 => 0..GOOD_PIECES, 1 => GOOD_PIECES..PIECES.len()],
                0..24,
            ),
            close in proptest::bool::ANY,
        ) {
            let body: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let text = format!("[\"{body}{}, 7]", if close { "\"" } else { "" });
            let got = parse(&text);
            match reference_string(&text, 1) {
                Ok((value, end)) => {
                    // The reference stops at the first quote; what follows may still be wrong.
                    let tail = &text[end..];
                    if tail == ", 7]" {
                        let n = got.expect("valid");
                        let Value::Array(items) = n.value else { panic!() };
                        proptest::prop_assert_eq!(&items[0].value, &Value::String(value));
                        proptest::prop_assert_eq!(items[0].span, Span { start: 1, end });
                        proptest::prop_assert_eq!(items[1].span, Span { start: end + 2, end: end + 3 });
                    } else {
                        proptest::prop_assert!(got.is_err());
                    }
                }
                Err((offset, message)) => {
                    let e = got.expect_err("invalid");
                    proptest::prop_assert_eq!(&e.message, &message);
                    proptest::prop_assert_eq!(e.location.unwrap().start, offset);
                }
            }
        }

        #[test]
        fn member_names_decode_like_the_reference(
            pieces in proptest::collection::vec(0..GOOD_PIECES + 4, 0..12),
        ) {
            let body: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let text = format!("{{\"{body}\": 1}}");
            if let Ok((key, end)) = reference_string(&text, 1) {
                if text[end..].starts_with(": 1}") {
                    let n = parse(&text).expect("valid");
                    let Value::Object(m) = n.value else { panic!() };
                    proptest::prop_assert_eq!(&m[0].key, &key);
                    proptest::prop_assert_eq!(m[0].key_span, Span { start: 1, end });
                    proptest::prop_assert_eq!(m[0].value.span, Span { start: end + 2, end: end + 3 });
                }
            }
        }

        #[test]
        fn line_col_near_any_line_is_line_col(
            s in "[a\né]{0,300}",
            at in proptest::collection::vec(0usize..400, 1..20),
            near in 0usize..400,
        ) {
            let idx = LineIndex::new(&s);
            let mut near = near;
            for off in at {
                proptest::prop_assert_eq!(idx.line_col_near(off, &mut near), naive_line_col(&s, off));
            }
        }

        #[test]
        fn line_starts_are_every_newline(s in "[a\n\r\té]{0,200}") {
            let idx = LineIndex::new(&s);
            let naive: Vec<usize> = std::iter::once(0)
                .chain(s.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1))
                .collect();
            proptest::prop_assert_eq!(idx.line_starts, naive);
        }
    }

    /// Regression (found with tests/hostile.rs): a 4 MB one-line profile took minutes, because
    /// every located value counted the characters of its line from the start.
    #[test]
    fn long_lines_are_indexed_in_linear_time() {
        let line = "é".repeat(1 << 21);
        let idx = LineIndex::new(&line);
        let mut sum = 0u64;
        for off in (0..line.len()).step_by(2).take(200_000) {
            sum += idx.line_col(off).1 as u64;
        }
        assert_eq!(idx.line_col(line.len()), (1, (1 << 21) + 1));
        assert!(sum > 0);
    }

    #[test]
    fn parses_values_with_spans() {
        let n = parse(r#" {"a": [1, -2.5e3, "x\u00e9", true, null]} "#).unwrap();
        let Value::Object(m) = &n.value else { panic!() };
        assert_eq!(m[0].key, "a");
        let Value::Array(items) = &m[0].value.value else {
            panic!()
        };
        assert_eq!(items[1].value, Value::Number("-2.5e3".into()));
        assert_eq!(items[2].value, Value::String("xé".into()));
        assert_eq!(n.span, Span { start: 1, end: 42 });
    }

    #[test]
    fn errors_are_located() {
        let e = parse("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        let loc = e.location.unwrap();
        assert_eq!((loc.line, loc.column), (3, 7));
        assert!(e.message.contains("expected ':'"), "{}", e.message);
        let e = parse("[1, 2").unwrap_err();
        assert!(e.message.contains("array not closed"));
        let e = parse("\"abc").unwrap_err();
        assert!(e.message.contains("unterminated"));
        let e = parse("{\"a\": \"x\u{0}\"}").unwrap_err();
        assert!(e.message.contains("NUL"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("nesting deeper"));
    }

    #[test]
    fn invalid_utf8_is_located() {
        let e = parse_bytes(b"{\n\"a\": \"\xff\"}").unwrap_err();
        let loc = e.location.unwrap();
        assert_eq!((loc.line, loc.column, loc.start), (2, 7, 8));
    }

    #[test]
    fn u64_rules_follow_go() {
        assert_eq!(parse_u64("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(
            parse_u64("18446744073709551616"),
            Err(NumberError::TooLarge)
        );
        assert_eq!(parse_u64("-1"), Err(NumberError::Negative));
        assert_eq!(parse_u64("1.0"), Err(NumberError::NotInteger));
        assert_eq!(parse_u64("1e3"), Err(NumberError::NotInteger));
    }

    /// Go's `unquote` (encoding/json/decode.go): a surrogate that does not start a valid pair
    /// is U+FFFD and the escape after it is decoded on its own.
    #[test]
    fn invalid_surrogates_decode_as_go_does() {
        let one = |body: &str| -> String {
            let n = parse(&format!("\"{body}\"")).unwrap();
            let Value::String(s) = n.value else { panic!() };
            s
        };
        assert_eq!(one(r"\ud83d\ude00"), "😀");
        assert_eq!(one(r"\ud800\u0041"), "\u{fffd}A");
        assert_eq!(one(r"\udc00\ud800\udc00"), "\u{fffd}\u{10000}");
        assert_eq!(one(r"\ud800\ud800\udc00"), "\u{fffd}\u{10000}");
        assert_eq!(one(r"\ud800"), "\u{fffd}");
        assert_eq!(one(r"\udc00"), "\u{fffd}");
        assert_eq!(one(r"\ud800x"), "\u{fffd}x");
        assert_eq!(one(r"\ud800\n"), "\u{fffd}\n");
        assert_eq!(one(r"\ud800\\u0041"), "\u{fffd}\\u0041");
        // The escape after the surrogate must still be valid JSON (Go's scanner refuses it
        // before `unquote` runs): the error is at its first bad digit.
        let e = parse(r#""\ud800\u00ZZ""#).unwrap_err();
        assert_eq!(e.location.unwrap().start, 11);
        assert!(e.message.contains("4 hex digits"), "{}", e.message);
    }

    /// Go replaces invalid UTF-8 inside strings with U+FFFD (`unquote`'s "Coerce to well-formed
    /// UTF-8"); seccplay refuses it with a located error instead (a profile that is not UTF-8
    /// is almost always the wrong file, and the user is better told where).
    #[test]
    fn invalid_utf8_in_a_string_is_refused_not_replaced() {
        let e = parse_bytes(b"{\"a\": \"x\xc3(\"}").unwrap_err();
        assert_eq!(e.code, "invalid-utf8");
        assert_eq!(e.location.unwrap().start, 8);
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let n = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        let Value::Object(m) = n.value else { panic!() };
        assert_eq!(m.len(), 2);
    }
}
