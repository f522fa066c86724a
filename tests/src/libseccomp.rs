//! Runs the libseccomp reference harness (`tests/libseccomp/reference.py`, real libseccomp
//! 2.5.4 through python3-seccomp) and decodes its answers.
//!
//! ```no_run
//! use seccplay_conformance::libseccomp;
//! if !libseccomp::require("my_test") { return; }
//! let req = libseccomp::request(&serde_json::json!({"defaultAction": "SCMP_ACT_ALLOW"}),
//!     "x86_64", "amd64", libseccomp::DOCKER_DEFAULT_CAPS, "6.1", "runc");
//! let built = libseccomp::reference(&req).unwrap().built().unwrap().clone();
//! let action = built.pfc.decide(0xC000_003E, 0, [0; 6]);
//! # let _ = action;
//! ```

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::bpf::{self, Insn};
use crate::pfc::{self, Pfc};
use crate::refdata;

/// The interpreter the harness must run under (Debian's, which has python3-seccomp).
pub const PYTHON: &str = "/usr/bin/python3";

/// Path of `reference.py`.
pub fn script() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/libseccomp/reference.py").to_string()
}

/// Docker's default container capability (bounding) set.
pub const DOCKER_DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// Builds a harness request.
pub fn request(
    profile: &Value,
    native: &str,
    goarch: &str,
    caps: &[&str],
    kernel: &str,
    runtime: &str,
) -> Value {
    json!({
        "profile": profile,
        "native": native,
        "goarch": goarch,
        "caps": caps,
        "kernel": kernel,
        "runtime": runtime,
    })
}

/// `Ok(())` when the harness can run (python3 with the `seccomp` module), else why not.
pub fn available() -> Result<(), String> {
    static AVAILABLE: OnceLock<Result<(), String>> = OnceLock::new();
    AVAILABLE
        .get_or_init(|| {
            let out = Command::new(PYTHON)
                .arg(script())
                .arg("--selftest")
                .output()
                .map_err(|e| format!("cannot run {PYTHON}: {e}"))?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "python3-seccomp missing or broken (apt-get install python3-seccomp): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ))
            }
        })
        .clone()
}

/// For tests: `true` when the harness is available; otherwise prints a skip message and
/// returns `false` — except when the environment variable `CI` is set, where it panics
/// (CI always installs python3-seccomp).
pub fn require(test: &str) -> bool {
    match available() {
        Ok(()) => true,
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("{test}: libseccomp harness unavailable in CI: {why}")
        }
        Err(why) => {
            eprintln!("{test}: skipping: libseccomp harness unavailable: {why}");
            false
        }
    }
}

/// A profile the runtime refused (moby/runc/crun/libseccomp error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// `moby`, `runc`, `crun` or `libseccomp` (`harness` for a malformed request).
    pub stage: String,
    pub error: String,
    /// Positive errno from libseccomp (e.g. 17 = EEXIST), if any.
    pub errno: Option<i32>,
    /// Index in the flattened (entry, name) list of the rule that failed, if any.
    pub rule: Option<usize>,
}

/// A flattened rule skipped by the runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub flat: usize,
    pub name: String,
    /// `unknown` (libseccomp 2.5.4 does not know the name) or `equals default`.
    pub why: String,
}

/// A filter libseccomp built.
#[derive(Clone, Debug)]
pub struct Built {
    /// libseccomp arch names, native first, in the order added.
    pub arches: Vec<String>,
    /// 1, or 2 (binary tree) for runc with more than 32 flattened rules.
    pub optimize: u32,
    pub default_action: u32,
    pub pfc_text: String,
    pub pfc: Pfc,
    pub bpf: Vec<Insn>,
    /// BPF records/`seccomp_data` words are big-endian (native arch is BE).
    pub big_endian: bool,
    /// Every `seccomp_rule_add` call, in order: `{"flat", "name", "action", "args"}`.
    pub rules: Vec<Value>,
    pub skipped: Vec<Skipped>,
}

impl Built {
    /// What libseccomp's rule database decides (the truth for seccplay).
    pub fn decide(&self, arch: u32, nr: u32, args: [u64; 6]) -> u32 {
        self.pfc.decide(arch, nr, args)
    }

