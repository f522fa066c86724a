//! Symbolic execution of a classic BPF seccomp program.
//!
//! The program reads sixteen 32-bit words of `seccomp_data` (`nr`, `arch`, two words of the
//! instruction pointer, two words of each argument). Some words may be given concrete values
//! (the analysis fixes `nr` and `arch` per row); the others are symbols. A, X and the scratch
//! cells hold expressions ([`Expr`]) over those symbols, and every conditional jump whose
//! outcome depends on a symbol forks the path, adding an [`Atom`] to each side.
//!
//! 1. Expressions fold constants as the interpreter computes them (32-bit wrapping, shifts by
//!    `X & 31`), and `(w & m1) & m2` becomes `w & (m1 & m2)`, so the usual loads and masks stay
//!    in the simple form `word & mask` the solver reasons about exactly.
//! 2. A path is kept only when its atoms can hold together: simple atoms of each word are
//!    solved exactly by [`solve_word`] (a search over the word's bits, most significant first,
//!    pruned by the range each atom still allows). Atoms over computed values (ALU on symbols,
//!    comparisons of two symbols) are checked on witnesses; a path whose computed atoms no
//!    witness satisfies is kept and marked unproven, never dropped.
//! 3. `div x` forks on `X == 0` (the kernel's program returns 0 there).
//! 4. Work is bounded by [`Limits`]: past the number of paths or executed instructions the
//!    exploration stops with a [`LimitError`] naming the instruction where it was.

use crate::arch::Endian;
use crate::bpf::data::SeccompData;
use crate::bpf::data::{Field, Half};
use crate::bpf::insn::*;
use crate::bpf::interp::{RunError, RunErrorKind};
use crate::invariants::Rng;
use std::fmt;
use std::rc::Rc;

/// Index of the `nr` word.
pub const NR: u8 = 0;
/// Index of the `arch` word.
pub const ARCH: u8 = 1;

/// A 32-bit value computed by the program from `seccomp_data` words.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expr {
    /// A constant.
    Const(u32),
    /// The word at offset `4 * i` of `seccomp_data`.
    Word(u8),
    /// `lhs OP rhs` for an ALU op (`BPF_ADD` ... `BPF_XOR`).
    Alu(u16, Rc<Expr>, Rc<Expr>),
    /// `-e`.
    Neg(Rc<Expr>),
}

impl Expr {
    /// The value for concrete words (`None` for a division by 0).
    pub fn eval(&self, w: &[u32; 16]) -> Option<u32> {
        Some(match self {
            Expr::Const(c) => *c,
            Expr::Word(i) => w[*i as usize],
            Expr::Neg(e) => e.eval(w)?.wrapping_neg(),
            Expr::Alu(op, l, r) => alu(*op, l.eval(w)?, r.eval(w)?)?,
        })
    }

    /// The constant, if this is one.
    pub fn konst(&self) -> Option<u32> {
        match self {
            Expr::Const(c) => Some(*c),
            _ => None,
        }
    }

