//! What [`analyze`](super::analyze) accepts: bounds on time and memory, and the rule trees
//! libseccomp 2.5.4 would loop on.

use crate::arch::Arch;
use crate::db::Database;
use crate::diag::Diagnostic;
use crate::resolve;

/// The largest profile text [`analyze`] reads (4 MiB, 200 times Docker's default): analysis
/// takes time and memory linear in the text (about 65 bytes of memory per byte of profile), so
/// this bounds both for the playground and the CLI.
pub const MAX_PROFILE_BYTES: usize = 4 << 20;

/// Most distinct rules with argument conditions one syscall may have. libseccomp's rule
/// database checks every new rule against the syscall's whole tree, so building it takes time
/// quadratic in them (100,000 distinct rules on one syscall: minutes); that many distinct rules
/// cannot fit the kernel's 4096 instructions anyway unless most of them cancel out. Repeated
/// identical rules cost nothing and are not counted. Docker's default profile has at most 3
/// per syscall.
pub const MAX_CONDITIONAL_RULES_PER_SYSCALL: usize = 4096;

/// The error for a policy with more than [`MAX_CONDITIONAL_RULES_PER_SYSCALL`] distinct
/// conditional rules on one syscall, located at the first rule over the limit.
pub fn rule_budget(policy: &resolve::Policy) -> Option<Diagnostic> {
    // A rule's action and conditions, field by field (no text formatting on this path).
    type Key = (u32, Vec<(u8, crate::profile::Op, u64, u64)>);
    let mut seen: std::collections::BTreeMap<&str, std::collections::BTreeSet<Key>> =
        Default::default();
    for r in policy.rules.iter().filter(|r| !r.conditions.is_empty()) {
        let set = seen.entry(r.syscall.as_str()).or_default();
        let conds = r.conditions.iter();
        set.insert((
            r.action,
            conds.map(|c| (c.arg, c.op, c.value, c.value_two)).collect(),
        ));
        if set.len() > MAX_CONDITIONAL_RULES_PER_SYSCALL {
            return Some(
                Diagnostic::error(
                    "too-many-rules",
                    format!(
                        "{} has more than {MAX_CONDITIONAL_RULES_PER_SYSCALL} distinct rules with argument conditions, the most seccplay accepts for one syscall: libseccomp needs time quadratic in them to build its rule database, and so many distinct rules cannot fit in the kernel's 4096 instructions",
                        r.syscall
                    ),
                )
                .at(Some(r.origin.location.clone())),
            );
        }
    }
    None
}

/// The first ABI whose rule tree has a cycle (following sibling, true and false links), as
/// libseccomp 2.5.4 builds for some pairs of rules on one syscall before it loops forever;
/// compiling such a tree would not terminate either. Linear in the nodes.
pub fn cyclic_rule_tree(db: &Database) -> Option<Arch> {
    for adb in &db.dbs {
        let n = adb.nodes.len();
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut color = vec![0u8; n];
        let succ = |i: usize| {
            let node = &adb.nodes[i];
            [node.next, node.nxt_t, node.nxt_f]
        };
        for root in 0..n {
            if color[root] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            color[root] = 1;
            while let Some(&mut (i, ref mut k)) = stack.last_mut() {
                if *k == 3 {
                    color[i] = 2;
                    stack.pop();
                    continue;
                }
                let next = succ(i)[*k];
                *k += 1;
                match next {
                    Some(j) if j < n && color[j] == 1 => return Some(adb.arch),
                    Some(j) if j < n && color[j] == 0 => {
                        color[j] = 1;
                        stack.push((j, 0));
                    }
                    _ => {}
                }
            }
        }
        // Walking back along a level must end too.
        let mut seen = vec![usize::MAX; n];
        for start in 0..n {
            let mut i = start;
            while let Some(p) = adb.nodes[i].prev {
                if p >= n || seen[p] == start {
                    return Some(adb.arch);
                }
                if seen[p] != usize::MAX {
                    break;
                }
                seen[p] = start;
                i = p;
            }
        }
    }
    None
}
