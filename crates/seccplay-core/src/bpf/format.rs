//! Import and export of programs: raw `struct sock_filter` bytes, hex, C arrays (numeric
//! `{ 0x20, 0, 0, 0x00000004 }` entries and `BPF_STMT`/`BPF_JUMP` macros with the usual `BPF_*`,
//! `SECCOMP_RET_*`, `AUDIT_ARCH_*` and errno names), base64, JSON, the plain assembly form, and
//! auto-detection. Export: raw, hex, C array, Rust array, JSON.

use super::asm::{assemble, parse_num};
use super::disasm::errno_name;
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

fn ferr(format: Format, message: String) -> FormatError {
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
fn line_col(s: &str, off: usize) -> (usize, usize) {
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

/// Standard base64 with `=` padding.
pub fn base64_encode(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
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

/// Names a C initializer may use, with their values.
fn c_name(name: &str) -> Option<u32> {
    let v: u32 = match name {
        "BPF_LD" => 0x00,
        "BPF_LDX" => 0x01,
        "BPF_ST" => 0x02,
        "BPF_STX" => 0x03,
        "BPF_ALU" => 0x04,
        "BPF_JMP" => 0x05,
        "BPF_RET" => 0x06,
        "BPF_MISC" => 0x07,
        "BPF_W" => 0x00,
        "BPF_H" => 0x08,
        "BPF_B" => 0x10,
        "BPF_IMM" => 0x00,
        "BPF_ABS" => 0x20,
        "BPF_IND" => 0x40,
        "BPF_MEM" => 0x60,
        "BPF_LEN" => 0x80,
        "BPF_MSH" => 0xa0,
        "BPF_ADD" => 0x00,
        "BPF_SUB" => 0x10,
        "BPF_MUL" => 0x20,
        "BPF_DIV" => 0x30,
        "BPF_OR" => 0x40,
        "BPF_AND" => 0x50,
        "BPF_LSH" => 0x60,
        "BPF_RSH" => 0x70,
        "BPF_NEG" => 0x80,
        "BPF_MOD" => 0x90,
        "BPF_XOR" => 0xa0,
        "BPF_JA" => 0x00,
        "BPF_JEQ" => 0x10,
        "BPF_JGT" => 0x20,
        "BPF_JGE" => 0x30,
        "BPF_JSET" => 0x40,
        "BPF_K" => 0x00,
        "BPF_X" => 0x08,
        "BPF_A" => 0x10,
        "BPF_TAX" => 0x00,
        "BPF_TXA" => 0x80,
        "BPF_MEMWORDS" => 16,
        "SECCOMP_RET_KILL_PROCESS" => 0x8000_0000,
        "SECCOMP_RET_KILL_THREAD" | "SECCOMP_RET_KILL" => 0,
        "SECCOMP_RET_TRAP" => 0x0003_0000,
        "SECCOMP_RET_ERRNO" => 0x0005_0000,
        "SECCOMP_RET_USER_NOTIF" => 0x7fc0_0000,
        "SECCOMP_RET_TRACE" => 0x7ff0_0000,
        "SECCOMP_RET_LOG" => 0x7ffc_0000,
        "SECCOMP_RET_ALLOW" => 0x7fff_0000,
        "SECCOMP_RET_ACTION_FULL" => 0xffff_0000,
        "SECCOMP_RET_ACTION" => 0x7fff_0000,
        "SECCOMP_RET_DATA" => 0x0000_ffff,
        "__X32_SYSCALL_BIT" => 0x4000_0000,
        _ => {
            if let Some(a) = name.strip_prefix("AUDIT_ARCH_") {
                return audit_value(&format!("ARCH_{a}"));
            }
            if name.starts_with('E') {
                return (1..=4095u16)
                    .find(|n| errno_name(*n) == Some(name))
                    .map(u32::from);
            }
            return None;
        }
    };
    Some(v)
}

fn audit_value(arch_name: &str) -> Option<u32> {
    // Invert disasm::audit_arch_name over the known values.
    const VALUES: [u32; 22] = [
        0xc000_003e,
        0x4000_0003,
        0x4000_0028,
        0xc000_00b7,
        0xc000_0102,
        0x0000_0004,
        0x0000_0008,
        0x4000_0008,
        0x8000_0008,
        0xc000_0008,
        0xa000_0008,
        0xe000_0008,
        0x0000_000f,
        0x8000_000f,
        0x0000_0014,
        0x8000_0015,
        0xc000_0015,
        0xc000_00f3,
        0x0000_0016,
        0x8000_0016,
        0x0000_002a,
        0x4000_002a,
    ];
    VALUES
        .into_iter()
        .find(|v| super::disasm::audit_arch_name(*v).as_deref() == Some(arch_name))
}

/// A tiny C constant-expression evaluator: `|`, `^`, `&`, `<<`, `>>`, `+`, `-`, `*`, unary `~`
/// and `-`, parentheses, integer literals (decimal, hex, octal, with `u`/`l` suffixes), the
/// names of [`c_name`], and `offsetof(struct seccomp_data, field)`.
struct CExpr<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> CExpr<'a> {
    fn ws(&mut self) {
        while let Some(c) = self.s[self.pos..].chars().next() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }
    fn eat(&mut self, t: &str) -> bool {
        self.ws();
        if self.s[self.pos..].starts_with(t) {
            self.pos += t.len();
            true
        } else {
            false
        }
    }
    fn peek(&mut self) -> Option<char> {
        self.ws();
        self.s[self.pos..].chars().next()
    }
    fn err<T>(&self, m: String) -> Result<T, (usize, String)> {
        Err((self.pos, m))
    }
    fn expr(&mut self) -> Result<u64, (usize, String)> {
        let mut v = self.xor()?;
        while self.peek() == Some('|') && !self.s[self.pos..].starts_with("||") {
            self.pos += 1;
            v |= self.xor()?;
        }
        Ok(v)
    }
    fn xor(&mut self) -> Result<u64, (usize, String)> {
        let mut v = self.and()?;
        while self.eat("^") {
            v ^= self.and()?;
        }
        Ok(v)
    }
    fn and(&mut self) -> Result<u64, (usize, String)> {
        let mut v = self.shift()?;
        while self.peek() == Some('&') && !self.s[self.pos..].starts_with("&&") {
            self.pos += 1;
            v &= self.shift()?;
        }
        Ok(v)
    }
    fn shift(&mut self) -> Result<u64, (usize, String)> {
        let mut v = self.sum()?;
        loop {
            if self.eat("<<") {
                let r = self.sum()?;
                v = v.checked_shl(r as u32).unwrap_or(0);
            } else if self.eat(">>") {
                let r = self.sum()?;
                v = v.checked_shr(r as u32).unwrap_or(0);
            } else {
                return Ok(v);
            }
        }
    }
    fn sum(&mut self) -> Result<u64, (usize, String)> {
        let mut v = self.prod()?;
        loop {
            if self.eat("+") {
                v = v.wrapping_add(self.prod()?);
            } else if self.peek() == Some('-') {
                self.pos += 1;
                v = v.wrapping_sub(self.prod()?);
            } else {
                return Ok(v);
            }
        }
    }
    fn prod(&mut self) -> Result<u64, (usize, String)> {
        let mut v = self.unary()?;
        while self.eat("*") {
            v = v.wrapping_mul(self.unary()?);
        }
        Ok(v)
    }
    fn unary(&mut self) -> Result<u64, (usize, String)> {
        if self.eat("~") {
            return Ok(!self.unary()? & 0xffff_ffff);
        }
        if self.eat("-") {
            return Ok(self.unary()?.wrapping_neg() & 0xffff_ffff);
        }
        if self.eat("(") {
            // A cast such as `(unsigned int)` or `(__u32)`.
            let save = self.pos;
            let word: String = self.s[self.pos..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ' ')
                .collect();
            let w = word.trim();
            if matches!(
                w,
                "unsigned int"
                    | "unsigned"
                    | "__u32"
                    | "u32"
                    | "uint32_t"
                    | "int"
                    | "unsigned long"
            ) && self.s[self.pos + word.len()..]
                .trim_start()
                .starts_with(')')
            {
                self.pos += word.len();
                self.eat(")");
                return self.unary();
            }
            self.pos = save;
            let v = self.expr()?;
            if !self.eat(")") {
                return self.err("expected `)`".into());
            }
            return Ok(v);
        }
        self.ws();
        let rest = &self.s[self.pos..];
        let tok: &str = &rest[..rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())];
        if tok.is_empty() {
            return self.err(format!(
                "expected a number or name, found `{}`",
                rest.chars().next().map_or("end".into(), |c| c.to_string())
            ));
        }
        let start = self.pos;
        self.pos += tok.len();
        if tok.as_bytes()[0].is_ascii_digit() {
            let t = tok.trim_end_matches(['u', 'U', 'l', 'L']);
            let v = if t.len() > 1 && t.starts_with('0') && !t[1..].starts_with(['x', 'X']) {
                u64::from_str_radix(&t[1..], 8).ok()
            } else {
                parse_num(t)
            };
            return match v {
                Some(v) => Ok(v),
                None => Err((start, format!("bad number `{tok}`"))),
            };
        }
        if tok == "offsetof" {
            if !self.eat("(") {
                return self.err("expected `(` after offsetof".into());
            }
            let close = match self.s[self.pos..].find(')') {
                Some(c) => self.pos + c,
                None => return self.err("unterminated offsetof".into()),
            };
            let inner = &self.s[self.pos..close];
            let field = inner.rsplit(',').next().unwrap_or("").trim();
            let off = match field {
                "nr" => Some(0),
                "arch" => Some(4),
                "instruction_pointer" => Some(8),
                f => f
                    .strip_prefix("args[")
                    .and_then(|x| x.strip_suffix(']'))
                    .and_then(|x| x.trim().parse::<u64>().ok())
                    .filter(|i| *i < 6)
                    .map(|i| 16 + 8 * i),
            };
            self.pos = close + 1;
            return off.ok_or((start, format!("unknown seccomp_data field `{field}`")));
        }
        match c_name(tok) {
            Some(v) => Ok(v as u64),
            None => Err((start, format!("unknown name `{tok}`"))),
        }
    }
}

fn strip_c_comments(s: &str) -> String {
    // Replace comments by spaces (keeping newlines) so offsets stay valid.
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            let end = s[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            for ch in s[i..end].chars() {
                out.push(if ch == '\n' { '\n' } else { ' ' });
                for _ in 1..ch.len_utf8() {
                    out.push(' ');
                }
            }
            i = end;
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            let end = s[i..].find('\n').map_or(b.len(), |e| i + e);
            for ch in s[i..end].chars() {
                for _ in 0..ch.len_utf8() {
                    out.push(' ');
                }
            }
            i = end;
        } else {
            let ch = s[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Parses a C `struct sock_filter` initializer: `{ code, jt, jf, k }` groups and
/// `BPF_STMT(code, k)` / `BPF_JUMP(code, k, jt, jf)` macros, in order; anything around them (the
/// declaration, outer braces) is ignored.
pub fn parse_c(src: &str) -> Result<Vec<Insn>, FormatError> {
    let text = strip_c_comments(src);
    let mut prog = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let err_at = |off: usize, m: String| {
        let (l, c) = line_col(&text, off);
        FormatError {
            format: Format::C,
            line: Some(l),
            col: Some(c),
            message: m,
        }
    };
    while i < bytes.len() {
        let rest = &text[i..];
        let is_word_start =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let (is_macro, nargs) = if is_word_start && rest.starts_with("BPF_STMT") {
            (true, 2)
        } else if is_word_start && rest.starts_with("BPF_JUMP") {
            (true, 4)
        } else {
            (false, 4)
        };
        if is_macro {
            let mut p = CExpr {
                s: &text,
                pos: i + 8,
            };
            if !p.eat("(") {
                return Err(err_at(p.pos, "expected `(` after the macro name".into()));
            }
            let mut vals = Vec::new();
            for a in 0..nargs {
                let v = p.expr().map_err(|(o, m)| err_at(o, m))?;
                vals.push(v);
                let sep = if a + 1 == nargs { ")" } else { "," };
                if !p.eat(sep) {
                    return Err(err_at(p.pos, format!("expected `{sep}`")));
                }
            }
            let code = check_range(vals[0], 0xffff, "code").map_err(|m| err_at(i, m))? as u16;
            let k = check_range(vals[1], u32::MAX as u64, "k").map_err(|m| err_at(i, m))? as u32;
            let insn = if nargs == 2 {
                Insn::stmt(code, k)
            } else {
                let jt = check_range(vals[2], 255, "jt").map_err(|m| err_at(i, m))? as u8;
                let jf = check_range(vals[3], 255, "jf").map_err(|m| err_at(i, m))? as u8;
                Insn::jump(code, k, jt, jf)
            };
            prog.push(insn);
            i = p.pos;
            continue;
        }
        if bytes[i] == b'{' {
            // An innermost group: `{` expr , expr , expr , expr `}` without nested braces.
            let close = text[i + 1..].find(['{', '}']).map(|e| i + 1 + e);
            if let Some(cl) = close {
                if bytes[cl] == b'}'
                    && !text[i + 1..cl].contains("BPF_STMT")
                    && !text[i + 1..cl].contains("BPF_JUMP")
                    && !text[i + 1..cl].trim().is_empty()
                {
                    let mut p = CExpr {
                        s: &text[..cl],
                        pos: i + 1,
                    };
                    let mut vals = Vec::new();
                    for a in 0..4 {
                        let v = p.expr().map_err(|(o, m)| err_at(o, m))?;
                        vals.push(v);
                        if a < 3 && !p.eat(",") {
                            return Err(err_at(
                                p.pos,
                                "expected `,`: a sock_filter has 4 fields".into(),
                            ));
                        }
                    }
                    p.eat(",");
                    p.ws();
                    if p.pos != cl {
                        return Err(err_at(p.pos, "expected `}` after 4 fields".into()));
                    }
                    let f = |v: u64, max: u64, n: &str| {
                        check_range(v, max, n).map_err(|m| err_at(i, m))
                    };
                    prog.push(Insn::new(
                        f(vals[0], 0xffff, "code")? as u16,
                        f(vals[1], 255, "jt")? as u8,
                        f(vals[2], 255, "jf")? as u8,
                        f(vals[3], u32::MAX as u64, "k")? as u32,
                    ));
                    i = cl + 1;
                    continue;
                }
            }
        }
        i += text[i..].chars().next().map_or(1, |c| c.len_utf8());
    }
    if prog.is_empty() {
        return Err(ferr(
            Format::C,
            "no `{ code, jt, jf, k }` entries or BPF_STMT/BPF_JUMP macros found".into(),
        ));
    }
    Ok(prog)
}

fn check_range(v: u64, max: u64, what: &str) -> Result<u64, String> {
    if v > max {
        Err(format!("{what} value {v:#x} is larger than {max:#x}"))
    } else {
        Ok(v)
    }
}

/// Parses JSON `[{"code":32,"jt":0,"jf":0,"k":4}, ...]` (or `[[code, jt, jf, k], ...]`).
pub fn parse_json(src: &str) -> Result<Vec<Insn>, FormatError> {
    let v: serde_json::Value = serde_json::from_str(src).map_err(|e| FormatError {
        format: Format::Json,
        line: Some(e.line()),
        col: Some(e.column()),
        message: e.to_string(),
    })?;
    let arr = v
        .as_array()
        .ok_or_else(|| ferr(Format::Json, "expected an array of instructions".into()))?;
    let mut prog = Vec::with_capacity(arr.len());
    for (idx, item) in arr.iter().enumerate() {
        let get = |key: &str, pos: usize| -> Option<u64> {
            match item {
                serde_json::Value::Object(m) => m.get(key)?.as_u64(),
                serde_json::Value::Array(a) => a.get(pos)?.as_u64(),
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
    }
}

/// Guesses the format of `input`: binary → raw; starting with `[` → JSON; text with
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
        ExportFormat::Json => serde_json::to_string(prog)
            .unwrap_or_else(|_| "[]".into())
            .into_bytes(),
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
