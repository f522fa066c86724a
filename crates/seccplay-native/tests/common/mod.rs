//! What the real-kernel test files share: whether this machine can run them, and the rule for
//! when it cannot (a clear message, and a failure under CI rather than a silent skip).
#![allow(dead_code)] // each test file uses its own part

use std::path::Path;

/// Why this process cannot install seccomp filters, if it cannot.
pub fn no_seccomp_filters() -> Option<&'static str> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let seccomp = status.contains("\nSeccomp:\t0") || status.contains("\nSeccomp:\t2");
    let avail = Path::new("/proc/sys/kernel/seccomp/actions_avail").exists();
    (!seccomp || !avail)
        .then_some("the kernel has no seccomp filter support (or this process is in strict mode)")
}

/// Whether the tests run as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// True when `why` is `None`; otherwise prints why `test` is skipped, or panics under CI.
pub fn ready_unless(test: &str, why: Option<String>) -> bool {
    match why {
        None => true,
        Some(w) if std::env::var_os("CI").is_some() => panic!("{test}: CI is set but {w}"),
        Some(w) => {
            eprintln!("{test}: skipping: {w}");
            false
        }
    }
}

/// The subcommands of `bin` (or of `bin path...`), read from clap's `--help` ("Commands:"
/// section; `help` left out): tests that must cover every subcommand iterate this, so a new
/// subcommand is covered without editing them.
pub fn subcommands(bin: &str, path: &[&str]) -> Vec<String> {
    let names = subcommands_if_any(bin, path);
    assert!(
        !names.is_empty(),
        "no Commands: section in {path:?} --help:\n{}",
        help(bin, path)
    );
    names
}

/// The subcommands `bin PATH... --help` lists, none for a command without subcommands.
#[allow(dead_code)]
pub fn subcommands_if_any(bin: &str, path: &[&str]) -> Vec<String> {
    let help = help(bin, path);
    let mut names = Vec::new();
    let mut inside = false;
    for line in help.lines() {
        if line == "Commands:" {
            inside = true;
            continue;
        }
        if inside {
            // "  name  About..." ; a blank or unindented line ends the section.
            let Some(rest) = line.strip_prefix("  ") else {
                break;
            };
            if let Some(name) = rest.split_whitespace().next() {
                if name != "help" && !rest.starts_with(' ') {
                    names.push(name.to_string());
                }
            }
        }
    }
    names
}

/// The long options a subcommand takes (`json`, `batch`, ...), from its `--help`'s "Options:".
pub fn long_options(bin: &str, path: &[&str]) -> Vec<String> {
    help(bin, path)
        .lines()
        .skip_while(|l| *l != "Options:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let l = l.trim_start();
            let l = l.split_once(", ").map_or(
                l,
                |(short, rest)| {
                    if short.len() == 2 {
                        rest
                    } else {
                        l
                    }
                },
            );
            l.strip_prefix("--")
                .map(|o| o.split([' ', '=', '<']).next().unwrap_or("").to_string())
        })
        .collect()
}

/// `bin path... --help`.
fn help(bin: &str, path: &[&str]) -> String {
    let out = std::process::Command::new(bin)
        .args(path)
        .arg("--help")
        .output()
        .expect("spawn --help");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh, empty directory for one test of this process.
pub fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("seccplay-native-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `body` to `dir/name`; its path as a string.
pub fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_str().unwrap().to_string()
}

/// Runs seccplay-native with `args` (this package's binary) and collects its output.
pub fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_seccplay-native"))
        .args(args)
        .output()
        .expect("spawn seccplay-native")
}

/// The pid a test's `sh -c 'echo $$ > PIDFILE; exec sleep …'` wrote, once `sh` has exec'd
/// `sleep` (its comm says so); panics after 10 s.
pub fn sleeping_pid(pidfile: &Path) -> i32 {
    use std::time::{Duration, Instant};
    let start = Instant::now();
    let pid = loop {
        if let Some(p) = std::fs::read_to_string(pidfile)
            .ok()
            .and_then(|s| s.trim().parse::<i32>().ok())
        {
            break p;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no pid file");
        std::thread::sleep(Duration::from_millis(20));
    };
    while std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default() != "sleep\n" {
        assert!(start.elapsed() < Duration::from_secs(10), "sleep never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    pid
}
