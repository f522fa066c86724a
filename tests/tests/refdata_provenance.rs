//! Every file in the repository's `refdata/` has its provenance in `refdata/SOURCES.md`, and
//! where that file records a git blob id, the copy hashes to it (`git hash-object`).
//!
//! This keeps the copy byte-exact and makes a new file without provenance fail the suite.

use seccplay_conformance::refdata;
use std::path::Path;

/// Files whose `SOURCES.md` row names them but records no blob id (derived tables, and
/// upstream files listed by commit only). They must still be named.
const NO_BLOB_RECORDED: &[&str] = &[
    "firecracker/aarch64-unknown-linux-musl.json",
    "firecracker/unimplemented.json",
    "firecracker/x86_64-unknown-linux-musl.json",
    "kernel/constants/audit_arch.csv",
    "kernel/constants/bpf_classic.csv",
    "kernel/constants/elf_em.csv",
    "kernel/constants/seccomp_uapi.csv",
    "kernel/constants/syscall_arg_constants.csv",
    "kernel/syscall_prototype_aliases.csv",
    "kernel/syscall_prototypes.README.md",
    "kernel/syscall_prototypes.csv",
    "profiles/docker/fixture-conditional_include.json",
    "profiles/docker/fixture-default-old-format.json",
    "profiles/docker/fixture-example.json",
    "profiles/security-profiles-operator/bpf-recorder.json",
    "profiles/security-profiles-operator/examples/baseprofile-crun.yaml",
    "profiles/security-profiles-operator/examples/baseprofile-runc.yaml",
    "profiles/security-profiles-operator/examples/seccompprofile-allowed-syscalls-change.yaml",
    "profiles/security-profiles-operator/examples/seccompprofile-allowed-syscalls-validation.yaml",
    "profiles/security-profiles-operator/examples/seccompprofile.yaml",
    "profiles/security-profiles-operator/security-profiles-operator.json",
    "syscalls/libseccomp/libseccomp_api_constants.csv",
    "syscalls/libseccomp/pseudo_syscalls_pnr.csv",
    "syscalls/libseccomp/seccomp-syscalls.h",
    // The project's own notes on its captures (§12): edited with them.
    "host/SOURCES.md",
];

#[test]
fn every_refdata_file_has_provenance_and_its_blob_id() {
    let dir = refdata::dir();
    let sources = refdata::read_refdata("SOURCES.md").unwrap();
    let mut files = Vec::new();
    walk(&dir, &dir, &mut files);
    assert!(files.len() > 80, "only {} files in refdata/", files.len());
    let mut problems = Vec::new();
    let mut verified = 0;
    for rel in &files {
        if rel == "SOURCES.md" || rel == "README.md" {
            continue;
        }
        let rows = rows_naming(&sources, rel);
        if rows.is_empty() {
            problems.push(format!("{rel}: not named in SOURCES.md"));
            continue;
        }
        let bytes = std::fs::read(dir.join(rel)).unwrap();
        let blob = hex(&sha1(&blob_object(&bytes)));
        let recorded = rows
            .iter()
            .flat_map(|r| hex_tokens(r))
            .any(|t| t.len() >= 8 && blob.starts_with(&t));
        match (recorded, NO_BLOB_RECORDED.contains(&rel.as_str())) {
            (true, true) => problems.push(format!(
                "{rel}: SOURCES.md records its blob now; drop it from NO_BLOB_RECORDED"
            )),
            (true, false) => verified += 1,
            (false, true) => {}
            (false, false) => problems.push(format!(
                "{rel}: blob {blob} is not the one SOURCES.md records"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(verified + NO_BLOB_RECORDED.len() + 2, files.len());
}

/// The SHA-1 of "abc" and git's blob id of an empty file (`git hash-object /dev/null`).
#[test]
fn sha1_and_blob_ids_match_known_values() {
    assert_eq!(
        hex(&sha1(b"abc")),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        hex(&sha1(&[b'a'; 1_000_000])),
        "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
    );
    assert_eq!(
        hex(&sha1(&blob_object(b""))),
        "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    );
}

/// Paths of every file below `root`, relative to it, `/`-separated, sorted.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            let rel = p.strip_prefix(root).unwrap();
            let parts: Vec<_> = rel.iter().map(|c| c.to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
}

/// The lines of SOURCES.md that name `rel`: as `` `rel` `` anywhere, or (in the kernel table
/// of §6) as `` | `file name` | `` in a row.
fn rows_naming<'a>(sources: &'a str, rel: &str) -> Vec<&'a str> {
    let full = format!("`{rel}`");
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let cell = format!("| `{name}` |");
    sources
        .lines()
        .filter(|l| l.contains(&full) || l.contains(&cell))
        .collect()
}

/// Maximal runs of lowercase hex digits in `line`.
fn hex_tokens(line: &str) -> Vec<String> {
    line.split(|c: char| !matches!(c, '0'..='9' | 'a'..='f'))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Git's object encoding of a blob: `blob <len>\0<bytes>`.
fn blob_object(bytes: &[u8]) -> Vec<u8> {
    let mut v = format!("blob {}\0", bytes.len()).into_bytes();
    v.extend_from_slice(bytes);
    v
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-1 (FIPS 180-4), enough to compute git blob ids.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, c) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}
