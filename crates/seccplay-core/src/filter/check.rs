//! The analysis checked against the interpreter, for tests and fuzz targets.
//!
//! 1. [`paths`]: every path's witness satisfies the path's atoms and runs, in the interpreter,
//!    to the path's result.
//! 2. [`inputs`]: for random inputs of every ABI value, exactly one path of the input's row
//!    holds, and its result is the interpreter's.

use super::sym::{data_of_words, End};
use super::{FilterAnalysis, StackPath, Verdict};
use crate::bpf::{interp, Insn, SeccompData};
use crate::invariants::Rng;

fn run(stack: &[&[Insn]], d: &SeccompData, an: &FilterAnalysis) -> Result<u32, String> {
    let r = if stack.len() == 1 {
        interp::run(stack[0], d, an.endian)
    } else {
        interp::run_stack(stack, d, an.endian)
    };
    r.map_err(|e| e.to_string())
}

/// Checks every path with a witness; returns (paths checked, paths without a witness).
pub fn paths(stack: &[&[Insn]], an: &FilterAnalysis) -> Result<(usize, usize), String> {
    let (mut ok, mut unproven) = (0, 0);
    for r in an.all_rows() {
        for p in &r.paths {
            let Some(w) = p.witness else {
                unproven += 1;
                continue;
            };
            let d = data_of_words(&w, an.endian);
            end_sites(stack, p)?;
            if let Some(a) = p.atoms.iter().find(|a| a.eval(&w) != Some(true)) {
                return Err(format!("the witness {d:?} breaks {a:?}"));
            }
            let got = run(stack, &d, an);
            let want = match (&p.ret, &p.ends[..]) {
                (Some(r), _) => Some(*r),
                (None, [End::Ret(e)]) => e.eval(&w),
                _ => None,
            };
            match want {
                Some(v) if got != Ok(v) => {
                    return Err(format!(
                        "path {:?} says {v:#x}, the interpreter {got:?} on {d:?}",
                        p.atoms
                    ))
                }
                None if got.is_ok() && p.ret.is_none() && stack.len() == 1 => {
                    return Err(format!(
                        "path ends in an error, the interpreter {got:?} on {d:?}"
                    ))
                }
                _ => {}
            }
            ok += 1;
        }
    }
    Ok((ok, unproven))
}

/// Each filter's end instruction (`StackPath::end_pcs`) is where its end says: a `ret #k`
/// for a constant `k`, `ret a` for a computed value, or a `div x` for the 0 of a division by
/// zero.
fn end_sites(stack: &[&[Insn]], p: &StackPath) -> Result<(), String> {
    use crate::bpf::insn::*;
    if p.end_pcs.len() != stack.len() {
        return Err(format!(
            "{} end sites for {} filters",
            p.end_pcs.len(),
            stack.len()
        ));
    }
    for ((prog, &pc), end) in stack.iter().zip(&p.end_pcs).zip(&p.ends) {
        let Some(i) = prog.get(pc) else {
            return Err(format!("end site {pc} is outside the program"));
        };
        let ok = match end {
            End::Ret(super::sym::Expr::Const(k)) => {
                (i.code == BPF_RET | BPF_K && i.k == *k)
                    || (*k == 0 && i.code == BPF_ALU | BPF_DIV | BPF_X)
                    || i.code == BPF_RET | BPF_A
            }
            End::Ret(_) => i.code == BPF_RET | BPF_A,
            End::Error(_) => true,
        };
        if !ok {
            return Err(format!(
                "path ends in {end:?}, but instruction {pc} is {i:?}"
            ));
        }
    }
    Ok(())
}

/// One random argument: half the time a value near a word boundary (0, 1, 2, 2³²−1, 2³², 2⁶⁴−1,
/// 2²⁸, each with its low two bits perturbed), else any 64-bit value.
pub fn random_arg(rng: &mut Rng) -> u64 {
    const NEAR: [u64; 7] = [0, 1, 2, 0xffff_ffff, 0x1_0000_0000, u64::MAX, 0x1000_0000];
    if rng.chance(50) {
        *rng.pick(&NEAR) ^ rng.below(3)
    } else {
        rng.next_u64()
    }
}

/// Runs `n` random inputs (see the module docs).
pub fn inputs(stack: &[&[Insn]], an: &FilterAnalysis, seed: u64, n: usize) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    for _ in 0..n {
        let Some(ar) = an
            .arches
            .get(rng.below(an.arches.len().max(1) as u64) as usize)
        else {
            return Ok(());
        };
        let row = if rng.chance(10) || ar.rows.is_empty() {
            &ar.other_numbers
        } else {
            &ar.rows[rng.below(ar.rows.len() as u64) as usize]
        };
        if matches!(row.verdict, Verdict::TooComplex { .. }) {
            continue;
        }
        let nr = match row.nr {
            Some(nr) => nr,
            None => {
                let v = 0x7fff_0000 | rng.below(1000) as u32;
                if ar.rows.iter().any(|r| r.nr == Some(v)) {
                    continue;
                }
                v
            }
        };
        let mut d = SeccompData::new(nr, ar.audit_arch, [0; 6]);
        for a in d.args.iter_mut() {
            *a = random_arg(&mut rng);
        }
        d.instruction_pointer = rng.next_u64();
        let w = d.words(an.endian);
        let hits: Vec<&StackPath> = row
            .paths
            .iter()
            .filter(|p| p.atoms.iter().all(|a| a.eval(&w) == Some(true)))
            .collect();
        if hits.len() != 1 {
            return Err(format!("{d:?}: {} paths hold, not one", hits.len()));
        }
        let got = run(stack, &d, an).ok();
        if let Some(r) = hits[0].ret {
            let want = r;
            if got != Some(want) {
                return Err(format!(
                    "{d:?}: the path says {want:#x}, the interpreter {got:?}"
                ));
            }
        }
    }
    Ok(())
}
