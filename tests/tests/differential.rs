//! seccplay's rule database and reference evaluator against real libseccomp 2.5.4.
//!
//! For real profiles (Docker current and 2020, Podman, Security Profiles Operator) under
//! several Docker contexts, and for 300 generated profiles, seccplay resolves the profile
//! (moby + runc/crun), builds its rule database and decides every query of a systematic set;
//! libseccomp, driven independently by `tests/libseccomp/reference.py`, builds its filter and
//! its rule database (rendered by `export_pfc`) decides the same queries. The decisions must be
//! equal, and a profile libseccomp refuses must be refused by seccplay, and vice versa.
//!
//! Names libseccomp 2.5.4 does not know (its table is older than seccplay's) are removed from the
//! profile on both sides first, so both model the same table. runc's ENOSYS stub is not part
//! of libseccomp and is turned off here (it has its own tests).

use serde_json::Value;

use seccplay_conformance::libseccomp::{self, Reference, DOCKER_DEFAULT_CAPS};
use seccplay_conformance::queries::systematic_queries;
use seccplay_conformance::random_profile::random_profile;
use seccplay_conformance::refdata;
use seccplay_core::arch::Arch;
use seccplay_core::context::{Context, Runtime};
use seccplay_core::eval::{decide, Query};
use seccplay_core::{db, profile, resolve};

#[derive(Clone, Copy)]
struct Ctx {
    native: Arch,
    extra_caps: &'static [&'static str],
    privileged: bool,
    runtime: Runtime,
}

impl Ctx {
    fn caps(&self) -> Vec<&'static str> {
        if self.privileged {
            return seccplay_core::context::ALL_CAPS.to_vec();
        }
        let mut c: Vec<&'static str> = DOCKER_DEFAULT_CAPS.to_vec();
        c.extend(self.extra_caps);
        c
    }

    fn request(&self, p: &Value) -> Value {
        libseccomp::request(
            p,
            self.native.name(),
            self.native.docker_host_name().unwrap(),
            &self.caps(),
            "6.1",
            self.runtime.name(),
        )
    }

    fn context(&self) -> Context {
        let mut c = Context::docker(self.native);
        c.caps = self.caps().iter().map(|s| s.to_string()).collect();
        c.privileged = self.privileged;
        c.runtime = self.runtime;
        c.enosys_stub = false;
        c
    }
}

/// Removes names from every `names`/`name` of a profile.
fn without_names(p: &Value, drop: &[String]) -> Value {
    let mut p = p.clone();
    if let Some(list) = p.get_mut("syscalls").and_then(|s| s.as_array_mut()) {
        for e in list {
            if let Some(names) = e.get_mut("names").and_then(|n| n.as_array_mut()) {
                names.retain(|n| {
                    !n.as_str()
                        .map(|s| drop.iter().any(|d| d == s))
                        .unwrap_or(false)
                });
            }
            let drop_name = e
                .get("name")
                .and_then(|n| n.as_str())
                .map(|s| drop.iter().any(|d| d == s))
                .unwrap_or(false);
            if drop_name {
                e.as_object_mut().unwrap().remove("name");
                e.as_object_mut()
                    .unwrap()
                    .insert("names".into(), Value::Array(vec![]));
            }
        }
    }
    p
}

