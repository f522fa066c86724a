//! Foreign filters (seccomp-tools' test programs, Chromium's dumped renderer and storage
//! filters: refdata/filters, SOURCES.md §11 and §14) on the real kernel, against the core's
//! analysis (`filter::analyze`), path by path.
//!
//! Nobody here wrote these programs, so the kernel is the only independent judge of what the
//! analysis says about them. Running them as they are would execute the syscalls they allow;
//! instead every return site is rewritten to a distinct `ERRNO(id)` and every other
//! instruction is kept, so the kernel runs the original's control flow, no syscall ever runs,
//! and the errno a call gets names the `ret` it reached.
//!
//! 1. The analysis of the original program gives, per (ABI, syscall number) row, its paths;
//!    each path with a witness becomes one raw syscall (the witness's `nr` and arguments) in a
//!    forked child under the rewritten program (`seccplay_conformance::kernel`). The kernel
//!    must reach the path's end instruction (`StackPath::end_pcs`).
//! 2. The instruction pointer cannot be chosen: the child issues every call from one
//!    `syscall` instruction (`kernel::syscall_ip`). Each witness runs with that IP; the path
//!    of the row that then holds (exactly one must) gives the expected site. A path whose
//!    conditions need another IP still runs (it checks the path that does hold) but counts as
//!    not runnable.
//! 3. The child issues x86_64 syscalls (`AUDIT_ARCH_X86_64`, x32 numbers included) and, where
//!    the kernel has i386 emulation, i386 ones through `int $0x80` (`AUDIT_ARCH_I386`, 32-bit
//!    arguments: a path that needs a nonzero high half runs with zero and counts as not
//!    runnable). The "every other arch value" row runs on a child whose arch the program does
//!    not name. Rows of other `arch` values, paths without a witness and the numbers the
//!    kernel passes through without running any filter (x86_64's uretprobe, uprobe) are
//!    counted as not runnable, with why.
//! 4. Random arguments on every row: the path that holds gives the site; on a constant row
//!    (the kernel's constant-action cache half) the site's original value is the constant.
//! 5. The original programs, unrewritten: every path that does not let the syscall run
//!    (ERRNO, TRAP, KILL, TRACE and USER_NOTIF without a tracer or listener) runs on the
//!    kernel with its real action; of the allowing paths only a few harmless calls run.

use seccplay_conformance::kernel::{self, expected_result, Call, Entry};
use seccplay_conformance::random_profile::Rng;
use seccplay_conformance::refdata;
use seccplay_core::action::{Action, RET_ERRNO};
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::insn::{class, decode, BPF_K, BPF_RET};
use seccplay_core::bpf::verify::verify;
use seccplay_core::bpf::{Insn, SeccompData};
use seccplay_core::context::FILTER_BYPASSES;
use seccplay_core::filter::sym::data_of_words;
use seccplay_core::filter::{
    analyze, check, ArchRows, FilterAnalysis, Options, Row, StackPath, Verdict,
};
use std::collections::BTreeMap;

const SIGSYS: i32 = 31;
const ENOSYS: i64 = 38;
/// x86_64 numbers the kernel may let through without running any filter (uretprobe, uprobe:
/// the core's `context::FILTER_BYPASSES`; not for i386, whose 335/336 are other calls).
fn bypassed(nr: u32) -> bool {
    FILTER_BYPASSES.iter().any(|b| b.nr == nr)
}
/// Random argument sets per row.
const RANDOM_PER_ROW: usize = 3;
/// Calls that are harmless when a filter allows them (no arguments read, nothing changed).
const HARMLESS: [&str; 8] = [
    "getpid",
    "getppid",
    "gettid",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "sched_yield",
];

