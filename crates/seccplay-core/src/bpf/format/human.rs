//! The human form read back: the annotated disassembly `seccplay-native dump PID` and `disasm`
//! print (` 0004: if (A != openat) goto 0012  # comment`), so a pasted dump is a program.
//!
//! The form names things (syscalls, `AUDIT_ARCH_*` values, actions, `seccomp_data` fields), so
//! reading it needs what writing it knew: the byte order and the ABI the dump was made on.
//!
//! 1. Each line is ` NNNN: statement`, the indexes counted from 0 without a gap; `  # ...`
//!    starts a comment (only `data 0x.. ignored` carries information: the data of an action
//!    that ignores it). The `--raw` variant (`0x0015 0x00 0x07 0xc000003e` after the index)
//!    is taken by its fields.
//! 2. A statement is read by its shape; jump targets are absolute indexes; a syscall name is
//!    resolved with the ABI the disassembler used for it (the `arch` the path has checked,
//!    [`super::super::disasm::arch_flow`], else the given ABI).
//! 3. Statements the form writes as the plain mnemonic (`ldh [4]`, `raw 0x..`) go through
//!    the assembler.
//! 4. Fields the kernel ignores and the form does not show (jt/jf of a statement, k of an X
//!    operand or of `return A`) read as 0.
//! 5. The program read is disassembled again and every line must read back as written, so a
//!    misread (a name of another ABI, a hand-edited line) is a located error, never a
//!    different program.

use super::super::asm::{assemble, parse_num};
use super::super::data::Field;
use super::super::disasm::{self, arch_flow, audit_arch_value, field_text, nr_arch};
use super::super::insn::*;
use super::{Format, FormatError};
use crate::action::Action;
use crate::arch::Arch;

/// True when `text` starts (after blank lines and `#` comment lines) with a ` NNNN:` line.
pub fn looks_human(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| index_of(l).is_some())
}

/// ` 0012: rest` → (12, rest).
fn index_of(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start();
    let d = t.bytes().take_while(u8::is_ascii_digit).count();
    if d < 4 || !t[d..].starts_with(':') {
        return None;
    }
    Some((t[..d].parse().ok()?, &t[d + 1..]))
}

/// A statement whose `k` is a syscall name still to resolve.
struct Pending<'a> {
    pc: usize,
    name: &'a str,
}

struct Read<'a> {
    prog: Vec<Insn>,
    pending: Vec<Pending<'a>>,
    /// Loads written with a field's name (read as the little-endian offset).
    named_fields: Vec<usize>,
    /// (line number, column of the statement, the statement) per instruction.
    lines: Vec<(usize, usize, &'a str)>,
}