    /// `(word, mask)` when this is `word` or `word & mask`.
    pub fn masked_word(&self) -> Option<(u8, u32)> {
        match self {
            Expr::Word(i) => Some((*i, u32::MAX)),
            Expr::Alu(BPF_AND, l, r) => match (&**l, &**r) {
                (Expr::Word(i), Expr::Const(m)) => Some((*i, *m)),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every word this expression reads, as a bit set.
    pub fn words(&self) -> u16 {
        match self {
            Expr::Const(_) => 0,
            Expr::Word(i) => 1 << i,
            Expr::Neg(e) => e.words(),
            Expr::Alu(_, l, r) => l.words() | r.words(),
        }
    }

    fn binary(op: u16, l: &Expr, r: &Expr) -> Expr {
        if let (Some(a), Some(b)) = (l.konst(), r.konst()) {
            if let Some(v) = alu(op, a, b) {
                return Expr::Const(v);
            }
        }
        match (op, l, r) {
            (BPF_AND, _, Expr::Const(0)) | (BPF_MUL, _, Expr::Const(0)) => Expr::Const(0),
            (BPF_AND, e, Expr::Const(u32::MAX))
            | (BPF_OR | BPF_XOR | BPF_ADD | BPF_SUB | BPF_LSH | BPF_RSH, e, Expr::Const(0)) => {
                e.clone()
            }
            (BPF_AND, Expr::Alu(BPF_AND, a, b), Expr::Const(m)) if b.konst().is_some() => {
                let m2 = b.konst().unwrap_or(0) & m;
                Expr::binary(BPF_AND, a, &Expr::Const(m2))
            }
            _ => Expr::Alu(op, Rc::new(l.clone()), Rc::new(r.clone())),
        }
    }
}

/// The interpreter's ALU (`None` for a division by 0).
fn alu(op: u16, a: u32, b: u32) -> Option<u32> {
    Some(match op {
        BPF_ADD => a.wrapping_add(b),
        BPF_SUB => a.wrapping_sub(b),
        BPF_MUL => a.wrapping_mul(b),
        BPF_DIV => a.checked_div(b)?,
        BPF_AND => a & b,
        BPF_OR => a | b,
        BPF_XOR => a ^ b,
        BPF_LSH => a << (b & 31),
        _ => a >> (b & 31),
    })
}

/// One branch decision: `lhs OP rhs` is `holds` (OP is `BPF_JEQ`, `BPF_JGT`, `BPF_JGE` or
/// `BPF_JSET`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Atom {
    /// The compared value (A).
    pub lhs: Expr,
    /// The jump op.
    pub op: u16,
    /// What A is compared with (`k` or X).
    pub rhs: Expr,
    /// Whether the comparison is true on this path.
    pub holds: bool,
}

/// A simple atom: `(word & mask) OP k` is `holds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Simple {
    /// Word index.
    pub word: u8,
    /// Mask (all ones when none).
    pub mask: u32,
    /// Jump op.
    pub op: u16,
    /// Constant compared with.
    pub k: u32,
    /// Truth on this path.
    pub holds: bool,
}

impl Atom {
    /// The atom on concrete words (`None` on a division by 0 inside).
    pub fn eval(&self, w: &[u32; 16]) -> Option<bool> {
        Some(cmp(self.op, self.lhs.eval(w)?, self.rhs.eval(w)?) == self.holds)
    }

    /// This atom as `(word & mask) OP k`, when it has that form.
    pub fn simple(&self) -> Option<Simple> {
        let (word, mask) = self.lhs.masked_word()?;
        let k = self.rhs.konst()?;
        Some(Simple {
            word,
            mask,
            op: self.op,
            k,
            holds: self.holds,
        })
    }
}

fn cmp(op: u16, a: u32, b: u32) -> bool {
    match op {
        BPF_JEQ => a == b,
        BPF_JGT => a > b,
        BPF_JGE => a >= b,
        _ => a & b != 0,
    }
}

pub use super::solve::{solve_word, Solved, SOLVE_BUDGET};

/// Whether the atoms can hold together, and a witness when one was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Feasible {
    /// These words satisfy every atom.
    Witness([u32; 16]),
    /// Proven impossible (the simple atoms of one word contradict each other).
    No,
    /// Not decided: the simple atoms are satisfiable but no witness for the computed ones was
    /// found (or a search ran out of budget).
    Unproven,
}

/// Decides whether `atoms` can hold together (see the module docs); `rng` varies witnesses.
pub fn feasible(atoms: &[Atom], rng: &mut Rng, tries: usize) -> Feasible {
    let mut per_word: [Vec<Simple>; 16] = Default::default();
    let mut complex = Vec::new();
    for a in atoms {
        match a.simple() {
            Some(s) => per_word[s.word as usize].push(s),
            None => complex.push(a),
        }
    }
    // Values that make an equality on an invertible computation of one word true.
    let mut hint: [Option<u32>; 16] = [None; 16];
    for a in &complex {
        if let (BPF_JEQ, true, Some(k)) = (a.op, a.holds, a.rhs.konst()) {
            if let Some((w, v)) = invert(&a.lhs, k) {
                hint[w as usize] = Some(v);
            }
        }
    }
    let mut unknown = false;
    for attempt in 0..tries.max(1) {
        let mut w = [0u32; 16];
        for (i, cs) in per_word.iter().enumerate() {
            if cs.is_empty() {
                w[i] = match (attempt, hint[i]) {
                    (0, Some(h)) => h,
                    (0, None) => 0,
                    _ => rng.next_u64() as u32,
                };
                continue;
            }
            let mut pref = |_b: u32| attempt != 0 && rng.chance(50);
            match solve_word(cs, &mut pref) {
                Solved::Value(v) => w[i] = v,
                Solved::Unsat => return Feasible::No,
                Solved::Unknown => unknown = true,
            }
        }
        if !unknown && complex.iter().all(|a| a.eval(&w) == Some(true)) {
            return Feasible::Witness(w);
        }
        if complex.is_empty() {
            break;
        }
    }
    Feasible::Unproven
}

