//! The compiler: rule database → classic BPF. Like Chromium's `policy_compiler.cc` apart from
//! `codegen.cc`, this file decides what to emit and the submodules plan and lay it out:
//! `search.rs` plans the syscall-number search, `args.rs` compiles argument rules, `graph.rs`
//! holds the shared node graph and lays it out as instructions.
//!
//! The program dispatches on the ABI, then on the syscall number, then on the arguments:
//! 1. ABIs ([`compile`]): one `jeq` per ABI group (x86_64 and x32 share AUDIT_ARCH_X86_64),
//!    in filter order; any other ABI gets the bad-arch action:
//!    ```text
//!    ld  [4]                          ; seccomp_data.arch
//!    jeq #AUDIT_ARCH_X86_64, block0
//!    jeq #AUDIT_ARCH_I386, block1
//!    ret #badarch
//!    ```
//! 2. Outcomes ([`group_ranges`]): a block's syscall numbers fall into ranges of one outcome
//!    each, an action or an argument tree. runc's ENOSYS stub and the bad-arch check of x32
//!    numbers are folded into the ranges.
//! 3. Numbers ([`compile_group`], `search.rs`): the block loads the number once (`ld [0]`) and
//!    finds its range by a weighted search of `jge` splits and `jeq` leaves. It minimises the
//!    expected comparisons when every native number is equally likely, then is rebalanced so
//!    that the usual call (zero arguments) of every native syscall fits in [`MAX_USUAL_PATH`]
//!    instructions. x32's numbers are searched apart and hang off x86_64's search as one range.
//! 4. Arguments (`args.rs`): a range whose syscall has argument rules continues into code
//!    specialised from the database's decision DAG. No comparison is repeated, so libseccomp's
//!    flaw (seccomp-semantics.md §2.8) cannot happen.
//! 5. Layout (`graph.rs`): identical nodes are shared; every action is one `ret` where jumps
//!    reach it and a local copy where they would not.
//!
//! Decisions equal [`crate::eval::decide`] for every input (property and differential tests).

mod args;
mod graph;
mod search;

use crate::arch::{Arch, X32_SYSCALL_BIT};
use crate::bpf::insn::*;
use crate::db::{ArchDb, Database};
use crate::eval::select;
use graph::{GNode, Graph};
#[cfg(test)]
use search::LEAF;
use search::{DpTables, NumberModel, SearchPlan, MAX_USUAL_PATH, SCRATCH};
use std::collections::BTreeMap;

/// Why a database could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CompileError {}

/// A compiled program with the ABI whose byte order it uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compiled {
    /// The instructions.
    pub insns: Vec<Insn>,
    /// The native ABI (first in the filter): byte order of `seccomp_data` and of the encoding.
    pub arch: Arch,
}

/// Compiles a database. Programs longer than the kernel's 4096 instructions are an error.
pub fn compile(db: &Database) -> Result<Compiled, CompileError> {
    let arch = native_arch(db)?;
    let mut g = Graph::default();
    let entry = abi_dispatch(&mut g, db);
    let insns = within_kernel_limit(g.linearize(entry))?;
    Ok(Compiled { insns, arch })
}

/// The native ABI: the filter's first.
fn native_arch(db: &Database) -> Result<Arch, CompileError> {
    db.dbs.first().map(|d| d.arch).ok_or_else(|| CompileError {
        message: "the filter has no architecture".into(),
    })
}

/// Step 1: `ld arch`, one `jeq` per ABI group into its block, `ret badarch`.
fn abi_dispatch(g: &mut Graph, db: &Database) -> usize {
    let badarch = g.ret(db.badarch_action);
    // ABI groups by AUDIT_ARCH value (x86_64 and x32 share one), in filter order.
    let mut groups: Vec<u32> = Vec::new();
    for d in &db.dbs {
        if !groups.contains(&d.arch.audit_arch()) {
            groups.push(d.arch.audit_arch());
        }
    }
    let blocks: Vec<Vec<(u32, Outcome)>> = groups.iter().map(|&a| group_ranges(db, a)).collect();
    // One set of tables for every block's search, as large as the largest needs, kept by
    // the thread for its next compilation (a first plan writes every cell it reads).
    let mut tables = SCRATCH.take();
    tables.reserve(blocks.iter().map(Vec::len).max().unwrap_or(0));
    let mut next = badarch;
    for (index, &audit) in groups.iter().enumerate().rev() {
        let block = compile_group(g, &mut tables, db, audit, &blocks[index], index);
        next = g.add(GNode::Jmp {
            op: BPF_JEQ,
            k: audit,
            t: block,
            f: next,
        });
    }
    SCRATCH.set(tables);
    g.add(GNode::Load { offset: 4, next })
}

/// The program, if the kernel accepts its length (`BPF_MAXINSNS`).
fn within_kernel_limit(insns: Vec<Insn>) -> Result<Vec<Insn>, CompileError> {
    if insns.len() > BPF_MAXINSNS {
        return Err(CompileError {
            message: format!(
                "the compiled program has {} instructions; the kernel accepts at most {BPF_MAXINSNS} (seccomp(2) would fail with EINVAL)",
                insns.len()
            ),
        });
    }
    Ok(insns)
}

/// What a range of syscall numbers leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Ret(u32),
    Tree(usize, u32),
    /// In the search of a group's first ABI: the other ABIs' numbers, searched apart.
    Others,
}

