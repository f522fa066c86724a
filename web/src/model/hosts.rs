//! The Hosts tab: one call (or a few) across named hosts, presets and the editor's profile, and
//! a whole profile between two of them. The core decides (`seccplay_core::host::matrix` and
//! `diff`, the same calls as `seccplay-native matrix`); this module builds the columns as the
//! CLI does and splits the calls.
use seccplay_core::context::Context;
use seccplay_core::host::{self, diff, matrix, Column, HostDiff, Matrix, HOSTS};
use seccplay_core::presets::{self, PresetKind};

/// The name of the column holding the editor's profile in the page's context (as the CLI's
/// `--profile` column).
pub const CUSTOM: &str = "custom";

/// The calls the tab opens with: the examples of "fails here, not there".
pub const DEFAULT_CALLS: &str = "clone3()\nio_uring_setup(0, 0)\nfaccessat2(0, 0, 0, 0)\nunshare(CLONE_NEWUSER)\nsocket(AF_VSOCK, SOCK_STREAM, 0)";

/// The columns a person can choose: every named host, every profile preset, and `custom`.
pub fn choices() -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = HOSTS
        .iter()
        .map(|h| (h.name, format!("{} — {}", h.name, h.title)))
        .collect();
    v.extend(
        presets::all()
            .iter()
            .filter(|p| matches!(p.kind, PresetKind::Profile(_)))
            .map(|p| (p.name, format!("{} in the page's context", p.title))),
    );
    v.push((
        CUSTOM,
        "custom — the editor's profile in the page's context".into(),
    ));
    v
}

/// The default columns: every named host (the CLI's `matrix` without `--host`/`--preset`).
pub fn default_columns() -> Vec<String> {
    host::HOST_NAMES.iter().map(|n| n.to_string()).collect()
}

/// Builds the chosen columns, in the order of [`choices`]: a named host in its own context, a
/// preset in the page's context (Docker's built-in default as such, as the CLI's `--preset`),
/// `custom` as the editor's text in the page's context exactly as the editor is analysed.
pub fn columns(
    chosen: &[String],
    text: &str,
    ctx: &Result<Context, String>,
) -> Result<Vec<Column>, String> {
    let mut cols = Vec::new();
    for (name, _) in choices() {
        if !chosen.iter().any(|c| c == name) {
            continue;
        }
        if let Some(h) = host::host(name) {
            cols.push(Column::host(h));
            continue;
        }
        let ctx = ctx
            .as_ref()
            .map_err(|e| format!("{name}: the page's context is invalid ({e})"))?;
        if name == CUSTOM {
            cols.push(Column::new(CUSTOM, text, ctx));
        } else if let Some(p) = presets::get(name) {
            if let PresetKind::Profile(t) = p.kind {
                let mut c = ctx.clone();
                c.explicit_profile = !p.builtin;
                c.engine = p.engine.unwrap_or_default();
                cols.push(Column::new(p.name, t, &c));
            }
        }
    }
    Ok(cols)
}

/// The calls of the field: one per line or separated by `;` (a call's own commas stay), empty
/// ones left out.
pub fn split_calls(text: &str) -> Vec<&str> {
    text.split(['\n', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// The matrix of the calls typed, or why there is none (no call, no column, a call that does
/// not parse: the core's message with the call and its column).
pub fn decide(calls: &str, cols: &[Column]) -> Result<Matrix, String> {
    let calls = split_calls(calls);
    if calls.is_empty() {
        return Err(
            "Type a call, e.g. clone3() — several separated by ';' or on separate lines.".into(),
        );
    }
    if cols.is_empty() {
        return Err("Choose at least one host or preset.".into());
    }
    matrix(&calls, cols)
}

/// Every syscall compared between two of the columns, by name.
pub fn compare(cols: &[Column], a: &str, b: &str) -> Result<HostDiff, String> {
    let find = |n: &str| {
        cols.iter()
            .find(|c| c.name == n)
            .ok_or_else(|| format!("{n} is not one of the chosen columns"))
    };
    Ok(diff(find(a)?, find(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use seccplay_core::arch::Arch;

    #[test]
    fn calls_split_on_lines_and_semicolons_keeping_commas() {
        assert_eq!(
            split_calls(" clone3()\n\nsocket(AF_VSOCK, SOCK_STREAM, 0); unshare(CLONE_NEWUSER) ;"),
            [
                "clone3()",
                "socket(AF_VSOCK, SOCK_STREAM, 0)",
                "unshare(CLONE_NEWUSER)"
            ]
        );
        assert!(decide(" ; \n", &[]).unwrap_err().contains("Type a call"));
    }

    #[test]
    fn columns_follow_the_menu_order_and_name_bad_calls() {
        let ctx = Ok(Context::docker(Arch::X86_64));
        let chosen = vec![
            CUSTOM.to_string(),
            "docker@25".to_string(),
            "k8s-containerd2".to_string(),
        ];
        let cols = columns(&chosen, "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", &ctx).unwrap();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["k8s-containerd2", "docker@25", CUSTOM]);
        assert!(decide("", &cols).is_err());
        let e = decide("clone3()\nnosuchcall(1)", &cols).unwrap_err();
        assert!(e.contains("nosuchcall"), "{e}");
        let m = decide("clone3()", &cols).unwrap();
        assert_eq!(m.rows[0].cells[2].outcome.label, "ALLOW");
        let d = compare(&cols, "k8s-containerd2", CUSTOM).unwrap();
        assert!(!d.rows.is_empty());
        assert!(compare(&cols, "nope", CUSTOM).is_err());
        // A preset or custom column needs a valid page context; named hosts bring their own.
        let bad = Err("invalid kernel version".to_string());
        let e = columns(&chosen, "{}", &bad).err().unwrap_or_default();
        assert!(e.contains("invalid kernel"), "{e}");
        assert_eq!(
            columns(&default_columns(), "", &bad).unwrap().len(),
            HOSTS.len()
        );
    }
}