/// The word and its value for which `e == k`, when `e` is a chain of invertible operations
/// (add, sub, xor with constants, negation) on one word.
fn invert(e: &Expr, k: u32) -> Option<(u8, u32)> {
    match e {
        Expr::Word(i) => Some((*i, k)),
        Expr::Neg(x) => invert(x, k.wrapping_neg()),
        Expr::Alu(op, l, r) => {
            let c = r.konst()?;
            let inner = match *op {
                BPF_ADD => k.wrapping_sub(c),
                BPF_SUB => k.wrapping_add(c),
                BPF_XOR => k ^ c,
                _ => return None,
            };
            invert(l, inner)
        }
        Expr::Const(_) => None,
    }
}

/// What a path ends in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// `ret` of this value (`ret #k`, or `ret a` with A's expression).
    Ret(Expr),
    /// The program stops without a verdict (the verifier rejects such programs).
    Error(RunError),
}

/// One path through the program: its atoms, how it ends, and a witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// The branch decisions, in execution order.
    pub atoms: Vec<Atom>,
    /// How the path ends.
    pub end: End,
    /// The instruction the path ends at.
    pub end_pc: usize,
    /// Words satisfying every atom, when found (absent for unproven paths).
    pub witness: Option<[u32; 16]>,
}

/// Bounds of one exploration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most paths.
    pub max_paths: usize,
    /// Most instructions executed over all paths.
    pub max_steps: usize,
}

/// The default bounds per row: 4096 paths and 2^16 executed instructions.
pub const LIMITS: Limits = Limits {
    max_paths: 4096,
    max_steps: 1 << 16,
};

/// A conditional jump that forks a path counts as `1 + atoms / FORK_COST_DIVISOR` executed
/// instructions (copying the path and checking its atoms is work linear in them).
pub const FORK_COST_DIVISOR: usize = 8;

/// The default bound of a whole analysis: 2^20 executed instructions over all rows.
pub const TOTAL_STEPS: usize = 1 << 20;

/// An exploration stopped at a bound.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LimitError {
    /// The instruction being executed when the bound was reached.
    pub pc: usize,
    /// Which bound, in words.
    pub what: String,
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "instruction {:04}: {}", self.pc, self.what)
    }
}

#[derive(Clone)]
struct State {
    pc: usize,
    a: Expr,
    x: Expr,
    mem: [Expr; 16],
    atoms: Vec<Atom>,
}

