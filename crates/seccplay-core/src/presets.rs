//! Built-in profiles and modes: what `--default`, `docker`, `podman` and the playground's
//! preset menu mean. The real profiles are embedded by `tools/gen-tables` (see NOTICE).
//!
//! Engine presets are named `engine@version` (`docker@25`, `containerd@1.7`); the names used
//! before versions existed (`docker`, `docker-2020`, `podman`) are aliases. Docker's history and
//! Podman's profiles are the stored files; containerd's RuntimeDefault is a conditional profile
//! that resolves, in any context, to what containerd's Go code returns (`crate::host`).
//!
//! Docker's current profile is a plain string ([`CURRENT_DOCKER`]); every other profile is
//! minified, with its layout, in one deflated stream (`tables/preset_pack.rs`, under 6 KB for
//! 155 KB of JSON) that [`all`] and [`get`] inflate and lay out once, on first use. A build that reads only [`MENU`] and
//! [`CURRENT_DOCKER`] (the playground's first-load build) links neither the stream nor the
//! inflating.

pub use crate::context::Engine;
use crate::tables::preset_pack as pack;
use crate::tables::presets as gen;
use serde::Serialize;
use std::sync::OnceLock;

/// What a preset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PresetKind {
    /// A seccomp profile (JSON text).
    Profile(&'static str),
    /// `SECCOMP_MODE_STRICT`: read, write, exit and sigreturn only.
    Strict,
    /// No filter at all (`--security-opt seccomp=unconfined`).
    Unconfined,
}

/// A named preset.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Preset {
    /// Short name used on the command line (`docker@25`).
    pub name: &'static str,
    /// Other names that select it (`docker`).
    pub aliases: &'static [&'static str],
    /// An engine's built-in default (what it applies without `--security-opt seccomp=`):
    /// `--privileged` switches it off.
    pub builtin: bool,
    /// The engine whose built-in default it is (`Some` exactly when `builtin`): what
    /// `--privileged`'s sentence names ([`Engine::privileged_unconfined`]).
    pub engine: Option<Engine>,
    /// The file it was taken from, below `refdata/` ("" when none).
    pub source: &'static str,
    /// Title for menus.
    pub title: &'static str,
    /// One sentence about it.
    pub description: &'static str,
    /// The profile or mode.
    pub kind: PresetKind,
}

/// A small annotated example: what most people write first.
pub const EXAMPLE: &str = r#"{
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "archMap": [
    { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
    { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] }
  ],
  "syscalls": [
    {
      "comment": "what a shell needs to start and run simple commands",
      "names": ["read", "write", "openat", "close", "fstat", "newfstatat", "mmap", "munmap",
                "mprotect", "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl",
                "pread64", "access", "faccessat2", "execve", "exit_group", "wait4", "clone",
                "getpid", "getuid", "geteuid", "getgid", "getegid", "uname", "fcntl", "getcwd",
                "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
                "getrandom", "dup2", "pipe2", "lseek", "statx"],
      "action": "SCMP_ACT_ALLOW"
    },
    {
      "comment": "mkdir fails with EACCES instead of EPERM",
      "names": ["mkdir", "mkdirat"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 13
    },
    {
      "comment": "only the plain Linux personality, and the query form",
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{ "index": 0, "value": 0, "op": "SCMP_CMP_EQ" }]
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{ "index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ" }]
    },
    {
      "comment": "no new user namespaces: the flag is checked with a mask",
      "names": ["unshare"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{ "index": 0, "value": 268435456, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ" }]
    }
  ]
}
"#;

/// Where a preset's profile is: what [`all`] makes its [`PresetKind`] from.
#[derive(Clone, Copy)]
enum Src {
    /// A string in the binary.
    Text(&'static str),
    /// The profile with this index in the pack (`tables::preset_pack`).
    Packed(usize),
    /// [`PresetKind::Strict`].
    Strict,
    /// [`PresetKind::Unconfined`].
    Unconfined,
}

/// A preset as stored: [`Preset`] with [`Src`] for its kind.
struct Def {
    name: &'static str,
    aliases: &'static [&'static str],
    /// The engine whose built-in default this is (`None`: not an engine's default).
    engine: Option<Engine>,
    source: &'static str,
    title: &'static str,
    description: &'static str,
    src: Src,
}

