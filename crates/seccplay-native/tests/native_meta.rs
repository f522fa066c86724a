//! The CLI as people install and script it: `--version`, the exit-status table, shell
//! completions (run in real bash) and the man page (rendered by man/groff). Every subcommand
//! is read from `--help`, so a new one is covered without editing these tests.

mod common;

use common::{run, tmpdir};

#[path = "../build/commit.rs"]
mod commit;

use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_seccplay-native");

fn stdout(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// A tool the test needs: its path, or None with the rule of common::ready_unless.
fn tool(test: &str, name: &str) -> Option<String> {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let why = found
        .is_none()
        .then(|| format!("{name} is not installed (scripts/setup.sh installs it)"));
    common::ready_unless(test, why).then(|| found.unwrap_or_default())
}

#[test]
fn version_names_the_release_the_commit_and_the_libseccomp_model() {
    let v = stdout(&["--version"]);
    let lines: Vec<&str> = v.lines().collect();
    assert_eq!(
        lines[0],
        format!("seccplay-native {}", env!("CARGO_PKG_VERSION")),
        "{v}"
    );
    let commit = lines
        .iter()
        .find_map(|l| l.strip_prefix("commit: "))
        .unwrap_or_else(|| panic!("no commit line: {v}"));
    assert!(
        commit == commit::UNKNOWN
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{commit}"
    );
    // Built from this checkout: the commit is this checkout's HEAD (when git can say).
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let expected = commit::commit(manifest, std::env::var("SECCPLAY_GIT_COMMIT").ok());
    assert_eq!(commit, expected, "{v}");
    let m = seccplay_core::LIBSECCOMP_MODEL;
    assert!(
        v.contains(&format!("libseccomp {} semantics", m.semantics)),
        "{v}"
    );
    assert!(
        v.contains(m.table_commit) && v.contains(m.table_linux),
        "{v}"
    );
    assert!(v.contains("json schema: "), "{v}");
    // -V is the short form, as packagers' scripts expect.
    assert_eq!(
        stdout(&["-V"]).trim(),
        format!("seccplay-native {}", env!("CARGO_PKG_VERSION"))
    );
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// build.rs's commit: from a tarball (no .git) "unknown"; from `cargo package`'s
/// .cargo_vcs_info.json its sha1; from a repository that tracks the crate its HEAD, but not
/// from a repository the crate merely sits in untracked; SECCPLAY_GIT_COMMIT wins.
#[test]
fn build_commit_from_tarball_package_repository_and_environment() {
    let d = tmpdir("commit");
    let tarball = d.join("tarball");
    std::fs::create_dir_all(&tarball).unwrap();
    std::fs::write(tarball.join("Cargo.toml"), "[package]\n").unwrap();
    assert_eq!(commit::commit(&tarball, None), "unknown");
    assert_eq!(commit::commit(&tarball, Some("abc123".into())), "abc123");
    assert_eq!(commit::commit(&tarball, Some("  ".into())), "unknown");

    let packaged = d.join("packaged");
    std::fs::create_dir_all(&packaged).unwrap();
    std::fs::write(
        packaged.join(".cargo_vcs_info.json"),
        "{\n  \"git\": {\n    \"sha1\": \"0123456789abcdef0123456789abcdef01234567\"\n  },\n  \"path_in_vcs\": \"crates/seccplay-native\"\n}",
    )
    .unwrap();
    assert_eq!(commit::commit(&packaged, None), "0123456789ab");

    if tool("build_commit", "git").is_none() {
        return;
    }
    let repo = d.join("repo");
    std::fs::create_dir_all(repo.join("crate")).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("crate/Cargo.toml"), "[package]\n").unwrap();
    // Untracked: an unpacked tarball inside someone else's repository.
    std::fs::write(repo.join("other"), "x").unwrap();
    git(&repo, &["add", "other"]);
    git(&repo, &["commit", "-q", "-m", "other"]);
    assert_eq!(commit::commit(&repo.join("crate"), None), "unknown");
    git(&repo, &["add", "crate/Cargo.toml"]);
    git(&repo, &["commit", "-q", "-m", "crate"]);
    let head = Command::new("git")
        .arg("-C")
        .arg(&repo)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim()[..12].to_string();
    assert_eq!(commit::commit(&repo.join("crate"), None), head);
    assert!(commit::watch(&repo.join("crate"))
        .iter()
        .all(|p| p.exists()));
    let _ = std::fs::remove_dir_all(&d);
}

/// The exit statuses are written once (meta::EXIT_STATUS, shown by `--help`) and README.md
/// carries the same block.
#[test]
fn exit_statuses_in_help_and_readme_are_the_same_block() {
    let help = stdout(&["--help"]);
    let block: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Exit status:")
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(block.len() > 5, "{help}");
    for code in [
        "  0 ", "  1 ", "  2 ", "  125 ", "  126 ", "  127 ", "  128+N ",
    ] {
        assert!(
            block.iter().any(|l| l.starts_with(code)),
            "{code}: {block:?}"
        );
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    assert!(
        readme.contains(&block.join("\n")),
        "README.md must contain the exit-status block of --help verbatim:\n{}",
        block.join("\n")
    );
    // Each subcommand points there.
    for sub in common::subcommands(BIN, &[]) {
        assert!(
            stdout(&[&sub, "--help"]).contains("Exit status: see `seccplay-native --help`"),
            "{sub}"
        );
    }
}

#[test]
fn completions_for_bash_zsh_fish_name_every_subcommand() {
    let subs = common::subcommands(BIN, &[]);
    assert!(
        subs.contains(&"simulate".to_string()) && subs.contains(&"man".to_string()),
        "{subs:?}"
    );
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&["completions", shell]);
        for s in &subs {
            assert!(script.contains(s.as_str()), "{shell} completion lacks {s}");
        }
        // And the options of a subcommand.
        assert!(script.contains("json"), "{shell}");
    }
    assert!(stdout(&["completions", "zsh"]).starts_with("#compdef seccplay-native"));
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "unknown shell is a usage error");
}

