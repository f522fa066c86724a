//! The playground in a headless browser (wasm-bindgen-test): the state's URL round trip, the
//! debounce-free analysis, and the mounted App.
//!
//! Each test mounts into its own element and queries inside it: the runner's page has
//! elements of its own (`#output`, ...).
#![cfg(target_arch = "wasm32")]

use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::presets::{self, PresetKind};
use seccplay_web::model::{self, Source};
use seccplay_web::state::State;
use seccplay_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Creates a fresh `<div>` under `<body>` to mount a component into.
fn mount_root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// Lets Yew run its scheduled renders (and the editor's debounce).
async fn settle(ms: u64) {
    yew::platform::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// A fresh start: no fragment, no saved session.
fn fresh() {
    let w = web_sys::window().unwrap();
    let _ = w.history().unwrap().replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some(&w.location().pathname().unwrap()),
    );
    if let Ok(Some(s)) = w.local_storage() {
        let _ = s.clear();
    }
}

fn text(root: &web_sys::Element, sel: &str) -> String {
    root.query_selector(sel)
        .unwrap()
        .unwrap_or_else(|| panic!("no {sel}"))
        .text_content()
        .unwrap()
}

/// Waits (up to 5 s) until `sel` is in the page: the table's rows are rendered after the first
/// paint (the verdict comes first), so they arrive a frame or more after mounting.
async fn wait_for(root: &web_sys::Element, sel: &str) {
    for _ in 0..100 {
        if root.query_selector(sel).unwrap().is_some() {
            return;
        }
        settle(50).await;
    }
}

fn docker() -> &'static str {
    match presets::get("docker").unwrap().kind {
        PresetKind::Profile(t) => t,
        _ => unreachable!(),
    }
}

#[wasm_bindgen_test]
fn url_state_round_trips() {
    let mut s = State {
        call: "personality(0x1234)".into(),
        ..State::default()
    };
    s.caps.push("CAP_SYS_ADMIN".into());
    s.caps.sort();
    s.tab = seccplay_web::state::Tab::Step;
    let f = s.to_fragment();
    assert!(f.starts_with("s="), "{f}");
    assert!(
        f.chars()
            .all(|c| c.is_ascii_alphanumeric() || "=-_".contains(c)),
        "{f}"
    );
    assert_eq!(State::from_fragment(&f).unwrap(), s);
    // An edited profile travels in the link, compressed.
    s.text = docker().replace("SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS");
    s.preset.clear();
    let f = s.to_fragment();
    assert!(
        f.len() < s.text.len() / 3,
        "{} vs {}",
        f.len(),
        s.text.len()
    );
    assert_eq!(State::from_fragment(&f).unwrap(), s);
}

#[wasm_bindgen_test]
fn analysis_without_debounce_decides_the_classics() {
    let s = State::default();
    let ctx = model::context(&s);
    assert!(ctx.is_ok());
    let src = model::analyze(docker(), false, &ctx);
    let v = model::simulate(&src, "unshare(CLONE_NEWUSER)", "", Arch::X86_64).unwrap();
    assert_eq!(v.label, "ERRNO(EPERM)");
    assert_eq!(v.errno_message.as_deref(), Some("Operation not permitted"));
    assert!(v.line.is_some());
    let ctx = Ok(ctx
        .unwrap()
        .with_caps(&["CAP_SYS_ADMIN"], &[] as &[&str], false)
        .unwrap());
    let src = model::analyze(docker(), false, &ctx);
    let v = model::simulate(&src, "unshare(CLONE_NEWUSER)", "", Arch::X86_64).unwrap();
    assert_eq!(v.label, "ALLOW");
    // A BPF program pasted instead of a profile: hex of `ret ALLOW`.
    let src = model::analyze("06 00 00 00 00 00 ff 7f", false, &ctx);
    assert!(matches!(src, Source::Bpf { .. }), "{src:?}");
    let v = model::simulate(&src, "read(0)", "", Arch::X86_64).unwrap();
    assert_eq!(v.label, "ALLOW");
    // A broken profile is located.
    let src = model::analyze("{\n  \"defaultAction\": 5\n}", false, &ctx);
    let Source::Profile(a) = &src else { panic!() };
    assert_eq!(a.first_error().unwrap().location.as_ref().unwrap().line, 2);
}