/// `s` as quoted in a message: at most 80 characters (a hostile line may be megabytes).
fn clip(s: &str) -> String {
    match s.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn err(line: usize, col: usize, message: String) -> FormatError {
    FormatError {
        format: Format::Human,
        line: Some(line),
        col: Some(col),
        message,
    }
}

/// Reads the human form as disassembled for `arch` (byte order and syscall names).
pub fn parse_human(src: &str, arch: Arch) -> Result<Vec<Insn>, FormatError> {
    let mut r = Read {
        prog: Vec::new(),
        pending: Vec::new(),
        named_fields: Vec::new(),
        lines: Vec::new(),
    };
    for (i, raw) in src.lines().enumerate() {
        let no = i + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some((pc, rest)) = index_of(raw) else {
            return Err(err(
                no,
                1,
                "expected ` NNNN: statement` (the form `dump` and `disasm` print)".into(),
            ));
        };
        if r.prog.len() >= BPF_MAXINSNS {
            return Err(err(
                no,
                1,
                format!("more than {BPF_MAXINSNS} instructions (BPF_MAXINSNS)"),
            ));
        }
        if pc != r.prog.len() {
            return Err(err(
                no,
                1,
                format!("instruction {pc:04} where {:04} was expected", r.prog.len()),
            ));
        }
        let (stmt, comment) = match rest.find("  # ") {
            Some(p) => (&rest[..p], Some(rest[p + 4..].trim())),
            None => (rest, None),
        };
        let stmt_trim = stmt.trim();
        let col = raw[..stmt_trim.as_ptr() as usize - raw.as_ptr() as usize]
            .chars()
            .count()
            + 1;
        let insn = match raw_fields(stmt_trim) {
            Some((insn, text)) => {
                r.lines.push((no, col, text));
                r.prog.push(insn);
                continue;
            }
            None => {
                statement(stmt_trim, comment, pc, &mut r.pending).map_err(|m| err(no, col, m))?
            }
        };
        if insn.code == BPF_LD | BPF_W | BPF_ABS && !stmt_trim.starts_with("A = data[") {
            r.named_fields.push(pc);
        }
        r.lines.push((no, col, stmt_trim));
        r.prog.push(insn);
    }
    resolve_and_check(r, arch)
}

/// `0x0015 0x00 0x07 0xc000003e  text` (the `--raw` variant): the instruction and the text.
fn raw_fields(s: &str) -> Option<(Insn, &str)> {
    let mut rest = s;
    let mut f = [0u64; 4];
    for v in &mut f {
        let t = rest.trim_start();
        if !t.starts_with("0x") {
            return None;
        }
        let end = t.find(char::is_whitespace).unwrap_or(t.len());
        *v = parse_num(&t[..end])?;
        rest = &t[end..];
    }
    if !rest.starts_with("  ")
        || f[0] > 0xffff
        || f[1] > 0xff
        || f[2] > 0xff
        || f[3] > u32::MAX as u64
    {
        return None;
    }
    let insn = Insn::new(f[0] as u16, f[1] as u8, f[2] as u8, f[3] as u32);
    Some((insn, rest.trim()))
}

fn num(s: &str) -> Result<u32, String> {
    parse_num(s)
        .filter(|v| *v <= u32::MAX as u64)
        .map(|v| v as u32)
        .ok_or_else(|| format!("`{}` is not a 32-bit number", clip(s)))
}

fn target(s: &str, pc: usize, max: u32) -> Result<u32, String> {
    let t: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not an instruction index", clip(s)))?;
    if t <= pc || (t - pc - 1) as u64 > max as u64 {
        return Err(format!(
            "instruction {t:04} cannot be reached from {pc:04} (jumps go forward, at most {max} ahead)"
        ));
    }
    Ok((t - pc - 1) as u32)
}

fn action(s: &str, comment: Option<&str>) -> Result<u32, String> {
    let (name, data) = match s.split_once('(') {
        Some((n, d)) => (n, Some(d.strip_suffix(')').ok_or("missing `)`")?)),
        None => (s, None),
    };
    let d = || -> Result<u16, String> {
        let v = num(data.unwrap_or("0"))?;
        u16::try_from(v).map_err(|_| format!("action data {v:#x} is larger than 0xffff"))
    };
    let a = match name {
        "KILL_PROCESS" => Action::KillProcess,
        "KILL_THREAD" => Action::KillThread,
        "USER_NOTIF" => Action::UserNotif,
        "LOG" => Action::Log,
        "ALLOW" => Action::Allow,
        "TRAP" => Action::Trap(d()?),
        "ERRNO" => Action::Errno(d()?),
        "TRACE" => Action::Trace(d()?),
        "UNKNOWN" => return num(data.unwrap_or("")),
        _ => return Err(format!("`{}` is not an action", clip(s))),
    };
    // `data 0x5 ignored`: an action that ignores its data, written with some.
    let ignored = comment
        .and_then(|c| c.strip_prefix("data "))
        .and_then(|c| c.strip_suffix(" ignored"))
        .map(num)
        .transpose()?
        .unwrap_or(0);
    Ok(a.to_ret() | (ignored & 0xffff))
}

fn statement<'a>(
    s: &'a str,
    comment: Option<&str>,
    pc: usize,
    pending: &mut Vec<Pending<'a>>,
) -> Result<Insn, String> {
    if let Some(a) = s.strip_prefix("return ") {
        return Ok(if a == "A" {
            Insn::stmt(BPF_RET | BPF_A, 0)
        } else {
            Insn::stmt(BPF_RET | BPF_K, action(a, comment)?)
        });
    }
    if let Some(t) = s.strip_prefix("goto ") {
        return Ok(Insn::stmt(BPF_JMP | BPF_JA, target(t, pc, u32::MAX)?));
    }
    if let Some(c) = s.strip_prefix("if (") {
        return jump(c, pc, pending);
    }
    match s {
        "X = A" => return Ok(Insn::stmt(BPF_MISC | BPF_TAX, 0)),
        "A = X" => return Ok(Insn::stmt(BPF_MISC | BPF_TXA, 0)),
        "A = -A" => return Ok(Insn::stmt(BPF_ALU | BPF_NEG, 0)),
        _ => {}
    }
    if let Some(m) = s.strip_prefix("mem[") {
        let (k, rhs) = m
            .split_once("] = ")
            .ok_or("expected `mem[k] = A` or `mem[k] = X`")?;
        let code = match rhs {
            "A" => BPF_ST,
            "X" => BPF_STX,
            _ => return Err("expected `mem[k] = A` or `mem[k] = X`".into()),
        };
        return Ok(Insn::stmt(code, num(k)?));
    }
    if let Some((lhs, rhs)) = s.split_once(" = ") {
        let ld = match lhs {
            "A" => BPF_LD,
            "X" => BPF_LDX,
            _ => return fallback(s),
        };
        if rhs == "64" {
            return Ok(Insn::stmt(ld | BPF_W | BPF_LEN, 0));
        }
        if let Some(k) = rhs.strip_prefix("mem[").and_then(|r| r.strip_suffix(']')) {
            return Ok(Insn::stmt(ld | BPF_MEM, num(k)?));
        }
        if rhs.starts_with("0x") {
            return Ok(Insn::stmt(ld | BPF_IMM, num(rhs)?));
        }
        if ld == BPF_LD {
            if let Some(k) = rhs.strip_prefix("data[").and_then(|r| r.strip_suffix(']')) {
                return Ok(Insn::stmt(BPF_LD | BPF_W | BPF_ABS, num(k)?));
            }
            // A field by name: the little-endian offset here, the byte order's later.
            return field_offset(rhs).map(|k| Insn::stmt(BPF_LD | BPF_W | BPF_ABS, k));
        }
        return Err(format!("`{}` cannot be loaded into X", clip(rhs)));
    }
    for (sym, o) in [
        ("+=", BPF_ADD),
        ("-=", BPF_SUB),
        ("*=", BPF_MUL),
        ("/=", BPF_DIV),
        ("|=", BPF_OR),
        ("&=", BPF_AND),
        ("<<=", BPF_LSH),
        (">>=", BPF_RSH),
        ("^=", BPF_XOR),
        ("%=", BPF_MOD),
    ] {
        if let Some(v) = s.strip_prefix("A ").and_then(|r| r.strip_prefix(sym)) {
            let v = v.trim();
            return Ok(if v == "X" {
                Insn::stmt(BPF_ALU | o | BPF_X, 0)
            } else {
                Insn::stmt(BPF_ALU | o | BPF_K, num(v)?)
            });
        }
    }
    fallback(s)
}

