//! The C reader: a `struct sock_filter` initializer, as seccomp-tools, libseccomp's
//! `export_bpf` users and kernel samples write it, back to instructions.
//!
//! 1. `{ code, jt, jf, k }` groups and `BPF_STMT`/`BPF_JUMP` macros, in order; anything around
//!    them (the declaration, outer braces, comments) is ignored.
//! 2. Fields are C constant expressions ([`CExpr`]) over the `BPF_*`, `SECCOMP_RET_*` and
//!    `AUDIT_ARCH_*` names and `offsetof(struct seccomp_data, ...)`.

use super::{check_range, ferr, line_col, Format, FormatError};
use crate::bpf::asm::parse_num;
use crate::bpf::disasm::errno_name;
use crate::bpf::insn::*;

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
        .find(|v| crate::bpf::disasm::audit_arch_name(*v).as_deref() == Some(arch_name))
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