    /// What libseccomp's exported BPF returns (differs from [`Built::decide`] for §2.8
    /// profiles).
    pub fn run_bpf(&self, arch: u32, nr: u32, args: [u64; 6]) -> Result<u32, String> {
        bpf::run(&self.bpf, arch, nr, &args, self.big_endian)
    }

    /// `(libseccomp name, audit arch)` of every arch in the filter.
    pub fn audit_arches(&self) -> Vec<(String, u32)> {
        self.arches
            .iter()
            .filter_map(|a| Some((a.clone(), refdata::audit_arch(a)?)))
            .collect()
    }
}

/// One harness answer.
#[derive(Clone, Debug)]
pub enum Reference {
    /// moby found no default action and no syscalls: no seccomp at all.
    Disabled,
    Built(Box<Built>),
    Refused(Refused),
}

impl Reference {
    pub fn built(&self) -> Option<&Built> {
        match self {
            Reference::Built(b) => Some(b),
            _ => None,
        }
    }

    pub fn refused(&self) -> Option<&Refused> {
        match self {
            Reference::Refused(r) => Some(r),
            _ => None,
        }
    }
}

/// Runs the harness on one request.
pub fn reference(request: &Value) -> Result<Reference, String> {
    let mut v = reference_batch(std::slice::from_ref(request))?;
    v.pop()
        .ok_or_else(|| "harness returned no answer".to_string())
}

/// Runs the harness once on many requests (one python process).
pub fn reference_batch(requests: &[Value]) -> Result<Vec<Reference>, String> {
    let mut child = Command::new(PYTHON)
        .arg(script())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {PYTHON}: {e}"))?;
    let input = serde_json::to_vec(&Value::Array(requests.to_vec())).map_err(|e| e.to_string())?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    writer
        .join()
        .map_err(|_| "writer thread panicked".to_string())?
        .map_err(|e| format!("writing the request: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "harness crashed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let answers: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("harness output is not JSON: {e}"))?;
    let answers = answers.as_array().ok_or("harness output is not a list")?;
    if answers.len() != requests.len() {
        return Err(format!(
            "{} answers for {} requests",
            answers.len(),
            requests.len()
        ));
    }
    answers.iter().map(decode).collect()
}

/// Decodes one answer object.
pub fn decode(a: &Value) -> Result<Reference, String> {
    let bad = |what: &str| format!("bad harness answer ({what}): {a}");
    if a["ok"] != Value::Bool(true) {
        return Ok(Reference::Refused(Refused {
            stage: a["stage"].as_str().ok_or_else(|| bad("stage"))?.to_string(),
            error: a["error"].as_str().unwrap_or_default().to_string(),
            errno: a["errno"].as_i64().map(|e| e as i32),
            rule: a["rule"].as_u64().map(|r| r as usize),
        }));
    }
    if a["disabled"] == Value::Bool(true) {
        return Ok(Reference::Disabled);
    }
    let arches: Vec<String> = a["arches"]
        .as_array()
        .ok_or_else(|| bad("arches"))?
        .iter()
        .map(|x| x.as_str().map(str::to_string).ok_or_else(|| bad("arch")))
        .collect::<Result<_, _>>()?;
    let big_endian = arches.first().is_some_and(|n| refdata::big_endian(n));
    let pfc_text = a["pfc"].as_str().ok_or_else(|| bad("pfc"))?.to_string();
    let pfc = pfc::parse(&pfc_text)?;
    let bpf = bpf::decode_hex(
        a["bpf_hex"].as_str().ok_or_else(|| bad("bpf_hex"))?,
        big_endian,
    )?;
    let skipped = a["skipped"]
        .as_array()
        .ok_or_else(|| bad("skipped"))?
        .iter()
        .map(|s| {
            Ok(Skipped {
                flat: s["flat"].as_u64().ok_or_else(|| bad("skipped.flat"))? as usize,
                name: s["name"].as_str().unwrap_or_default().to_string(),
                why: s["why"].as_str().unwrap_or_default().to_string(),
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Reference::Built(Box::new(Built {
        arches,
        optimize: a["optimize"].as_u64().unwrap_or(1) as u32,
        default_action: a["default_action"]
            .as_u64()
            .ok_or_else(|| bad("default_action"))? as u32,
        pfc_text,
        pfc,
        bpf,
        big_endian,
        rules: a["rules"].as_array().cloned().unwrap_or_default(),
        skipped,
    })))
}
