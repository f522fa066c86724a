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
pub mod expr;
pub mod frontend;
pub mod invariants;
pub mod json;
pub mod presets;
pub mod profile;
pub mod record;
pub mod resolve;
pub mod supervise;
pub mod syscalls;
pub mod tables;

/// What seccplay is, in one sentence (shown by the CLI and the playground).
pub const TAGLINE: &str =
    "seccplay shows what Docker's seccomp filter does to every syscall, and why.";
