//! One call across many hosts, and a whole profile between two hosts.
//!
//! A column is a profile in a context (a named host, a preset in a chosen context, or the
//! user's own). Each column's profile is analysed once; each call is then decided per column:
//! 1. the filter's verdict (runc's ENOSYS stub first, then the rules and the default), as the
//!    rest of seccplay decides it;
//! 2. when the filter lets the call through, the kernel's: ENOSYS if the selected kernel
//!    predates the call ([`super::kernel`]);
//! 3. the outcome is the one the process sees, with the reason; a row says whether its
//!    outcomes differ, so a shell can show the reason only where they do.

use super::kernel::{implemented, Implemented};
use super::named::NamedHost;
use crate::action::Action;
use crate::analysis::{analyze, describe_action, Analysis, RowVerdict};
use crate::context::Context;
use crate::eval::Source;
use serde::Serialize;
use std::collections::BTreeMap;

/// A column: a name, a profile and the context it runs in.
pub struct Column {
    /// Header text.
    pub name: String,
    /// The analysed profile in its context.
    pub analysis: Analysis,
}

impl Column {
    /// Analyses `profile` in `context`.
    pub fn new(name: impl Into<String>, profile: &str, context: &Context) -> Column {
        Column {
            name: name.into(),
            analysis: analyze(profile, context),
        }
    }

    /// A named host's column.
    pub fn host(h: &NamedHost) -> Column {
        Column::new(h.name, h.profile(), &h.context())
    }
}

/// What the process sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `ALLOW`, `ERRNO(EPERM)`, `ERRNO(ENOSYS)`, `KILL_PROCESS`, …
    pub label: String,
    /// Who answered: `filter`, `stub` (runc's ENOSYS stub), `kernel` or `none` (no filter).
    pub by: &'static str,
}

/// One call on one column.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    /// The column.
    pub column: String,
    /// The filter's return value.
    pub filter_ret: u32,
    /// The kernel's answer when the filter allowed the call.
    pub kernel: Option<Implemented>,
    /// The final outcome.
    pub outcome: Outcome,
    /// Why, in a sentence or two.
    pub reason: String,
}

/// One call across the columns.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    /// The call as written.
    pub call: String,
    /// One cell per column, in column order.
    pub cells: Vec<Cell>,
    /// The outcomes are not all the same.
    pub differ: bool,
}

/// Calls × columns.
#[derive(Clone, Debug, Serialize)]
pub struct Matrix {
    /// Column names.
    pub columns: Vec<String>,
    /// One row per call.
    pub rows: Vec<Row>,
}

/// Decides `calls` (syscall expressions, `unshare(CLONE_NEWUSER)`) on every column.
pub fn matrix(calls: &[&str], columns: &[Column]) -> Result<Matrix, String> {
    let mut rows = Vec::new();
    for call in calls {
        let mut cells = Vec::new();
        for c in columns {
            cells.push(cell(call, c)?);
        }
        let differ = cells.windows(2).any(|w| w[0].outcome != w[1].outcome);
        rows.push(Row {
            call: call.to_string(),
            cells,
            differ,
        });
    }
    Ok(Matrix {
        columns: columns.iter().map(|c| c.name.clone()).collect(),
        rows,
    })
}

fn cell(call: &str, c: &Column) -> Result<Cell, String> {
    let a = &c.analysis;
    let ctx = &a.context;
    if a.failed() {
        let why = a.first_error().map_or(String::new(), |d| d.to_string());
        return Err(format!(
            "{}: the profile is refused in this context: {why}",
            c.name
        ));
    }
    let arch = ctx.host_arch;
    let v = a
        .simulate_call(call, arch)
        .map_err(|e| format!("{call}: {e}"))?;
    let stub = matches!(
        v.decision.as_ref().map(|d| &d.source),
        Some(Source::EnosysStub { .. })
    );
    let by = if v.decision.is_none() {
        "none"
    } else if v.bypassed {
        "kernel"
    } else if stub {
        "stub"
    } else {
        "filter"
    };
    let mut outcome = Outcome {
        label: describe_action(v.outcome_ret()),
        by,
    };
    let mut reason = match &v.kernel_bypass {
        Some(k) => format!("{k} {}", v.explanation),
        None => v.explanation.clone(),
    };
    // The kernel's part of the verdict (`Verdict::kernel_enosys`, the simulation's own).
    let kernel = v
        .name
        .filter(|_| Action::from_ret(v.outcome_ret()).is_allow())
        .map(|n| implemented(n, ctx.kernel));
    if let Some(k) = &v.kernel_enosys {
        outcome = Outcome {
            label: "ERRNO(ENOSYS)".into(),
            by: "kernel",
        };
        reason = format!("{reason} {k}");
    }
    Ok(Cell {
        column: c.name.clone(),
        filter_ret: v.ret,
        kernel,
        outcome,
        reason,
    })
}

/// One syscall whose verdict differs between two columns.
#[derive(Clone, Debug, Serialize)]
pub struct DiffRow {
    /// The syscall.
    pub name: &'static str,
    /// Its verdict on the first column.
    pub a: String,
    /// Its verdict on the second.
    pub b: String,
}

/// A whole profile (or each host's own) compared between two columns.
#[derive(Clone, Debug, Serialize)]
pub struct HostDiff {
    /// First column.
    pub a: String,
    /// Second column.
    pub b: String,
    /// Syscalls compared (known on either column's ABI).
    pub compared: usize,
    /// The ones that differ, by name.
    pub rows: Vec<DiffRow>,
}

