//! systemd's system call groups as seccplay has them (generated from the capture in
//! refdata/host/systemd-252/) equal what the installed `systemd-analyze syscall-filter` prints:
//! every group, its description, its members in order, and the ungrouped names. The installed
//! systemd must be the captured release (Debian 12's 252); without the tool the test says so and
//! passes, except under CI=true, where it fails.

use seccplay_core::frontend::systemd;
use std::process::Command;

fn installed() -> Result<(String, String), String> {
    let run = |args: &[&str]| {
        Command::new("systemd-analyze")
            .args(args)
            .output()
            .map_err(|e| format!("systemd-analyze: {e}"))
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let version = run(&["--version"])?;
    let out = run(&["syscall-filter", "--no-pager"])?;
    Ok((version, out))
}

#[test]
fn groups_equal_the_installed_systemd_analyze() {
    let (version, out) = match installed() {
        Ok(x) => x,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{e}: install systemd (scripts/setup.sh TEST_PKGS)"
            );
            eprintln!("SKIPPED: {e} (install systemd to run this oracle test)");
            return;
        }
    };
    let first = version.lines().next().unwrap_or_default();
    assert_eq!(
        first.strip_prefix("systemd ").unwrap_or(first),
        systemd::VERSION,
        "the installed systemd is not the captured release"
    );
    let (_, live, ungrouped) = seccplay_gen_tables::systemd::parse(&out).unwrap();
    let ours = systemd::groups();
    assert_eq!(live.len(), ours.len());
    let mut members = 0;
    for ((name, help, m), g) in live.iter().zip(&ours) {
        assert_eq!((name.as_str(), help.as_str()), (g.name, g.help));
        assert_eq!(
            m,
            &g.members.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "{name}"
        );
        members += m.len();
    }
    assert_eq!(ungrouped, systemd::ungrouped());
    assert!(
        ours.len() >= 25 && members > 1000,
        "{} groups, {members} members",
        ours.len()
    );
    eprintln!(
        "{} groups, {members} members, {} ungrouped: equal",
        ours.len(),
        ungrouped.len()
    );
}
