//! Reading profiles: Docker, OCI and config.json documents, Go's decoding rules, located errors.

use super::fold::go_fold_eq;
use super::*;

#[test]
fn reads_a_docker_profile() {
    let text = r#"{
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
  "syscalls": [
{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
{"names": ["clone"], "action": "SCMP_ACT_ALLOW",
 "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
 "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390x"]}},
{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}}
  ]
}"#;
    let p = parse(text).unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let p = p.profile;
    assert_eq!(p.format, ProfileFormat::Docker);
    assert_eq!(p.default_action.unwrap().value, ActionName::Errno);
    assert_eq!(p.syscalls.len(), 3);
    assert_eq!(p.syscalls[1].args[0].op.value, Op::MaskedEq);
    assert_eq!(p.syscalls[1].args[0].value, 0x7E02_0000);
    assert_eq!(p.syscalls[1].excludes.caps[0].value, "CAP_SYS_ADMIN");
    assert_eq!(
        p.syscalls[2].includes.min_kernel.as_ref().unwrap().value,
        KernelVersion { major: 4, minor: 8 }
    );
    assert_eq!(p.syscalls[0].names[1].location.line, 6);
}

#[test]
fn errors_name_path_line_and_column() {
    let text = "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\",\n   \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQQ\"}]}]}";
    let f = parse(text).unwrap_err();
    let errs: Vec<_> = f.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errs.len(), 2, "{f}");
    let value = errs.iter().find(|d| d.code == "bad-number").unwrap();
    let loc = value.location.as_ref().unwrap();
    assert_eq!(loc.path, "syscalls[0].args[0].value");
    assert_eq!((loc.line, loc.column), (3, 35));
    assert!(value.message.contains("negative"));
    let op = errs.iter().find(|d| d.code == "unknown-op").unwrap();
    assert_eq!(op.location.as_ref().unwrap().path, "syscalls[0].args[0].op");
    assert!(
        op.message.contains("did you mean \"SCMP_CMP_EQ\""),
        "{}",
        op.message
    );
}

#[test]
fn name_and_names_together_is_an_error() {
    let f = parse(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}"#)
        .unwrap_err();
    assert_eq!(f.first_error().unwrap().code, "name-and-names");
}

#[test]
fn unknown_fields_and_duplicates_warn() {
    let p = parse(
        r#"{"defaultAction":"SCMP_ACT_ALLOW","defaultAction":"SCMP_ACT_ERRNO","sycalls":[]}"#,
    )
    .unwrap();
    let codes: Vec<_> = p.warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["duplicate-key", "unknown-field"]);
    assert!(p.warnings[1].message.contains("did you mean \"syscalls\""));
    assert_eq!(p.profile.default_action.unwrap().value, ActionName::Errno);
}

#[test]
fn go_matches_member_names_case_insensitively() {
    let p = parse(r#"{"DefaultAction":"SCMP_ACT_ERRNO","SYSCALLS":[{"Names":["read"],"Action":"SCMP_ACT_ALLOW"}]}"#).unwrap();
    assert!(p.warnings.is_empty());
    assert_eq!(p.profile.syscalls[0].names[0].value, "read");
}

#[test]
fn reads_linux_seccomp_from_a_config_json() {
    let p = parse(r#"{"ociVersion":"1.0.2","process":{"capabilities":{"bounding":["CAP_CHOWN"]}},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}}}"#)
        .unwrap_err();
    assert_eq!(f_path(&p), "linux.seccomp.syscalls[0].args[0].op",);
    let ok = parse(r#"{"ociVersion":"1.0.2","process":{"capabilities":{"bounding":["CAP_CHOWN"]}},"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}"#).unwrap();
    assert_eq!(ok.profile.format, ProfileFormat::OciConfig);
    assert_eq!(
        ok.profile.config_bounding_caps,
        Some(vec!["CAP_CHOWN".to_string()])
    );
}

/// Go matches member names with Unicode simple case folding: `ſ` (U+017F) is an `s` and
/// the Kelvin sign (U+212A) a `k`, escaped or not; nothing else non-ASCII folds to ASCII.
#[test]
fn member_names_match_with_go_case_folding() {
    let p = parse(
        "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"ſyſcalls\":[{\"nameſ\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}],\
         \"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}",
    )
    .unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.profile.syscalls[0].names[0].value, "read");
    assert_eq!(
        p.profile.syscalls[0].names[0].location.path,
        "syscalls[0].names[0]"
    );
    // Escaped: the name is compared after unescaping, as Go's `unquote`s it.
    let p = parse(r#"{"defaultAction":"SCMP_ACT_ERRNO","\u017Fyscalls":[],"ar\u212AsMap":[]}"#)
        .unwrap();
    let codes: Vec<_> = p.warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["unknown-field"], "arKsMap is not archMap");
    let p = parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\
         \"includes\":{\"minKernel\":\"4.8\"},\"excludes\":{\"caps\":[\"CAP_SYS_PTRACE\"]}}]}")
        .unwrap();
    assert!(p.warnings.is_empty());
    let p = parse(
        "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\
         \"includes\":{\"minKernel\":\"4.8\"}}]}",
    )
    .unwrap();
    assert_eq!(
        p.profile.syscalls[0]
            .includes
            .min_kernel
            .as_ref()
            .unwrap()
            .value,
        KernelVersion { major: 4, minor: 8 }
    );
    // Other non-ASCII look-alikes do not fold: "ı" (dotless i), "ſ" only folds to s.
    let p = parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[],\"archıtectures\":[\"SCMP_ARCH_X86\"]}")
        .unwrap();
    assert!(p.profile.architectures.is_empty());
    assert_eq!(p.warnings[0].code, "unknown-field");
    assert!(go_fold_eq("ſs", "sſ") && go_fold_eq("SK", "ſ\u{212a}") && go_fold_eq("Ņ", "Ņ"));
    assert!(!go_fold_eq("Ņ", "ſ") && !go_fold_eq("names", "name") && !go_fold_eq("ſ", "\u{212a}"));
}

