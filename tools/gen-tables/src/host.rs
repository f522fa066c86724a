//! The host tables: libseccomp 2.5.4's differences from the current syscall table, the kernel
//! version each syscall appeared in (syscalls(2) to Linux 5.14, then the project's cited table of
//! the later calls), the capability numbers, the engine presets by version (Docker's history and
//! Podman byte-exact, containerd's RuntimeDefault as a conditional profile).
//!
//! Inputs are the byte-exact reference copy (`refdata/`) and the project's own captures
//! in `refdata/host/` (see its SOURCES.md). The containerd template is built like this:
//! 1. the groups containerd always appends (the allow list, the argument rules, the kernel ≥ 4.8
//!    group) are read from the stored "all capabilities" amd64 output;
//! 2. one group per capability with a case in `seccomp_default.go` (facts.json `cap_cases`),
//!    read from the same output in capability-number order (the captured linux/capability.h)
//!    and checked against the count;
//! 3. the per-GOARCH groups and architecture lists come from facts.json, and are checked against
//!    the stored amd64 and arm64 outputs;
//! 4. the clone flags rule and the clone3 ENOSYS rule come from the default-capabilities output,
//!    made conditional on CAP_SYS_ADMIN being absent (and on the arch for clone's argument index).
//!
//! The result is a Docker-format profile whose `includes`/`excludes` say what containerd's Go
//! `if`s and `switch`es say, so seccplay's moby resolver produces containerd's output in any
//! context. The oracle test compares decisions with every stored file.

use super::{split_csv_line, Profile, COLUMNS, HEADER};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The project's capture of linux/capability.h: capability names in number order.
const CAPABILITIES: &str = "linux-libc-dev-6.1/capabilities.csv";

/// The project's table of the calls added after syscalls(2)'s Linux 5.14, each version cited.
const AFTER_5_14: &str = "kernel-after-5.14/since.csv";

/// GOARCH → (moby's native-arch string for `includes.arches`, the SCMP_ARCH of the host).
const GOARCH: [(&str, &str, &str); 13] = [
    ("amd64", "amd64", "SCMP_ARCH_X86_64"),
    ("386", "x86", "SCMP_ARCH_X86"),
    ("arm", "arm", "SCMP_ARCH_ARM"),
    ("arm64", "arm64", "SCMP_ARCH_AARCH64"),
    ("ppc64le", "ppc64le", "SCMP_ARCH_PPC64LE"),
    ("s390", "s390", "SCMP_ARCH_S390"),
    ("s390x", "s390x", "SCMP_ARCH_S390X"),
    ("riscv64", "riscv64", "SCMP_ARCH_RISCV64"),
    ("mips64", "mips64", "SCMP_ARCH_MIPS64"),
    ("mips64n32", "mips64n32", "SCMP_ARCH_MIPS64N32"),
    ("mipsel64", "mipsel64", "SCMP_ARCH_MIPSEL64"),
    ("mipsel64n32", "mips3l64n32", "SCMP_ARCH_MIPSEL64N32"),
    ("loong64", "loongarch64", "SCMP_ARCH_LOONGARCH64"),
];

/// Profiles embedded byte-exact: (constant, refdata path).
const RAW: &[(&str, &str)] = &[
    (
        "DOCKER_V19_03_0",
        "profiles/docker/history/docker-v19.03.0.json",
    ),
    (
        "DOCKER_V23_0_0",
        "profiles/docker/history/docker-v23.0.0.json",
    ),
    (
        "DOCKER_V25_0_0",
        "profiles/docker/history/docker-v25.0.0.json",
    ),
    (
        "DOCKER_V26_0_0",
        "profiles/docker/history/docker-v26.0.0.json",
    ),
    (
        "DOCKER_V28_5_2",
        "profiles/docker/history/docker-v28.5.2.json",
    ),
    (
        "PODMAN_CONTAINERS_COMMON",
        "profiles/podman/containers-common-seccomp.json",
    ),
];

/// containerd versions: (constant, label in the stored file names).
const CONTAINERD: [(&str, &str); 4] = [
    ("CONTAINERD_V1_6_20", "v1.6.20"),
    ("CONTAINERD_V1_7_34", "v1.7.34"),
    ("CONTAINERD_V2_0_0", "v2.0.0"),
    ("CONTAINERD_MAIN_301026E5", "main-301026e5"),
];

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

