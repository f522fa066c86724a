//! systemd's system call groups (`SystemCallFilter=@system-service`), from the project's capture
//! of `systemd-analyze syscall-filter` (refdata/host/systemd-252/syscall-filter.txt, written by
//! capture/systemd_syscall_filter.py from Debian 12's systemd 252).
//!
//! The capture is read as systemd-analyze prints it: a line `@name` opens a group, its first
//! indented line is `# help`, the other indented lines are members (system call names, or
//! `@other` groups, which systemd expands recursively), a blank line ends the group. The
//! trailing `# Ungrouped System Calls` block lists the names only `@known` holds.

use super::HEADER;
use std::fmt::Write as _;
use std::path::Path;

/// The capture, relative to `refdata/host/`.
pub const CAPTURE: &str = "systemd-252/syscall-filter.txt";

/// One group: name, help text, members in systemd's order.
pub type Group = (String, String, Vec<String>);

/// A parsed capture: the version line if present, the groups, the ungrouped names.
pub type Capture = (Option<String>, Vec<Group>, Vec<String>);

/// Parses a capture (or live `systemd-analyze syscall-filter` output).
pub fn parse(text: &str) -> Result<Capture, String> {
    let mut version = None;
    let mut groups: Vec<Group> = Vec::new();
    let mut ungrouped = Vec::new();
    let mut in_ungrouped = false;
    for (i, line) in text.lines().enumerate() {
        let at = || format!("line {}", i + 1);
        if let Some(v) = line.strip_prefix("# systemd-analyze systemd ") {
            version = Some(v.to_string());
        } else if line.starts_with("# Ungrouped System Calls") {
            in_ungrouped = true;
        } else if line.starts_with("# Unlisted System Calls") || line.starts_with("# Not showing") {
            break;
        } else if in_ungrouped {
            if let Some(n) = line.strip_prefix("#   ") {
                ungrouped.push(n.to_string());
            }
        } else if let Some(name) = line.strip_prefix('@') {
            groups.push((format!("@{name}"), String::new(), Vec::new()));
        } else if let Some(member) = line.strip_prefix("    ") {
            let g = groups
                .last_mut()
                .ok_or_else(|| format!("{}: member before any group", at()))?;
            match member.strip_prefix("# ") {
                Some(help) if g.1.is_empty() && g.2.is_empty() => g.1 = help.to_string(),
                _ => g.2.push(member.to_string()),
            }
        } else if !line.is_empty() {
            return Err(format!("{}: unexpected line {line:?}", at()));
        }
    }
    if groups.len() < 10 {
        return Err(format!("only {} groups", groups.len()));
    }
    Ok((version, groups, ungrouped))
}

/// Renders `tables/systemd.rs`.
pub fn generate(host: &Path) -> Result<(String, String), String> {
    let path = host.join(CAPTURE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (version, groups, ungrouped) = parse(&text).map_err(|e| format!("{CAPTURE}: {e}"))?;
    let version = version.ok_or_else(|| format!("{CAPTURE}: no version line"))?;
    let mut s = String::new();
    let _ = writeln!(s, "{HEADER}");
    let _ = writeln!(
        s,
        "//\n// systemd's system call groups as `systemd-analyze syscall-filter` of systemd {version}\n// prints them (refdata/host/{CAPTURE}).\n"
    );
    let _ = writeln!(s, "/// The systemd release the groups come from.");
    let _ = writeln!(s, "pub(crate) const SYSTEMD_VERSION: &str = {version:?};\n");
    let _ = writeln!(
        s,
        "/// (group, help, members in systemd's order; a member `@x` is another group).\n#[rustfmt::skip]\npub(crate) static SYSTEMD_GROUPS: &[(&str, &str, &[&str])] = &["
    );
    for (name, help, members) in &groups {
        let m: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
        let _ = writeln!(s, "    ({name:?}, {help:?}, &[{}]),", m.join(", "));
    }
    let _ = writeln!(s, "];\n");
    let u: Vec<String> = ungrouped.iter().map(|m| format!("{m:?}")).collect();
    let _ = writeln!(
        s,
        "/// The names only `@known` holds (\"Ungrouped System Calls\").\n#[rustfmt::skip]\npub(crate) static SYSTEMD_UNGROUPED: &[&str] = &[{}];",
        u.join(", ")
    );
    Ok(("systemd.rs".to_string(), s))
}
