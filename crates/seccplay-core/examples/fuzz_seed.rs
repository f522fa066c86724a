//! Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/seed-*): every built-in
//! profile preset, their compiled programs in several formats, the golden programs and a few
//! syscall expressions. The presets embed third-party profiles (see NOTICE), so the seeds are
//! generated here rather than committed: `make fuzz` runs this first.
//!
//! `cargo run -p seccplay-core --example fuzz_seed -- fuzz/corpus tests/golden`

use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::bpf::{disasm, format, insn};
use seccplay_core::context::Context;
use seccplay_core::presets::{all, PresetKind};
use std::path::{Path, PathBuf};

fn put(dir: &Path, name: &str, body: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join(format!("seed-{name}")), body)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "fuzz/corpus".into()));
    let golden = PathBuf::from(args.next().unwrap_or_else(|| "tests/golden".into()));
    let (profiles, programs, exprs) = (
        out.join("profile_parse"),
        out.join("program_bytes"),
        out.join("syscall_expr"),
    );
    let mut n = 0;
    for p in all() {
        let PresetKind::Profile(text) = p.kind else {
            continue;
        };
        put(&profiles, p.name, text.as_bytes())?;
        n += 1;
        for host in [Arch::X86_64, Arch::Aarch64] {
            let a = analyze(text, &Context::docker(host));
            let Some(c) = a.program else { continue };
            let e = c.arch.endian();
            // Selector byte: bit 0 = big endian, bit 1 = text formats (see program_bytes.rs).
            let sel = u8::from(e == seccplay_core::arch::Endian::Big);
            let mut raw = vec![sel];
            raw.extend(insn::encode(&c.insns, e));
            put(&programs, &format!("{}-{host}.raw", p.name), &raw)?;
            for (ext, f) in [
                ("hex", format::ExportFormat::Hex),
                ("c", format::ExportFormat::C),
                ("json", format::ExportFormat::Json),
            ] {
                let mut t = vec![sel | 2];
                t.extend(format::export(&c.insns, f, e));
                put(&programs, &format!("{}-{host}.{ext}", p.name), &t)?;
            }
            let mut t = vec![sel | 2];
            t.extend(disasm::plain(&c.insns).into_bytes());
            put(&programs, &format!("{}-{host}.asm", p.name), &t)?;
            n += 5;
        }
    }
    if let Ok(dir) = std::fs::read_dir(&golden) {
        let mut files: Vec<PathBuf> = dir.filter_map(|e| Some(e.ok()?.path())).collect();
        files.sort();
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "hex"))
        {
            let mut t = vec![2u8];
            t.extend(std::fs::read(f)?);
            let name = f.file_name().unwrap_or_default().to_string_lossy();
            put(&programs, &format!("golden-{name}"), &t)?;
            n += 1;
        }
    }
    let calls = [
        "read(0, 0, 0)",
        "unshare(CLONE_NEWUSER)",
        "clone(CLONE_NEWUSER|SIGCHLD)",
        "socket(AF_INET, SOCK_STREAM, 0)",
        "personality(0xffffffff)",
        "nr=135 0x1",
        "ioctl(1, TIOCSTI, 0)",
        "mmap(0, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE, -1, 0)",
        "openat(AT_FDCWD, 0, O_WRONLY|O_CREAT, 0644)",
        "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)",
    ];
    for (i, c) in calls.iter().enumerate() {
        let mut t = vec![0u8];
        t.extend(c.as_bytes());
        put(&exprs, &format!("{i:02}"), &t)?;
        n += 1;
    }
    println!("wrote {n} seeds under {}", out.display());
    Ok(())
}
