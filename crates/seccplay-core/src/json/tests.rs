//! JSON with spans: syntax, Go's string rules, duplicates, depth, line index.

use super::parser::describe_byte;
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

#[test]
fn quote_escapes_like_serde_json() {
    let mut hostile: Vec<String> = (0u8..0x80).map(|b| format!("a{}b", b as char)).collect();
    hostile.extend(
        [
            "",
            "\"\\\"",
            "é\u{7f}\u{2028}\u{10ffff}",
            "\u{0}\u{1f}x\u{1b}[0m",
            "syscalls[3].names",
        ]
        .map(String::from),
    );
    for s in &hostile {
        assert_eq!(quote(s), serde_json::to_string(s).unwrap(), "{s:?}");
        // And the core's own parser reads it back.
        let doc = format!("{{\"k\": {}}}", quote(s));
        let Value::Object(m) = parse(&doc).unwrap().value else {
            panic!("{doc}")
        };
        assert!(
            matches!(&m[0].value.value, Value::String(v) if v == s),
            "{s:?}"
        );
    }
}
