//! The host as context: which engine wrote the default profile and which version of it
//! (presets `docker@25`, `containerd@1.7`, … in [`crate::presets`]), which libseccomp the
//! runtime links ([`Libseccomp`]), which runtime release ([`runtime`]) and which kernel
//! ([`kernel`]); named combinations people run ([`HOSTS`]); and one call across all of them
//! ([`matrix`]) or a whole profile between two of them ([`diff`]).
//!
//! The final outcome a process sees is the filter's verdict, then the kernel's: a call the
//! filter allows on a kernel that predates it fails with ENOSYS from the kernel itself.

/// The kernel versions of the syscalls (they live with the syscall tables, where the
/// simulation reads them too).
pub use crate::syscalls::kernel;
mod matrix;
mod named;
pub mod runtime;

pub use crate::libseccomp::Libseccomp;
pub use matrix::{diff, matrix, Cell, Column, DiffRow, HostDiff, Matrix, Outcome, Row};
pub use named::{host, NamedHost, HOSTS, HOST_NAMES};