/// Go decodes every member that folds to a field in order: the last one wins even when an
/// earlier one is spelled exactly.
#[test]
fn the_last_case_folded_duplicate_wins_as_in_go() {
    let p = parse(
        r#"{"defaultAction":"SCMP_ACT_ALLOW","DefaultAction":"SCMP_ACT_ERRNO","syscalls":[]}"#,
    )
    .unwrap();
    assert_eq!(p.profile.default_action.unwrap().value, ActionName::Errno);
    assert_eq!(p.warnings[0].code, "duplicate-key");
    let p = parse("{\"DEFAULTACTION\":\"SCMP_ACT_ALLOW\",\"defaultAction\":\"SCMP_ACT_LOG\",\"defaultAction\":\"SCMP_ACT_TRAP\",\"ſyscalls\":[],\"syscalls\":null}")
        .unwrap();
    assert_eq!(p.profile.default_action.unwrap().value, ActionName::Trap);
    let codes: Vec<_> = p.warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["duplicate-key"; 3]);
}

/// Go ignores `null` for a string or integer field and sets a pointer or slice to nil: a
/// later `null` duplicate keeps an earlier action, but drops an earlier `errnoRet`.
#[test]
fn a_later_null_duplicate_is_decoded_as_go_decodes_it() {
    let p = parse(r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultAction":null,"defaultErrnoRet":1,"defaulterrnoret":null,
        "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","Action":null,"errnoRet":5,"errnoRet":null,
          "args":[{"index":1,"index":null,"value":2,"VALUE":null,"op":"SCMP_CMP_EQ","op":null}]}],"syscalls":[]}"#)
    .unwrap();
    let p = p.profile;
    assert_eq!(p.default_action.unwrap().value, ActionName::Errno);
    assert_eq!(p.default_errno_ret, None);
    assert!(p.syscalls.is_empty(), "the last \"syscalls\" is empty");
    let p = parse(r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","Action":null,"errnoRet":5,"errnoRet":null,
          "args":[{"index":1,"index":null,"value":2,"VALUE":null,"op":"SCMP_CMP_EQ","op":null}]}]}"#)
    .unwrap();
    let e = &p.profile.syscalls[0];
    assert_eq!(e.action.value, ActionName::Allow);
    assert_eq!(e.errno_ret, None);
    assert_eq!(
        (e.args[0].index.value, e.args[0].value, e.args[0].op.value),
        (1, 2, Op::Eq)
    );
}

/// runc (Go) finds `Linux`/`Seccomp` in a config.json as it finds `linux`/`seccomp`; crun
/// (libocispec) would not, which a warning says.
#[test]
fn config_json_members_fold_like_runc_and_warn_for_crun() {
    let p = parse(r#"{"ociVersion":"1.0.2","Process":{"Capabilities":{"bounding":["CAP_CHOWN"]}},"Linux":{"Seccomp":{"defaultAction":"SCMP_ACT_ERRNO","SYSCALLS":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}}}"#)
        .unwrap();
    assert_eq!(p.profile.format, ProfileFormat::OciConfig);
    assert_eq!(p.profile.syscalls[0].names[0].value, "read");
    assert_eq!(
        p.profile.syscalls[0].names[0].location.path,
        "linux.seccomp.syscalls[0].names[0]"
    );
    assert_eq!(
        p.profile.config_bounding_caps,
        Some(vec!["CAP_CHOWN".to_string()])
    );
    let folded: Vec<_> = p
        .warnings
        .iter()
        .filter(|d| d.code == "case-folded-member")
        .map(|d| d.location.as_ref().unwrap().path.as_str())
        .collect();
    assert_eq!(folded.len(), 5, "{:?}", p.warnings);
    for path in [
        "Process",
        "process.Capabilities",
        "Linux",
        "linux.Seccomp",
        "linux.seccomp.SYSCALLS",
    ] {
        assert!(folded.contains(&path), "{path}: {folded:?}");
    }
    assert!(p.warnings.iter().all(|d| d.code == "case-folded-member"));
    assert!(
        p.warnings[0].message.contains("crun"),
        "{}",
        p.warnings[0].message
    );
    // Written exactly: no warning.
    let p =
        parse(r#"{"ociVersion":"1.0.2","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}"#)
            .unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // ſ and K fold here too, and a config.json is recognised by a folded "linux".
    let p = parse("{\"linux\":{\"ſeccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}}").unwrap();
    assert_eq!(p.profile.format, ProfileFormat::OciConfig);
    let p = parse(r#"{"LINUX":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}}}"#).unwrap();
    assert_eq!(p.profile.format, ProfileFormat::OciConfig);
    // A Docker profile is read by Docker (Go): no crun warning there.
    let p = parse(r#"{"DefaultAction":"SCMP_ACT_ERRNO"}"#).unwrap();
    assert!(p.warnings.is_empty());
}

fn f_path(f: &Failure) -> String {
    f.first_error()
        .unwrap()
        .location
        .as_ref()
        .unwrap()
        .path
        .clone()
}

#[test]
fn kernel_versions_parse_like_moby() {
    assert_eq!(
        KernelVersion::parse("5.8"),
        Ok(KernelVersion { major: 5, minor: 8 })
    );
    assert!(KernelVersion::parse("5").is_err());
    assert!(KernelVersion::parse("5.8.1").is_err());
    assert!(KernelVersion::parse("0.0").is_err());
    assert!(KernelVersion::parse("256.1").is_err());
}