/// The number the page shows as blocked for Docker's default profile on x86_64 equals the
/// core's own count (the e2e test then checks the page's rows add up to it).
#[wasm_bindgen_test]
fn strict_mode_is_the_cores_answer() {
    let mut s = State::default();
    s.load_preset("strict");
    assert!(s.strict);
    s.kernel = "6.1".into();
    s.host = Arch::X86_64;
    let ctx = model::context(&s);
    let src = model::analyze(&s.text, s.strict, &ctx);
    let mode = seccplay_core::analysis::StrictMode::of(ctx.as_ref().unwrap());
    for (call, label, class) in [
        ("read(0, 0, 0)", "ALLOW", "allow"),
        ("getpid()", "KILL (SIGKILL)", "kill"),
    ] {
        let v = model::simulate(&src, call, "", Arch::X86_64).unwrap();
        let core = mode.simulate_call(call, Arch::X86_64).unwrap();
        assert_eq!((v.label.as_str(), v.class), (label, class), "{call}");
        assert_eq!(v.headline, core.headline, "{call}");
        assert_eq!(v.explanation, core.explanation, "{call}");
    }
    // x32 on x86_64: the ia32 list, numbers with bit 30: killed.
    let v = model::simulate(&src, "read(0, 0, 0)", "", Arch::X32).unwrap();
    assert_eq!(v.class, "kill");
    let rows = model::table(&src, Arch::X86_64);
    assert_eq!((rows.allowed, rows.none.as_deref()), (4, None));
    assert_eq!(rows.summary, mode.table(Arch::X86_64).summary);
    // aarch64 cannot run on an x86_64 kernel: no rows, and why.
    let rows = model::table(&src, Arch::Aarch64);
    assert!(rows.rows.is_empty() && rows.none.is_some(), "{rows:?}");
}

#[wasm_bindgen_test]
async fn app_mounts_and_shows_the_core_counts() {
    fresh();
    let root = mount_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle(50).await;
    assert_eq!(text(&root, "h1"), "seccplay");
    assert_eq!(text(&root, ".tagline"), seccplay_core::TAGLINE);
    let expected = seccplay_core::analysis::analyze(docker(), &Context::docker(Arch::X86_64))
        .table(Arch::X86_64);
    wait_for(&root, "#count-blocked").await;
    assert_eq!(text(&root, "#count-blocked"), expected.blocked.to_string());
    assert_eq!(text(&root, "#verdict"), "ERRNO(EPERM)");
    handle.destroy();
    root.remove();
}

/// Mounts the App on a state chosen through the URL fragment, as a shared link does.
async fn mount_with(state: &State) -> (web_sys::Element, yew::AppHandle<App>) {
    fresh();
    let w = web_sys::window().unwrap();
    let url = format!(
        "{}#{}",
        w.location().pathname().unwrap(),
        state.to_fragment()
    );
    w.history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        .unwrap();
    let root = mount_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle(50).await;
    (root, handle)
}

#[wasm_bindgen_test]
async fn choosing_a_preset_changes_the_result() {
    // (Playwright drives the preset menu itself in tests/e2e; here the preset comes in a link.)
    let mut s = State::default();
    s.load_preset("example");
    let (root, handle) = mount_with(&s).await;
    let ta: web_sys::HtmlTextAreaElement = root
        .query_selector("#profile-text")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(ta.value().contains("what a shell needs"));
    let select: web_sys::HtmlSelectElement = root
        .query_selector("#preset")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(select.value(), "example");
    // The example allows unshare only without CLONE_NEWUSER.
    assert_eq!(text(&root, "#verdict"), "ERRNO(EPERM)");
    handle.destroy();
    root.remove();

    s.load_preset("unconfined");
    let (root, handle) = mount_with(&s).await;
    assert_eq!(text(&root, "#verdict"), "ALLOW");
    assert!(text(&root, "#explanation").contains("No seccomp filter"));
    handle.destroy();
    root.remove();
}