/// Every foreign program: seccomp-tools' `.bpf` files, then Chromium's two filters.
fn foreign() -> Vec<(String, Vec<Insn>)> {
    let mut out = Vec::new();
    let st = refdata::dir().join("filters/seccomp-tools");
    let mut files: Vec<_> = std::fs::read_dir(&st)
        .unwrap_or_else(|e| panic!("{}: {e}", st.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("bpf"))
        .collect();
    files.sort();
    for f in ["renderer.bpf", "utility-storage.bpf"] {
        files.push(refdata::dir().join("filters/chromium").join(f));
    }
    for p in files {
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let prog = decode(&bytes, Endian::Little).unwrap_or_else(|e| panic!("{p:?}: {e:?}"));
        let dir = p.parent().and_then(|d| d.file_name()).unwrap();
        let name = format!(
            "{}/{}",
            dir.to_string_lossy(),
            p.file_name().unwrap().to_string_lossy()
        );
        out.push((name, prog));
    }
    out
}

/// `prog` with `ret` number `i` (in program order, from 1) rewritten to `ret #ERRNO(i)`;
/// returns it and each site's pc by id.
fn rewrite(prog: &[Insn]) -> (Vec<Insn>, BTreeMap<usize, u32>) {
    let mut ids = BTreeMap::new();
    let out = prog
        .iter()
        .enumerate()
        .map(|(pc, i)| {
            if class(i.code) != BPF_RET {
                return *i;
            }
            let id = ids.len() as u32 + 1;
            assert!(id <= 4095, "more return sites than errno values");
            ids.insert(pc, id);
            Insn::stmt(BPF_RET | BPF_K, RET_ERRNO | id)
        })
        .collect();
    (out, ids)
}

/// What the kernel returns under the rewritten program when a call ends at instruction `pc`:
/// the site's errno, or SIGSYS where the path ends at a `div x` by zero (KILL_THREAD).
fn site_result(pc: usize, ids: &BTreeMap<usize, u32>) -> Result<i64, i32> {
    match ids.get(&pc) {
        Some(id) => Ok(-(*id as i64)),
        None => Err(SIGSYS),
    }
}

/// The paths of `row` that hold for `d` (exactly one, if the analysis is right).
fn holders<'a>(row: &'a Row, d: &SeccompData) -> Vec<&'a StackPath> {
    let w = d.words(Endian::Little);
    row.paths
        .iter()
        .filter(|p| p.atoms.iter().all(|a| a.eval(&w) == Some(true)))
        .collect()
}

/// One planned call: the call, what the analysis expects, and a label for failures.
struct Planned {
    call: Call,
    want: Result<i64, i32>,
    /// The filter lets the syscall run: any non-negative result is right.
    runs: bool,
    what: String,
}

#[derive(Default)]
struct Tally {
    /// Paths whose witness ran as the path (all its conditions met on the kernel).
    ran: usize,
    /// Calls issued (witnesses, IP-substituted witnesses, random arguments).
    calls: usize,
    /// Constant rows whose random calls were checked against the constant.
    constant_rows: usize,
    /// Not runnable, by reason.
    not_runnable: BTreeMap<String, usize>,
}

impl Tally {
    fn skip(&mut self, why: String, n: usize) {
        if n > 0 {
            *self.not_runnable.entry(why).or_default() += n;
        }
    }
}

fn x86_64_rows(an: &FilterAnalysis) -> Option<&ArchRows> {
    an.arches
        .iter()
        .find(|a| a.audit_arch == Arch::X86_64.audit_arch())
}

/// How the child's calls reach the kernel: the `arch` value they carry, the IP, and whether
/// the arguments are 32-bit (i386 through `int $0x80`).
#[derive(Clone, Copy)]
struct Child {
    entry: Entry,
    arch: u32,
    ip: u64,
    bits32: bool,
}

impl Child {
    /// The ways available here: the native `syscall`, and `int $0x80` where the kernel has
    /// i386 emulation (else the reason, counted with the i386 rows as not runnable).
    fn available() -> (Vec<Child>, Option<String>) {
        let mut out = Vec::new();
        if let Some(ip) = kernel::syscall_ip() {
            out.push(Child {
                entry: Entry::Native,
                arch: Arch::X86_64.audit_arch(),
                ip,
                bits32: false,
            });
        }
        let why = kernel::int80_skip_reason();
        if let Some(ip) = kernel::syscall_ip_on(Entry::Int80) {
            out.push(Child {
                entry: Entry::Int80,
                arch: Arch::X86.audit_arch(),
                ip,
                bits32: true,
            });
        }
        (out, why)
    }

    /// The kernel runs no filter for `nr` on this entry.
    fn passes_through(&self, nr: u32) -> bool {
        self.entry == Entry::Native && bypassed(nr)
    }

    fn name(&self) -> &'static str {
        match self.entry {
            Entry::Native => "x86_64 (syscall)",
            Entry::Int80 => "i386 (int $0x80)",
        }
    }
}

