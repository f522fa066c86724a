//! Invariants 2 and 6 (like gVisor's secfuzz): a structured input becomes a profile and a
//! context; an accepted profile compiles to a program the verifier accepts, which decides like
//! the reference evaluator on inputs derived from its constants, and compiles to the same bytes
//! twice.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use seccplay_core::arch::Arch;
use seccplay_core::context::{Context, Runtime};
use seccplay_core::invariants::{check_profile, SAMPLE_ARCHES, SAMPLE_NAMES, SAMPLE_VALUES};
use seccplay_core::profile::{ActionName, Op};

const CAPS: &[&str] = &["CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_SYS_PTRACE"];

#[derive(Arbitrary, Debug)]
struct Cond {
    index: u8,
    op: u8,
    value: (bool, u8, u64),
    value_two: Option<(bool, u8, u64)>,
}

#[derive(Arbitrary, Debug)]
struct Entry {
    names: Vec<u8>,
    action: u8,
    errno: Option<u16>,
    args: Vec<Cond>,
    filter: Option<(bool, u8, u8)>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    default_action: u8,
    default_errno: Option<u16>,
    arches: Vec<u8>,
    entries: Vec<Entry>,
    host: u8,
    crun: bool,
    cap_sys_admin: bool,
    kernel_minor: u8,
    seed: u64,
}

fn val(v: (bool, u8, u64)) -> u64 {
    if v.0 {
        SAMPLE_VALUES[v.1 as usize % SAMPLE_VALUES.len()]
    } else {
        v.2
    }
}

fn action(n: u8) -> &'static str {
    ActionName::ALL[n as usize % ActionName::ALL.len()].as_str()
}

impl Input {
    fn profile(&self) -> String {
        let mut s = format!(r#"{{"defaultAction":"{}""#, action(self.default_action));
        if let Some(e) = self.default_errno {
            s += &format!(r#","defaultErrnoRet":{e}"#);
        }
        if !self.arches.is_empty() {
            let a: Vec<String> = self
                .arches
                .iter()
                .take(4)
                .map(|&i| format!("\"{}\"", SAMPLE_ARCHES[i as usize % SAMPLE_ARCHES.len()]))
                .collect();
            s += &format!(r#","architectures":[{}]"#, a.join(","));
        }
        let mut entries = Vec::new();
        for e in self.entries.iter().take(24) {
            let names: Vec<String> = e
                .names
                .iter()
                .take(4)
                .map(|&i| format!("\"{}\"", SAMPLE_NAMES[i as usize % SAMPLE_NAMES.len()]))
                .collect();
            let mut x = format!(
                r#"{{"names":[{}],"action":"{}""#,
                names.join(","),
                action(e.action)
            );
            if let Some(n) = e.errno {
                x += &format!(r#","errnoRet":{n}"#);
            }
            let args: Vec<String> = e
                .args
                .iter()
                .take(4)
                .map(|c| {
                    let mut a = format!(
                        r#"{{"index":{},"op":"{}","value":{}"#,
                        c.index % 7,
                        Op::ALL[c.op as usize % Op::ALL.len()].as_str(),
                        val(c.value)
                    );
                    if let Some(v2) = c.value_two {
                        a += &format!(r#","valueTwo":{}"#, val(v2));
                    }
                    a + "}"
                })
                .collect();
            if !args.is_empty() {
                x += &format!(r#","args":[{}]"#, args.join(","));
            }
            if let Some((inc, what, i)) = e.filter {
                let f = match what % 3 {
                    0 => format!(r#"{{"caps":["{}"]}}"#, CAPS[i as usize % CAPS.len()]),
                    1 => format!(
                        r#"{{"arches":["{}"]}}"#,
                        ["amd64", "arm64", "x86", "s390x"][i as usize % 4]
                    ),
                    _ => format!(r#"{{"minKernel":"{}.{}"}}"#, 4 + i % 4, i % 20),
                };
                x += &format!(r#","{}":{f}"#, if inc { "includes" } else { "excludes" });
            }
            entries.push(x + "}");
        }
        s + &format!(r#","syscalls":[{}]}}"#, entries.join(","))
    }

    fn context(&self) -> Context {
        let host = [Arch::X86_64, Arch::Aarch64, Arch::S390x, Arch::X86][self.host as usize % 4];
        let mut ctx = Context::docker(host);
        if self.crun {
            ctx.runtime = Runtime::Crun;
            ctx.enosys_stub = false;
        }
        if self.cap_sys_admin {
            ctx.caps.insert("CAP_SYS_ADMIN".into());
        }
        ctx.kernel.minor = self.kernel_minor % 20;
        ctx
    }
}

fuzz_target!(|input: Input| {
    let text = input.profile();
    // To see the profile of a crash or timeout: SECCPLAY_FUZZ_PRINT=1 <target> <artifact>.
    if std::env::var_os("SECCPLAY_FUZZ_PRINT").is_some() {
        eprintln!("profile: {text}\ncontext: {:?}", input.context());
    }
    check_profile(&text, &input.context(), input.seed, 64)
        .unwrap_or_else(|v| panic!("{v}\nprofile: {text}"));
});
