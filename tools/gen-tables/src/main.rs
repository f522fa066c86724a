//! Table generator (in progress).
fn main() {}