/// Every preset, in menu order.
impl Def {
    /// The preset this entry describes, with its text (or kind) resolved.
    const fn preset(&self, kind: PresetKind) -> Preset {
        Preset {
            name: self.name,
            aliases: self.aliases,
            builtin: self.engine.is_some(),
            engine: self.engine,
            source: self.source,
            title: self.title,
            description: self.description,
            kind,
        }
    }
}

const DEFS: &[Def] = &[
    Def {
        name: "docker@29.4.3",
        aliases: &["docker", "docker@latest"],
        engine: Some(Engine::Docker),
        source: "profiles/docker/default.json",
        title: "Docker 29.4.3 … 29.7 default (current)",
        description: "moby's default profile: ~370 syscalls allowed, EPERM for the rest, argument rules for socket (AF_ALG and AF_VSOCK blocked), personality and clone, capability-dependent groups.",
        src: Src::Text(gen::DOCKER_DEFAULT),
    },
    Def {
        name: "docker@28.2",
        aliases: &[],
        engine: Some(Engine::Docker),
        source: "profiles/docker/history/docker-v28.5.2.json",
        title: "Docker 28.2 … 29.4.1 default",
        description: "As the current one, but socket blocks only AF_VSOCK (AF_ALG allowed). Stored from v28.5.2.",
        src: Src::Packed(pack::DOCKER_V28_5_2),
    },
    Def {
        name: "docker@26",
        aliases: &[],
        engine: Some(Engine::Docker),
        source: "profiles/docker/history/docker-v26.0.0.json",
        title: "Docker 25.0.3 … 28.1 default",
        description: "Adds cachestat, fchmodat2, futex_wait/wake/requeue and map_shadow_stack; no listmount, statmount, mseal, *xattrat. Stored from v26.0.0 (same file in 27.0.1 and 28.0.0).",
        src: Src::Packed(pack::DOCKER_V26_0_0),
    },
    Def {
        name: "docker@25",
        aliases: &[],
        engine: Some(Engine::Docker),
        source: "profiles/docker/history/docker-v25.0.0.json",
        title: "Docker 25.0.0 … 25.0.2 default",
        description: "io_uring_* removed (EPERM); name_to_handle_at allowed without CAP_SYS_ADMIN.",
        src: Src::Packed(pack::DOCKER_V25_0_0),
    },
    Def {
        name: "docker@23",
        aliases: &["docker@24"],
        engine: Some(Engine::Docker),
        source: "profiles/docker/history/docker-v23.0.0.json",
        title: "Docker 23.0 … 24.0 default",
        description: "defaultErrnoRet 1; clone3 → ENOSYS without CAP_SYS_ADMIN; socket(AF_VSOCK) blocked; io_uring_* still allowed.",
        src: Src::Packed(pack::DOCKER_V23_0_0),
    },
    Def {
        name: "docker@20.10",
        aliases: &["docker-2020"],
        engine: Some(Engine::Docker),
        source: "profiles/docker/history/docker-v20.10.0.json",
        title: "Docker 20.10.0 default",
        description: "No defaultErrnoRet, no clone3 rule (EPERM; the ENOSYS rule came in 20.10.10), io_uring_* allowed. Same file as moby f7bcb02f (2020-11-11).",
        src: Src::Packed(pack::DOCKER_DEFAULT_2020),
    },
    Def {
        name: "docker@19.03",
        aliases: &[],
        engine: Some(Engine::Docker),
        source: "profiles/docker/history/docker-v19.03.0.json",
        title: "Docker 19.03.0 default",
        description: "No clone3, io_uring, faccessat2, openat2 or any call after io_pgetevents (333 on x86_64): runc's ENOSYS stub answers them ENOSYS (EPERM without the stub, as with crun, and on arm); clone mask without CLONE_NEWCGROUP.",
        src: Src::Packed(pack::DOCKER_V19_03_0),
    },
    Def {
        name: "containerd@2.3",
        aliases: &["containerd", "containerd@main"],
        engine: Some(Engine::Containerd),
        source: "",
        title: "containerd 2.3 RuntimeDefault",
        description: "containerd's built-in profile (seccomp_default.go at v2.3.4 = main 301026e5), for the context's arch, capabilities and kernel: socket blocks AF_ALG and AF_VSOCK, no io_uring.",
        src: Src::Packed(pack::CONTAINERD_MAIN_301026E5),
    },
    Def {
        name: "containerd@2.0",
        aliases: &[],
        engine: Some(Engine::Containerd),
        source: "",
        title: "containerd 2.0 RuntimeDefault",
        description: "containerd v2.0.0's built-in profile: socket blocks only AF_VSOCK, no io_uring, none of the 6.8+ calls (listmount, mseal, …).",
        src: Src::Packed(pack::CONTAINERD_V2_0_0),
    },
    Def {
        name: "containerd@1.7",
        aliases: &[],
        engine: Some(Engine::Containerd),
        source: "",
        title: "containerd 1.7 RuntimeDefault",
        description: "containerd v1.7.34's built-in profile: io_uring_* allowed, socket blocks AF_ALG and AF_VSOCK.",
        src: Src::Packed(pack::CONTAINERD_V1_7_34),
    },
    Def {
        name: "containerd@1.6",
        aliases: &[],
        engine: Some(Engine::Containerd),
        source: "",
        title: "containerd 1.6 RuntimeDefault",
        description: "containerd v1.6.20's built-in profile (Debian 12's containerd): socket with any family, io_uring_* allowed, process_vm_* only with CAP_SYS_PTRACE.",
        src: Src::Packed(pack::CONTAINERD_V1_6_20),
    },
    Def {
        name: "kubernetes",
        aliases: &["RuntimeDefault"],
        engine: Some(Engine::Kubernetes),
        source: "",
        title: "Kubernetes RuntimeDefault",
        description: "seccompProfile: RuntimeDefault means the node's runtime's built-in profile: on containerd nodes containerd's (containerd@1.6 … containerd@2.3, by the node's containerd), on CRI-O nodes containers-common's (podman@2026.03 / podman@2025.04). This entry is containerd@2.3's.",
        src: Src::Packed(pack::CONTAINERD_MAIN_301026E5),
    },
    Def {
        name: "podman@2026.03",
        aliases: &["podman", "crio"],
        engine: Some(Engine::Podman),
        source: "profiles/podman/container-libs-seccomp.json",
        title: "Podman / CRI-O default (containers/container-libs, 2026-03)",
        description: "containers' default profile: ENOSYS as the default errno, per-rule errnoRet, AF_VSOCK blocked.",
        src: Src::Packed(pack::PODMAN_DEFAULT),
    },
    Def {
        name: "podman@2025.04",
        aliases: &[],
        engine: Some(Engine::Podman),
        source: "profiles/podman/containers-common-seccomp.json",
        title: "Podman / CRI-O default (containers/common, 2025-04)",
        description: "The archived containers/common profile (last changed 2025-04-07): ENOSYS default errno, no AF_VSOCK block.",
        src: Src::Packed(pack::PODMAN_CONTAINERS_COMMON),
    },
    Def {
        name: "example",
        aliases: &[],
        engine: None,
        source: "",
        title: "Small annotated example",
        description: "A short allow-list with an errnoRet, argument rules and a masked comparison.",
        src: Src::Text(EXAMPLE),
    },
    Def {
        name: "strict",
        aliases: &[],
        engine: None,
        source: "",
        title: "Strict mode",
        description: "SECCOMP_MODE_STRICT: only read, write, _exit and sigreturn; anything else kills with SIGKILL.",
        src: Src::Strict,
    },
    Def {
        name: "unconfined",
        aliases: &[],
        engine: None,
        source: "",
        title: "Unconfined",
        description: "No filter, as with --security-opt seccomp=unconfined.",
        src: Src::Unconfined,
    },
];