/// Sources the bash completion in a real bash and asks the function `complete -p` names for
/// the words of `line` (the cursor at its end), as bash does on TAB.
fn bash_complete(bash: &str, script: &Path, line: &str) -> Vec<String> {
    let prog = format!(
        r#"source {script}
spec=$(complete -p seccplay-native) || exit 3
fn=$(sed -n 's/.*-F \([^ ]*\).*/\1/p' <<<"$spec")
[[ -n $fn ]] || exit 4
COMP_LINE={line:?}
COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
"$fn" seccplay-native "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script = script.display()
    );
    let o = Command::new(bash)
        .args(["--norc", "--noprofile", "-c", &prog])
        .stdin(Stdio::null())
        .output()
        .expect("bash");
    assert!(
        o.status.success(),
        "bash: {:?} {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn bash_completes_si_to_simulate_and_options() {
    let Some(bash) = tool("bash_completion", "bash") else {
        return;
    };
    let d = tmpdir("bash");
    let script = d.join("seccplay-native.bash");
    std::fs::write(&script, stdout(&["completions", "bash"])).unwrap();
    assert_eq!(
        bash_complete(&bash, &script, "seccplay-native si"),
        ["simulate"]
    );
    assert_eq!(
        bash_complete(&bash, &script, "seccplay-native table docker --js"),
        ["--json"]
    );
    let all = bash_complete(&bash, &script, "seccplay-native ");
    for s in common::subcommands(BIN, &[]) {
        assert!(all.contains(&s), "{s} not offered: {all:?}");
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn man_page_renders_and_names_every_subcommand() {
    let d = tmpdir("man");
    let page = d.join("seccplay-native.1");
    std::fs::write(&page, stdout(&["man"])).unwrap();
    let roff = std::fs::read_to_string(&page).unwrap();
    assert!(roff.contains(".TH seccplay-native 1"), "{roff}");
    assert!(roff.contains(".SH \"EXIT STATUS\""), "{roff}");
    let subs = common::subcommands(BIN, &[]);
    for s in &subs {
        assert!(
            roff.contains(&format!("seccplay\\-native\\-{s}(1)")),
            "man page lacks {s}"
        );
    }
    // One page per subcommand with --dir.
    let dir = d.join("man1");
    stdout(&["man", "--dir", dir.to_str().unwrap()]);
    for s in &subs {
        let p = dir.join(format!("seccplay-native-{s}.1"));
        let t = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(t.contains(".SH NOTES") || !t.contains(".SH EXTRA"), "{s}");
    }
    // Rendered by the real formatter, as `man ./seccplay-native.1` does.
    let Some(man) = tool("man_page", "man") else {
        return;
    };
    let o = Command::new(man)
        .args(["-l", page.to_str().unwrap()])
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man -l");
    let text = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "man -l: {err}");
    for want in [
        "NAME",
        "SYNOPSIS",
        "EXIT STATUS",
        "seccplay-native-simulate(1)",
        "127",
    ] {
        assert!(text.contains(want), "rendered page lacks {want}:\n{text}");
    }
    let _ = std::fs::remove_dir_all(&d);
}
