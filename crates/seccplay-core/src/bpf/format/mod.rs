//! Import and export of programs: raw `struct sock_filter` bytes, hex, C arrays (numeric
//! `{ 0x20, 0, 0, 0x00000004 }` entries and `BPF_STMT`/`BPF_JUMP` macros with the usual `BPF_*`,
//! `SECCOMP_RET_*`, `AUDIT_ARCH_*` and errno names), base64, JSON, the plain assembly form, the
//! annotated disassembly `dump` prints (`human`), and auto-detection; stacks of programs in one
//! text (`stack`). Export: raw, hex, C array, Rust array, JSON.

mod c;
pub mod human;
pub mod stack;

pub use c::parse_c;
pub use human::parse_human;
pub use stack::{import_stack, Section, StackError};

use super::asm::assemble;
use super::insn::*;
use crate::arch::Endian;
use serde::Serialize;
use std::fmt;
use std::fmt::Write as _;

/// The input formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Format {
    /// Raw `struct sock_filter` bytes.
    Raw,
    /// Hex digits of the raw bytes (whitespace, commas and `0x` prefixes allowed).
    Hex,
    /// A C `struct sock_filter` initializer (numeric or `BPF_STMT`/`BPF_JUMP`).
    C,
    /// Base64 of the raw bytes.
    Base64,
    /// JSON `[{"code":..,"jt":..,"jf":..,"k":..}, ...]`.
    Json,
    /// The plain assembly form of [`super::disasm::plain`].
    Asm,
    /// The annotated disassembly of [`super::disasm::human_text`] (`dump`'s and `disasm`'s
    /// output).
    Human,
}

/// Why an input could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// The format tried.
    pub format: Format,
    /// Line (1-based) if known.
    pub line: Option<usize>,
    /// Column (1-based) if known.
    pub col: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} input", self.format)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some(c) = self.col {
            write!(f, ", column {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for FormatError {}

pub(super) fn ferr(format: Format, message: String) -> FormatError {
    FormatError {
        format,
        line: None,
        col: None,
        message,
    }
}

fn from_bytes(format: Format, b: &[u8], endian: Endian) -> Result<Vec<Insn>, FormatError> {
    decode(b, endian).map_err(|e| ferr(format, e.to_string()))
}

/// Line and column (1-based) of byte offset `off` in `s`.
pub(super) fn line_col(s: &str, off: usize) -> (usize, usize) {
    let before = &s[..off.min(s.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Decodes hex text into bytes: whitespace, commas and `0x` prefixes are ignored; every token must
/// have an even number of digits.
pub fn hex_to_bytes(s: &str) -> Result<Vec<u8>, FormatError> {
    let mut out = Vec::new();
    for tok in s.split(|c: char| c.is_whitespace() || c == ',') {
        let start = tok.as_ptr() as usize - s.as_ptr() as usize;
        if tok.is_empty() {
            continue;
        }
        let digits = tok
            .strip_prefix("0x")
            .or_else(|| tok.strip_prefix("0X"))
            .unwrap_or(tok);
        let bad = |msg: String| {
            let (l, c) = line_col(s, start);
            FormatError {
                format: Format::Hex,
                line: Some(l),
                col: Some(c),
                message: msg,
            }
        };
        if let Some(ch) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(bad(format!("`{ch}` is not a hex digit")));
        }
        if digits.len() % 2 != 0 {
            return Err(bad(format!("`{tok}` has an odd number of hex digits")));
        }
        for i in (0..digits.len()).step_by(2) {
            out.push(u8::from_str_radix(&digits[i..i + 2], 16).unwrap_or(0));
        }
    }
    Ok(out)
}

/// Lower-case hex of bytes, 8 bytes (one instruction) per line.
pub fn bytes_to_hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2 + b.len() / 8);
    for (i, chunk) in b.chunks(8).enumerate() {
        if i > 0 {
            s.push('\n');
        }
        for x in chunk {
            let _ = write!(s, "{x:02x}");
        }
    }
    s
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Standard base64 with `=` padding. The one base64 codec of the workspace: programs here,
/// the playground's share links through [`base64url_encode`] and [`base64_decode`].
pub fn base64_encode(b: &[u8]) -> String {
    encode64(b, B64, true)
}

/// URL-safe base64 (RFC 4648 §5: `-` and `_`) without padding, for URLs.
pub fn base64url_encode(b: &[u8]) -> String {
    encode64(b, B64_URL, false)
}

fn encode64(b: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut s = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else if pad {
                s.push('=');
            }
        }
    }
    s
}