/// Without a program there are no verdicts: a refused profile, unreadable text and text above
/// the size limit give no table rows and no simulation, each with its reason.
#[wasm_bindgen_test]
fn no_program_means_no_verdicts() {
    let ctx = model::context(&State::default());
    let refused = model::analyze("{\"defaultAction\": \"SCMP_ACT_NOPE\"}", false, &ctx);
    let big = format!("{{\"comment\": \"{}\"}}", "x".repeat(model::MAX_TEXT_BYTES));
    let too_large = model::analyze(&big, false, &ctx);
    assert!(matches!(too_large, Source::TooLarge { bytes } if bytes == big.len()));
    let unreadable = model::analyze("06 00 00", false, &ctx);
    for (src, why) in [
        (&refused, "refused"),
        (&too_large, "analyses at most"),
        (&unreadable, "neither a profile nor a BPF program"),
    ] {
        let rows = model::table(src, Arch::X86_64);
        assert!(rows.rows.is_empty(), "{src:?}");
        assert_eq!(rows.allowed + rows.conditional + rows.blocked, 0);
        assert!(
            rows.none.as_deref().unwrap_or("").contains(why),
            "{:?}",
            rows.none
        );
        let e = model::simulate(src, "read(0)", "", Arch::X86_64).unwrap_err();
        assert!(e.contains(why), "{e}");
        assert!(model::trace(src, "read(0)", "", Arch::X86_64, 0)
            .unwrap_err()
            .contains(why));
    }
    // A kernel version that is not one: no verdicts (not verdicts for another kernel).
    let bad = State {
        kernel: "v6.1".into(),
        ..State::default()
    };
    let src = model::analyze(docker(), false, &model::context(&bad));
    assert!(src
        .no_verdicts()
        .unwrap()
        .contains("invalid kernel version"));
    let k = State {
        kernel: "5.15.0-91-generic".into(),
        ..State::default()
    };
    assert_eq!(model::context(&k).unwrap().kernel.to_string(), "5.15");
    // Unconfined: no program, but verdicts (everything allowed, no filter).
    let unconfined = model::analyze("{}", false, &ctx);
    assert!(unconfined.no_verdicts().is_none());
    let rows = model::table(&unconfined, Arch::X86_64);
    assert_eq!(rows.allowed, rows.rows.len());
}

/// Regression (issue 14): `--privileged` with Docker's built-in default runs unconfined unless
/// the profile is marked as given with `--security-opt seccomp=`.
#[wasm_bindgen_test]
fn privileged_with_the_builtin_default_is_unconfined() {
    let mut s = State {
        privileged: true,
        ..State::default()
    };
    assert!(!s.explicit);
    let calls = [
        "socket(AF_VSOCK, SOCK_STREAM, 0)",
        "keyctl(0)",
        "personality(PER_LINUX|ADDR_NO_RANDOMIZE)",
    ];
    let src = model::analyze(&s.text, false, &model::context(&s));
    for c in calls {
        let v = model::simulate(&src, c, "", Arch::X86_64).unwrap();
        assert_eq!(v.label, "ALLOW", "{c}");
    }
    s.explicit = true;
    let src = model::analyze(&s.text, false, &model::context(&s));
    for c in calls {
        let v = model::simulate(&src, c, "", Arch::X86_64).unwrap();
        assert_eq!(v.label, "ERRNO(EPERM)", "{c}");
    }
    // The sentence names the engine of the preset (the core's, as the CLI prints it).
    s.load_preset("kubernetes");
    assert!(!s.explicit);
    let src = model::analyze(&s.text, false, &model::context(&s));
    let v = model::simulate(&src, "keyctl(0)", "", Arch::X86_64).unwrap();
    assert_eq!(v.label, "ALLOW");
    assert!(
        v.explanation
            .contains("Kubernetes runs privileged containers Unconfined"),
        "{}",
        v.explanation
    );
    // Compare's B side is built-in or not as B's preset says, as `diff A B` loads B.
    s.explicit = true;
    s.cmp_preset = "podman".into();
    let b = model::compare_context(&s).unwrap();
    assert!(!b.explicit_profile);
    assert_eq!(b.engine, seccplay_core::context::Engine::Podman);
}