/// Names whose number on some ABI of the context differs between libseccomp 2.5.4's table and
/// seccplay's (newer) one, e.g. `map_shadow_stack`, which 2.5.4 puts on x86 instead of x32.
/// Both sides drop them, like names 2.5.4 does not know.
fn table_differences(p: &Value, ctx: Ctx) -> Vec<String> {
    use seccplay_core::syscalls::{resolve as ours, Resolved};
    let mut names: Vec<String> = Vec::new();
    for e in p
        .get("syscalls")
        .and_then(|s| s.as_array())
        .into_iter()
        .flatten()
    {
        for n in e
            .get("names")
            .and_then(|n| n.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(s) = n.as_str() {
                names.push(s.to_string());
            }
        }
        if let Some(s) = e.get("name").and_then(|n| n.as_str()) {
            names.push(s.to_string());
        }
    }
    names.sort();
    names.dedup();
    let arches: Vec<Arch> = match ctx.native {
        Arch::X86_64 => vec![Arch::X86_64, Arch::X86, Arch::X32],
        Arch::Aarch64 => vec![Arch::Aarch64, Arch::Arm],
        a => vec![a],
    };
    let script = r#"
import json, sys, seccomp
req = json.load(sys.stdin)
out = {}
for a in req["arches"]:
    arch = seccomp.Arch(seccomp.resolve_arch(a)) if hasattr(seccomp, "resolve_arch") else getattr(seccomp.Arch, a.upper())
    for n in req["names"]:
        try:
            out[a + ":" + n] = seccomp.resolve_syscall(arch, n)
        except Exception:
            out[a + ":" + n] = None
json.dump(out, sys.stdout)
"#;
    let req = serde_json::json!({
        "arches": arches.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "names": names,
    });
    let mut child = std::process::Command::new(libseccomp::PYTHON)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(req.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let theirs: Value = serde_json::from_slice(&out.stdout).expect("resolution JSON");
    let mut differ = Vec::new();
    for n in &names {
        for a in &arches {
            let t = theirs
                .get(format!("{}:{n}", a.name()))
                .and_then(|v| v.as_i64());
            let o = match ours(*a, n) {
                Resolved::Number(x) => Some(x as i64),
                Resolved::Pseudo(x) => Some(x as i64),
                Resolved::Unknown => None,
            };
            // libseccomp's resolver gives socket/ipc names their pseudo number on "abi" arches.
            let mux =
                a.multiplexers().is_some() && seccplay_core::syscalls::multiplexed(n).is_some();
            if t.is_some() && o.is_some() && t != o && !mux {
                differ.push(n.clone());
                break;
            }
        }
    }
    differ
}

/// Outcome of one comparison.
#[derive(Default, Debug)]
struct Tally {
    profiles: usize,
    built: usize,
    refused_both: usize,
    queries: usize,
}

/// Compares seccplay with libseccomp on one profile in one context; returns mismatches.
fn compare(p: &Value, ctx: Ctx, seed: u64, tally: &mut Tally) -> Vec<String> {
    let first = libseccomp::reference(&ctx.request(p)).expect("harness answers");
    let unknown: Vec<String> = match &first {
        Reference::Built(b) => b
            .skipped
            .iter()
            .filter(|s| s.why == "unknown")
            .map(|s| s.name.clone())
            .collect(),
        _ => Vec::new(),
    };
    let mut drop = unknown;
    drop.extend(table_differences(p, ctx));
    let unknown = drop;
    let p = without_names(p, &unknown);
    let reference = if unknown.is_empty() {
        first
    } else {
        libseccomp::reference(&ctx.request(&p)).expect("harness answers")
    };
    tally.profiles += 1;
    let text = serde_json::to_string(&p).unwrap();
    let ours = profile::parse(&text)
        .map_err(|f| f.to_string())
        .and_then(|parsed| {
            resolve::resolve(&parsed.profile, &ctx.context()).map_err(|f| f.to_string())
        })
        .and_then(|r| match r.policy {
            None => Ok(None),
            Some(pol) => db::build(&pol).map(Some).map_err(|f| f.to_string()),
        });
    match (&reference, &ours) {
        (Reference::Disabled, Ok(None)) => Vec::new(),
        (Reference::Refused(r), Err(_)) => {
            tally.refused_both += 1;
            let _ = r;
            Vec::new()
        }
        (Reference::Refused(r), Ok(_)) => vec![format!(
            "libseccomp/runtime refused ({}: {}) but seccplay accepted: {text}",
            r.stage, r.error
        )],
        (Reference::Built(_) | Reference::Disabled, Err(e)) => {
            vec![format!(
                "seccplay refused ({e}) but libseccomp built it: {text}"
            )]
        }
        (Reference::Disabled, Ok(Some(_))) | (Reference::Built(_), Ok(None)) => {
            vec![format!("one side has no filter: {text}")]
        }
        (Reference::Built(b), Ok(Some(database))) => {
            tally.built += 1;
            let mut bad = Vec::new();
            let arches = b.audit_arches();
            let queries = systematic_queries(&p, &arches, seed);
            tally.queries += queries.len();
            for q in &queries {
                let want = b.decide(q.arch, q.nr, q.args);
                let got = decide(
                    database,
                    &Query {
                        audit_arch: q.arch,
                        nr: q.nr,
                        args: q.args,
                        instruction_pointer: 0,
                    },
                );
                if got.ret != want {
                    bad.push(format!(
                        "arch {:#x} nr {} args {:x?}: libseccomp {:#x}, seccplay {:#x} ({:?})",
                        q.arch, q.nr, q.args, want, got.ret, got.source
                    ));
                    if bad.len() > 5 {
                        break;
                    }
                }
            }
            if !bad.is_empty() {
                bad.insert(0, format!("profile: {text}"));
            }
            bad
        }
    }
}

const AMD64: Ctx = Ctx {
    native: Arch::X86_64,
    extra_caps: &[],
    privileged: false,
    runtime: Runtime::Runc,
};

fn contexts() -> Vec<Ctx> {
    vec![
        AMD64,
        Ctx {
            extra_caps: &["CAP_SYS_ADMIN"],
            ..AMD64
        },
        Ctx {
            privileged: true,
            ..AMD64
        },
        Ctx {
            runtime: Runtime::Crun,
            ..AMD64
        },
        Ctx {
            native: Arch::Aarch64,
            ..AMD64
        },
        Ctx {
            native: Arch::Aarch64,
            extra_caps: &["CAP_SYS_ADMIN"],
            ..AMD64
        },
    ]
}

#[test]
fn real_profiles_decide_like_libseccomp() {
    if !libseccomp::require("real_profiles_decide_like_libseccomp") {
        return;
    }
    let files = [
        "profiles/docker/default.json",
        "profiles/docker/default-2020-11-11-f7bcb02f.json",
        "profiles/docker/fixture-default-old-format.json",
        "profiles/podman/containers-common-seccomp.json",
        "profiles/podman/container-libs-seccomp.json",
        "profiles/security-profiles-operator/security-profiles-operator.json",
        "profiles/security-profiles-operator/bpf-recorder.json",
    ];
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for f in files {
        let p: Value = serde_json::from_str(&refdata::read_refdata(f).unwrap()).unwrap();
        for (i, ctx) in contexts().into_iter().enumerate() {
            let bad = compare(&p, ctx, i as u64, &mut tally);
            if !bad.is_empty() {
                failures.push(format!("{f} in context {i}:\n  {}", bad.join("\n  ")));
            }
        }
    }
    eprintln!("real profiles: {tally:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(tally.built >= 35 && tally.queries > 100_000, "{tally:?}");
}

#[test]
fn random_profiles_decide_and_conflict_like_libseccomp() {
    if !libseccomp::require("random_profiles_decide_and_conflict_like_libseccomp") {
        return;
    }
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for seed in 0..300u64 {
        let p = random_profile(seed);
        let ctx = Ctx {
            runtime: if seed % 3 == 2 {
                Runtime::Crun
            } else {
                Runtime::Runc
            },
            ..AMD64
        };
        let bad = compare(&p, ctx, seed, &mut tally);
        if !bad.is_empty() {
            failures.push(format!("seed {seed}:\n  {}", bad.join("\n  ")));
        }
    }
    eprintln!("random profiles: {tally:?}");
    assert!(
        failures.is_empty(),
        "{} of 300 profiles differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(tally.built >= 150 && tally.refused_both >= 30, "{tally:?}");
}