/// Decodes base64 (standard or URL-safe alphabet; whitespace ignored; padding optional).
pub fn base64_decode(s: &str) -> Result<Vec<u8>, FormatError> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut pad = false;
    for (off, ch) in s.char_indices() {
        if ch.is_whitespace() {
            continue;
        }
        let bad = |m: String| {
            let (l, c) = line_col(s, off);
            FormatError {
                format: Format::Base64,
                line: Some(l),
                col: Some(c),
                message: m,
            }
        };
        if ch == '=' {
            pad = true;
            continue;
        }
        if pad {
            return Err(bad("data after `=` padding".into()));
        }
        let v = match ch {
            'A'..='Z' => ch as u32 - 'A' as u32,
            'a'..='z' => ch as u32 - 'a' as u32 + 26,
            '0'..='9' => ch as u32 - '0' as u32 + 52,
            '+' | '-' => 62,
            '/' | '_' => 63,
            _ => return Err(bad(format!("`{ch}` is not a base64 character"))),
        };
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return Err(ferr(
            Format::Base64,
            "truncated base64 (a lone final character)".into(),
        ));
    }
    Ok(out)
}

pub(super) fn check_range(v: u64, max: u64, what: &str) -> Result<u64, String> {
    if v > max {
        Err(format!("{what} value {v:#x} is larger than {max:#x}"))
    } else {
        Ok(v)
    }
}

/// Parses JSON `[{"code":32,"jt":0,"jf":0,"k":4}, ...]` (or `[[code, jt, jf, k], ...]`).
pub fn parse_json(src: &str) -> Result<Vec<Insn>, FormatError> {
    use crate::json::{parse_u64, Value};
    let v = crate::json::parse(src).map_err(|d| FormatError {
        format: Format::Json,
        line: d.location.as_ref().map(|l| l.line as usize),
        col: d.location.as_ref().map(|l| l.column as usize),
        message: d.message,
    })?;
    let Value::Array(arr) = &v.value else {
        return Err(ferr(
            Format::Json,
            "expected an array of instructions".into(),
        ));
    };
    let mut prog = Vec::with_capacity(arr.len());
    for (idx, item) in arr.iter().enumerate() {
        let get = |key: &str, pos: usize| -> Option<u64> {
            let v = match &item.value {
                // The last member of a key, as serde_json kept it.
                Value::Object(m) => &m.iter().rev().find(|m| m.key == key)?.value,
                Value::Array(a) => a.get(pos)?,
                _ => return None,
            };
            match &v.value {
                Value::Number(raw) => parse_u64(raw).ok(),
                _ => None,
            }
        };
        let field = |key: &str, pos: usize, max: u64| {
            get(key, pos).filter(|v| *v <= max).ok_or_else(|| {
                ferr(
                    Format::Json,
                    format!("instruction {idx}: `{key}` missing or not an integer up to {max:#x}"),
                )
            })
        };
        prog.push(Insn::new(
            field("code", 0, 0xffff)? as u16,
            field("jt", 1, 255)? as u8,
            field("jf", 2, 255)? as u8,
            field("k", 3, u32::MAX as u64)? as u32,
        ));
    }
    Ok(prog)
}

/// Imports `input` in format `format`; `endian` is the byte order of raw bytes (raw, hex, base64).
pub fn import(input: &[u8], format: Format, endian: Endian) -> Result<Vec<Insn>, FormatError> {
    let text =
        || std::str::from_utf8(input).map_err(|e| ferr(format, format!("not UTF-8 text: {e}")));
    match format {
        Format::Raw => from_bytes(Format::Raw, input, endian),
        Format::Hex => from_bytes(Format::Hex, &hex_to_bytes(text()?)?, endian),
        Format::Base64 => from_bytes(Format::Base64, &base64_decode(text()?)?, endian),
        Format::C => parse_c(text()?),
        Format::Json => parse_json(text()?),
        Format::Asm => assemble(text()?).map_err(|e| FormatError {
            format: Format::Asm,
            line: Some(e.line),
            col: Some(e.col),
            message: e.message,
        }),
        // Syscall names as x86_64 (or s390x, big-endian) writes them; [`import_stack`] and
        // [`parse_human`] take the ABI.
        Format::Human => parse_human(
            text()?,
            match endian {
                Endian::Little => crate::arch::Arch::X86_64,
                Endian::Big => crate::arch::Arch::S390x,
            },
        ),
    }
}

