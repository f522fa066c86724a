//! systemd unit-file lines (src/shared/conf-parser.c of systemd 252): comments, continuations,
//! sections, `Key=Value` assignments, each value mapped back to its bytes in the text so every
//! word can be located even when a continuation joined several lines.

use crate::diag::Diagnostic;
use crate::json::{LineIndex, Span};

/// systemd's `LONG_LINE_MAX`: a line, or lines joined by continuations, up to 1 MiB.
pub const LONG_LINE_MAX: usize = 1 << 20;

/// The sections whose exec settings (`SystemCallFilter=`, …) systemd reads.
const EXEC_SECTIONS: [&str; 4] = ["Service", "Socket", "Mount", "Swap"];

/// One `Key=Value` of an exec section.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// The key, stripped.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// The value, stripped (continuations joined with a space).
    pub value: String,
    /// Where the value starts and ends in the text.
    pub value_span: Span,
    /// The text offset of each byte of `value`.
    at: Vec<usize>,
}

const WS: [char; 4] = [' ', '\t', '\n', '\r'];

/// Every assignment of an exec section, in order; warnings for lines systemd ignores; an
/// error for what makes systemd refuse the whole file (a line over 1 MiB, a bad section header).
pub fn assignments(
    text: &str,
    idx: &LineIndex,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Assignment>, Diagnostic> {
    let err = |start: usize, msg: String| {
        Diagnostic::error("unit-syntax", msg).at(Some(idx.location(
            Span {
                start,
                end: start + 1,
            },
            "",
        )))
    };
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    let mut noted_outside = false;
    // The logical line being joined: its bytes and their offsets.
    let mut buf = String::new();
    let mut at: Vec<usize> = Vec::new();
    let mut offset = 0;
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    for raw in body.split('\n') {
        let start = bom + offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.len() > LONG_LINE_MAX {
            return Err(err(start, format!("a line of {} bytes: systemd reads lines up to 1 MiB (\"Line too long\") and refuses the file", line.len())));
        }
        let lead = line.trim_start_matches(WS);
        if lead.starts_with(['#', ';']) {
            continue;
        }
        if buf.len() + line.len() > LONG_LINE_MAX {
            return Err(err(start, "continued lines over 1 MiB: systemd refuses the file (\"Continuation line too long\")".into()));
        }
        buf.push_str(line);
        at.extend((0..line.len()).map(|i| start + i));
        // Only the new line is scanned: a joined line's trailing backslash became a space.
        let mut escaped = false;
        for b in line.bytes() {
            escaped = !escaped && b == b'\\';
        }
        if escaped {
            buf.pop();
            buf.push(' ');
            continue;
        }
        let (l, m) = (std::mem::take(&mut buf), std::mem::take(&mut at));
        if let Some(a) = parse_line(&l, &m, &mut section, idx, diags, &mut noted_outside, &err)? {
            out.push(a);
        }
    }
    if !buf.is_empty() {
        let m = std::mem::take(&mut at);
        if let Some(a) = parse_line(&buf, &m, &mut section, idx, diags, &mut noted_outside, &err)? {
            out.push(a);
        }
    }
    Ok(out)
}

/// `parse_line`: a section header or an assignment.
fn parse_line(
    l: &str,
    at: &[usize],
    section: &mut Option<String>,
    idx: &LineIndex,
    diags: &mut Vec<Diagnostic>,
    noted_outside: &mut bool,
    err: &dyn Fn(usize, String) -> Diagnostic,
) -> Result<Option<Assignment>, Diagnostic> {
    let lead = l.len() - l.trim_start_matches(WS).len();
    let t = l.trim_matches(WS);
    if t.is_empty() {
        return Ok(None);
    }
    let span_of = |a: usize, b: usize| Span {
        start: at[a],
        end: at[b.max(a + 1) - 1] + 1,
    };
    if t.starts_with('[') {
        if !t.ends_with(']') || t.len() < 2 {
            return Err(err(
                at[lead],
                format!("invalid section header '{t}': systemd refuses the file"),
            ));
        }
        *section = Some(t[1..t.len() - 1].to_string());
        return Ok(None);
    }
    let Some(eq) = t.find('=') else {
        diags.push(
            Diagnostic::warning(
                "unit-syntax",
                format!("systemd ignores this line: missing '=' in \"{}\"", clip(t)),
            )
            .at(Some(idx.location(span_of(lead, lead + t.len()), ""))),
        );
        return Ok(None);
    };
    let key = t[..eq].trim_matches(WS);
    let key_start = lead + (t.len() - t.trim_start_matches(WS).len());
    if key.is_empty() {
        diags.push(
            Diagnostic::warning(
                "unit-syntax",
                "systemd ignores this line: missing key name before '='",
            )
            .at(Some(idx.location(span_of(lead, lead + 1), ""))),
        );
        return Ok(None);
    }
    let key_span = span_of(key_start, key_start + key.len());
    let raw_value = &t[eq + 1..];
    let v_lead = raw_value.len() - raw_value.trim_start_matches(WS).len();
    let value = raw_value.trim_matches(WS);
    let v_start = lead + eq + 1 + v_lead;
    let v_end = v_start + value.len();
    match section.as_deref() {
        Some(s) if EXEC_SECTIONS.contains(&s) => {}
        None => {
            if !*noted_outside {
                *noted_outside = true;
                diags.push(Diagnostic::note("unit-fragment", "assignments outside any section are read as [Service] (in a unit file systemd ignores them: \"Assignment outside of section\")").at(Some(idx.location(key_span, ""))));
            }
        }
        Some(s) => {
            if key.starts_with("SystemCall") {
                diags.push(Diagnostic::warning("unit-section", format!("systemd does not read {key}= in [{s}] (only in [Service], [Socket], [Mount], [Swap])")).at(Some(idx.location(key_span, ""))));
            }
            return Ok(None);
        }
    }
    Ok(Some(Assignment {
        key: key.to_string(),
        key_span,
        value: value.to_string(),
        value_span: if value.is_empty() {
            Span {
                start: at[v_start.min(at.len() - 1)],
                end: at[v_start.min(at.len() - 1)] + 1,
            }
        } else {
            span_of(v_start, v_end)
        },
        at: at[v_start.min(at.len())..v_end.min(at.len())].to_vec(),
    }))
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The whitespace-separated words of a value after its first `skip` bytes (`extract_first_word`
/// without flags: a backslash keeps the next character, quotes are ordinary characters).
pub fn words(a: &Assignment, skip: usize) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let bytes = a.value.as_bytes();
    let mut i = skip.min(bytes.len());
    while i < bytes.len() {
        while i < bytes.len() && WS.contains(&(bytes[i] as char)) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        let mut word = Vec::new();
        while i < bytes.len() && !WS.contains(&(bytes[i] as char)) {
            if bytes[i] == b'\\' && i + 1 < bytes.len() {
                i += 1;
            }
            word.push(bytes[i]);
            i += 1;
        }
        let span = Span {
            start: a.at[start],
            end: a.at[i - 1] + 1,
        };
        out.push((String::from_utf8_lossy(&word).into_owned(), span));
    }
    out
}
