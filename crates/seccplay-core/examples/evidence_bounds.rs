//! Time and peak memory of the evidence readers on hostile inputs (docs/RELIABILITY.md), one
//! input per run so that `/usr/bin/time -v` measures it alone:
//!
//! ```text
//! cargo build -p seccplay-core --example evidence_bounds
//! for c in audit-1m audit-1m-docker audit-huge-line audit-garbage strace-1m strace-1m-docker \
//!          strace-huge-line strace-garbage; do
//!   /usr/bin/time -v target/debug/examples/evidence_bounds $c 2>&1 | grep -E 'evidence|Maximum resident|Elapsed'
//! done
//! ```

use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::evidence::{attribute, audit, predict, strace};
use seccplay_core::presets::{self, PresetKind};
use std::time::Instant;

fn garbage(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn main() {
    let case = std::env::args().nth(1).unwrap_or_default();
    let docker = match presets::get("docker").unwrap().kind {
        PresetKind::Profile(t) => t,
        _ => unreachable!(),
    };
    let t0 = Instant::now();
    let bytes: Vec<u8> = match case.as_str() {
        "audit-1m" | "audit-1m-docker" => (0..1_000_000u32)
            .map(|i| format!("[ {i}.000000] audit: type=1326 audit(1796312105.199:{i}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid={} comm=\"mkdir\" exe=\"/usr/bin/mkdir\" sig=0 arch=c000003e syscall={} compat=0 ip=0x7f763ffdaf37 code=0x50000\n", 1000 + i % 5000, i % 450))
            .collect::<String>()
            .into_bytes(),
        "strace-1m" | "strace-1m-docker" => (0..1_000_000u32)
            .map(|i| match i % 4 {
                0 => format!("[pid {}] openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3\n", i % 300),
                1 => format!("[pid {}] clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f{i:x}) = {i}\n", i % 300),
                2 => format!("[pid {}] read(3, <unfinished ...>\n", i % 300),
                _ => format!("[pid {}] <... read resumed>\"\\177ELF\\2\\1\\1\"..., 832) = 832\n", (i - 1) % 300),
            })
            .collect::<String>()
            .into_bytes(),
        "audit-huge-line" | "strace-huge-line" => {
            let mut b = b"audit: type=1326 audit(1.2:3): arch=c000003e syscall=1 code=0x0 comm=\"".to_vec();
            b.extend(std::iter::repeat_n(b'a', 64 << 20));
            b.extend(b"\"\nread(3, \"");
            b.extend(std::iter::repeat_n(b'b', 64 << 20));
            b.extend(b"\", 10) = 10\n");
            b
        }
        "audit-garbage" | "strace-garbage" => garbage(64 << 20),
        _ => {
            eprintln!("unknown case {case}");
            std::process::exit(2);
        }
    };
    let built = t0.elapsed();
    let t1 = Instant::now();
    let an = analyze(docker, &Context::docker(Arch::X86_64));
    if case.starts_with("audit") {
        let log = audit::parse_bytes(&bytes);
        let read = t1.elapsed();
        let n = if case.ends_with("docker") {
            attribute::attribute(&log, &an).len()
        } else {
            0
        };
        println!(
            "evidence {case}: {} MiB input (built in {:.1}s), {} records, {} malformed, {} skipped, read in {:.2}s, {n} attributed, total {:.2}s",
            bytes.len() >> 20,
            built.as_secs_f64(),
            log.records.len(),
            log.malformed.len(),
            log.skipped,
            read.as_secs_f64(),
            t1.elapsed().as_secs_f64()
        );
    } else {
        let t = strace::parse_inputs(&[strace::Input {
            bytes: &bytes,
            pid: None,
        }]);
        let read = t1.elapsed();
        let n = if case.ends_with("docker") {
            predict::predict(&t, &an, Arch::X86_64).calls
        } else {
            0
        };
        println!(
            "evidence {case}: {} MiB input (built in {:.1}s), {} calls, {} malformed, {} skipped, read in {:.2}s, {n} decided, total {:.2}s",
            bytes.len() >> 20,
            built.as_secs_f64(),
            t.calls.len(),
            t.malformed.len(),
            t.skipped,
            read.as_secs_f64(),
            t1.elapsed().as_secs_f64()
        );
    }
}
