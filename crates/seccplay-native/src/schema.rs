//! The `--json` contract: every JSON document (or JSON line) a command prints is an object
//! with `"schema_version"`, and its shape is documented in docs/JSON.md, which
//! tests/native_json.rs compares with what the commands print.
//!
//! The rule: adding a key is compatible (scripts ignore keys they do not know); removing or
//! renaming a key, or changing its type, bumps [`SCHEMA_VERSION`] and says so in docs/JSON.md.

use serde_json::Value;

/// The version of the JSON shapes documented in docs/JSON.md.
pub const SCHEMA_VERSION: u32 = 1;

/// `v` (an object) with `"schema_version"` added.
pub fn versioned(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.insert("schema_version".into(), SCHEMA_VERSION.into());
    }
    v
}

/// A JSON document, pretty-printed with its schema version, for `println!`.
pub fn pretty(v: Value) -> String {
    serde_json::to_string_pretty(&versioned(v)).unwrap_or_default()
}

/// One JSON line with its schema version.
pub fn line(v: Value) -> String {
    versioned(v).to_string()
}
