//! The order of a decompiled syscall's rules, chosen so that libseccomp builds them.
//!
//! A syscall's rules in a decompiled profile are disjoint (they come from the cases of one row),
//! so any order states the same decisions. libseccomp 2.5.4 does not accept every order:
//! merging some chains into a syscall's rule tree corrupts it into a cycle (and
//! `seccomp_rule_add` then loops forever), and a longer rule added before a shorter one on the
//! same path fails with EEXIST. The original profile got past both; its rules, rebuilt from the
//! filter, come in another shape.
//!
//! 1. The first order tried is the canonical one: fewer conditions first, then by rule.
//! 2. Each order is checked by building the syscall alone through the project's model of the
//!    runtime and libseccomp (`analysis::analyze`, the same database the round trip compiles),
//!    and by running the built program on every path witness of the syscall's rows (both the
//!    filter's and the built program's): libseccomp can also build overlapping or shadowed
//!    chains into a tree that decides otherwise.
//! 3. Failing that, other orders are tried (lexicographic permutations of the canonical order,
//!    at most [`MAX_ORDERS`]); the first one that builds and decides the same is kept.
//! 4. When none does, the caller reports the syscall as a gap with the reason: the first order
//!    that builds is stated anyway, or, when none builds, the syscall is left to the default.

use super::decompile::{render, Rule};
use super::sym::{data_of_words, ARCH, LIMITS, NR};
use super::{stack_paths, FilterAnalysis};
use crate::analysis::analyze;
use crate::arch::Arch;
use crate::bpf::interp;
use crate::context::Context;

/// The most orders of one syscall's rules tried before giving up on it.
pub const MAX_ORDERS: usize = 120;

/// The canonical order: fewer conditions first, then by rule.
pub fn canonical(rules: &mut [Rule]) {
    crate::sort::sort_by(rules, |a, b| (a.1.len(), a).cmp(&(b.1.len(), b)));
}

/// What a candidate order gives: libseccomp's refusal, or whether the program it builds decides
/// the syscall's row as the original filter does.
enum Outcome {
    Refused(String),
    Differs(String),
    Same,
}

/// What a check needs besides the rules: the profile's default and ABIs, the filter's analysis,
/// and the entries stated before the syscall's (socketcall's or ipc's own rules, for a
/// socket/ipc name: libseccomp adds the name's rules to their trees too).
#[derive(Clone, Copy)]
pub struct Check<'a> {
    /// The default action's value.
    pub default_ret: u32,
    /// The profile's ABIs.
    pub abis: &'a [Arch],
    /// The filter's analysis.
    pub an: &'a FilterAnalysis,
    /// Entries stated before.
    pub prefix: &'a [(Rule, Vec<&'static str>)],
}

/// Builds `rules` of `name` alone (the profile of that syscall only) and, unless `mux` (whose
/// rows also get the socket/ipc names' rules), compares the built program with the original
/// analysis on `name`'s rows: every path witness of the original row, and every path witness
/// of the built program's row, decided by both.
fn try_order(name: &'static str, rules: &[Rule], ctx: &Check, mux: bool) -> Outcome {
    let Check {
        default_ret,
        abis,
        an,
        prefix,
    } = *ctx;
    let mut entries: Vec<(Rule, Vec<&'static str>)> = prefix.to_vec();
    entries.extend(rules.iter().map(|r| (r.clone(), vec![name])));
    let text = render(default_ret, abis, &entries);
    let mut c = Context::docker(abis.first().copied().unwrap_or(Arch::X86_64));
    c.enosys_stub = false;
    let a = analyze(&text, &c);
    let Some(p) = a.program.as_ref() else {
        let why = a
            .first_error()
            .map_or_else(|| "no program".to_string(), |e| e.message.clone());
        return Outcome::Refused(why);
    };
    if mux {
        return Outcome::Same;
    }
    let mut budget = super::sym::TOTAL_STEPS;
    for r in an.all_rows() {
        let (Some(abi), Some(nr)) = (r.abi, r.nr) else {
            continue;
        };
        if r.name != Some(name) || !abis.contains(&abi) {
            continue;
        }
        let known = [(NR, nr), (ARCH, abi.audit_arch())];
        let Ok(new) = stack_paths(&[&p.insns], &known, &[], LIMITS, &mut budget) else {
            return Outcome::Differs("its rows are too complex to compare".into());
        };
        let witnesses = r.paths.iter().chain(new.iter()).filter_map(|q| q.witness);
        for w in witnesses {
            let want = r
                .paths
                .iter()
                .find(|q| q.atoms.iter().all(|x| x.eval(&w) == Some(true)))
                .and_then(|q| q.ret);
            let Some(want) = want else { continue };
            let d = data_of_words(&w, an.endian);
            let got = interp::run(&p.insns, &d, an.endian).ok();
            if got != Some(want) {
                return Outcome::Differs(format!(
                    "libseccomp builds its rules into a tree that returns {} instead of {} for {d:?}",
                    got.map_or("no value".into(), crate::analysis::describe_action),
                    crate::analysis::describe_action(want)
                ));
            }
        }
    }
    Outcome::Same
}

/// The next lexicographic permutation of `idx`; false after the last.
fn next_permutation(idx: &mut [usize]) -> bool {
    let n = idx.len();
    let Some(i) = (1..n).rev().find(|&i| idx[i - 1] < idx[i]) else {
        return false;
    };
    let j = (i..n).rev().find(|&j| idx[j] > idx[i - 1]).unwrap_or(i);
    idx.swap(i - 1, j);
    idx[i..].reverse();
    true
}

/// The rules of `name` (given in canonical order) in the first order that libseccomp builds
/// into a program deciding `name` as the filter `an` does. When no order does: the first order
/// that builds with why it differs, or no rules with why none builds.
pub fn choose(name: &'static str, rules: &[Rule], ctx: &Check) -> (Vec<Rule>, Option<String>) {
    let mux = matches!(name, "socketcall" | "ipc");
    let mut idx: Vec<usize> = (0..rules.len()).collect();
    let mut tried = 0;
    let mut first_refusal = None;
    let mut first_built: Option<(Vec<Rule>, String)> = None;
    loop {
        tried += 1;
        let order: Vec<Rule> = idx.iter().map(|&i| rules[i].clone()).collect();
        match try_order(name, &order, ctx, mux) {
            Outcome::Same => return (order, None),
            Outcome::Refused(why) => {
                first_refusal.get_or_insert(why);
            }
            Outcome::Differs(why) => {
                first_built.get_or_insert((order, why));
            }
        }
        if tried >= MAX_ORDERS || !next_permutation(&mut idx) {
            break;
        }
    }
    match (first_built, first_refusal) {
        (Some((order, why)), _) => (
            order,
            Some(format!(
                "{why} (in every one of the {tried} orders of its rules tried); the first order that builds is stated"
            )),
        ),
        (None, why) => (
            Vec::new(),
            Some(format!(
                "libseccomp cannot build its {} rules in any of the {tried} orders tried ({}); left to the default action",
                rules.len(),
                why.unwrap_or_default()
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_run_through_every_order_once() {
        let mut idx = vec![0, 1, 2, 3];
        let mut n = 1;
        while next_permutation(&mut idx) {
            n += 1;
        }
        assert_eq!(n, 24);
        assert_eq!(idx, vec![3, 2, 1, 0]);
    }
}