/// Plans the witness and random calls of one row (see the module docs, points 1, 2 and 4).
#[allow(clippy::too_many_arguments)]
fn plan_row(
    row: &Row,
    other_numbers: Option<&[u32]>,
    orig: &[Insn],
    ids: &BTreeMap<usize, u32>,
    child: Child,
    rng: &mut Rng,
    tally: &mut Tally,
    plan: &mut Vec<Planned>,
) -> Result<(), String> {
    let label = |d: &SeccompData| {
        format!(
            "{} nr {:#x} args {:x?}",
            row.name.unwrap_or("(other number or arch)"),
            d.nr,
            d.args
        )
    };
    let expect = |d: &SeccompData| -> Result<Result<i64, i32>, String> {
        match holders(row, d).as_slice() {
            [one] => Ok(site_result(one.end_pcs[0], ids)),
            many => Err(format!(
                "{}: {} paths of the analysis hold, not one",
                label(d),
                many.len()
            )),
        }
    };
    if let Verdict::TooComplex { limit } = &row.verdict {
        tally.skip(format!("row not analysed ({limit})"), 1);
        return Ok(());
    }
    for (i, p) in row.paths.iter().enumerate() {
        let Some(w) = p.witness else {
            tally.skip("path without a witness (unproven)".into(), 1);
            continue;
        };
        let mut d = data_of_words(&w, Endian::Little);
        if child.passes_through(d.nr) {
            tally.skip(
                "x86_64 nr 335/336 (uretprobe, uprobe: context::FILTER_BYPASSES): the kernel runs no filter for them".into(),
                1,
            );
            continue;
        }
        let ip = child.ip;
        d.instruction_pointer = ip;
        let needs_arch = d.arch != child.arch;
        d.arch = child.arch;
        let needs_64 = child.bits32 && d.args.iter().any(|a| a >> 32 != 0);
        if child.bits32 {
            d.args = d.args.map(|a| a & 0xffff_ffff);
        }
        let hold = holders(row, &d);
        if hold.len() != 1 {
            return Err(format!("{}: {} paths hold, not one", label(&d), hold.len()));
        }
        let (other, who) = (!std::ptr::eq(hold[0], &row.paths[i]), child.name());
        if other && needs_arch {
            tally.skip(
                format!("the path needs an arch value other than the child's, {who} (run with the child's: checks the path that holds)"),
                1,
            );
        } else if other && needs_64 {
            tally.skip(
                format!("the path needs an argument's high half nonzero, {who} passes 32-bit arguments (run with them: checks the path that holds)"),
                1,
            );
        } else if other {
            tally.skip(
                format!("the path needs an instruction pointer other than the child's {ip:#x}, {who} (run with it: checks the path that holds)"),
                1,
            );
        } else {
            tally.ran += 1;
        }
        plan.push(Planned {
            call: Call {
                nr: d.nr,
                args: d.args,
            },
            want: expect(&d)?,
            runs: false,
            what: format!("{} (path {i})", label(&d)),
        });
    }
    let constant = match row.verdict {
        Verdict::Constant { ret, .. } => Some(ret),
        _ => None,
    };
    if constant.is_some() {
        tally.constant_rows += 1;
    }
    for _ in 0..RANDOM_PER_ROW {
        let nr = match (row.nr, other_numbers) {
            (Some(nr), _) => nr,
            (None, Some(known)) => loop {
                let v = rng.next_u64() as u32;
                if !known.contains(&v) && !child.passes_through(v) {
                    break v;
                }
            },
            (None, None) => return Ok(()),
        };
        if child.passes_through(nr) {
            break;
        }
        let mut d = SeccompData::new(nr, child.arch, [0; 6]);
        for a in d.args.iter_mut() {
            *a = check::random_arg(rng);
            if child.bits32 {
                *a &= 0xffff_ffff;
            }
        }
        d.instruction_pointer = child.ip;
        let want = expect(&d)?;
        if let (Some(c), Ok(e)) = (constant, want) {
            // The site the kernel is to reach returns the row's constant in the original.
            let pc = ids.iter().find(|(_, id)| -(**id as i64) == e).map(|x| *x.0);
            let k = pc.map(|pc| orig[pc].k);
            if k != Some(c) {
                return Err(format!(
                    "{}: constant {c:#x}, but the expected site returns {k:x?}",
                    label(&d)
                ));
            }
        }
        plan.push(Planned {
            call: Call {
                nr: d.nr,
                args: d.args,
            },
            want,
            runs: false,
            what: format!("{} (random)", label(&d)),
        });
    }
    Ok(())
}

/// Runs `plan` under `prog` on the kernel; returns the disagreements.
fn run_plan(prog: &[Insn], plan: &[Planned], entry: Entry) -> Result<Vec<String>, String> {
    let calls: Vec<Call> = plan.iter().map(|p| p.call).collect();
    let got = kernel::run_all_on(prog, &calls, entry)?;
    Ok(plan
        .iter()
        .zip(&got)
        .filter(|(p, g)| p.want != **g)
        .map(|(p, g)| format!("{}: analysis {:?}, kernel {g:?}", p.what, p.want))
        .collect())
}

