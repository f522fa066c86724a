//! The facade the CLI and the playground share: one call runs the whole pipeline on a
//! profile in a context, and the result answers the questions people ask — what happens to
//! this syscall and why, what does the filter do to every syscall of an ABI, how big and how
//! fast is the program. Shells format; they decide nothing.
//!
//! The module is cut along its questions:
//!
//! 1. `mod.rs` runs the pipeline ([`analyze`]) and holds its result ([`Analysis`]).
//! 2. [`limits`] bounds what [`analyze`] accepts (profile size, rules per syscall, libseccomp's
//!    cyclic rule trees).
//! 3. [`simulate`] answers one call: the [`Verdict`] with its deciding rule and explanation;
//!    [`headline`] says it in one plain sentence first.
//! 4. [`strict`] answers the same questions for strict mode (`SECCOMP_MODE_STRICT`: no profile,
//!    no filter) with [`StrictMode`].
//! 5. [`table`] answers every syscall of an ABI ([`Table`]), compares two tables
//!    ([`diff_tables`]) and measures the program ([`ProgramStats`]).
//! 6. `review` lists the calls Docker's default keeps out for a stated reason that the filter
//!    allows ([`Analysis::review`]).

mod headline;
mod limits;
mod review;
mod shadowed;
mod simulate;
mod strict;
mod table;
#[cfg(test)]
mod tests;

pub use headline::outcome_word;
pub use limits::{
    cyclic_rule_tree, rule_budget, MAX_CONDITIONAL_RULES_PER_SYSCALL, MAX_PROFILE_BYTES,
};
pub use simulate::{
    data_of, describe_action, describe_condition, query_of, run_program, LeftOut, Verdict,
};
pub use strict::{StrictMode, StrictRow, StrictTable, StrictVerdict};
pub use table::{
    diff_tables, DecidedBy, Direction, Outcome, ProgramStats, RowChange, RowVerdict, Table,
    TableRow,
};

use crate::codegen::{self, Compiled};
use crate::context::Context;
use crate::db::{self, Database};
use crate::diag::{Diagnostic, Failure};
use crate::profile::Parsed;
use crate::resolve;

/// `bytes` in MiB with one decimal, rounded as `format!("{:.1}", f64)` rounds (half to even),
/// without float formatting (about 2 KB of the playground's gzipped wasm).
fn mib1(bytes: usize) -> String {
    let n = bytes as u128 * 10;
    let (mut tenths, r) = (n >> 20, n & ((1 << 20) - 1));
    if r * 2 > 1 << 20 || (r * 2 == 1 << 20 && tenths % 2 == 1) {
        tenths += 1;
    }
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Everything the pipeline produced for one profile in one context.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The context used.
    pub context: Context,
    /// The parsed profile (absent when the text does not parse).
    pub parsed: Option<Parsed>,
    /// Why the container would run without seccomp, when it would.
    pub unconfined: Option<String>,
    /// The rule database (absent when unconfined or refused).
    pub database: Option<Database>,
    /// The compiled program.
    pub program: Option<Compiled>,
    /// Every diagnostic, errors first, then in pipeline order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// True when Docker/the runtime would refuse the profile (any error diagnostic).
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }

    /// True when the rule database has a rule for the syscall `name` (in this context).
    pub fn has_rule_for(&self, name: &str) -> bool {
        self.database
            .as_ref()
            .is_some_and(|db| db.rules.iter().any(|r| r.syscall == name))
    }

    /// The first error, if any.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics.iter().find(|d| d.is_error())
    }
}

/// Runs parse → resolve → build → compile. Never fails: errors are diagnostics.
pub fn analyze(text: &str, ctx: &Context) -> Analysis {
    analyze_read(text, ctx, crate::frontend::read_one_with_format)
}

