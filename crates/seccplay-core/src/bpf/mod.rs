//! Classic BPF programs as seccomp runs them (in progress).
