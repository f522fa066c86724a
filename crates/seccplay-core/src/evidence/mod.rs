//! Evidence from a failure, read against a profile: the kernel's seccomp audit records and
//! strace logs.
//!
//! * [`audit`] reads audit records in every form (kernel log, auditd, `ausearch -i`);
//!   [`attribute`] names, for each, the parts of a profile that log that action for that call.
//! * [`strace`] reads `strace -f` output; [`predict`] decides every call under a profile;
//!   [`recorded`] compares what each call really got with that prediction.
//! * [`outcomes`] enumerates the decisions a syscall can reach when arguments are unknown,
//!   which both need (audit records carry no arguments; strace shows strings, not addresses).
//! * [`logflag`] writes the copy of a profile that makes the kernel log its refusals.

pub mod attribute;
pub mod audit;
pub mod logflag;
pub mod outcomes;
pub mod predict;
pub mod recorded;
pub mod strace;
