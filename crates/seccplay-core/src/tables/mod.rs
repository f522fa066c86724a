//! Generated tables (in progress).
