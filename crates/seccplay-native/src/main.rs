//! `seccplay-native`: seccplay-core on Linux, for real.
use clap::Parser;

/// Compile Docker/OCI seccomp profiles, simulate syscalls, and install filters for real.
#[derive(Parser, Debug)]
#[command(name = "seccplay-native", version, about, long_about = seccplay_core::TAGLINE)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