/// True for a preset that is an engine's built-in default (Docker's, Podman's, containerd's):
/// a container runs with it when no `--security-opt seccomp=` is given, so `--privileged`
/// switches it off ([`Context::explicit_profile`](crate::context::Context::explicit_profile)
/// false). Any other profile reaches the engine through `--security-opt seccomp=FILE` (or a
/// Kubernetes `localhost/` profile), which `--privileged` keeps.
pub fn is_builtin_default(name: &str) -> bool {
    find(name).is_some_and(|i| MENU[i].builtin)
}

/// The engine whose built-in default the preset `name` is ([`Preset::engine`]), by name or
/// alias, without inflating any profile.
pub fn engine_of(name: &str) -> Option<Engine> {
    find(name).and_then(|i| MENU[i].engine)
}

/// Every preset, in menu order ([`MENU`]'s). The first call inflates the pack of profiles
/// (`tables::preset_pack`): about a millisecond natively.
pub fn all() -> &'static [Preset] {
    static ALL: OnceLock<Vec<Preset>> = OnceLock::new();
    ALL.get_or_init(|| {
        let texts = unpack();
        DEFS.iter()
            .map(|d| {
                let kind = match d.src {
                    Src::Text(t) => PresetKind::Profile(t),
                    Src::Packed(i) => PresetKind::Profile(texts[i]),
                    Src::Strict => PresetKind::Strict,
                    Src::Unconfined => PresetKind::Unconfined,
                };
                d.preset(kind)
            })
            .collect()
    })
}