/// Every syscall of each column's ABI with its final verdict, by name.
fn verdicts(c: &Column) -> BTreeMap<&'static str, String> {
    let a = &c.analysis;
    let ctx = &a.context;
    if a.failed() {
        return BTreeMap::new();
    }
    let t = a.table(ctx.host_arch);
    // Inserted one by one (the last row of a name wins, as with `collect`, which would sort
    // first: a sort instance of its own in the playground's wasm).
    let mut out = BTreeMap::new();
    for r in &t.rows {
        let v = match &r.verdict {
            RowVerdict::Allowed { ret } => {
                let k = implemented(r.name, ctx.kernel);
                if k.enosys() {
                    "ERRNO(ENOSYS) from the kernel".to_string()
                } else {
                    describe_action(*ret)
                }
            }
            RowVerdict::Blocked { ret, .. } => describe_action(*ret),
            RowVerdict::Conditional { rules, otherwise } => format!(
                "{}; otherwise {}",
                rules.join("; "),
                describe_action(*otherwise)
            ),
        };
        out.insert(r.name, v);
    }
    out
}

/// Compares every syscall's verdict between two columns (each on its own host ABI).
pub fn diff(a: &Column, b: &Column) -> HostDiff {
    let (va, vb) = (verdicts(a), verdicts(b));
    let mut names: Vec<&'static str> = va.keys().chain(vb.keys()).copied().collect();
    crate::sort::sort(&mut names);
    names.dedup();
    let absent = || "not on this ABI".to_string();
    let rows: Vec<DiffRow> = names
        .iter()
        .filter_map(|&n| {
            let x = va.get(n).cloned().unwrap_or_else(absent);
            let y = vb.get(n).cloned().unwrap_or_else(absent);
            (x != y).then_some(DiffRow {
                name: n,
                a: x,
                b: y,
            })
        })
        .collect();
    HostDiff {
        a: a.name.clone(),
        b: b.name.clone(),
        compared: names.len(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::HOSTS;

    fn hosts() -> Vec<Column> {
        HOSTS.iter().map(Column::host).collect()
    }

    fn outcome<'a>(m: &'a Matrix, call: &str, host: &str) -> &'a Cell {
        let r = m.rows.iter().find(|r| r.call == call).unwrap();
        let i = m.columns.iter().position(|c| c == host).unwrap();
        &r.cells[i]
    }

    /// The example: clone3 is ENOSYS from the stub/rule on one host, EPERM on another,
    /// allowed on a third.
    #[test]
    fn clone3_differs_across_hosts_with_reasons() {
        let cols = hosts();
        let m = matrix(
            &["clone3()", "io_uring_setup(0, 0)", "faccessat2(0, 0, 0, 0)"],
            &cols,
        )
        .unwrap();
        let c = outcome(&m, "clone3()", "docker-debian12");
        assert_eq!(
            (c.outcome.label.as_str(), c.outcome.by),
            ("ERRNO(ENOSYS)", "filter")
        );
        let c = outcome(&m, "clone3()", "docker20.10-ubuntu20.04");
        assert_eq!(
            (c.outcome.label.as_str(), c.outcome.by),
            ("ERRNO(EPERM)", "filter")
        );
        assert!(m.rows[0].differ);
        // io_uring: containerd 1.7 allows it, Docker ≥ 25 does not.
        let c = outcome(&m, "io_uring_setup(0, 0)", "k8s-containerd1.7");
        assert_eq!(c.outcome.label, "ALLOW");
        let c = outcome(&m, "io_uring_setup(0, 0)", "docker-debian12");
        assert_eq!(c.outcome.label, "ERRNO(EPERM)");
        // faccessat2 (Linux 5.8): allowed by Docker 20.10's profile, but kernel 5.4 lacks it.
        let c = outcome(&m, "faccessat2(0, 0, 0, 0)", "docker20.10-ubuntu20.04");
        assert_eq!(
            (c.outcome.label.as_str(), c.outcome.by),
            ("ERRNO(ENOSYS)", "kernel")
        );
        assert!(c.reason.contains("5.8"), "{}", c.reason);
    }

    #[test]
    fn diff_between_two_hosts_lists_io_uring() {
        let a = Column::host(crate::host::host("k8s-containerd1.7").unwrap());
        let b = Column::host(crate::host::host("k8s-containerd2").unwrap());
        let d = diff(&a, &b);
        assert!(d.compared > 300);
        let r = d.rows.iter().find(|r| r.name == "io_uring_setup").unwrap();
        assert_eq!((r.a.as_str(), r.b.as_str()), ("ALLOW", "ERRNO(EPERM)"));
        // Post-5.14 calls on each host's kernel (5.15 and 6.8): cachestat is 6.5, mseal 6.10.
        let row = |n: &str| {
            let r = d.rows.iter().find(|r| r.name == n).unwrap();
            (r.a.clone(), r.b.clone())
        };
        let kernel = "ERRNO(ENOSYS) from the kernel".to_string();
        assert_eq!(row("cachestat"), (kernel.clone(), "ALLOW".to_string()));
        assert_eq!(row("mseal"), ("ERRNO(ENOSYS)".to_string(), kernel));
        assert!(diff(&a, &a).rows.is_empty());
    }
}