/// [`analyze`] for a Docker/OCI JSON profile only: the same result as [`analyze`] gives for text
/// that [`crate::frontend::detect`] reads as Docker, without linking the other front-ends (the
/// playground's first-load build calls this one; text in any other format is read as JSON and
/// refused with JSON's located errors).
pub fn analyze_docker(text: &str, ctx: &Context) -> Analysis {
    analyze_read(text, ctx, |t| {
        crate::profile::parse(t).map(|p| (crate::frontend::Format::Docker, p))
    })
}

/// The pipeline after the reader: `read` turns the text into the first policy and its format.
fn analyze_read(
    text: &str,
    ctx: &Context,
    read: impl FnOnce(&str) -> Result<(crate::frontend::Format, Parsed), Failure>,
) -> Analysis {
    let mut a = Analysis {
        context: ctx.clone(),
        parsed: None,
        unconfined: None,
        database: None,
        program: None,
        diagnostics: Vec::new(),
    };
    let fail = |a: &mut Analysis, f: Failure| {
        let (mut errs, rest): (Vec<_>, Vec<_>) =
            f.diagnostics.into_iter().partition(|d| d.is_error());
        errs.extend(rest);
        errs.append(&mut a.diagnostics);
        a.diagnostics = errs;
    };
    if text.len() > MAX_PROFILE_BYTES {
        a.diagnostics.push(Diagnostic::error(
            "profile-too-large",
            format!(
                "the profile is {} MiB; seccplay reads profiles up to {} MiB (Docker's default is {} KiB): a 20 MiB profile takes seconds and over a GiB of memory to analyse",
                mib1(text.len()),
                MAX_PROFILE_BYTES >> 20,
                crate::tables::presets::DOCKER_DEFAULT.len() >> 10
            ),
        ));
        return a;
    }
    // Any format (Docker/OCI, SPO, seccompiler): the first policy of the input.
    let (format, parsed) = match read(text) {
        Ok(p) => p,
        Err(f) => {
            fail(&mut a, f);
            return a;
        }
    };
    a.diagnostics.extend(parsed.warnings.iter().cloned());
    // The context the format runs in: systemd, LXC and Firecracker load their filters
    // themselves (no runc stub, no --privileged); a SeccompProfile runs under Kubernetes.
    let own = crate::frontend::format_context(format, ctx);
    let ctx = match &own {
        Some((own_ctx, note)) => {
            a.diagnostics.push(note.clone());
            a.context = own_ctx.clone();
            own_ctx
        }
        None => ctx,
    };
    let resolution = resolve::resolve(&parsed.profile, ctx);
    a.parsed = Some(parsed);
    let resolution = match resolution {
        Ok(r) => r,
        Err(f) => {
            fail(&mut a, f);
            return a;
        }
    };
    a.diagnostics.extend(resolution.diagnostics);
    let Some(policy) = resolution.policy else {
        a.unconfined = resolution.unconfined_reason;
        return a;
    };
    if let Some(d) = rule_budget(&policy) {
        a.diagnostics.insert(0, d);
        return a;
    }
    let database = match db::build(&policy) {
        Ok(d) => d,
        Err(f) => {
            fail(&mut a, f);
            return a;
        }
    };
    a.diagnostics.extend(database.diagnostics.iter().cloned());
    a.diagnostics
        .extend(shadowed::shadowed_rules(&policy, &database));
    if let Some(arch) = cyclic_rule_tree(&database) {
        a.diagnostics.insert(
            0,
            Diagnostic::error(
                "libseccomp-hangs",
                format!(
                    "libseccomp 2.5.4 corrupts its rule tree for {arch} on these rules (a cycle among a syscall's argument comparisons) and then loops forever in seccomp_rule_add: the runtime would hang instead of starting the container"
                ),
            )
            .on(arch),
        );
        a.database = Some(database);
        return a;
    }
    match codegen::compile(&database) {
        Ok(p) => a.program = Some(p),
        Err(e) => a
            .diagnostics
            .insert(0, Diagnostic::error("program-too-large", e.message)),
    }
    a.database = Some(database);
    a
}