/// The pack's profiles, in its index order: its stream inflated once, cut at
/// `preset_pack::LENGTHS` and each profile laid out again ([`rebuild`]). The generator checked
/// that this gives back every profile byte for byte; `each_preset_equals_its_file` checks the
/// texts against the stored files.
fn unpack() -> Vec<&'static str> {
    static TEXT: OnceLock<(String, Vec<usize>)> = OnceLock::new();
    let (text, ends) = TEXT.get_or_init(|| {
        let bytes = miniz_oxide::inflate::decompress_to_vec(&pack::PACK)
            .expect("tables/preset_pack.rs: the generator checked that the stream inflates");
        let min = String::from_utf8(bytes).expect("tables/preset_pack.rs: the profiles are UTF-8");
        let (mut text, mut ends, mut at) = (String::new(), Vec::new(), 0);
        for (&n, &layout) in pack::LENGTHS.iter().zip(&pack::LAYOUTS) {
            rebuild(&mut text, &min[at..at + n as usize], layout);
            at += n as usize;
            ends.push(text.len());
        }
        (text, ends)
    });
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let t = &text[start..end];
            start = end;
            t
        })
        .collect()
}

/// Appends minified JSON `min` in layout `layout` of `preset_pack::LAYOUTS`: 0/1 indented by
/// tabs, 2/3 by two spaces, 4/5 compact; odd values end with a newline. The layouts are Go's
/// `json.MarshalIndent` and serde_json's pretty printer: one member or element a line, `": "`
/// after keys, empty `{}` and `[]` on one line (the same function as tools/gen-tables' `pack`).
fn rebuild(out: &mut String, min: &str, layout: u8) {
    let indent = ["\t", "  ", ""][usize::from(layout / 2).min(2)];
    if indent.is_empty() {
        out.push_str(min);
    } else {
        let b = min.as_bytes();
        let (mut depth, mut i) = (0, 0);
        let newline = |out: &mut String, depth: usize| {
            out.push('\n');
            for _ in 0..depth {
                out.push_str(indent);
            }
        };
        while i < b.len() {
            match b[i] {
                b'"' => {
                    let start = i;
                    i += 1;
                    while b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    out.push_str(&min[start..=i]);
                }
                b'[' | b'{' if matches!(b.get(i + 1), Some(b']' | b'}')) => {
                    out.push_str(&min[i..i + 2]);
                    i += 1;
                }
                b'[' | b'{' => {
                    out.push_str(&min[i..=i]);
                    depth += 1;
                    newline(out, depth);
                }
                b']' | b'}' => {
                    depth -= 1;
                    newline(out, depth);
                    out.push_str(&min[i..=i]);
                }
                b',' => {
                    out.push(',');
                    newline(out, depth);
                }
                b':' => out.push_str(": "),
                _ => {
                    let start = i;
                    while i + 1 < b.len() && !b"\",:[]{}".contains(&b[i + 1]) {
                        i += 1;
                    }
                    out.push_str(&min[start..=i]);
                }
            }
            i += 1;
        }
    }
    if layout % 2 == 1 {
        out.push('\n');
    }
}