/// Explores every feasible path of `prog` where the words in `known` have those values and
/// the atoms `pre` hold; `endian` says which word of a 64-bit field an offset names (only for
/// error messages here). Paths come in a fixed order (true branch first).
pub fn explore(
    prog: &[Insn],
    known: &[(u8, u32)],
    pre: &[Atom],
    limits: Limits,
    total: &mut usize,
) -> Result<Vec<Path>, LimitError> {
    let mut rng = Rng::new(0x5eed);
    let mut words: [Option<u32>; 16] = [None; 16];
    for &(i, v) in known {
        words[i as usize] = Some(v);
    }
    let word = |i: u8| words[i as usize].map_or(Expr::Word(i), Expr::Const);
    let mut out = Vec::new();
    let mut stack = vec![State {
        pc: 0,
        a: Expr::Const(0),
        x: Expr::Const(0),
        mem: std::array::from_fn(|_| Expr::Const(0)),
        atoms: pre.to_vec(),
    }];
    let mut steps = 0usize;
    let n = prog.len();
    let finish = |s: State, end: End, out: &mut Vec<Path>, rng: &mut Rng| {
        let witness = match feasible(&s.atoms, rng, 16) {
            Feasible::Witness(mut w) => {
                for &(i, v) in known {
                    w[i as usize] = v;
                }
                Some(w)
            }
            _ => None,
        };
        let atoms = s.atoms[pre.len()..].to_vec();
        out.push(Path {
            atoms,
            end,
            end_pc: s.pc,
            witness,
        });
    };
    if n == 0 {
        return Ok(vec![Path {
            atoms: vec![],
            end: End::Error(RunError {
                pc: 0,
                kind: RunErrorKind::Empty,
            }),
            end_pc: 0,
            witness: None,
        }]);
    }
    while let Some(mut s) = stack.pop() {
        loop {
            if out.len() + stack.len() >= limits.max_paths {
                return Err(LimitError {
                    pc: s.pc,
                    what: format!(
                        "more than {} paths for one query: the analysis stops here",
                        limits.max_paths
                    ),
                });
            }
            steps += 1;
            if *total == 0 {
                return Err(LimitError {
                    pc: s.pc,
                    what: "the analysis' budget of executed instructions (all rows together) is spent: this row is not analysed".into(),
                });
            }
            *total -= 1;
            if steps > limits.max_steps {
                return Err(LimitError {
                    pc: s.pc,
                    what: format!(
                        "more than {} instructions executed over all paths: the analysis stops here",
                        limits.max_steps
                    ),
                });
            }
            if s.pc >= n {
                let pc = n;
                finish(
                    s,
                    End::Error(RunError {
                        pc,
                        kind: RunErrorKind::FellOffEnd,
                    }),
                    &mut out,
                    &mut rng,
                );
                break;
            }
            let pc = s.pc;
            let i = prog[pc];
            let c = i.code;
            let k = i.k;
            let err = |kind| End::Error(RunError { pc, kind });
            let src_v = |s: &State| {
                if src(c) == BPF_X {
                    s.x.clone()
                } else {
                    Expr::Const(k)
                }
            };
            // `div x` with a symbolic X: the path where X == 0 returns 0 here.
            if let Some(f) = div_fork(&mut s, prog) {
                if feasible_prefix(&f.atoms) {
                    finish(f, End::Ret(Expr::Const(0)), &mut out, &mut rng);
                }
                if !feasible_prefix(&s.atoms) {
                    break;
                }
            }
            match class(c) {
                BPF_RET if c == BPF_RET | BPF_K || c == BPF_RET | BPF_A => {
                    let v = if c == BPF_RET | BPF_K {
                        Expr::Const(k)
                    } else {
                        s.a.clone()
                    };
                    finish(s, End::Ret(v), &mut out, &mut rng);
                    break;
                }
                BPF_JMP if op(c) == BPF_JA && c == BPF_JMP | BPF_JA => {
                    let t = pc as u64 + 1 + k as u64;
                    if t >= n as u64 {
                        finish(
                            s,
                            err(RunErrorKind::JumpOutOfRange { target: t }),
                            &mut out,
                            &mut rng,
                        );
                        break;
                    }
                    s.pc = t as usize;
                }
                BPF_JMP if crate::bpf::verify::is_cond_jump_code(c) => {
                    let rhs = src_v(&s);
                    let tt = pc + 1 + i.jt as usize;
                    let tf = pc + 1 + i.jf as usize;
                    if tt == tf {
                        s.pc = tt;
                        continue;
                    }
                    if let (Some(a), Some(b)) = (s.a.konst(), rhs.konst()) {
                        let t = if cmp(op(c), a, b) { tt } else { tf };
                        if t >= n {
                            let e = err(RunErrorKind::JumpOutOfRange { target: t as u64 });
                            finish(s, e, &mut out, &mut rng);
                            break;
                        }
                        s.pc = t;
                        continue;
                    }
                    // A fork copies the path and checks its atoms: it counts as many more
                    // steps as the path has atoms / 8, so long chains stop in bounded time.
                    let cost = s.atoms.len() / FORK_COST_DIVISOR;
                    steps += cost;
                    *total = total.saturating_sub(cost);
                    let mut sides = Vec::new();
                    for (holds, t) in [(false, tf), (true, tt)] {
                        let atom = Atom {
                            lhs: s.a.clone(),
                            op: op(c),
                            rhs: rhs.clone(),
                            holds,
                        };
                        let mut ns = s.clone();
                        ns.atoms.push(atom);
                        if feasible_prefix(&ns.atoms) {
                            ns.pc = t;
                            sides.push(ns);
                        }
                    }
                    // Push the false side first so the true side is explored first.
                    let Some(first) = sides.pop() else { break };
                    stack.extend(sides);
                    s = first;
                }
                _ => match step(&mut s, i, &word) {
                    Ok(()) => s.pc = pc + 1,
                    Err(e) => {
                        finish(s, e, &mut out, &mut rng);
                        break;
                    }
                },
            }
        }
    }
    Ok(out)
}

/// Before executing `div x` with a symbolic X: splits off the path where X == 0 (which returns
/// 0) and adds X != 0 to `s`.
fn div_fork(s: &mut State, prog: &[Insn]) -> Option<State> {
    let i = prog.get(s.pc)?;
    if i.code != BPF_ALU | BPF_DIV | BPF_X || s.x.konst().is_some() {
        return None;
    }
    let zero = |holds| Atom {
        lhs: s.x.clone(),
        op: BPF_JEQ,
        rhs: Expr::Const(0),
        holds,
    };
    let mut f = s.clone();
    f.atoms.push(zero(true));
    s.atoms.push(zero(false));
    Some(f)
}