/// Guesses the format of `input`: binary → raw; starting with `[` → JSON; ` 0000:` lines →
/// the annotated disassembly; text with
/// `BPF_STMT`/`BPF_JUMP`/`{` → C; only hex digits, whitespace, commas and `0x` → hex; a base64
/// alphabet → base64; otherwise the plain assembly form.
pub fn detect(input: &[u8]) -> Format {
    let Ok(text) = std::str::from_utf8(input) else {
        return Format::Raw;
    };
    if text.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Format::Raw;
    }
    let t = text.trim();
    if t.starts_with('[') {
        return Format::Json;
    }
    if human::looks_human(t) {
        return Format::Human;
    }
    if t.contains("BPF_STMT") || t.contains("BPF_JUMP") || t.contains('{') {
        return Format::C;
    }
    let hexish = t.split(|c: char| c.is_whitespace() || c == ',').all(|tok| {
        let d = tok
            .strip_prefix("0x")
            .or_else(|| tok.strip_prefix("0X"))
            .unwrap_or(tok);
        d.chars().all(|c| c.is_ascii_hexdigit())
    });
    if hexish && !t.is_empty() {
        return Format::Hex;
    }
    if !t.is_empty()
        && t.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '+' | '/' | '=' | '-' | '_')
                || c.is_whitespace()
        })
        && !t.contains(' ')
    {
        return Format::Base64;
    }
    Format::Asm
}

/// Imports with [`detect`]ed format; returns the format used.
pub fn import_auto(input: &[u8], endian: Endian) -> Result<(Format, Vec<Insn>), FormatError> {
    let f = detect(input);
    import(input, f, endian).map(|p| (f, p))
}

/// [`import_auto`] for a program made on `arch`: raw bytes in its byte order, and the
/// annotated disassembly with its syscall names.
pub fn import_auto_for(
    input: &[u8],
    arch: crate::arch::Arch,
) -> Result<(Format, Vec<Insn>), FormatError> {
    match detect(input) {
        Format::Human => {
            let t = std::str::from_utf8(input).map_err(|e| ferr(Format::Human, e.to_string()))?;
            parse_human(t, arch).map(|p| (Format::Human, p))
        }
        _ => import_auto(input, arch.endian()),
    }
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ExportFormat {
    /// Raw bytes.
    Raw,
    /// Hex, one instruction (8 bytes) per line.
    Hex,
    /// A C `struct sock_filter` array.
    C,
    /// A Rust array of `libc::sock_filter`.
    Rust,
    /// JSON array of `{code, jt, jf, k}`.
    Json,
    /// Base64 of the raw bytes.
    Base64,
}

/// Exports `prog` (raw bytes in byte order `endian` where bytes are involved).
pub fn export(prog: &[Insn], format: ExportFormat, endian: Endian) -> Vec<u8> {
    match format {
        ExportFormat::Raw => encode(prog, endian),
        ExportFormat::Hex => bytes_to_hex(&encode(prog, endian)).into_bytes(),
        ExportFormat::Base64 => base64_encode(&encode(prog, endian)).into_bytes(),
        ExportFormat::C => {
            let mut s = String::from("struct sock_filter filter[] = {\n");
            for i in prog {
                let _ = writeln!(
                    s,
                    "\t{{ {:#04x}, {}, {}, {:#010x} }},",
                    i.code, i.jt, i.jf, i.k
                );
            }
            let _ = writeln!(s, "}};");
            s.into_bytes()
        }
        ExportFormat::Rust => {
            let mut s = format!("const FILTER: [libc::sock_filter; {}] = [\n", prog.len());
            for i in prog {
                let _ = writeln!(
                    s,
                    "    libc::sock_filter {{ code: {:#06x}, jt: {}, jf: {}, k: {:#010x} }},",
                    i.code, i.jt, i.jf, i.k
                );
            }
            s.push_str("];\n");
            s.into_bytes()
        }
        ExportFormat::Json => {
            // As serde_json writes the instructions (`Insn`'s fields in order).
            let items: Vec<String> = prog
                .iter()
                .map(|i| {
                    format!(
                        "{{\"code\":{},\"jt\":{},\"jf\":{},\"k\":{}}}",
                        i.code, i.jt, i.jf, i.k
                    )
                })
                .collect();
            format!("[{}]", items.join(",")).into_bytes()
        }
    }
}

/// [`export`] as a file's content: the text formats end with a newline (raw bytes as they are),
/// so a downloaded or written file is the same bytes whichever front end wrote it.
pub fn export_file(prog: &[Insn], format: ExportFormat, endian: Endian) -> Vec<u8> {
    let mut b = export(prog, format, endian);
    if format != ExportFormat::Raw && !b.ends_with(b"\n") {
        b.push(b'\n');
    }
    b
}
