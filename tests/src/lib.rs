//! Shared helpers for seccplay's conformance tests (reference data, libseccomp, the kernel).

pub mod bpf;
pub mod kernel;
pub mod libseccomp;
pub mod pfc;
pub mod queries;
pub mod random_profile;
pub mod refdata;
