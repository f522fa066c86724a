//! containerd's RuntimeDefault presets against containerd's own output.
//!
//! `refdata/profiles/containerd/` holds what containerd's `DefaultProfile` returned for
//! v1.6.20, v1.7.34, v2.0.0 and main (= v2.3.4), for amd64 and arm64, with Docker's default
//! capabilities, with CAP_SYS_ADMIN added and with every capability (kernel 6.1). For each of
//! those 24 files, the matching preset (`containerd@1.6` …) is resolved in the same context
//! (arch, capabilities, kernel 6.1, runc) and both rule databases decide the differential
//! suite's systematic queries: every decision must be equal.

use seccplay_conformance::queries::systematic_queries;
use seccplay_core::arch::Arch;
use seccplay_core::context::{Context, ALL_CAPS};
use seccplay_core::db::{self, Database};
use seccplay_core::eval::{decide, Query};
use seccplay_core::presets::{self, PresetKind};
use seccplay_core::{profile, resolve};
use serde_json::Value;

fn refdata(rel: &str) -> String {
    let path = format!("{}/../refdata/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn database(text: &str, ctx: &Context) -> Database {
    let parsed = profile::parse(text).expect("parses");
    let r = resolve::resolve(&parsed.profile, ctx).expect("resolves");
    db::build(&r.policy.expect("a filter")).expect("builds")
}

#[test]
fn containerd_presets_decide_like_containerds_output() {
    let versions = [
        ("containerd@1.6", "v1.6.20"),
        ("containerd@1.7", "v1.7.34"),
        ("containerd@2.0", "v2.0.0"),
        ("containerd@2.3", "main-301026e5"),
    ];
    let mut files = 0;
    let mut queries = 0usize;
    let mut failures = Vec::new();
    for (preset, label) in versions {
        let PresetKind::Profile(template) = presets::get(preset).expect(preset).kind else {
            panic!("{preset}")
        };
        let template_json: Value = serde_json::from_str(template).unwrap();
        for (goarch, arch) in [("amd64", Arch::X86_64), ("arm64", Arch::Aarch64)] {
            for caps in ["default", "sysadmin", "all"] {
                let mut ctx = Context::docker(arch);
                ctx.explicit_profile = false;
                match caps {
                    "sysadmin" => {
                        ctx.caps.insert("CAP_SYS_ADMIN".into());
                    }
                    "all" => ctx.caps = ALL_CAPS.iter().map(|c| c.to_string()).collect(),
                    _ => {}
                }
                let file = refdata(&format!(
                    "profiles/containerd/containerd-{label}-{goarch}-{caps}.json"
                ));
                let theirs = database(&file, &ctx);
                let ours = database(template, &ctx);
                assert_eq!(
                    theirs.dbs.len(),
                    ours.dbs.len(),
                    "{preset} {goarch} {caps}: ABIs"
                );
                let arches: Vec<(String, u32)> = ours
                    .dbs
                    .iter()
                    .map(|d| (d.arch.name().to_string(), d.arch.audit_arch()))
                    .collect();
                let qs = systematic_queries(&template_json, &arches, files as u64);
                queries += qs.len();
                files += 1;
                let mut bad = 0;
                for q in &qs {
                    let q = Query {
                        audit_arch: q.arch,
                        nr: q.nr,
                        args: q.args,
                        instruction_pointer: 0,
                    };
                    let (a, b) = (decide(&theirs, &q), decide(&ours, &q));
                    if a.ret != b.ret {
                        bad += 1;
                        if bad <= 3 {
                            failures.push(format!(
                                "{preset} {goarch} {caps}: arch {:#x} nr {} args {:x?}: containerd {:#x}, preset {:#x}",
                                q.audit_arch, q.nr, q.args, a.ret, b.ret
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!("containerd oracle: {files} files, {queries} queries");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(files, 24);
    assert!(queries > 100_000, "{queries} queries");
}
