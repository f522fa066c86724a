//! One word's simple atoms solved exactly: a value of the word satisfying every
//! `(word & mask) OP k` test of a path, or the proof that none does.
//!
//! 1. Atoms that all compare the whole word (no mask, no `jset`) allow an interval minus some
//!    points: intersected in time linear in the atoms.
//! 2. Otherwise a depth-first search over the word's bits, most significant first, prunes
//!    every subtree where some atom can no longer hold (`Simple::possible` is exact for one
//!    atom); it stops after [`SOLVE_BUDGET`] nodes with [`Solved::Unknown`].

use super::sym::Simple;
use crate::bpf::insn::*;

impl Simple {
    /// Whether some completion of the bits fixed in `v` (all bits outside `free`) can satisfy
    /// this atom; exact when `free == 0`, and exact for each single atom (the bounds used are
    /// reached).
    fn possible(&self, v: u32, free: u32) -> bool {
        let m = self.mask;
        let min = v & m & !free;
        let max = min | (m & free);
        let k = self.k;
        match (self.op, self.holds) {
            (BPF_JEQ, true) => k & !m == 0 && (k & !free) == min,
            (BPF_JEQ, false) => !(min == max && min == k),
            (BPF_JGT, true) => max > k,
            (BPF_JGT, false) => min <= k,
            (BPF_JGE, true) => max >= k,
            (BPF_JGE, false) => min < k,
            (_, true) => max & k != 0,
            (_, false) => min & k == 0,
        }
    }
}

/// Search budget of one [`solve_word`] call (nodes of the bit tree).
pub const SOLVE_BUDGET: usize = 1 << 16;

/// Solving one word's atoms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Solved {
    /// A value satisfying every atom.
    Value(u32),
    /// No value satisfies them.
    Unsat,
    /// The search budget ran out (treated as satisfiable).
    Unknown,
}

/// A value of one word satisfying every atom in `cs` (all on that word): depth-first over the
/// bits from the most significant, trying the bit `prefer(bit)` first, pruning subtrees where an
/// atom can no longer hold.
pub fn solve_word(cs: &[Simple], prefer: &mut dyn FnMut(u32) -> bool) -> Solved {
    if let Some(v) = solve_intervals(cs, prefer) {
        return v;
    }
    let mut budget = SOLVE_BUDGET;
    fn go(
        cs: &[Simple],
        bit: i32,
        v: u32,
        budget: &mut usize,
        prefer: &mut dyn FnMut(u32) -> bool,
    ) -> Option<Option<u32>> {
        let free = if bit < 0 {
            0
        } else {
            ((2u64 << bit) - 1) as u32
        };
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        if !cs.iter().all(|c| c.possible(v, free)) {
            return Some(None);
        }
        if bit < 0 {
            return Some(Some(v));
        }
        let b = 1u32 << bit;
        let first = prefer(bit as u32);
        for one in [first, !first] {
            let nv = if one { v | b } else { v };
            if let Some(r) = go(cs, bit - 1, nv, budget, prefer)? {
                return Some(Some(r));
            }
        }
        Some(None)
    }
    match go(cs, 31, 0, &mut budget, prefer) {
        None => Solved::Unknown,
        Some(None) => Solved::Unsat,
        Some(Some(v)) => Solved::Value(v),
    }
}

/// Atoms that all compare the whole word (no mask, no `jset`) allow a union of intervals:
/// intersected in time linear in the atoms (the bit search can take its whole budget on long
/// chains of range tests). `None` when some atom has another form.
fn solve_intervals(cs: &[Simple], prefer: &mut dyn FnMut(u32) -> bool) -> Option<Solved> {
    if cs.iter().any(|c| c.mask != u32::MAX || c.op == BPF_JSET) {
        return None;
    }
    // Allowed values: [lo, hi] minus the points some `!=` excludes.
    let (mut lo, mut hi) = (0u32, u32::MAX);
    let mut not: Vec<u32> = Vec::new();
    for c in cs {
        let k = c.k;
        let (l, h) = match (c.op, c.holds) {
            (BPF_JEQ, true) => (k, k),
            (BPF_JEQ, false) => {
                not.push(k);
                continue;
            }
            (BPF_JGT, true) if k == u32::MAX => return Some(Solved::Unsat),
            (BPF_JGT, true) => (k + 1, u32::MAX),
            (BPF_JGT, false) => (0, k),
            (BPF_JGE, true) => (k, u32::MAX),
            (_, _) if k == 0 => return Some(Solved::Unsat),
            (_, _) => (0, k - 1),
        };
        lo = lo.max(l);
        hi = hi.min(h);
        if lo > hi {
            return Some(Solved::Unsat);
        }
    }
    crate::sort::sort(&mut not);
    not.dedup();
    let excluded = not.iter().filter(|&&v| v >= lo && v <= hi).count() as u64;
    if excluded > (hi - lo) as u64 {
        return Some(Solved::Unsat);
    }
    // The lowest or (by `prefer`) the highest allowed value.
    let value = if prefer(31) {
        (lo..=hi).rev().find(|v| not.binary_search(v).is_err())
    } else {
        (lo..=hi).find(|v| not.binary_search(v).is_err())
    };
    Some(value.map_or(Solved::Unsat, Solved::Value))
}
