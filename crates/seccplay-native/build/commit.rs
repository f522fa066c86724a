//! The git commit a build comes from, for `--version`: shared by `build.rs` and its test.
//!
//! In order, the first that answers:
//! 1. `SECCPLAY_GIT_COMMIT` in the environment (a packager who knows better);
//! 2. `.cargo_vcs_info.json` beside Cargo.toml, which `cargo package` writes (a crates.io
//!    download or a `cargo install` from the registry);
//! 3. `git rev-parse HEAD`, only when this crate's Cargo.toml is tracked in that repository
//!    (an unpacked tarball inside some other repository must not borrow its commit);
//! 4. "unknown".

use std::path::{Path, PathBuf};
use std::process::Command;

/// Shown when nothing says which commit this is.
pub const UNKNOWN: &str = "unknown";

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

fn short(sha: &str) -> Option<String> {
    let ok = sha.len() >= 12 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| sha[..12].to_ascii_lowercase())
}

/// The sha1 in a `.cargo_vcs_info.json` (`{"git": {"sha1": "..."}, ...}`), read without a JSON
/// library (build scripts have none here).
fn vcs_info_sha(text: &str) -> Option<String> {
    let at = text.find("\"sha1\"")?;
    let rest = &text[at + 6..];
    let start = rest.find('"')? + 1;
    let len = rest[start..].find('"')?;
    short(&rest[start..start + len])
}

/// The commit of the crate whose manifest directory is `dir` (12 hex digits), or [`UNKNOWN`].
pub fn commit(dir: &Path, env: Option<String>) -> String {
    if let Some(c) = env.filter(|c| !c.trim().is_empty()) {
        return c.trim().to_string();
    }
    if let Ok(t) = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")) {
        if let Some(c) = vcs_info_sha(&t) {
            return c;
        }
    }
    if git(dir, &["ls-files", "--error-unmatch", "Cargo.toml"]).is_some() {
        if let Some(c) = git(dir, &["rev-parse", "HEAD"]).as_deref().and_then(short) {
            return c;
        }
    }
    UNKNOWN.to_string()
}

/// The files whose change means another commit: HEAD, the branch it names, packed refs (those
/// that exist: cargo reruns a build script for a missing one on every build).
pub fn watch(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    let path = |p: &str| {
        git(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", p],
        )
    };
    for p in ["HEAD", "packed-refs"] {
        v.extend(path(p).map(PathBuf::from));
    }
    if let Some(r) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        v.extend(path(&r).map(PathBuf::from));
    }
    v.retain(|p| p.exists());
    v
}
