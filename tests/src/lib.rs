//! Shared helpers for seccplay's conformance tests (reference data, libseccomp, the kernel).
