//! `cargo run -p seccplay-gen-tables -- [--refdata DIR] [--check]`
//!
//! Writes `crates/seccplay-core/src/tables/*.rs` from the reference data in `DIR` (default
//! the repository's `refdata/`). With `--check` it writes nothing and exits 1 naming the files
//! that are stale.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut refdata = repo.join("refdata");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--refdata" => match args.next() {
                Some(d) => refdata = PathBuf::from(d),
                None => {
                    eprintln!("error: --refdata needs a directory");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("usage: seccplay-gen-tables [--refdata DIR] [--check]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown argument `{other}` (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    let files = match seccplay_gen_tables::generate(&refdata) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let out = repo.join("crates/seccplay-core/src/tables");
    let mut stale = Vec::new();
    for (name, text) in &files {
        let path = out.join(name);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(text.as_str()) {
            continue;
        }
        if check {
            stale.push(name.clone());
        } else if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        } else {
            println!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        eprintln!(
            "stale generated files in crates/seccplay-core/src/tables: {} (run `cargo run -p seccplay-gen-tables`)",
            stale.join(", ")
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
