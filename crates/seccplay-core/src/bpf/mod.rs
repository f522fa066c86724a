//! Classic BPF programs as seccomp runs them: instructions and their bytes ([`insn`]),
//! `seccomp_data` ([`data`]), the kernel's load-time verifier ([`verify`]), an interpreter with
//! traces and stacking ([`interp`]), strict mode ([`strict`]), the kernel's constant-action
//! cache and cost analysis ([`cache`]), disassembler and assembler ([`disasm`], [`asm`]) and
//! import/export formats ([`format`]); transforms for a user-space supervisor ([`notify`]).

pub mod asm;
pub mod cache;
pub mod data;
pub mod disasm;
pub mod format;
pub mod insn;
pub mod interp;
pub mod notify;
pub mod strict;
pub mod verify;

pub use data::SeccompData;
pub use insn::Insn;

#[cfg(test)]
mod tests;
