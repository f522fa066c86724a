//! Profiles as written: Docker/moby seccomp profiles, OCI `linux.seccomp` objects and whole OCI
//! `config.json` files. Nothing here decides what the profile *means*: that is
//! [`crate::resolve`].
//!
//! 1. `schema.rs`: the types a profile is read into ([`Profile`], [`SyscallEntry`], ...), every
//!    value with its location.
//! 2. `reader.rs` and `obj.rs`: the reader from located JSON, with Go's encoding/json rules
//!    (`null` as absent, strict unsigned integers, duplicate members). Errors say where, what
//!    was expected and why.
//! 3. `fold.rs`: Go's case folding of member names (`go_fold_eq`).

mod fold;
mod obj;
mod reader;
mod schema;

pub use schema::*;

use crate::diag::Failure;
use crate::json;
pub(crate) use reader::read;

/// Parses a profile from text (Docker, OCI or config.json; detected).
pub fn parse(text: &str) -> Result<Parsed, Failure> {
    let root = json::parse(text).map_err(Failure::single)?;
    read(text, root)
}

/// Parses a profile from bytes that should be UTF-8.
pub fn parse_bytes(bytes: &[u8]) -> Result<Parsed, Failure> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Failure::single(json::parse_bytes(bytes).expect_err("invalid UTF-8 is an error"))
    })?;
    parse(text)
}

#[cfg(test)]
mod tests;