/// Looks a preset up by name or alias.
pub fn get(name: &str) -> Option<&'static Preset> {
    find(name).map(|i| &all()[i])
}

/// A preset's names and title without its profile: what a menu lists and a lookup by name
/// reads ([`MENU`]).
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// As [`Preset::name`].
    pub name: &'static str,
    /// As [`Preset::aliases`].
    pub aliases: &'static [&'static str],
    /// As [`Preset::builtin`].
    pub builtin: bool,
    /// As [`Preset::engine`].
    pub engine: Option<Engine>,
    /// As [`Preset::title`].
    pub title: &'static str,
    /// As [`Preset::description`].
    pub description: &'static str,
}

/// [`all`] without the profiles, in the same order, computed at compile time: a build that
/// reads only this table and [`CURRENT_DOCKER`] (the playground's first-load build) links no
/// other profile.
pub const MENU: [Entry; DEFS.len()] = {
    let mut out = [Entry {
        name: "",
        aliases: &[],
        builtin: false,
        engine: None,
        title: "",
        description: "",
    }; DEFS.len()];
    let mut i = 0;
    while i < DEFS.len() {
        out[i] = Entry {
            name: DEFS[i].name,
            aliases: DEFS[i].aliases,
            builtin: DEFS[i].engine.is_some(),
            engine: DEFS[i].engine,
            title: DEFS[i].title,
            description: DEFS[i].description,
        };
        i += 1;
    }
    out
};

/// Docker's current default (`docker`), the playground's first preset: `all()[0]`, without
/// inflating the others.
pub const CURRENT_DOCKER: Preset = {
    let d = &DEFS[0];
    let Src::Text(text) = d.src else {
        panic!("the first preset is a string")
    };
    d.preset(PresetKind::Profile(text))
};

