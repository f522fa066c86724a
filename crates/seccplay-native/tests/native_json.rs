//! The `--json` contract (docs/JSON.md): every document or JSON line a command prints carries
//! `schema_version`, and its shape (every key path and the JSON types it takes) is the one
//! docs/JSON.md writes down. The page is the pin: change a shape and this test fails until the
//! page says so (and the version is bumped when the change is not an addition).
//!
//! Which commands print JSON is read from `--help` (every subcommand with `--json` or
//! `--batch`), so a new one fails here until it has a sample below and a section on the page.

mod common;

use common::{tmpdir, write};

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_seccplay-native");
const SCHEMA_VERSION: u64 = 1;

/// Where a sample's JSON goes, and how it is framed.
#[derive(Clone, Copy, PartialEq)]
enum Out {
    /// One pretty-printed document on stdout.
    Document,
    /// JSON lines on stdout.
    Lines,
    /// JSON lines on stderr (among the command's own messages).
    StderrLines,
}

/// One invocation per documented shape: (section name on the page, arguments, framing).
fn samples(dir: &Path) -> Vec<(&'static str, Vec<String>, Out)> {
    let program = dir.join("docker.bpf");
    let o = Command::new(BIN)
        .args(["compile", "docker", "--format", "raw", "-o"])
        .arg(&program)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let program = program.to_str().unwrap().to_string();
    let queries = write(
        dir,
        "q.jsonl",
        "{\"arch\": \"x86_64\", \"nr\": 0}\n{\"syscall\": \"clone(CLONE_NEWUSER)\"}\nnot json\n",
    );
    let lint = write(
        dir,
        "lint.json",
        r#"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "nosuchcall"], "action": "SCMP_ACT_ALLOW"}]}"#,
    );
    let no_mkdir = write(
        dir,
        "no-mkdir.json",
        r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}"#,
    );
    let target = dir.join("made").to_str().unwrap().to_string();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (
            "simulate --json",
            s(&[
                "simulate",
                "docker",
                "--json",
                "--trace",
                "clone(CLONE_NEWUSER)",
                "clone(SIGCHLD)",
                "read(0, 0, 0)",
                "socket(AF_VSOCK)",
            ]),
            Out::Document,
        ),
        (
            "simulate strict --json",
            s(&[
                "simulate",
                "strict",
                "--json",
                "--host-arch",
                "amd64",
                "read(0, 0, 0)",
                "getpid()",
            ]),
            Out::Document,
        ),
        (
            "simulate --batch",
            s(&["simulate", "docker", "--batch", &queries]),
            Out::Lines,
        ),
        (
            "table --json",
            s(&["table", "docker", "--json"]),
            Out::Document,
        ),
        (
            "table strict --json",
            s(&["table", "strict", "--json", "--host-arch", "amd64"]),
            Out::Document,
        ),
        ("lint --json", s(&["lint", &lint, "--json"]), Out::Document),
        (
            "diff --json",
            s(&[
                "diff",
                "docker",
                "docker",
                "--b-cap-add",
                "SYS_ADMIN",
                "--json",
            ]),
            Out::Document,
        ),
        (
            "convert --json",
            s(&["convert", "example", "--to", "spo", "--json"]),
            Out::Document,
        ),
        (
            "matrix --json",
            s(&[
                "matrix",
                "clone3()",
                "faccessat2(0, 0, 0, 0)",
                "--preset",
                "docker@20.10",
                "--kernel",
                "5.4",
                "--host",
                "docker-debian12",
                "--json",
            ]),
            Out::Document,
        ),
        (
            "emu --json",
            s(&[
                "emu",
                &program,
                "--json",
                "--trace",
                "read(0, 0, 0)",
                "nr=0x40000000",
            ]),
            Out::Document,
        ),
        (
            "emu --batch",
            s(&["emu", &program, "--batch", &queries]),
            Out::Lines,
        ),
        ("status --json", s(&["status", "--json"]), Out::Document),
        ("check --json", s(&["check", "--json"]), Out::Document),
        (
            "apply --explain --json",
            s(&[
                "apply",
                &no_mkdir,
                "--explain",
                "--json",
                "--",
                "mkdir",
                &target,
            ]),
            Out::StderrLines,
        ),
        (
            "raw table --json",
            s(&["raw", "table", &program, "--arch", "x86_64", "--json"]),
            Out::Document,
        ),
        (
            "raw explain --json",
            s(&["raw", "explain", &program, "--arch", "x86_64", "--json"]),
            Out::Document,
        ),
        (
            "raw decompile --json",
            s(&[
                "raw",
                "decompile",
                &program,
                "--arch",
                "x86_64",
                "--check",
                "--json",
            ]),
            Out::Document,
        ),
        (
            "audit --json",
            s(&["audit", &no_mkdir, &evidence("dmesg.txt"), "--json"]),
            Out::Document,
        ),
        (
            "replay --json",
            s(&[
                "replay",
                &no_mkdir,
                &evidence("sh-X-verbose.strace"),
                "--json",
            ]),
            Out::Document,
        ),
    ]
}

