//! The committed tables in `crates/seccplay-core/src/tables/` are what the generator makes
//! from the repository's `refdata/` today. The data is in the repository, so this never skips:
//! a missing or unreadable `refdata/` fails the test.

use std::path::Path;

#[test]
fn committed_tables_are_up_to_date() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let files = seccplay_gen_tables::generate(&root.join("refdata")).expect("generation failed");
    let mut stale = Vec::new();
    for (name, text) in &files {
        assert!(
            text.starts_with(seccplay_gen_tables::HEADER),
            "{name}: no header"
        );
        let path = root.join("crates/seccplay-core/src/tables").join(name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == *text {
            continue;
        }
        // errno messages come from the generating host's C library: another libc words them
        // differently without the tables being stale.
        if name == "errno_messages.rs" && numbers(&committed) == numbers(text) {
            eprintln!("note: {name}: same errno values, but this host's C library words the messages differently");
            continue;
        }
        stale.push(name.clone());
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {} — run `cargo run -p seccplay-gen-tables`",
        stale.join(", ")
    );
}

#[test]
fn bad_refdata_is_an_error_not_a_panic() {
    let dir = std::env::temp_dir().join(format!("gen-tables-test-{}", std::process::id()));
    let e = seccplay_gen_tables::generate(&dir).unwrap_err();
    assert!(
        e.contains("syscalls.csv") && e.contains("cannot read"),
        "{e}"
    );
}

/// The errno numbers of a generated `errno_messages.rs` (its `(n, "message")` rows).
fn numbers(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('('))
        .filter_map(|l| l.split(',').next())
        .collect()
}