/// The little-endian offset of a field named as the form names it.
fn field_offset(name: &str) -> Result<u32, String> {
    (0..16)
        .map(|w| w * 4)
        .find(|&k| Field::at(k, crate::arch::Endian::Little).is_some_and(|f| field_text(f) == name))
        .ok_or_else(|| format!("`{}` is not a seccomp_data field", clip(name)))
}

/// A statement in the plain mnemonic form (with `+N` targets): the assembler reads it.
fn fallback(s: &str) -> Result<Insn, String> {
    match assemble(s) {
        Ok(p) if p.len() == 1 => Ok(p[0]),
        Ok(_) => Err(format!(
            "`{}` is not a statement of the disassembly",
            clip(s)
        )),
        Err(e) => Err(format!(
            "`{}` is not a statement of the disassembly ({})",
            clip(s),
            clip(&e.message)
        )),
    }
}

fn jump<'a>(c: &'a str, pc: usize, pending: &mut Vec<Pending<'a>>) -> Result<Insn, String> {
    let (cond, gotos) = c
        .rsplit_once(") goto ")
        .ok_or("expected `if (...) goto NNNN`")?;
    let (t, f) = match gotos.split_once(" else goto ") {
        Some((t, f)) => (t, Some(f)),
        None => (gotos, None),
    };
    let (neg, op_code, rhs) = if let Some(r) = cond
        .strip_prefix("!(A & ")
        .and_then(|r| r.strip_suffix(')'))
    {
        (true, BPF_JSET, r)
    } else {
        let r = cond.strip_prefix("A ").ok_or("expected a condition on A")?;
        let (sym, rhs) = r.split_once(' ').ok_or("expected `A OP value`")?;
        let (neg, o) = match sym {
            "==" => (false, BPF_JEQ),
            "!=" => (true, BPF_JEQ),
            ">" => (false, BPF_JGT),
            "<=" => (true, BPF_JGT),
            ">=" => (false, BPF_JGE),
            "<" => (true, BPF_JGE),
            "&" => (false, BPF_JSET),
            _ => return Err(format!("`{}` is not a comparison", clip(sym))),
        };
        (neg, o, rhs)
    };
    let t = target(t, pc, 255)? as u8;
    let (jt, jf) = match (neg, f) {
        (false, None) => (t, 0),
        (true, None) => (0, t),
        (false, Some(f)) => (t, target(f, pc, 255)? as u8),
        (true, Some(_)) => return Err("a negated test has one target".into()),
    };
    let (s, k) = if rhs == "X" {
        (BPF_X, 0)
    } else if rhs.starts_with("0x") {
        (BPF_K, num(rhs)?)
    } else if let Some(v) = audit_arch_value(rhs) {
        (BPF_K, v)
    } else {
        pending.push(Pending { pc, name: rhs });
        (BPF_K, 0)
    };
    Ok(Insn::jump(BPF_JMP | op_code | s, k, jt, jf))
}