/// Feasibility used while exploring: only the simple atoms are decided (computed atoms are
/// checked when the path ends).
fn feasible_prefix(atoms: &[Atom]) -> bool {
    let Some(last) = atoms.last() else {
        return true;
    };
    let Some(ls) = last.simple() else { return true };
    let cs: Vec<Simple> = atoms
        .iter()
        .filter_map(Atom::simple)
        .filter(|s| s.word == ls.word)
        .collect();
    solve_word(&cs, &mut |_| false) != Solved::Unsat
}

/// Executes one non-jump, non-ret instruction on symbolic state.
fn step(s: &mut State, i: Insn, word: &dyn Fn(u8) -> Expr) -> Result<(), End> {
    let c = i.code;
    let k = i.k;
    let pc = s.pc;
    let err = |kind| Err(End::Error(RunError { pc, kind }));
    let v = if src(c) == BPF_X {
        s.x.clone()
    } else {
        Expr::Const(k)
    };
    match c {
        _ if c == BPF_LD | BPF_W | BPF_ABS => {
            if k >= 64 || k % 4 != 0 {
                return err(RunErrorKind::BadLoad { offset: k });
            }
            s.a = word((k / 4) as u8);
        }
        _ if c == BPF_LD | BPF_IMM => s.a = Expr::Const(k),
        _ if c == BPF_LDX | BPF_IMM => s.x = Expr::Const(k),
        _ if c == BPF_LD | BPF_W | BPF_LEN => s.a = Expr::Const(64),
        _ if c == BPF_LDX | BPF_W | BPF_LEN => s.x = Expr::Const(64),
        _ if c == BPF_MISC | BPF_TAX => s.x = s.a.clone(),
        _ if c == BPF_MISC | BPF_TXA => s.a = s.x.clone(),
        _ if c == BPF_LD | BPF_MEM || c == BPF_LDX | BPF_MEM || c == BPF_ST || c == BPF_STX => {
            if k >= 16 {
                return err(RunErrorKind::BadMemIndex { index: k });
            }
            let m = k as usize;
            match c {
                _ if c == BPF_LD | BPF_MEM => s.a = s.mem[m].clone(),
                _ if c == BPF_LDX | BPF_MEM => s.x = s.mem[m].clone(),
                _ if c == BPF_ST => s.mem[m] = s.a.clone(),
                _ => s.mem[m] = s.x.clone(),
            }
        }
        _ if c == BPF_ALU | BPF_NEG => {
            s.a = match s.a.konst() {
                Some(a) => Expr::Const(a.wrapping_neg()),
                None => Expr::Neg(Rc::new(s.a.clone())),
            }
        }
        _ if class(c) == BPF_ALU && crate::bpf::verify::seccomp_opcode_allowed(c) => {
            let o = op(c);
            if src(c) == BPF_K && o == BPF_DIV && k == 0 {
                return err(RunErrorKind::DivByZeroConst);
            }
            if src(c) == BPF_K && (o == BPF_LSH || o == BPF_RSH) && k >= 32 {
                return err(RunErrorKind::ShiftTooLarge { k });
            }
            if o == BPF_DIV && v.konst() == Some(0) {
                // Concrete X == 0: the program returns 0.
                return Err(End::Ret(Expr::Const(0)));
            }
            s.a = Expr::binary(o, &s.a, &v);
        }
        _ => return err(RunErrorKind::UnsupportedOpcode { code: c }),
    }
    Ok(())
}

/// The `seccomp_data` whose words (as the program loads them in byte order `endian`) are `w`.
pub fn data_of_words(w: &[u32; 16], endian: Endian) -> SeccompData {
    let mut d = SeccompData::default();
    for (i, &v) in w.iter().enumerate() {
        let set = |slot: &mut u64, h: Half| match h {
            Half::Low => *slot = (*slot & !0xffff_ffff) | v as u64,
            Half::High => *slot = (*slot & 0xffff_ffff) | (v as u64) << 32,
        };
        match Field::at(4 * i as u32, endian) {
            Some(Field::Nr) => d.nr = v,
            Some(Field::Arch) => d.arch = v,
            Some(Field::InstructionPointer(h)) => set(&mut d.instruction_pointer, h),
            Some(Field::Arg(a, h)) => set(&mut d.args[a as usize], h),
            None => {}
        }
    }
    d
}