fn json_file(path: &Path) -> Result<Value, String> {
    serde_json::from_str(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// Renders `host.rs` from the reference copy and the host captures, and returns with it the
/// engine presets by version (Docker's history, containers/common, containerd's
/// RuntimeDefault), which `preset_pack.rs` stores ([`crate::pack`]).
pub fn generate_host(
    refdata: &Path,
    host: &Path,
) -> Result<((String, String), Vec<Profile>), String> {
    let sys = super::read_syscalls(refdata)?;
    let caps = capabilities(host)?;
    let mut s = String::new();
    let _ = writeln!(s, "{HEADER}");
    s.push_str("//\n// Host facts: libseccomp 2.5.4's table as differences from the current one\n// (refdata/host/libseccomp-2.5.4/syscalls.csv, asked from Debian 12's libseccomp2 2.5.4-1+deb12u1),\n// the Linux version of each syscall (refdata/host/man-pages-6.03/syscalls.csv, syscalls(2), and\n// refdata/host/kernel-after-5.14/since.csv for the later calls) and the capability numbers\n// (refdata/host/linux-libc-dev-6.1/capabilities.csv, linux/capability.h).\n\nuse super::N;\n\n/// A Linux `(major, minor)`, if any.\npub(crate) type Since = Option<(u16, u16)>;\n");
    libseccomp_delta(&mut s, host, &sys)?;
    kernel_versions(&mut s, host, &sys)?;
    let _ = writeln!(
        s,
        "\n/// Every capability of linux/capability.h, in number order ({CAPABILITIES}).\n#[rustfmt::skip]\npub(crate) const CAPABILITIES: [&str; {}] = [{}];",
        caps.len(),
        caps.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
    );
    let presets = presets(refdata, host, &caps)?;
    Ok((("host.rs".to_string(), s), presets))
}

/// The capability names of [`CAPABILITIES`], checked to be numbered 0, 1, 2, ... in order.
fn capabilities(host: &Path) -> Result<Vec<String>, String> {
    let csv = super::Csv::read(host, CAPABILITIES)?;
    let (n, v) = (csv.col("name")?, csv.col("number")?);
    let mut out = Vec::new();
    for (line, r) in &csv.rows {
        let ok = r[n].strip_prefix("CAP_").is_some_and(|t| {
            !t.is_empty() && t.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        });
        if !ok || r[v] != out.len().to_string() {
            return Err(format!(
                "{CAPABILITIES}:{line}: expected capability number {}, got `{}` `{}`",
                out.len(),
                r[n],
                r[v]
            ));
        }
        out.push(r[n].clone());
    }
    if out.is_empty() {
        return Err(format!("{CAPABILITIES}: no capabilities"));
    }
    Ok(out)
}

fn libseccomp_delta(s: &mut String, host: &Path, sys: &[super::Syscall]) -> Result<(), String> {
    let rel = "libseccomp-2.5.4/syscalls.csv";
    let text = read(&host.join(rel))?;
    let mut lines = text.lines();
    let header = split_csv_line(lines.next().unwrap_or(""))?;
    if header.len() != 20 || header[0] != "name" || header[1] != "pnr" || header[2..] != COLUMNS {
        return Err(format!("{rel}: unexpected header {header:?}"));
    }
    let mut old = BTreeMap::new();
    for (i, l) in lines.enumerate() {
        let f = split_csv_line(l).map_err(|e| format!("{rel}:{}: {e}", i + 2))?;
        if f.len() != 20 {
            return Err(format!("{rel}:{}: {} fields", i + 2, f.len()));
        }
        let pnr: i32 = f[1]
            .parse()
            .map_err(|_| format!("{rel}:{}: bad pnr", i + 2))?;
        old.insert(f[0].clone(), (pnr, f[2..].to_vec()));
    }
    let mut unknown = Vec::new();
    let mut cells = Vec::new();
    let mut pnrs = Vec::new();
    for c in sys {
        let Some((pnr, row)) = old.get(&c.name) else {
            unknown.push(c.name.clone());
            continue;
        };
        if *pnr != c.pnr {
            pnrs.push((c.name.clone(), *pnr));
        }
        for (i, cell) in row.iter().enumerate() {
            let v = match cell.as_str() {
                "-" => continue, // an ABI 2.5.4 does not support: keep the current numbers
                "PNR" => None,
                n => Some(
                    n.parse::<u32>()
                        .map_err(|_| format!("{rel}: {}: bad `{n}`", c.name))?,
                ),
            };
            if v != c.nr[i] {
                cells.push((c.name.clone(), i, v));
            }
        }
    }
    if let Some(extra) = old.keys().find(|n| !sys.iter().any(|c| &c.name == *n)) {
        return Err(format!(
            "{rel}: `{extra}` is not in the current table (not modelled)"
        ));
    }
    let _ = writeln!(
        s,
        "\n/// Names the current table knows and libseccomp 2.5.4 does not ({}).",
        unknown.len()
    );
    let _ = writeln!(
        s,
        "#[rustfmt::skip]\npub(crate) static LIBSECCOMP_2_5_4_UNKNOWN: &[&str] = &[{}];",
        unknown
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "\n/// (name, column index, number or N): cells where 2.5.4's table differs."
    );
    let _ = writeln!(s, "#[rustfmt::skip]\npub(crate) static LIBSECCOMP_2_5_4_CELLS: &[(&str, usize, u32)] = &[{}];", cells.iter().map(|(n, i, v)| format!("({n:?}, {i}, {})", v.map_or("N".to_string(), |v| v.to_string()))).collect::<Vec<_>>().join(", "));
    let _ = writeln!(
        s,
        "\n/// (name, __PNR number): pseudo numbers that differ in 2.5.4's seccomp-syscalls.h."
    );
    let _ = writeln!(
        s,
        "#[rustfmt::skip]\npub(crate) static LIBSECCOMP_2_5_4_PNR: &[(&str, i32)] = &[{}];",
        pnrs.iter()
            .map(|(n, v)| format!("({n:?}, {v})"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// `"5.3"` → `(5, 3)`; `"2.6.16"` → `(2, 6)` (the context compares major.minor only).
fn version(v: &str) -> Result<(u16, u16), String> {
    let mut it = v.split('.').map(|p| p.parse::<u16>());
    match (it.next(), it.next()) {
        (Some(Ok(a)), Some(Ok(b))) => Ok((a, b)),
        (Some(Ok(a)), None) => Ok((a, 0)),
        _ => Err(format!("bad kernel version `{v}`")),
    }
}

fn kernel_versions(s: &mut String, host: &Path, sys: &[super::Syscall]) -> Result<(), String> {
    let rel = "man-pages-6.03/syscalls.csv";
    let text = read(&host.join(rel))?;
    // Each row as (since, removed): a version as `[major, minor]`, `NONE` for none.
    let mut rows: BTreeMap<String, [u8; 4]> = BTreeMap::new();
    let cell = |v: Option<(u16, u16)>, at: &str| -> Result<[u8; 2], String> {
        match v {
            None => Ok([NONE, NONE]),
            Some((a, b)) if a < u16::from(NONE) && b < u16::from(NONE) => Ok([a as u8, b as u8]),
            Some((a, b)) => Err(format!(
                "{at}: version {a}.{b} does not fit the packed table"
            )),
        }
    };
    for (i, l) in text.lines().enumerate().skip(1) {
        let at = format!("{rel}:{}", i + 1);
        let f = split_csv_line(l).map_err(|e| format!("{at}: {e}"))?;
        if f.len() != 4 {
            return Err(format!("{at}: {} fields", f.len()));
        }
        let since = match f[1].as_str() {
            "-" => None,
            v => Some(version(v).map_err(|e| format!("{at}: {e}"))?),
        };
        let removed = match f[2].as_str() {
            "" => None,
            v => Some(version(v).map_err(|e| format!("{at}: {e}"))?),
        };
        let [a, b] = cell(since, &at)?;
        let [c, d] = cell(removed, &at)?;
        if rows.insert(f[0].clone(), [a, b, c, d]).is_some() {
            return Err(format!("{at}: `{}` listed twice", f[0]));
        }
    }
    let from_page = rows.len();
    let (later, unknown) = after_5_14(host, sys, &rows)?;
    for (name, since, _) in &later {
        let [a, b] = cell(Some(*since), AFTER_5_14)?;
        rows.insert(name.clone(), [a, b, NONE, NONE]);
    }
    let names: Vec<&str> = rows.keys().map(String::as_str).collect();
    let versions: Vec<String> = rows
        .values()
        .map(|v| format!("[{}, {}, {}, {}]", v[0], v[1], v[2], v[3]))
        .collect();
    let marked: Vec<&str> = later.iter().map(|l| l.0.as_str()).collect();
    let _ = writeln!(s, "\n/// The first Linux version of each syscall ({} rows): {from_page} from syscalls(2) of man-pages\n/// 6.03 (to Linux 5.14), {} from {AFTER_5_14} ({}; version unknown\n/// there: {}). Two columns in name order: the names, one per line, and per name\n/// `[since major, since minor, removed major, removed minor]`, {NONE} for none (a first version\n/// of none: never implemented in the standard kernel). `syscalls::kernel` decodes them once.", rows.len(), later.len(), marked.join(", "), unknown.join(", "));
    let _ = writeln!(
        s,
        "#[rustfmt::skip]\npub(crate) static KERNEL_SINCE_NAMES: &str = {:?};\n#[rustfmt::skip]\npub(crate) static KERNEL_SINCE_VERSIONS: &[[u8; 4]] = &[{}];",
        names.join("\n"),
        versions.join(", ")
    );
    Ok(())
}

/// A version cell of [`kernel_versions`]' packed table that holds no version.
const NONE: u8 = 0xff;

/// (name, version, source mark) of each call with a cited version, and the names left unknown.
type Later = (Vec<(String, (u16, u16), String)>, Vec<String>);

/// The rows of [`AFTER_5_14`]: the calls with a cited version, and the names left "version
/// unknown" (`?`). Each name must be a syscall of the current table and absent from
/// syscalls(2); each row names its source and a Linux commit.
fn after_5_14(
    host: &Path,
    sys: &[super::Syscall],
    page: &BTreeMap<String, [u8; 4]>,
) -> Result<Later, String> {
    let csv = super::Csv::read(host, AFTER_5_14)?;
    let c = |n| csv.col(n);
    let (name, kernel, source, commit, evidence) = (
        c("name")?,
        c("kernel")?,
        c("source")?,
        c("commit")?,
        c("evidence")?,
    );
    let (mut later, mut unknown) = (Vec::new(), Vec::new());
    for (line, r) in &csv.rows {
        let at = format!("{AFTER_5_14}:{line}");
        let n = &r[name];
        if !sys.iter().any(|s| &s.name == n) {
            return Err(format!("{at}: `{n}` is not in the current syscall table"));
        }
        if page.contains_key(n) {
            return Err(format!("{at}: `{n}` is already in syscalls(2)"));
        }
        if !matches!(r[source].as_str(), "man-pages" | "linux") {
            return Err(format!(
                "{at}: source `{}` is not man-pages or linux",
                r[source]
            ));
        }
        let hex = &r[commit];
        if hex.len() < 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "{at}: commit `{hex}` is not an abbreviated Linux commit id"
            ));
        }
        if r[evidence].trim().is_empty() {
            return Err(format!("{at}: no evidence for `{n}`"));
        }
        match r[kernel].as_str() {
            "?" => unknown.push(n.clone()),
            v => {
                let v = version(v).map_err(|e| format!("{at}: {e}"))?;
                if v <= (5, 14) {
                    return Err(format!("{at}: `{n}` at {}.{} is not after 5.14", v.0, v.1));
                }
                let mark = match r[source].as_str() {
                    "man-pages" => format!("since.csv: man page, linux {hex}"),
                    _ => format!("since.csv: linux {hex}"),
                };
                later.push((n.clone(), v, mark));
            }
        }
    }
    Ok((later, unknown))
}

/// Docker's history and Podman's containers/common profile (the stored files byte for byte),
/// then containerd's RuntimeDefault by version (a conditional Docker-format profile built from
/// its stored outputs and refdata/host/containerd/facts.json).
fn presets(refdata: &Path, host: &Path, caps: &[String]) -> Result<Vec<Profile>, String> {
    let mut out = Vec::new();
    for (name, rel) in RAW {
        out.push(Profile {
            name: name.to_string(),
            doc: format!("refdata/{rel}, byte-exact (Apache-2.0)"),
            text: read(&refdata.join(rel))?,
        });
    }
    let facts = json_file(&host.join("containerd/facts.json"))?;
    for (name, label) in CONTAINERD {
        let t = containerd_template(refdata, &facts, label, caps)?;
        let text = serde_json::to_string(&t).map_err(|e| e.to_string())?;
        let blob = facts[label]["blob"].as_str().unwrap_or("?");
        out.push(Profile {
            name: name.to_string(),
            doc: format!("containerd {label} RuntimeDefault (seccomp_default.go blob {blob}), built from refdata/profiles/containerd/containerd-{label}-*.json and facts.json"),
            text,
        });
    }
    Ok(out)
}

fn group(e: &Value, what: &str) -> Result<Vec<String>, String> {
    e.get("names")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .ok_or_else(|| format!("{what}: no names"))
}

fn with(mut e: Value, key: &str, cond: Value) -> Value {
    if let Some(o) = e.as_object_mut() {
        o.insert(key.to_string(), cond);
    }
    e
}

fn containerd_template(
    refdata: &Path,
    facts: &Value,
    label: &str,
    cap_order: &[String],
) -> Result<Value, String> {
    let file = |arch: &str, caps: &str| {
        json_file(&refdata.join(format!(
            "profiles/containerd/containerd-{label}-{arch}-{caps}.json"
        )))
    };
    let f = &facts[label];
    let entries = |p: &Value| p["syscalls"].as_array().cloned().unwrap_or_default();
    let all = entries(&file("amd64", "all")?);
    let all_arm = entries(&file("arm64", "all")?);
    let def = entries(&file("amd64", "default")?);
    // 1. the allow list and the argument rules, then the kernel group.
    let args_end = 1 + all[1..]
        .iter()
        .take_while(|e| {
            e.get("args")
                .is_some_and(|a| a.as_array().is_some_and(|a| !a.is_empty()))
        })
        .count();
    let mut out: Vec<Value> = all[..args_end].to_vec();
    out.push(with(
        all[args_end].clone(),
        "includes",
        json!({"minKernel": "4.8"}),
    ));
    if all_arm[..=args_end] != all[..=args_end] {
        return Err(format!(
            "containerd {label}: amd64 and arm64 differ before the arch group"
        ));
    }
    // 3. the arch groups.
    let groups = f["arch_groups"]
        .as_object()
        .ok_or(format!("facts {label}: no arch_groups"))?;
    for (goarch, (all_file, at)) in [
        ("amd64", (&all, args_end + 1)),
        ("arm64", (&all_arm, args_end + 1)),
    ] {
        let want: Vec<String> = groups[goarch]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if group(&all_file[at], label)? != want {
            return Err(format!(
                "containerd {label}: the {goarch} group differs from facts.json"
            ));
        }
    }
    let mut by_names: BTreeMap<Vec<String>, Vec<&str>> = BTreeMap::new();
    for (goarch, names) in groups {
        let names: Vec<String> = names
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let moby = GOARCH
            .iter()
            .find(|g| g.0 == goarch)
            .ok_or(format!("unknown GOARCH {goarch}"))?
            .1;
        by_names.entry(names).or_default().push(moby);
    }
    for (names, arches) in by_names {
        out.push(json!({"names": names, "action": "SCMP_ACT_ALLOW", "args": [], "includes": {"arches": arches}}));
    }
    // 2. one group per capability case, in capability-number order.
    let mut caps: Vec<&str> = f["cap_cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    caps.sort_by_key(|c| cap_order.iter().position(|x| x == c));
    let cap_groups = &all[args_end + 2..];
    if cap_groups.len() != caps.len() {
        return Err(format!("containerd {label}: {} capability groups in the all-caps output, {} cases in facts.json", cap_groups.len(), caps.len()));
    }
    for (e, cap) in cap_groups.iter().zip(&caps) {
        out.push(with(e.clone(), "includes", json!({"caps": [cap]})));
    }
    // 4. clone and clone3 without CAP_SYS_ADMIN.
    let clone = def
        .iter()
        .find(|e| group(e, label).is_ok_and(|n| n == ["clone"]))
        .ok_or(format!("containerd {label}: no clone rule"))?;
    let clone3 = def
        .iter()
        .find(|e| group(e, label).is_ok_and(|n| n == ["clone3"]))
        .ok_or(format!("containerd {label}: no clone3 rule"))?;
    let clone_arg = f["clone_arg"]
        .as_object()
        .ok_or(format!("facts {label}: no clone_arg"))?;
    let mut other_index: Vec<&str> = Vec::new();
    for (goarch, idx) in clone_arg {
        if goarch == "default" {
            continue;
        }
        let moby = GOARCH
            .iter()
            .find(|g| g.0 == goarch)
            .ok_or(format!("unknown GOARCH {goarch}"))?
            .1;
        other_index.push(moby);
        let mut c = clone.clone();
        c["args"][0]["index"] = idx.clone();
        out.push(json!({"names": ["clone"], "action": c["action"], "args": c["args"], "includes": {"arches": [moby]}, "excludes": {"caps": ["CAP_SYS_ADMIN"]}}));
    }
    let mut c = with(
        clone.clone(),
        "excludes",
        json!({"caps": ["CAP_SYS_ADMIN"], "arches": other_index}),
    );
    c["args"][0]["index"] = clone_arg["default"].clone();
    out.push(c);
    out.push(with(
        clone3.clone(),
        "excludes",
        json!({"caps": ["CAP_SYS_ADMIN"]}),
    ));
    // The architectures: one archMap entry per GOARCH with a list.
    let mut arch_map = Vec::new();
    for (goarch, list) in f["arches"].as_object().into_iter().flatten() {
        let list: Vec<&str> = list
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let Some(g) = GOARCH.iter().find(|g| g.0 == goarch) else {
            continue;
        };
        if list.is_empty() || !list.contains(&g.2) {
            continue;
        }
        let subs: Vec<&str> = list.iter().copied().filter(|a| *a != g.2).collect();
        arch_map.push(json!({"architecture": g.2, "subArchitectures": subs}));
    }
    let mut p = Map::new();
    p.insert("defaultAction".into(), json!("SCMP_ACT_ERRNO"));
    p.insert("archMap".into(), Value::Array(arch_map));
    p.insert("syscalls".into(), Value::Array(out));
    Ok(Value::Object(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `after_5_14` on a one-row since.csv in a scratch host folder.
    fn one_row(row: &str) -> Result<Later, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../refdata");
        let sys = super::super::read_syscalls(&root).unwrap();
        let dir = std::env::temp_dir().join(format!("gen-tables-since-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("kernel-after-5.14")).unwrap();
        let csv = format!("name,kernel,source,commit,evidence\n{row}\n");
        std::fs::write(dir.join(AFTER_5_14), csv).unwrap();
        let page = BTreeMap::from([("clone3".to_string(), [0u8; 4])]);
        let r = after_5_14(&dir, &sys, &page);
        std::fs::remove_dir_all(&dir).unwrap();
        r
    }

    #[test]
    fn since_rows_are_checked() {
        let ok = one_row("mseal,6.10,linux,ff388fe5c481,a mail").unwrap();
        assert_eq!(ok.0[0].1, (6, 10));
        assert_eq!(
            one_row("mseal,?,linux,ff388fe5c481,none found").unwrap().1,
            ["mseal"]
        );
        for (row, why) in [
            (
                "nosuchcall,6.10,linux,ff388fe5c481,x",
                "not in the current syscall table",
            ),
            ("clone3,5.3,linux,ff388fe5c481,x", "already in syscalls(2)"),
            ("mseal,6.10,blog,ff388fe5c481,x", "not man-pages or linux"),
            (
                "mseal,6.10,linux,ff38,x",
                "not an abbreviated Linux commit id",
            ),
            ("mseal,6.10,linux,ff388fe5c481,", "no evidence"),
            ("mseal,5.4,linux,ff388fe5c481,x", "not after 5.14"),
        ] {
            let e = one_row(row).unwrap_err();
            assert!(e.contains(why) && e.contains(":2:"), "{row}: {e}");
        }
    }

    #[test]
    fn capabilities_must_be_numbered_in_order() {
        let dir = std::env::temp_dir().join(format!("gen-tables-caps-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("linux-libc-dev-6.1")).unwrap();
        let write = |body: &str| std::fs::write(dir.join(CAPABILITIES), body).unwrap();
        write("name,number\nCAP_CHOWN,0\nCAP_KILL,1\n");
        assert_eq!(capabilities(&dir).unwrap(), ["CAP_CHOWN", "CAP_KILL"]);
        write("name,number\nCAP_CHOWN,0\nCAP_KILL,5\n");
        let e = capabilities(&dir).unwrap_err();
        assert!(
            e.contains(":3:") && e.contains("expected capability number 1"),
            "{e}"
        );
        write("name,number\n");
        assert!(capabilities(&dir).unwrap_err().contains("no capabilities"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