fn resolve_and_check(mut r: Read, arch: Arch) -> Result<Vec<Insn>, FormatError> {
    let endian = arch.endian();
    // Field names were read as little-endian offsets: map them to this byte order.
    for &pc in &r.named_fields {
        if let Some(f) = Field::at(r.prog[pc].k, crate::arch::Endian::Little) {
            r.prog[pc].k = f.offset(endian);
        }
    }
    let flows = arch_flow(&r.prog, endian);
    for p in &r.pending {
        let (no, col, _) = r.lines[p.pc];
        let cands: Vec<Arch> = match flows[p.pc] {
            Some(a) => Arch::from_audit_arch(a),
            None => vec![arch],
        };
        let nr = cands.iter().find_map(|&abi| {
            let nr = crate::syscalls::syscalls(abi)
                .into_iter()
                .find(|(n, _)| *n == p.name)?
                .1;
            (nr_arch(flows[p.pc], Some(arch), nr) == Some(abi)).then_some(nr)
        });
        match nr {
            Some(nr) => r.prog[p.pc].k = nr,
            None => {
                return Err(err(
                    no,
                    col,
                    format!(
                        "`{}` is not a syscall of {} (the ABI this line compares numbers of)",
                        clip(p.name),
                        cands.iter().map(|a| a.name()).collect::<Vec<_>>().join("/")
                    ),
                ))
            }
        }
    }
    // Read back: every line must disassemble as written.
    for (h, (no, col, text)) in disasm::human(&r.prog, Some(arch)).iter().zip(&r.lines) {
        if h.text != *text && super::super::disasm::plain_insn(h.insn, h.pc, None) != *text {
            return Err(err(
                *no,
                *col,
                format!(
                    "reads back as `{}`, not as written (a disassembly for another ABI or byte order, or an edited line)",
                    h.text
                ),
            ));
        }
    }
    Ok(r.prog)
}