/// The index in [`all`] and [`MENU`] of a preset, by name or else by alias.
pub fn find(name: &str) -> Option<usize> {
    MENU.iter()
        .position(|p| p.name == name)
        .or_else(|| MENU.iter().position(|p| p.aliases.contains(&name)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Arch;
    use crate::context::Context;

    #[test]
    fn every_profile_preset_analyzes_cleanly() {
        for p in all() {
            if let PresetKind::Profile(text) = p.kind {
                let a = crate::analysis::analyze(text, &Context::docker(Arch::X86_64));
                assert!(!a.failed(), "{}: {:?}", p.name, a.first_error());
                assert!(a.program.is_some(), "{}", p.name);
            }
        }
    }

    #[test]
    fn menu_lists_every_preset_and_lookups_agree() {
        assert_eq!(MENU.len(), all().len());
        for (e, p) in MENU.iter().zip(all()) {
            assert_eq!(
                (e.name, e.aliases, e.builtin, e.title),
                (p.name, p.aliases, p.builtin, p.title)
            );
            for n in std::iter::once(p.name).chain(p.aliases.iter().copied()) {
                assert_eq!(get(n).map(|x| x.name), Some(p.name), "{n}");
            }
        }
        assert_eq!(get("docker").map(|p| p.kind), Some(CURRENT_DOCKER.kind));
        assert_eq!(get("docker").map(|p| p.name), Some(CURRENT_DOCKER.name));
        assert_eq!(find("no-such-preset"), None);
    }

    #[test]
    fn docker_preset_decides_the_classics() {
        let PresetKind::Profile(text) = get("docker").unwrap().kind else {
            panic!()
        };
        let a = crate::analysis::analyze(text, &Context::docker(Arch::X86_64));
        let v = |s: &str| a.simulate_call(s, Arch::X86_64).unwrap().ret;
        assert_eq!(v("unshare(CLONE_NEWUSER)"), 0x0005_0001);
        assert_eq!(v("personality(0xffffffff)"), 0x7fff_0000);
        assert_eq!(v("personality(0x1234)"), 0x0005_0001);
        assert_eq!(v("socket(AF_INET, SOCK_STREAM, 0)"), 0x7fff_0000);
        assert_eq!(v("socket(AF_VSOCK, SOCK_STREAM, 0)"), 0x0005_0001);
        assert_eq!(v("clone3()"), 0x0005_0026);
    }

    fn refdata(rel: &str) -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../refdata/").to_string() + rel;
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Every preset taken from a file is that file: byte for byte when embedded raw, and the
    /// file's JSON value in the canonical layout (sorted keys, two-space indentation) when
    /// the generator re-serialised it (the three older constants). The pack's minifying and
    /// laying out again must give back these texts exactly.
    #[test]
    fn each_preset_equals_its_file() {
        let mut raw = 0;
        for p in all().iter().filter(|p| !p.source.is_empty()) {
            let PresetKind::Profile(text) = p.kind else {
                panic!("{}", p.name)
            };
            let file = refdata(p.source);
            if text == file {
                raw += 1;
                continue;
            }
            // Re-serialised by the generator: the file's value, in the canonical layout.
            let b: serde_json::Value = serde_json::from_str(&file).unwrap();
            let canonical = serde_json::to_string_pretty(&b).unwrap() + "\n";
            assert_eq!(text, canonical, "{} differs from {}", p.name, p.source);
        }
        assert!(raw >= 6, "{raw} presets byte-exact");
    }

    /// Every profile of the pack is some preset's, and the pack's lengths cut the inflated
    /// stream into JSON documents (each one starts with `{` and ends with `}`).
    #[test]
    fn every_packed_profile_is_a_preset() {
        let used: std::collections::BTreeSet<usize> = DEFS
            .iter()
            .filter_map(|d| match d.src {
                Src::Packed(i) => Some(i),
                _ => None,
            })
            .collect();
        assert_eq!(used, (0..pack::LENGTHS.len()).collect());
        for t in unpack() {
            assert!(t.starts_with('{') && t.trim_end().ends_with('}'), "{t:.40}");
        }
        assert!(pack::PACK.len() * 10 < pack::LENGTHS.iter().sum::<u32>() as usize);
    }

    #[test]
    fn names_say_engine_and_version_and_old_names_are_aliases() {
        for old in ["docker", "docker-2020", "podman"] {
            assert!(get(old).is_some(), "{old}");
        }
        assert_eq!(get("docker").unwrap().name, "docker@29.4.3");
        assert_eq!(get("docker-2020").unwrap().name, "docker@20.10");
        assert_eq!(get("podman").unwrap().name, "podman@2026.03");
        let mut names: Vec<&str> = all()
            .iter()
            .flat_map(|p| p.aliases.iter().copied().chain([p.name]))
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n, "a name or alias is used twice");
        for e in ["docker@", "containerd@", "podman@"] {
            assert!(
                all().iter().filter(|p| p.name.starts_with(e)).count() >= 2,
                "{e}"
            );
        }
    }
}
