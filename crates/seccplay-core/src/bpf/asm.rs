//! Assembler for the plain form written by [`crate::bpf::disasm::plain`] (syntax documented
//! there). Errors name the line and column (both 1-based).

use super::insn::*;
use std::collections::BTreeMap;
use std::fmt;

/// An assembly error at a line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    /// Line, from 1.
    pub line: usize,
    /// Column (character), from 1.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.col, self.message
        )
    }
}

impl std::error::Error for AsmError {}

/// A piece of a line with its column (1-based).
#[derive(Clone, Copy)]
struct Tok<'a> {
    text: &'a str,
    col: usize,
}

struct Line<'a> {
    no: usize,
    mnemonic: Tok<'a>,
    operands: Vec<Tok<'a>>,
}

fn col_of(line: &str, sub: &str) -> usize {
    // `sub` is a sub-slice of `line`.
    let off = sub.as_ptr() as usize - line.as_ptr() as usize;
    line[..off].chars().count() + 1
}

fn is_ident(s: &str) -> bool {
    let mut ch = s.chars();
    matches!(ch.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '.')
        && ch.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Parses a number: decimal or `0x` hexadecimal.
pub(crate) fn parse_num(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if h.is_empty() {
            return None;
        }
        u64::from_str_radix(h, 16).ok()
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Assembles the plain form into instructions.
pub fn assemble(src: &str) -> Result<Vec<Insn>, AsmError> {
    let mut labels: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut lines: Vec<Line> = Vec::new();
    for (idx, raw) in src.lines().enumerate() {
        let no = idx + 1;
        let code = match raw.find(';') {
            Some(p) => &raw[..p],
            None => raw,
        };
        let mut rest = code.trim_start();
        // Labels: `name:` (possibly several) before an instruction.
        loop {
            let word_end = rest
                .find(|c: char| c.is_whitespace() || c == ':')
                .unwrap_or(rest.len());
            if word_end > 0 && rest[word_end..].starts_with(':') && is_ident(&rest[..word_end]) {
                let name = &rest[..word_end];
                let col = col_of(raw, name);
                if let Some((_, l, c)) = labels.get(name) {
                    return Err(AsmError {
                        line: no,
                        col,
                        message: format!(
                            "label `{name}` is already defined at line {l}, column {c}"
                        ),
                    });
                }
                labels.insert(name, (lines.len(), no, col));
                rest = rest[word_end + 1..].trim_start();
            } else {
                break;
            }
        }
        let rest = rest.trim_end();
        if rest.is_empty() {
            continue;
        }
        let m_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let mnemonic = Tok {
            text: &rest[..m_end],
            col: col_of(raw, rest),
        };
        let ops_str = rest[m_end..].trim();
        let mut operands = Vec::new();
        if !ops_str.is_empty() {
            for part in ops_str.split(',') {
                let t = part.trim();
                let col = if t.is_empty() {
                    col_of(raw, part)
                } else {
                    col_of(raw, t)
                };
                operands.push(Tok { text: t, col });
            }
        }
        lines.push(Line {
            no,
            mnemonic,
            operands,
        });
    }
    let mut prog = Vec::with_capacity(lines.len());
    for (pc, l) in lines.iter().enumerate() {
        prog.push(encode_line(pc, l, &labels)?);
    }
    Ok(prog)
}

fn encode_line(
    pc: usize,
    l: &Line,
    labels: &BTreeMap<&str, (usize, usize, usize)>,
) -> Result<Insn, AsmError> {
    let e = |col: usize, message: String| AsmError {
        line: l.no,
        col,
        message,
    };
    let m = l.mnemonic.text.to_ascii_lowercase();
    let ops = &l.operands;
    let want = |n: usize| -> Result<(), AsmError> {
        if ops.len() != n {
            let col = ops.get(n).map_or(l.mnemonic.col, |t| t.col);
            return Err(e(
                col,
                format!("`{m}` takes {n} operand(s), found {}", ops.len()),
            ));
        }
        Ok(())
    };
    let num32 = |t: &Tok, s: &str| -> Result<u32, AsmError> {
        match parse_num(s) {
            Some(v) if v <= u32::MAX as u64 => Ok(v as u32),
            Some(_) => Err(e(t.col, format!("`{s}` does not fit in 32 bits"))),
            None => Err(e(t.col, format!("expected a number, found `{s}`"))),
        }
    };
    let imm = |t: &Tok| -> Result<u32, AsmError> {
        match t.text.strip_prefix('#') {
            Some(s) => num32(t, s),
            None => Err(e(t.col, format!("expected `#number`, found `{}`", t.text))),
        }
    };
    let mem = |t: &Tok| -> Result<u32, AsmError> {
        let inner = t
            .text
            .strip_prefix("M[")
            .or_else(|| t.text.strip_prefix("m["))
            .and_then(|s| s.strip_suffix(']'));
        match inner {
            Some(s) => num32(t, s),
            None => Err(e(t.col, format!("expected `M[index]`, found `{}`", t.text))),
        }
    };
    // Offset of a jump target from pc + 1.
    let target = |t: &Tok, max: u64| -> Result<u64, AsmError> {
        let off = if let Some(n) = t.text.strip_prefix('+') {
            match parse_num(n) {
                Some(v) => v,
                None => return Err(e(t.col, format!("bad offset `{}`", t.text))),
            }
        } else if let Some(&(tpc, _, _)) = labels.get(t.text) {
            if tpc <= pc {
                return Err(e(
                    t.col,
                    format!(
                        "label `{}` is not after this instruction: BPF jumps only forward",
                        t.text
                    ),
                ));
            }
            (tpc - pc - 1) as u64
        } else {
            return Err(e(t.col, format!("unknown label `{}`", t.text)));
        };
        if off > max {
            return Err(e(t.col, format!("jump offset {off} is larger than {max}")));
        }
        Ok(off)
    };
    let stmt = |code: u16, k: u32| Ok(Insn::stmt(code, k));
    let size_of = |suffix: &str| match suffix {
        "" => Some(BPF_W),
        "h" => Some(BPF_H),
        "b" => Some(BPF_B),
        _ => None,
    };
    match m.as_str() {
        "ld" | "ldh" | "ldb" => {
            want(1)?;
            let t = &ops[0];
            let sz = size_of(&m[2..]).unwrap_or(BPF_W);
            let o = t.text;
            if let Some(inner) = o.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                let inner = inner.trim();
                if let Some(k) = inner
                    .strip_prefix("x+")
                    .or_else(|| inner.strip_prefix("x +"))
                    .or_else(|| inner.strip_prefix("X+"))
                {
                    return stmt(BPF_LD | sz | BPF_IND, num32(t, k.trim())?);
                }
                return stmt(BPF_LD | sz | BPF_ABS, num32(t, inner)?);
            }
            if m != "ld" {
                return Err(e(t.col, format!("`{m}` loads only `[k]` or `[x+k]`")));
            }
            if o == "#len" {
                return stmt(BPF_LD | BPF_W | BPF_LEN, 0);
            }
            if o.starts_with('#') {
                return stmt(BPF_LD | BPF_IMM, imm(t)?);
            }
            stmt(BPF_LD | BPF_MEM, mem(t)?)
        }
        "ldx" => {
            want(1)?;
            let t = &ops[0];
            if t.text == "#len" {
                return stmt(BPF_LDX | BPF_W | BPF_LEN, 0);
            }
            if t.text.starts_with('#') {
                return stmt(BPF_LDX | BPF_IMM, imm(t)?);
            }
            stmt(BPF_LDX | BPF_MEM, mem(t)?)
        }
        "ldxb" => {
            want(1)?;
            let t = &ops[0];
            let compact: String = t.text.chars().filter(|c| !c.is_whitespace()).collect();
            match compact
                .strip_prefix("4*([")
                .and_then(|s| s.strip_suffix("]&0xf)"))
            {
                Some(k) => stmt(BPF_LDX | BPF_B | BPF_MSH, num32(t, k)?),
                None => Err(e(t.col, "expected `4*([k]&0xf)`".into())),
            }
        }
        "st" | "stx" => {
            want(1)?;
            let code = if m == "st" { BPF_ST } else { BPF_STX };
            stmt(code, mem(&ops[0])?)
        }
        "add" | "sub" | "mul" | "div" | "mod" | "and" | "or" | "xor" | "lsh" | "rsh" => {
            want(1)?;
            let o = match m.as_str() {
                "add" => BPF_ADD,
                "sub" => BPF_SUB,
                "mul" => BPF_MUL,
                "div" => BPF_DIV,
                "mod" => BPF_MOD,
                "and" => BPF_AND,
                "or" => BPF_OR,
                "xor" => BPF_XOR,
                "lsh" => BPF_LSH,
                _ => BPF_RSH,
            };
            let t = &ops[0];
            if t.text.eq_ignore_ascii_case("x") {
                stmt(BPF_ALU | o | BPF_X, 0)
            } else {
                stmt(BPF_ALU | o | BPF_K, imm(t)?)
            }
        }
        "neg" => {
            want(0)?;
            stmt(BPF_ALU | BPF_NEG, 0)
        }
        "tax" => {
            want(0)?;
            stmt(BPF_MISC | BPF_TAX, 0)
        }
        "txa" => {
            want(0)?;
            stmt(BPF_MISC | BPF_TXA, 0)
        }
        "ja" | "jmp" => {
            want(1)?;
            let off = target(&ops[0], u32::MAX as u64)?;
            stmt(BPF_JMP | BPF_JA, off as u32)
        }
        "jeq" | "jgt" | "jge" | "jset" => {
            want(3)?;
            let o = match m.as_str() {
                "jeq" => BPF_JEQ,
                "jgt" => BPF_JGT,
                "jge" => BPF_JGE,
                _ => BPF_JSET,
            };
            let jt = target(&ops[1], 255)? as u8;
            let jf = target(&ops[2], 255)? as u8;
            let t = &ops[0];
            if t.text.eq_ignore_ascii_case("x") {
                Ok(Insn::jump(BPF_JMP | o | BPF_X, 0, jt, jf))
            } else {
                Ok(Insn::jump(BPF_JMP | o | BPF_K, imm(t)?, jt, jf))
            }
        }
        "ret" => {
            want(1)?;
            let t = &ops[0];
            if t.text.eq_ignore_ascii_case("a") {
                stmt(BPF_RET | BPF_A, 0)
            } else {
                stmt(BPF_RET | BPF_K, imm(t)?)
            }
        }
        "raw" => {
            want(4)?;
            let field = |i: usize, max: u64| -> Result<u64, AsmError> {
                let t = &ops[i];
                match parse_num(t.text) {
                    Some(v) if v <= max => Ok(v),
                    _ => Err(e(
                        t.col,
                        format!("expected a number up to {max:#x}, found `{}`", t.text),
                    )),
                }
            };
            Ok(Insn::new(
                field(0, 0xffff)? as u16,
                field(1, 0xff)? as u8,
                field(2, 0xff)? as u8,
                field(3, u32::MAX as u64)? as u32,
            ))
        }
        _ => Err(e(
            l.mnemonic.col,
            format!("unknown mnemonic `{}`", l.mnemonic.text),
        )),
    }
}
