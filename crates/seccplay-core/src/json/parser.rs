//! The parser: bytes → [`Node`], with Go's encoding/json string rules and a depth bound.

use super::{Member, Node, Span, Value, MAX_DEPTH};

pub(super) type PResult<T> = Result<T, (usize, String)>;

pub(super) struct Parser<'a> {
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

pub(super) fn describe_byte(b: u8) -> String {
    match b {
        b' '..=b'~' => format!("'{}'", b as char),
        0 => "NUL byte".to_string(),
        _ => format!("byte 0x{b:02x}"),
    }
}

impl<'a> Parser<'a> {
    /// A parser at the start of `text`.
    pub(super) fn new(text: &'a str) -> Self {
        Parser {
            text,
            s: text.as_bytes(),
            pos: 0,
            depth: 0,
            nodes: Vec::new(),
            members: Vec::new(),
        }
    }

    /// The whole text as one JSON value, with only whitespace around it.
    pub(super) fn document(&mut self) -> PResult<Node> {
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