fn abis_text(a: &ArchRows) -> String {
    a.abis
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("+")
}

#[test]
fn foreign_filters_reach_the_analysed_return_site_on_the_kernel() {
    let test = "foreign_filters_reach_the_analysed_return_site_on_the_kernel";
    if !kernel::kernel_or_skip(test) {
        return;
    }
    let (children, int80_why) = Child::available();
    if children.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: the harness knows no syscall IP here"
        );
        eprintln!("{test}: skipping: the child's syscall IP is only known on x86_64");
        return;
    }
    if let Some(why) = &int80_why {
        eprintln!("{test}: i386 rows not run: {why}");
    }
    let t0 = std::time::Instant::now();
    let mut rng = Rng::new(0x00f0_e16e);
    let mut total = Tally::default();
    let mut failures = Vec::new();
    let mut filters = 0;
    for (name, prog) in foreign() {
        if let Err(e) = verify(&prog) {
            // all_inst.bpf: refused on purpose; the kernel must refuse it too.
            let got = kernel::install(&prog);
            assert_eq!(
                got,
                kernel::Outcome::Refused(libc::EINVAL),
                "{name}: verify refuses it ({e}), the kernel does not"
            );
            eprintln!("{name}: refused by verify and by the kernel (EINVAL): {e}");
            total.skip(
                "program refused by the kernel (seccomp-tools' all_inst.bpf)".into(),
                1,
            );
            continue;
        }
        let an = analyze(&[&prog], Endian::Little, &Options::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (rewritten, ids) = rewrite(&prog);
        let mut tally = Tally::default();
        let mut plans: Vec<Vec<Planned>> = children.iter().map(|_| Vec::new()).collect();
        let mut plan = |row: &Row, others: Option<&[u32]>, c: usize, tally: &mut Tally| {
            let r = plan_row(
                row,
                others,
                &prog,
                &ids,
                children[c],
                &mut rng,
                tally,
                &mut plans[c],
            );
            if let Err(e) = r {
                failures.push(format!("{name}: {e}"));
            }
        };
        for a in &an.arches {
            let Some(c) = children.iter().position(|c| c.arch == a.audit_arch) else {
                let n: usize = a
                    .rows
                    .iter()
                    .chain(std::iter::once(&a.other_numbers))
                    .map(|r| r.paths.len())
                    .sum();
                let why = match &int80_why {
                    Some(w) if a.audit_arch == Arch::X86.audit_arch() => w.clone(),
                    _ => "the child issues x86_64 and i386 syscalls only".into(),
                };
                tally.skip(
                    format!("arch {:#x} ({}): {why}", a.audit_arch, abis_text(a)),
                    n,
                );
                continue;
            };
            let known: Vec<u32> = a.rows.iter().filter_map(|r| r.nr).collect();
            for r in &a.rows {
                plan(r, None, c, &mut tally);
            }
            plan(&a.other_numbers, Some(&known), c, &mut tally);
        }
        // The "every other arch value" row runs on a child whose arch the program does not
        // name (a program that never names x86_64 sees the child's calls there).
        let named = |c: &Child| an.arches.iter().any(|a| a.audit_arch == c.arch);
        match children.iter().position(|c| !named(c)) {
            Some(c) => plan(&an.other_arches, Some(&[]), c, &mut tally),
            None => tally.skip(
                "every other arch value: the program names both arches the child has".into(),
                an.other_arches.paths.len(),
            ),
        }
        for (c, plan) in children.iter().zip(&plans) {
            tally.calls += plan.len();
            match run_plan(&rewritten, plan, c.entry) {
                Ok(bad) if bad.is_empty() => {}
                Ok(mut bad) => {
                    let n = bad.len();
                    bad.truncate(5);
                    failures.push(format!(
                        "{name}, {}: {n} calls disagree:\n  {}",
                        c.name(),
                        bad.join("\n  ")
                    ));
                }
                Err(e) => failures.push(format!("{name}, {}: {e}", c.name())),
            }
        }
        eprintln!(
            "{name}: {} instructions, {} return sites, {} paths ran as analysed, {} calls, \
             {} constant rows, not runnable {:?}",
            prog.len(),
            ids.len(),
            tally.ran,
            tally.calls,
            tally.constant_rows,
            tally.not_runnable
        );
        if tally.ran == 0 {
            failures.push(format!("{name}: no path ran"));
        }
        filters += 1;
        total.ran += tally.ran;
        total.calls += tally.calls;
        total.constant_rows += tally.constant_rows;
        for (k, v) in tally.not_runnable {
            total.skip(k, v);
        }
    }
    eprintln!(
        "kernel vs analysis, foreign filters: {filters} filters, {} paths ran as analysed, {} \
         calls, {} constant rows, not runnable: {:#?}, {:.1?}",
        total.ran,
        total.calls,
        total.constant_rows,
        total.not_runnable,
        t0.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 10 .bpf files of seccomp-tools (all_inst.bpf refused) and Chromium's two.
    assert!(filters >= 11, "only {filters} filters analysed");
    assert!(total.ran > 1000, "only {} paths ran", total.ran);
}

/// What the kernel does to a call whose filter value is `ret`, when the syscall does not run
/// (`None` for ALLOW and LOG: the syscall runs).
fn denied_result(ret: u32) -> Option<Result<i64, i32>> {
    match Action::from_ret(ret) {
        Action::Allow | Action::Log => None,
        Action::Trap(_) | Action::KillThread | Action::KillProcess | Action::Unknown(_) => {
            Some(Err(SIGSYS))
        }
        Action::Trace(_) | Action::UserNotif => Some(Ok(-ENOSYS)),
        Action::Errno(_) => expected_result(ret),
    }
}

/// Chromium's filters unrewritten: every path that keeps the syscall from running gets its
/// real action on the kernel (the errno, SIGSYS for TRAP), and the harmless calls the
/// analysis allows run and succeed.
#[test]
fn chromium_filters_actions_on_the_kernel_are_the_analysed_ones() {
    let test = "chromium_filters_actions_on_the_kernel_are_the_analysed_ones";
    if !kernel::kernel_or_skip(test) {
        return;
    }
    let Some(ip) = kernel::syscall_ip() else {
        assert!(std::env::var_os("CI").is_none(), "{test}: no syscall IP");
        eprintln!("{test}: skipping: the child's syscall IP is only known on x86_64");
        return;
    };
    let t0 = std::time::Instant::now();
    for (name, prog) in foreign()
        .into_iter()
        .filter(|(n, _)| n.starts_with("chromium/"))
    {
        let an = analyze(&[&prog], Endian::Little, &Options::default()).unwrap();
        let x = x86_64_rows(&an).unwrap();
        let mut plan = Vec::new();
        let (mut allowed, mut harmless, mut by_action) = (0, 0, BTreeMap::<String, usize>::new());
        for r in x.rows.iter().chain(std::iter::once(&x.other_numbers)) {
            for p in &r.paths {
                let Some(w) = p.witness else { continue };
                let mut d = data_of_words(&w, Endian::Little);
                if bypassed(d.nr) {
                    continue;
                }
                d.instruction_pointer = ip;
                let Some(ret) = holders(r, &d).first().and_then(|h| h.ret) else {
                    continue;
                };
                let (want, runs) = match denied_result(ret) {
                    Some(w) => (w, false),
                    None if r.name.is_some_and(|n| HARMLESS.contains(&n)) => {
                        harmless += 1;
                        (Ok(0), true)
                    }
                    None => {
                        allowed += 1;
                        continue;
                    }
                };
                *by_action
                    .entry(Action::from_ret(ret).short_name().to_string())
                    .or_default() += 1;
                plan.push(Planned {
                    call: Call {
                        nr: d.nr,
                        args: d.args,
                    },
                    want,
                    runs,
                    what: format!(
                        "{} nr {:#x} args {:x?}",
                        r.name.unwrap_or("(other)"),
                        d.nr,
                        d.args
                    ),
                });
            }
        }
        let calls: Vec<Call> = plan.iter().map(|p| p.call).collect();
        let got = kernel::run_all(&prog, &calls).unwrap_or_else(|e| panic!("{name}: {e}"));
        let bad: Vec<String> = plan
            .iter()
            .zip(&got)
            .filter(|(p, g)| match g {
                Ok(v) if p.runs => *v < 0,
                _ => p.want != **g,
            })
            .map(|(p, g)| {
                let want = if p.runs {
                    "runs".into()
                } else {
                    format!("{:?}", p.want)
                };
                format!("{}: analysis {want}, kernel {g:?}", p.what)
            })
            .take(5)
            .collect();
        eprintln!(
            "{name}: {} calls with their real action on the kernel ({by_action:?}; {harmless} \
             harmless allowed calls), {allowed} allowing paths not run, {:.1?}",
            plan.len(),
            t0.elapsed()
        );
        assert!(bad.is_empty(), "{name}:\n{}", bad.join("\n"));
        assert!(harmless >= 5 && plan.len() > 500, "{name}: too few calls");
    }
}