/// A real capture from seccplay-core's evidence fixtures.
fn evidence(name: &str) -> String {
    format!(
        "{}/../seccplay-core/tests/data/evidence/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The JSON documents a sample prints.
fn documents(args: &[String], out: Out) -> Vec<Value> {
    let o = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("spawn seccplay-native");
    let text = String::from_utf8_lossy(if out == Out::StderrLines {
        &o.stderr
    } else {
        &o.stdout
    })
    .into_owned();
    let docs: Vec<Value> = match out {
        Out::Document => vec![serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}):\n{text}"))],
        Out::Lines | Out::StderrLines => text
            .lines()
            .filter(|l| out == Out::Lines || l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{args:?}: {e}: {l}")))
            .collect(),
    };
    assert!(
        !docs.is_empty(),
        "{args:?} printed no JSON: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    docs
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key path under `v` with the types seen there. `.a.b` for keys, `[]` for array
/// elements, `{}` for the values of an object the page declares a map (any keys).
fn shape(
    v: &Value,
    path: &str,
    maps: &BTreeSet<String>,
    out: &mut BTreeMap<String, BTreeSet<String>>,
) {
    if !path.is_empty() {
        out.entry(path.to_string())
            .or_default()
            .insert(type_name(v).to_string());
    }
    match v {
        Value::Array(items) => {
            for x in items {
                shape(x, &format!("{path}[]"), maps, out);
            }
        }
        Value::Object(m) if maps.contains(path) => {
            for x in m.values() {
                shape(x, &format!("{path}{{}}"), maps, out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                shape(x, &format!("{path}.{k}"), maps, out);
            }
        }
        _ => {}
    }
}

/// docs/JSON.md's shapes: for each "### `name`" section, its ```text block of `path types`
/// lines (types joined by `|`; `absent` when the sample need not show the path).
fn page() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/JSON.md"))
        .expect("docs/JSON.md");
    let mut shapes = BTreeMap::new();
    let mut name: Option<String> = None;
    let mut in_block = false;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("### `").and_then(|h| h.strip_suffix('`')) {
            name = Some(h.to_string());
            continue;
        }
        if line.starts_with("```") {
            in_block = !in_block && line == "```text" && name.is_some();
            if let (true, Some(n)) = (in_block, &name) {
                shapes.entry(n.clone()).or_insert_with(BTreeMap::new);
            }
            continue;
        }
        if in_block {
            let (Some(n), Some((path, types))) = (&name, line.split_once(char::is_whitespace))
            else {
                continue;
            };
            let types = types.trim().split('|').map(str::to_string).collect();
            shapes
                .entry(n.clone())
                .or_insert_with(BTreeMap::new)
                .insert(path.to_string(), types);
        }
    }
    shapes
}

fn block(shape: &BTreeMap<String, BTreeSet<String>>) -> String {
    let w = shape.keys().map(String::len).max().unwrap_or(0);
    shape
        .iter()
        .map(|(p, t)| {
            format!(
                "{p:<w$}  {}",
                t.iter().cloned().collect::<Vec<_>>().join("|")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_json_command_has_a_sample_and_a_documented_shape() {
    let dir = tmpdir("cover");
    let names: Vec<&str> = samples(&dir).iter().map(|s| s.0).collect();
    let documented = page();
    // Subcommands, and the subcommands of a group (`raw table`).
    let mut commands: Vec<Vec<String>> = Vec::new();
    for sub in common::subcommands(BIN, &[]) {
        for nested in common::subcommands_if_any(BIN, &[&sub]) {
            commands.push(vec![sub.clone(), nested]);
        }
        commands.push(vec![sub]);
    }
    for path in commands {
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let sub = path.join(" ");
        for opt in common::long_options(BIN, &refs) {
            if opt != "json" && opt != "batch" {
                continue;
            }
            let flag = format!("--{opt}");
            assert!(
                names
                    .iter()
                    .any(|n| n.starts_with(&format!("{sub} ")) && n.contains(&flag)),
                "`{sub} {flag}` prints JSON but tests/native_json.rs has no sample for it: add one, \
                 and its shape to docs/JSON.md (see \"Adding a command\" there)"
            );
        }
    }
    for n in &names {
        assert!(
            documented.contains_key(*n),
            "docs/JSON.md has no section \"### `{n}`\""
        );
    }
    for n in documented.keys() {
        assert!(
            names.contains(&n.as_str()),
            "docs/JSON.md documents `{n}`, which no sample runs"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_json_output_has_the_documented_shape_and_schema_version() {
    let dir = tmpdir("shape");
    let documented = page();
    let mut failures = Vec::new();
    for (name, args, out) in samples(&dir) {
        if out == Out::StderrLines {
            // A real supervised run: needs seccomp user notification.
            let why = common::no_seccomp_filters().map(str::to_string);
            if !common::ready_unless(name, why) {
                continue;
            }
        }
        let Some(want) = documented.get(name) else {
            failures.push(format!("{name}: no section on the page"));
            continue;
        };
        let maps: BTreeSet<String> = want
            .keys()
            .filter_map(|p| p.strip_suffix("{}"))
            .map(str::to_string)
            .collect();
        let mut got = BTreeMap::new();
        for doc in documents(&args, out) {
            assert_eq!(doc["schema_version"], SCHEMA_VERSION, "{name}: {doc}");
            shape(&doc, "", &maps, &mut got);
        }
        let mut problems = Vec::new();
        for (path, types) in &got {
            match want.get(path) {
                None => problems.push(format!("undocumented {path} ({types:?})")),
                Some(w) => {
                    for t in types.difference(w) {
                        problems.push(format!("{path} is {t}, documented {w:?}"));
                    }
                }
            }
        }
        for (path, w) in want {
            if !got.contains_key(path) && !w.contains("absent") {
                problems.push(format!("documented {path} was not printed"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{name} ({args:?}):\n  {}\nwhat it printed, as a ```text block:\n{}",
                problems.join("\n  "),
                block(&got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "docs/JSON.md and the output differ:\n\n{}",
        failures.join("\n\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
