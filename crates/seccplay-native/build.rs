//! Sets `SECCPLAY_GIT_COMMIT` for `--version` (see build/commit.rs).

#[path = "build/commit.rs"]
mod commit;

fn main() {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-env-changed=SECCPLAY_GIT_COMMIT");
    println!("cargo:rerun-if-changed=build/commit.rs");
    for f in commit::watch(&dir) {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    let c = commit::commit(&dir, std::env::var("SECCPLAY_GIT_COMMIT").ok());
    println!("cargo:rustc-env=SECCPLAY_GIT_COMMIT={c}");
}
