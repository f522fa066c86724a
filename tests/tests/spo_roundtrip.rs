//! Docker → Kubernetes SeccompProfile → Docker keeps the meaning: for random profiles of the
//! conformance generator, the policy the runtime would build (default action, ABIs, every
//! rule with its conditions, flags) is the same before and after, in two contexts. Where the
//! SeccompProfile cannot say something (values above 2^63-1, errnoRet 0, a default errno
//! other than EPERM), the conversion must have reported it.

use seccplay_conformance::random_profile::random_profile;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::frontend::{self, Format};
use seccplay_core::resolve::{self, Policy};

fn meaning(p: &Policy) -> String {
    let mut s = format!(
        "{:#x} {:?} {:?} {:?}\n",
        p.default_action, p.arches, p.flags, p.badarch_action
    );
    for r in p.rules.iter() {
        s += &format!("{} {:#x} {:?}\n", r.syscall, r.action, r.conditions);
    }
    s
}

fn policy(text: &str, ctx: &Context) -> Option<Policy> {
    let input = frontend::read(text, None).ok()?;
    resolve::resolve(&input.policies[0].parsed.profile, ctx)
        .ok()?
        .policy
}

#[test]
fn random_profiles_survive_docker_to_spo_to_docker() {
    let (mut same, mut reported, mut refused) = (0, 0, 0);
    for seed in 0..600u64 {
        let text = serde_json::to_string_pretty(&random_profile(seed)).unwrap();
        for arch in [Arch::X86_64, Arch::Aarch64] {
            let ctx = Context::docker(arch);
            let Some(before) = policy(&text, &ctx) else {
                refused += 1;
                continue;
            };
            let (yaml, diags) = frontend::convert(&text, None, Format::Spo, &ctx).unwrap();
            let (json, _) = frontend::convert(&yaml[0].text, None, Format::Docker, &ctx)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{}", yaml[0].text));
            let after = policy(&json[0].text, &ctx).expect("the written profile resolves");
            let lossy = diags.iter().any(|d| d.code == "not-expressible");
            if meaning(&before) == meaning(&after) {
                same += 1;
            } else {
                assert!(
                    lossy,
                    "seed {seed} on {arch}: meaning changed without a diagnostic\n{text}\n{}",
                    yaml[0].text
                );
                reported += 1;
            }
        }
    }
    eprintln!(
        "{same} identical, {reported} changed and reported, {refused} refused by the pipeline"
    );
    assert!(same >= 300, "{same} identical round trips");
}