/// A raw program and a stack in the editor: the table holds the analysis' rows (conditions in
/// syscall terms, the deciding filter), the verdicts are the kernel's combination, and the
/// decompiled profile of a compiled preset, opened as a profile, decides the calls as the
/// preset does.
#[wasm_bindgen_test]
fn raw_programs_stacks_and_the_decompiled_profile() {
    use seccplay_core::arch::Endian;
    use seccplay_core::bpf::format::{export, ExportFormat};
    let ctx = model::context(&State::default());
    let profile = model::analyze(docker(), false, &ctx);
    let Source::Profile(an) = &profile else {
        panic!()
    };
    let insns = &an.program.as_ref().unwrap().insns;
    let hex = String::from_utf8(export(insns, ExportFormat::Hex, Endian::Little)).unwrap();
    let raw = model::analyze(&hex, false, &ctx);
    let Source::Bpf(r) = &raw else {
        panic!("{raw:?}")
    };
    let calls = [
        "read(0, 0, 0)",
        "unshare(CLONE_NEWUSER)",
        "clone(0x10000000)",
        "personality(0xffffffff)",
        "personality(8)",
        "socket(AF_VSOCK, 1, 0)",
        "mount(0, 0, 0, 0, 0)",
        "ptrace(0)",
        "getpid()",
        "clone3()",
    ];
    let ret = |src: &Source, c: &str| model::simulate(src, c, "", Arch::X86_64).unwrap().ret;
    for c in calls {
        assert_eq!(ret(&raw, c), ret(&profile, c), "{c}");
    }
    // The table: personality's conditions in syscall terms, read a constant ALLOW.
    let rows = model::table(&raw, Arch::X86_64);
    let row = |n: &str| rows.rows.iter().find(|r| r.name == n).unwrap();
    assert_eq!(row("read").verdict, "ALLOW");
    assert_eq!(row("personality").kind, "conditional");
    let why = &row("personality").why;
    assert!(
        why.contains("personality(personality == PER_LINUX) → ALLOW"),
        "{why}"
    );
    // The default is the profile's EPERM (not runc's stub, not ALLOW).
    assert!(
        why.ends_with("personality(otherwise) → ERRNO(EPERM)"),
        "{why}"
    );
    assert_eq!(rows.rows.len(), an.table(Arch::X86_64).rows.len());
    // Linux 6.14 runs no filter for uretprobe: the raw program's verdict says so, as a
    // profile's does.
    let ctx614 = model::context(&State {
        kernel: "6.14".into(),
        ..State::default()
    });
    let raw614 = model::analyze(&hex, false, &ctx614);
    let v = model::simulate(&raw614, "uretprobe()", "", Arch::X86_64).unwrap();
    assert_eq!(v.label, "ALLOW");
    assert!(
        v.explanation
            .contains("run no seccomp filter for uretprobe"),
        "{}",
        v.explanation
    );
    let rows614 = model::table(&raw614, Arch::X86_64);
    let u = rows614.rows.iter().find(|r| r.name == "uretprobe").unwrap();
    assert_eq!((u.kind, u.verdict.as_str()), ("allowed", "ALLOW"));
    // Decompiled and opened as a profile: the same verdicts.
    let d = r.raw().decompiled().unwrap();
    assert!(d.abis.contains(&Arch::X86_64), "{:?}", d.abis);
    let back = model::analyze(&d.profile, false, &ctx);
    assert!(matches!(back, Source::Profile(_)), "{back:?}");
    // With the profile's EPERM as the default, clone's mask and personality's values are
    // stated as Docker states them: no gap on x86_64, and every call decides as before.
    assert!(
        !d.gaps.iter().any(|g| g.abi == Some(Arch::X86_64)
            && ["clone", "personality"].contains(&g.syscall.as_str())),
        "{:?}",
        d.gaps
    );
    for c in calls {
        assert_eq!(ret(&back, c), ret(&profile, c), "{c} decompiled");
    }
    // A stack of two (`---` between them): the most restrictive answer, and which filter.
    let stack = "ld [0]\njeq #83, L1, L2\nL1:\nret #0x5001e\nL2:\nret #0x7fff0000\n---\nld [0]\njge #83, L1, L2\nL1:\nret #0x50027\nL2:\nret #0x7fff0000\n";
    let src = model::analyze(stack, false, &ctx);
    let v = model::simulate(&src, "rmdir(0)", "", Arch::X86_64).unwrap();
    assert_eq!(v.label, "ERRNO(ENOTEMPTY)");
    assert!(
        v.headline.contains("filter 1 (oldest) of 2"),
        "{}",
        v.headline
    );
    assert_eq!(v.line, Some(8));
    let rows = model::table(&src, Arch::X86_64);
    let rmdir = rows.rows.iter().find(|r| r.name == "rmdir").unwrap();
    assert!(
        rmdir.why.contains("decided by filter 1 (oldest)"),
        "{rmdir:?}"
    );
    assert_eq!(
        model::raw::stack_answers(&src, "mkdir(0, 0)", "", Arch::X86_64),
        Some((vec![0x5001e, 0x50027], 0))
    );
    assert_eq!(
        model::trace(&src, "mkdir(0, 0)", "", Arch::X86_64, 1)
            .unwrap()
            .ret,
        0x50027
    );
    // An error in the second filter is located in the whole text.
    let src = model::analyze("ret #0\n---\nret #0\nbogus\n", false, &ctx);
    let Source::BpfError { message, line, .. } = &src else {
        panic!("{src:?}")
    };
    assert_eq!(*line, Some(4));
    assert!(message.contains("filter 1 of 2"), "{message}");
}
