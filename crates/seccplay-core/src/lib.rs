//! seccplay-core: Docker/OCI seccomp profiles as the kernel sees them.
//!
//! The crate reads as a pipeline (see ARCHITECTURE.md):
//!
//! ```text
//! profile (json, profile) → context + resolve → policy → db (+ eval) → codegen → bpf
//! ```
//!
//! * [`json`] parses text into values that remember their line, column and JSON path;
//! * [`profile`] reads Docker/moby and OCI profiles from them;
//! * [`context`] and [`resolve`] do what dockerd and runc/crun do with a profile;
//! * [`db`] is libseccomp's per-arch rule database, [`eval`] decides syscalls from it;
//! * [`codegen`] compiles the database to classic BPF;
//! * [`bpf`] models programs: verifier, interpreter with trace, disassembler, formats;
//! * [`supervise`] and [`record`] are the policy of a user-notification supervisor
//!   (`apply --explain`, `record`).
//!
//! Pure Rust, no platform code: it builds for the host and for `wasm32-unknown-unknown` and
//! gives the same bytes on both.
#![forbid(unsafe_code)]

pub mod action;
pub mod analysis;
pub mod arch;
pub mod bpf;
pub mod codegen;
pub mod context;
pub mod db;
pub mod diag;
pub mod eval;
pub mod evidence;
pub mod expr;
pub mod filter;
pub mod frontend;
pub mod host;
pub mod invariants;
pub mod json;
pub mod libseccomp;
pub mod presets;
pub mod profile;
pub mod record;
pub mod resolve;
pub mod sort;
mod suggest;
pub mod supervise;
pub mod syscalls;
pub mod tables;

/// What of libseccomp the core models (shown by `seccplay-native --version`). The table
/// provenance is in `refdata/SOURCES.md` §5; a test keeps the two in step.
pub const LIBSECCOMP_MODEL: LibseccompModel = LibseccompModel {
    semantics: "2.5.4",
    table_commit: "90d3f7dd6f52",
    table_date: "2026-07-01",
    table_linux: "v7.1.0-rc4",
};

/// The libseccomp release and syscall table behind the core's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LibseccompModel {
    /// The release whose rule database and BPF generation the core reproduces.
    pub semantics: &'static str,
    /// The libseccomp commit whose `src/syscalls.csv` the generated tables come from.
    pub table_commit: &'static str,
    /// That commit's date.
    pub table_date: &'static str,
    /// The Linux version that table was last updated to.
    pub table_linux: &'static str,
}

impl std::fmt::Display for LibseccompModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "libseccomp {} semantics; syscall table of libseccomp {} ({}, Linux {}): {} names",
            self.semantics,
            self.table_commit,
            self.table_date,
            self.table_linux,
            syscalls::all_names().count()
        )
    }
}

/// What seccplay is, in one sentence (shown by the CLI and the playground).
pub const TAGLINE: &str =
    "seccplay shows what Docker's seccomp filter does to every syscall, and why.";