/// The outcome for `(audit, nr)` with argument trees as opaque leaves; mirrors `eval::decide`.
fn outcome(db: &Database, audit: u32, nr: u32) -> Outcome {
    if let Some(stub) = &db.enosys {
        if let Some(r) = stub.decide(audit, nr) {
            return Outcome::Ret(r);
        }
    }
    match select(db, audit, nr) {
        Err(_) => Outcome::Ret(db.badarch_action),
        Ok(adb) => match adb.syscalls.get(&nr) {
            None => Outcome::Ret(db.default_action),
            Some(s) => match s.action {
                Some(l) => Outcome::Ret(l.action),
                None => {
                    let i = db.dbs.iter().position(|d| d.arch == adb.arch).expect("db");
                    Outcome::Tree(i, nr)
                }
            },
        },
    }
}

/// The ranges of syscall numbers with one outcome each in the block of ABI group `audit`:
/// `[start, next start)`, the last one up to 2^32.
fn group_ranges(db: &Database, audit: u32) -> Vec<(u32, Outcome)> {
    // Breakpoints: every place the outcome can change. runc's stub tests bit 30 with jset, so
    // its answer also changes where bit 30 flips again above it (0x8000_0000, 0xc000_0000).
    let mut bps: Vec<u64> = vec![
        0,
        1,
        X32_SYSCALL_BIT as u64,
        0x8000_0000,
        0xc000_0000,
        u32::MAX as u64,
    ];
    for d in db.dbs.iter().filter(|d| d.arch.audit_arch() == audit) {
        for &nr in d.syscalls.keys() {
            bps.extend([nr as u64, nr as u64 + 1]);
        }
    }
    if let Some(stub) = &db.enosys {
        bps.extend(stub.max.iter().map(|&(_, m)| m as u64 + 1));
    }
    crate::sort::sort(&mut bps);
    bps.dedup();
    let starts: Vec<u32> = bps
        .into_iter()
        .filter(|&b| b <= u32::MAX as u64)
        .map(|b| b as u32)
        .collect();
    // Ranges [start, next start) with merged equal outcomes.
    let mut ranges: Vec<(u32, Outcome)> = Vec::new();
    for &s in &starts {
        let o = outcome(db, audit, s);
        if ranges.last().map(|r| r.1) != Some(o) {
            ranges.push((s, o));
        }
    }
    ranges
}

/// The block of ABI group `audit` over its `ranges`; `index`: the group's place in the filter
/// (its block runs after `index` failed arch tests).
fn compile_group(
    g: &mut Graph,
    tables: &mut DpTables,
    db: &Database,
    audit: u32,
    ranges: &[(u32, Outcome)],
    index: usize,
) -> usize {
    let members: Vec<&ArchDb> = db
        .dbs
        .iter()
        .filter(|d| d.arch.audit_arch() == audit)
        .collect();
    let model = NumberModel::new(&members);
    let weights = model.weights(ranges);
    let primary = model.primary(ranges);
    // The code of every outcome first: its usual path bounds where its leaf may sit.
    let mut code: BTreeMap<Outcome, usize> = BTreeMap::new();
    for &(_, o) in ranges {
        if code.contains_key(&o) {
            continue;
        }
        let id = match o {
            Outcome::Others => unreachable!("only in the first ABI's search"),
            Outcome::Ret(v) => g.ret(v),
            Outcome::Tree(i, nr) => {
                let adb = &db.dbs[i];
                args::syscall_code(g, adb, db.default_action, adb.syscalls[&nr].chains)
            }
        };
        code.insert(o, id);
    }
    let tail: Vec<usize> = ranges
        .iter()
        .map(|&(s, o)| g.zero_args_steps(code[&o], s, audit))
        .collect();
    // The native ABI's group is first: `ld arch`, `jeq`, `ld nr` come before its search.
    let budget = (index == 0).then_some(MAX_USUAL_PATH - 3);
    // The numbers of the group's other ABIs (x32's, from bit 30 up) are searched apart and
    // hang off the first ABI's search as one range: x32 numbers, rare, do not shape the
    // x86_64 tree, and each ABI's search is planned over its own ranges only.
    let others = model
        .others_start()
        .and_then(|start| ranges.iter().position(|&(s, _)| s as u64 >= start))
        .filter(|&p| p > 0);
    let body = match others {
        Some(p) => {
            let rest = SearchPlan::balanced(
                &ranges[p..],
                weights[p..].to_vec(),
                &tail[p..],
                &primary[p..],
                None,
                tables,
            );
            let mut head: Vec<(u32, Outcome)> = ranges[..p].to_vec();
            head.push((ranges[p].0, Outcome::Others));
            let mut head_weights = weights[..p].to_vec();
            head_weights.push(weights[p..].iter().sum());
            let head_tail: Vec<usize> = tail[..p].iter().copied().chain([1]).collect();
            let head_primary: Vec<bool> = primary[..p].iter().copied().chain([false]).collect();
            let plan = SearchPlan::balanced(
                &head,
                head_weights,
                &head_tail,
                &head_primary,
                budget,
                tables,
            );
            let rest_entry = rest.emit(g, &ranges[p..], &mut |_, o| code[&o]);
            plan.emit(g, &head, &mut |_, o| match o {
                Outcome::Others => rest_entry,
                o => code[&o],
            })
        }
        None => {
            let plan = SearchPlan::balanced(ranges, weights, &tail, &primary, budget, tables);
            plan.emit(g, ranges, &mut |_, o| code[&o])
        }
    };
    g.add(GNode::Load {
        offset: 0,
        next: body,
    })
}

/// A 64-bit FNV-1a digest of the program's bytes in its ABI's byte order: the identity the
/// determinism tests compare across runs and targets (native and wasm).
pub fn digest(c: &Compiled) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in encode(&c.insns, c.arch.endian()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests;
