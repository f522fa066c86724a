//! The CLI about itself: `--version`, the exit statuses, `completions` and `man`, all from the
//! one clap definition in main.rs (so a new subcommand appears in each without more code).

use crate::{write_out, Fail};
use clap::{Args, ValueEnum};
use clap_complete::Shell;
use std::path::PathBuf;

/// The exit statuses of every command, shown by `--help` and copied in README.md (a test keeps
/// the two equal).
pub const EXIT_STATUS: &str = "\
Exit status:
  0        success (lint: no error; diff: no difference; check: filters supported)
  1        an error, or a negative answer: lint found an error, diff found a difference,
           simulate --batch/emu found a disagreement or a bad line, check found no support
  2        bad usage (unknown option, missing argument)
  apply, record:
  N        the command's own exit status
  128+N    the command died of signal N (159 = SIGSYS: a seccomp KILL or TRAP action)
  125      refused or failed before the command ran (it never ran)
  126      the command was found but could not be executed
  127      the command was not found";

/// What `--version` prints after the name (`-V` prints the version alone): the version, the commit, what of libseccomp the
/// core models.
pub fn version() -> String {
    format!(
        "{}\ncommit: {}\nmodel: {}\njson schema: {}",
        env!("CARGO_PKG_VERSION"),
        env!("SECCPLAY_GIT_COMMIT"),
        seccplay_core::LIBSECCOMP_MODEL,
        crate::schema::SCHEMA_VERSION,
    )
}

/// `completions` arguments.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// Shells `completions` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    /// bash (bash-completion's `complete -F`)
    Bash,
    /// zsh (`#compdef`)
    Zsh,
    /// fish (`complete -c`)
    Fish,
}

/// Runs `completions`: the script on stdout.
pub fn completions(a: CompletionsArgs) -> Result<u8, Fail> {
    let shell = match a.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut cmd = crate::command();
    let name = cmd.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, name.clone(), &mut out);
    let mut script = String::from_utf8_lossy(&out).into_owned();
    if shell == Shell::Bash {
        // clap_complete's bash script spells a hyphenated binary's state two ways (the loop
        // `seccplay__native__subcmd__table`, the case arms `seccplay__subcmd__native__...`),
        // so no subcommand's options ever complete: clap-rs/clap#6421. Spell the arms as the
        // loop does (a no-op once upstream is fixed; tests/native_meta.rs checks in real bash).
        let (wrong, right) = (name.replace('-', "__subcmd__"), name.replace('-', "__"));
        script = script.replace(&format!("\n        {wrong}"), &format!("\n        {right}"));
    }
    write_out(None, script.as_bytes())?;
    Ok(0)
}

/// `man` arguments.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write seccplay-native.1 and one page per subcommand (seccplay-native-apply.1, ...)
    /// into DIR instead of the main page to stdout
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// clap_mangen titles `after_help` "EXTRA": the main page's is the exit statuses, a
/// subcommand's its notes and examples.
fn retitle(page: &str, main: bool) -> String {
    let title = if main {
        ".SH \"EXIT STATUS\""
    } else {
        ".SH NOTES"
    };
    page.replace(".SH EXTRA", title)
}

/// Runs `man`.
pub fn man(a: ManArgs) -> Result<u8, Fail> {
    let cmd = crate::command();
    let io = |what: &str, e: std::io::Error| Fail::msg(format!("{what}: {e}"));
    match a.dir {
        Some(dir) => {
            let shown = dir.display().to_string();
            std::fs::create_dir_all(&dir).map_err(|e| io(&format!("creating {shown}"), e))?;
            clap_mangen::generate_to(cmd.clone(), &dir)
                .map_err(|e| io(&format!("writing man pages to {shown}"), e))?;
            let main = format!("{}.1", cmd.get_name());
            let mut names = vec![main.clone()];
            names.extend(
                cmd.get_subcommands()
                    .map(|s| format!("{}-{}.1", cmd.get_name(), s.get_name())),
            );
            for n in names {
                let path = dir.join(&n);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| io(&format!("reading {}", path.display()), e))?;
                std::fs::write(&path, retitle(&text, n == main))
                    .map_err(|e| io(&format!("writing {}", path.display()), e))?;
            }
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .map_err(|e| io("rendering the man page", e))?;
            write_out(
                None,
                retitle(&String::from_utf8_lossy(&out), true).as_bytes(),
            )?;
        }
    }
    Ok(0)
}
