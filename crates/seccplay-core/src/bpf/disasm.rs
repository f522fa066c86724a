//! Disassembly in two forms.
//!
//! **Human form** (like seccomp-tools): one line per instruction, ` 0012: if (A != openat) goto 0015`,
//! `A = args[0] (low word)`, `return ERRNO(1)  # EPERM`. A forward data-flow pass tracks what A
//! holds (a `seccomp_data` field or a constant) and which `AUDIT_ARCH_*` value the path has
//! checked, so comparisons of `arch` are written `ARCH_X86_64` and comparisons of the syscall
//! number use the syscall's name for that ABI (`crate::syscalls::name`, given the number as in
//! `seccomp_data.nr`).
//!
//! **Plain form** (round-trips through [`crate::bpf::asm::assemble`]): one instruction per line in
//! bpf_asm-like syntax, jump targets as labels `L<pc>` (or `+N` offsets when the target lies
//! outside the program), and `raw code, jt, jf, k` for any instruction whose fields a mnemonic
//! cannot express exactly (unknown opcodes, non-zero unused fields). See [`plain`] for the syntax.

use super::data::Field;
use super::insn::*;
use crate::action::Action;
use crate::arch::{Arch, Endian};
use serde::Serialize;
use std::fmt::Write as _;

/// Generic Linux errno names (asm-generic numbering, used by all ABIs but alpha, mips, parisc
/// and sparc), first name per value.
const ERRNO_NAMES: &[(u16, &str)] = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (8, "ENOEXEC"),
    (9, "EBADF"),
    (10, "ECHILD"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (15, "ENOTBLK"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (18, "EXDEV"),
    (19, "ENODEV"),
    (20, "ENOTDIR"),
    (21, "EISDIR"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (25, "ENOTTY"),
    (26, "ETXTBSY"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (29, "ESPIPE"),
    (30, "EROFS"),
    (31, "EMLINK"),
    (32, "EPIPE"),
    (33, "EDOM"),
    (34, "ERANGE"),
    (35, "EDEADLK"),
    (36, "ENAMETOOLONG"),
    (37, "ENOLCK"),
    (38, "ENOSYS"),
    (39, "ENOTEMPTY"),
    (40, "ELOOP"),
    (42, "ENOMSG"),
    (43, "EIDRM"),
    (44, "ECHRNG"),
    (45, "EL2NSYNC"),
    (46, "EL3HLT"),
    (47, "EL3RST"),
    (48, "ELNRNG"),
    (49, "EUNATCH"),
    (50, "ENOCSI"),
    (51, "EL2HLT"),
    (52, "EBADE"),
    (53, "EBADR"),
    (54, "EXFULL"),
    (55, "ENOANO"),
    (56, "EBADRQC"),
    (57, "EBADSLT"),
    (59, "EBFONT"),
    (60, "ENOSTR"),
    (61, "ENODATA"),
    (62, "ETIME"),
    (63, "ENOSR"),
    (64, "ENONET"),
    (65, "ENOPKG"),
    (66, "EREMOTE"),
    (67, "ENOLINK"),
    (68, "EADV"),
    (69, "ESRMNT"),
    (70, "ECOMM"),
    (71, "EPROTO"),
    (72, "EMULTIHOP"),
    (73, "EDOTDOT"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (76, "ENOTUNIQ"),
    (77, "EBADFD"),
    (78, "EREMCHG"),
    (79, "ELIBACC"),
    (80, "ELIBBAD"),
    (81, "ELIBSCN"),
    (82, "ELIBMAX"),
    (83, "ELIBEXEC"),
    (84, "EILSEQ"),
    (85, "ERESTART"),
    (86, "ESTRPIPE"),
    (87, "EUSERS"),
    (88, "ENOTSOCK"),
    (89, "EDESTADDRREQ"),
    (90, "EMSGSIZE"),
    (91, "EPROTOTYPE"),
    (92, "ENOPROTOOPT"),
    (93, "EPROTONOSUPPORT"),
    (94, "ESOCKTNOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (96, "EPFNOSUPPORT"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (102, "ENETRESET"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (106, "EISCONN"),
    (107, "ENOTCONN"),
    (108, "ESHUTDOWN"),
    (109, "ETOOMANYREFS"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
    (114, "EALREADY"),
    (115, "EINPROGRESS"),
    (116, "ESTALE"),
    (117, "EUCLEAN"),
    (118, "ENOTNAM"),
    (119, "ENAVAIL"),
    (120, "EISNAM"),
    (121, "EREMOTEIO"),
    (122, "EDQUOT"),
    (123, "ENOMEDIUM"),
    (124, "EMEDIUMTYPE"),
    (125, "ECANCELED"),
    (126, "ENOKEY"),
    (127, "EKEYEXPIRED"),
    (128, "EKEYREVOKED"),
    (129, "EKEYREJECTED"),
    (130, "EOWNERDEAD"),
    (131, "ENOTRECOVERABLE"),
    (132, "ERFKILL"),
    (133, "EHWPOISON"),
];

/// The generic Linux name of errno `n` (`EPERM` for 1), if it has one.
pub fn errno_name(n: u16) -> Option<&'static str> {
    ERRNO_NAMES.iter().find(|(v, _)| *v == n).map(|(_, s)| *s)
}

/// The kernel's `AUDIT_ARCH_*` names, without the prefix.
const AUDIT_ARCH_NAMES: &[(u32, &str)] = &[
    (0xc000_003e, "X86_64"),
    (0x4000_0003, "I386"),
    (0x4000_0028, "ARM"),
    (0xc000_00b7, "AARCH64"),
    (0xc000_0102, "LOONGARCH64"),
    (0x0000_0004, "M68K"),
    (0x0000_0008, "MIPS"),
    (0x4000_0008, "MIPSEL"),
    (0x8000_0008, "MIPS64"),
    (0xc000_0008, "MIPSEL64"),
    (0xa000_0008, "MIPS64N32"),
    (0xe000_0008, "MIPSEL64N32"),
    (0x0000_000f, "PARISC"),
    (0x8000_000f, "PARISC64"),
    (0x0000_0014, "PPC"),
    (0x8000_0015, "PPC64"),
    (0xc000_0015, "PPC64LE"),
    (0xc000_00f3, "RISCV64"),
    (0x0000_0016, "S390"),
    (0x8000_0016, "S390X"),
    (0x0000_002a, "SH"),
    (0x4000_002a, "SHEL"),
];

/// `ARCH_X86_64` for `0xc000003e`: the name of an `AUDIT_ARCH_*` value, as seccomp-tools writes it.
pub fn audit_arch_name(v: u32) -> Option<String> {
    AUDIT_ARCH_NAMES
        .iter()
        .find(|(a, _)| *a == v)
        .map(|(_, n)| format!("ARCH_{n}"))
}

/// The value of an `ARCH_X86_64`-style name (the inverse of [`audit_arch_name`]).
pub fn audit_arch_value(name: &str) -> Option<u32> {
    let n = name.strip_prefix("ARCH_")?;
    AUDIT_ARCH_NAMES
        .iter()
        .find(|(_, x)| *x == n)
        .map(|(v, _)| *v)
}

/// What A (or X) holds at an instruction, as far as straight-line tracking knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Val {
    Unknown,
    Const(u32),
    Data(Field),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Flow {
    a: Val,
    /// The `AUDIT_ARCH_*` value this path has established by `jeq`.
    arch: Option<u32>,
}

fn merge(into: &mut Option<Flow>, f: Flow) {
    *into = Some(match *into {
        None => f,
        Some(g) => Flow {
            a: if g.a == f.a { g.a } else { Val::Unknown },
            arch: if g.arch == f.arch { g.arch } else { None },
        },
    });
}

/// What A holds before each instruction (forward pass; jumps only go forward).
fn flow(prog: &[Insn], endian: Endian) -> Vec<Flow> {
    let n = prog.len();
    let unknown = Flow {
        a: Val::Unknown,
        arch: None,
    };
    let mut before: Vec<Option<Flow>> = vec![None; n + 1];
    if n > 0 {
        before[0] = Some(Flow {
            a: Val::Const(0),
            arch: None,
        });
    }
    let mut out = Vec::with_capacity(n);
    for (pc, i) in prog.iter().enumerate() {
        let f = before[pc].unwrap_or(unknown);
        out.push(f);
        let c = i.code;
        let mut after = f;
        let mut falls = true;
        match class(c) {
            BPF_LD => {
                after.a = match mode(c) {
                    BPF_ABS if size(c) == BPF_W => {
                        Field::at(i.k, endian).map_or(Val::Unknown, Val::Data)
                    }
                    BPF_IMM => Val::Const(i.k),
                    BPF_LEN => Val::Const(64),
                    _ => Val::Unknown,
                }
            }
            BPF_ALU => {
                after.a = match (f.a, src(c), op(c)) {
                    (Val::Const(a), BPF_K, o) => match o {
                        BPF_ADD => Val::Const(a.wrapping_add(i.k)),
                        BPF_SUB => Val::Const(a.wrapping_sub(i.k)),
                        BPF_AND => Val::Const(a & i.k),
                        BPF_OR => Val::Const(a | i.k),
                        BPF_XOR => Val::Const(a ^ i.k),
                        _ => Val::Unknown,
                    },
                    _ => Val::Unknown,
                }
            }
            BPF_MISC if miscop(c) == BPF_TXA => after.a = Val::Unknown,
            BPF_RET => falls = false,
            BPF_JMP => {
                falls = false;
                if op(c) == BPF_JA {
                    let t = pc as u64 + 1 + i.k as u64;
                    if t < n as u64 {
                        merge(&mut before[t as usize], f);
                    }
                } else {
                    let (t, fl) = (pc + 1 + i.jt as usize, pc + 1 + i.jf as usize);
                    let mut on_true = f;
                    if op(c) == BPF_JEQ && src(c) == BPF_K {
                        match f.a {
                            Val::Data(Field::Arch) => on_true.arch = Some(i.k),
                            Val::Data(_) | Val::Unknown => {}
                            Val::Const(_) => {}
                        }
                    }
                    if t < n {
                        merge(&mut before[t], on_true);
                    }
                    if fl < n {
                        merge(&mut before[fl], f);
                    }
                }
            }
            _ => {}
        }
        if falls {
            merge(&mut before[pc + 1], after);
        }
    }
    out
}

/// The `AUDIT_ARCH_*` value each instruction's path has established (as [`human`] names
/// syscall numbers by it).
pub(crate) fn arch_flow(prog: &[Insn], endian: Endian) -> Vec<Option<u32>> {
    flow(prog, endian).into_iter().map(|f| f.arch).collect()
}

/// One line of the human form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HumanLine {
    /// Instruction index.
    pub pc: usize,
    /// The instruction.
    pub insn: Insn,
    /// The statement (`if (A != openat) goto 0015`).
    pub text: String,
    /// A remark (`EPERM`, `not allowed in seccomp`), without the `# `.
    pub comment: Option<String>,
}

pub(crate) fn field_text(f: Field) -> String {
    match f {
        Field::Nr => "sys_number".into(),
        other => other.to_string(),
    }
}

fn hex(k: u32) -> String {
    format!("{k:#x}")
}

/// The ABI whose syscall names apply to a comparison of `nr` with `k`.
pub(crate) fn nr_arch(flow_arch: Option<u32>, given: Option<Arch>, k: u32) -> Option<Arch> {
    match flow_arch {
        Some(audit) => {
            let cands = Arch::from_audit_arch(audit);
            if let Some(g) = given.filter(|g| cands.contains(g)) {
                if audit == 0xc000_003e {
                    // x86_64 and x32 share AUDIT_ARCH_X86_64: bit 30 tells them apart.
                    return Some(if k & crate::arch::X32_SYSCALL_BIT != 0 {
                        Arch::X32
                    } else {
                        Arch::X86_64
                    });
                }
                return Some(g);
            }
            if audit == 0xc000_003e {
                return Some(if k & crate::arch::X32_SYSCALL_BIT != 0 {
                    Arch::X32
                } else {
                    Arch::X86_64
                });
            }
            cands.first().copied()
        }
        None => given,
    }
}

fn uses_generic_errno(arch: Option<Arch>) -> bool {
    !matches!(
        arch,
        Some(
            Arch::Mips
                | Arch::Mipsel
                | Arch::Mips64
                | Arch::Mipsel64
                | Arch::Mips64n32
                | Arch::Mipsel64n32
                | Arch::Parisc
                | Arch::Parisc64
        )
    )
}

/// Disassembles `prog` in the human form for a filter loaded on `arch` (`None`: byte order little
/// endian and no syscall names unless the program's own `arch` checks name the ABI).
pub fn human(prog: &[Insn], arch: Option<Arch>) -> Vec<HumanLine> {
    let endian = arch.map_or(Endian::Little, |a| a.endian());
    let flows = flow(prog, endian);
    prog.iter()
        .enumerate()
        .map(|(pc, &i)| {
            let (text, comment) = human_insn(pc, i, flows[pc], arch);
            HumanLine {
                pc,
                insn: i,
                text,
                comment,
            }
        })
        .collect()
}

fn human_insn(pc: usize, i: Insn, f: Flow, arch: Option<Arch>) -> (String, Option<String>) {
    let c = i.code;
    let k = i.k;
    let endian = arch.map_or(Endian::Little, |a| a.endian());
    let operand = |i: Insn| {
        if src(i.code) == BPF_X {
            "X".to_string()
        } else {
            hex(i.k)
        }
    };
    let not_seccomp = Some("not allowed in seccomp filters".to_string());
    let plain = || (plain_insn(i, pc, None), not_seccomp.clone());
    match class(c) {
        BPF_LD | BPF_LDX if !super::verify::classic_opcode_allowed(c) => {
            (plain_insn(i, pc, None), Some("unknown opcode".into()))
        }
        BPF_LD => match mode(c) {
            BPF_ABS if size(c) == BPF_W => match Field::at(k, endian) {
                Some(fl) => (format!("A = {}", field_text(fl)), None),
                None => (
                    format!("A = data[{k}]"),
                    Some("outside seccomp_data or unaligned".into()),
                ),
            },
            BPF_IMM => (format!("A = {}", hex(k)), None),
            BPF_LEN => ("A = 64".into(), Some("sizeof(seccomp_data)".into())),
            BPF_MEM => (format!("A = mem[{k}]"), None),
            _ => plain(),
        },
        BPF_LDX => match mode(c) {
            BPF_IMM => (format!("X = {}", hex(k)), None),
            BPF_LEN => ("X = 64".into(), Some("sizeof(seccomp_data)".into())),
            BPF_MEM => (format!("X = mem[{k}]"), None),
            _ => plain(),
        },
        BPF_ST if c == BPF_ST => (format!("mem[{k}] = A"), None),
        BPF_STX if c == BPF_STX => (format!("mem[{k}] = X"), None),
        BPF_ALU if super::verify::classic_opcode_allowed(c) => {
            let sym = match op(c) {
                BPF_ADD => "+=",
                BPF_SUB => "-=",
                BPF_MUL => "*=",
                BPF_DIV => "/=",
                BPF_OR => "|=",
                BPF_AND => "&=",
                BPF_LSH => "<<=",
                BPF_RSH => ">>=",
                BPF_XOR => "^=",
                BPF_MOD => "%=",
                _ => return ("A = -A".into(), None),
            };
            let cm = if op(c) == BPF_MOD {
                not_seccomp.clone()
            } else {
                None
            };
            (format!("A {sym} {}", operand(i)), cm)
        }
        BPF_RET if c == BPF_RET | BPF_A => ("return A".into(), None),
        BPF_RET if c == BPF_RET | BPF_K => {
            let act = Action::from_ret(k);
            let data = k & 0xffff;
            let comment = match act {
                Action::Errno(e) if uses_generic_errno(arch) => errno_name(e).map(str::to_string),
                Action::Allow
                | Action::Log
                | Action::UserNotif
                | Action::KillProcess
                | Action::KillThread
                    if data != 0 =>
                {
                    Some(format!("data {data:#x} ignored"))
                }
                Action::Unknown(_) => Some("unknown action: kills the process".into()),
                _ => None,
            };
            (format!("return {act}"), comment)
        }
        BPF_MISC if c == BPF_MISC | BPF_TAX => ("X = A".into(), None),
        BPF_MISC if c == BPF_MISC | BPF_TXA => ("A = X".into(), None),
        BPF_JMP if c == BPF_JMP | BPF_JA => (format!("goto {:04}", pc as u64 + 1 + k as u64), None),
        BPF_JMP if super::verify::is_cond_jump_code(c) => {
            // x32 numbers stay numbers (their name in a comment): x86_64 and x32 share
            // AUDIT_ARCH_X86_64 and most names, so a name alone would not say which number
            // it is, and the form is read back (`format::human`).
            let mut comment = None;
            let rhs = if src(c) == BPF_X {
                "X".to_string()
            } else {
                match f.a {
                    Val::Data(Field::Arch) => audit_arch_name(k).unwrap_or_else(|| hex(k)),
                    Val::Data(Field::Nr) if op(c) == BPF_JEQ => {
                        let abi = nr_arch(f.arch, arch, k);
                        match abi.and_then(|a| crate::syscalls::name(a, k)) {
                            Some(n) if abi == Some(Arch::X32) => {
                                comment = Some(format!("x32 {n}"));
                                hex(k)
                            }
                            Some(n) => n.to_string(),
                            None => hex(k),
                        }
                    }
                    _ => hex(k),
                }
            };
            let (pos, neg) = match op(c) {
                BPF_JEQ => (format!("A == {rhs}"), format!("A != {rhs}")),
                BPF_JGT => (format!("A > {rhs}"), format!("A <= {rhs}")),
                BPF_JGE => (format!("A >= {rhs}"), format!("A < {rhs}")),
                _ => (format!("A & {rhs}"), format!("!(A & {rhs})")),
            };
            let t = pc + 1 + i.jt as usize;
            let fl = pc + 1 + i.jf as usize;
            let text = if i.jf == 0 {
                format!("if ({pos}) goto {t:04}")
            } else if i.jt == 0 {
                format!("if ({neg}) goto {fl:04}")
            } else {
                format!("if ({pos}) goto {t:04} else goto {fl:04}")
            };
            (text, comment)
        }
        _ => (plain_insn(i, pc, None), Some("unknown opcode".into())),
    }
}

/// Options of [`human_text`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// Show the raw fields (`0x15 0x00 0x07 0xc000003e`) between the index and the statement.
    pub raw: bool,
}

/// The human form as text, one line per instruction, comments as `  # ...`.
pub fn human_text(prog: &[Insn], arch: Option<Arch>, opts: HumanOptions) -> String {
    let mut s = String::new();
    for l in human(prog, arch) {
        let _ = write!(s, " {:04}: ", l.pc);
        if opts.raw {
            let i = l.insn;
            let _ = write!(
                s,
                "{:#06x} {:#04x} {:#04x} {:#010x}  ",
                i.code, i.jt, i.jf, i.k
            );
        }
        s.push_str(&l.text);
        if let Some(c) = l.comment {
            let _ = write!(s, "  # {c}");
        }
        s.push('\n');
    }
    s
}

fn target_text(pc: usize, off: u64, len: Option<usize>) -> String {
    let t = pc as u64 + 1 + off;
    match len {
        Some(n) if t < n as u64 => format!("L{t}"),
        _ => format!("+{off}"),
    }
}

/// The plain mnemonic of one instruction at `pc` of a program of `len` instructions (labels
/// `L<pc>` for targets inside it, `+N` offsets otherwise; `len = None` always uses offsets).
/// Instructions a mnemonic cannot encode exactly come out as `raw code, jt, jf, k`.
pub fn plain_insn(i: Insn, pc: usize, len: Option<usize>) -> String {
    mnemonic(i, pc, len)
        .unwrap_or_else(|| format!("raw {:#06x}, {}, {}, {:#x}", i.code, i.jt, i.jf, i.k))
}

fn mnemonic(i: Insn, pc: usize, len: Option<usize>) -> Option<String> {
    let c = i.code;
    let k = i.k;
    let no_jumps = i.jt == 0 && i.jf == 0;
    let sz = |c: u16| match size(c) {
        BPF_W => Some(""),
        BPF_H => Some("h"),
        BPF_B => Some("b"),
        _ => None,
    };
    if !super::verify::classic_opcode_allowed(c) {
        return None;
    }
    if class(c) == BPF_JMP && op(c) != BPF_JA {
        let name = match op(c) {
            BPF_JEQ => "jeq",
            BPF_JGT => "jgt",
            BPF_JGE => "jge",
            _ => "jset",
        };
        let v = if src(c) == BPF_X {
            if k != 0 {
                return None;
            }
            "x".to_string()
        } else {
            format!("#{k:#x}")
        };
        return Some(format!(
            "{name} {v}, {}, {}",
            target_text(pc, i.jt as u64, len),
            target_text(pc, i.jf as u64, len)
        ));
    }
    if !no_jumps {
        return None;
    }
    let s = match class(c) {
        BPF_LD => match mode(c) {
            BPF_ABS => format!("ld{} [{k}]", sz(c)?),
            BPF_IND => format!("ld{} [x+{k}]", sz(c)?),
            BPF_IMM => format!("ld #{k:#x}"),
            BPF_MEM => format!("ld M[{k}]"),
            BPF_LEN if k == 0 => "ld #len".into(),
            _ => return None,
        },
        BPF_LDX => match mode(c) {
            BPF_IMM => format!("ldx #{k:#x}"),
            BPF_MEM => format!("ldx M[{k}]"),
            BPF_LEN if k == 0 => "ldx #len".into(),
            BPF_MSH => format!("ldxb 4*([{k}]&0xf)"),
            _ => return None,
        },
        BPF_ST => format!("st M[{k}]"),
        BPF_STX => format!("stx M[{k}]"),
        BPF_ALU => {
            let name = match op(c) {
                BPF_ADD => "add",
                BPF_SUB => "sub",
                BPF_MUL => "mul",
                BPF_DIV => "div",
                BPF_OR => "or",
                BPF_AND => "and",
                BPF_LSH => "lsh",
                BPF_RSH => "rsh",
                BPF_XOR => "xor",
                BPF_MOD => "mod",
                _ if k == 0 => return Some("neg".into()),
                _ => return None,
            };
            if src(c) == BPF_X {
                if k != 0 {
                    return None;
                }
                format!("{name} x")
            } else {
                format!("{name} #{k:#x}")
            }
        }
        BPF_JMP => format!("ja {}", target_text(pc, k as u64, len)),
        BPF_RET if rval(c) == BPF_A && k == 0 => "ret a".into(),
        BPF_RET if rval(c) == BPF_K => format!("ret #{k:#x}"),
        BPF_MISC if c == BPF_MISC | BPF_TAX && k == 0 => "tax".into(),
        BPF_MISC if c == BPF_MISC | BPF_TXA && k == 0 => "txa".into(),
        _ => return None,
    };
    Some(s)
}

/// The plain form of a whole program: a `L<pc>:` line before every instruction that is a jump
/// target, then the instructions indented by 4 spaces. [`crate::bpf::asm::assemble`] reads it
/// back to the same instructions.
///
/// Syntax (one instruction per line, `;` starts a comment, `name:` defines a label):
/// `ld [k]`/`ldh [k]`/`ldb [k]`, `ld [x+k]` (and h/b), `ld #k`, `ld M[k]`, `ld #len`,
/// `ldx #k`, `ldx M[k]`, `ldx #len`, `ldxb 4*([k]&0xf)`, `st M[k]`, `stx M[k]`,
/// `add|sub|mul|div|mod|and|or|xor|lsh|rsh #k` or `... x`, `neg`, `tax`, `txa`,
/// `ja T`, `jeq|jgt|jge|jset #k, T, F` or `... x, T, F` (targets: labels or `+N` offsets),
/// `ret #k`, `ret a`, and `raw code, jt, jf, k` for any instruction. Numbers are decimal or `0x` hex.
pub fn plain(prog: &[Insn]) -> String {
    let n = prog.len();
    let mut is_target = vec![false; n];
    for (pc, i) in prog.iter().enumerate() {
        if let Some(line) = mnemonic(*i, pc, Some(n)) {
            if class(i.code) == BPF_JMP {
                let offs: Vec<u64> = if op(i.code) == BPF_JA {
                    vec![i.k as u64]
                } else {
                    vec![i.jt as u64, i.jf as u64]
                };
                for o in offs {
                    let t = pc as u64 + 1 + o;
                    if t < n as u64 {
                        is_target[t as usize] = true;
                    }
                }
            }
            let _ = line;
        }
    }
    let mut s = String::new();
    for (pc, i) in prog.iter().enumerate() {
        if is_target[pc] {
            let _ = writeln!(s, "L{pc}:");
        }
        let _ = writeln!(s, "    {}", plain_insn(*i, pc, Some(n)));
    }
    s
}
