//! Unit tests of `expr` (they use its private items).

use super::*;
use proptest::prelude::*;

fn ok(s: &str, arch: Arch) -> Call {
    parse_call(s, arch).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn bad(s: &str, arch: Arch) -> ExprError {
    match parse_call(s, arch) {
        Ok(c) => panic!("{s}: parsed as {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn calls() {
    let c = ok("read(0, 0x1000, 16)", Arch::X86_64);
    assert_eq!((c.name.as_str(), c.nr, c.given), ("read", 0, 3));
    assert_eq!(c.args, [0, 0x1000, 16, 0, 0, 0]);
    let c = ok("read(3)", Arch::X32);
    assert_eq!(c.nr, 0x4000_0000);
    assert_eq!(ok("read", Arch::Mips).nr, 4003);
    assert_eq!(ok("  getpid ( )  ", Arch::X86_64).given, 0);
    let c = ok(
        "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_AUDIT)",
        Arch::X86_64,
    );
    assert_eq!(
        (c.nr, c.args[0], c.args[1], c.args[2]),
        (41, 16, 0x80003, 9)
    );
    let c = ok(
        "openat(AT_FDCWD, \"/etc/\\\"x\", O_RDONLY|O_CLOEXEC)",
        Arch::Aarch64,
    );
    assert_eq!(c.args[..3], [(-100i64) as u64, 0, 0x80000]);
    let c = ok("clone(CLONE_NEWUSER|SIGCHLD, 0)", Arch::X86_64);
    assert_eq!(c.args[0], 0x1000_0011);
}

#[test]
fn numbers_and_operators() {
    assert_eq!(eval("0x10 | 0o7 | 0b1000000").unwrap(), 0x10 | 7 | 64);
    assert_eq!(eval("0755").unwrap(), 0o755);
    assert_eq!(eval("-1").unwrap(), u64::MAX);
    assert_eq!(eval("~0 & 0xff").unwrap(), 0xff);
    assert_eq!(eval("1 << 12 + 1").unwrap(), 1 << 13);
    assert_eq!(eval("(1 << 12) + 1").unwrap(), 4097);
    assert_eq!(eval("2 | 1 & 0").unwrap(), 2);
    assert_eq!(eval("0x100 >> 4 - 1").unwrap(), 0x20);
    assert_eq!(eval("- -5").unwrap(), 5);
    assert_eq!(eval("18446744073709551615").unwrap(), u64::MAX);
    assert!(eval("18446744073709551616")
        .unwrap_err()
        .message
        .contains("64 bits"));
    assert!(eval("1 << 64").unwrap_err().message.contains("63"));
    assert_eq!(eval("0x1g").unwrap_err().offset, 3);
    assert_eq!(eval("08").unwrap_err().offset, 1);
    assert!(eval("0x").is_err());
    assert_eq!(eval("NULL").unwrap(), 0);
}

#[test]
fn named_arguments() {
    let c = ok(
        "openat(AT_FDCWD, flags=O_WRONLY|O_CREAT, mode=0644)",
        Arch::X86_64,
    );
    assert_eq!(c.args[..4], [(-100i64) as u64, 0, 0o101, 0o644]);
    assert_eq!(c.given, 4);
    let c = ok("unshare(unshare_flags=CLONE_NEWUSER)", Arch::X86_64);
    assert_eq!((c.args[0], c.given), (0x1000_0000, 1));
    let c = ok("read(a2=5)", Arch::X86_64);
    assert_eq!((c.args, c.given), ([0, 0, 5, 0, 0, 0], 3));
    let e = bad("openat(0, flags=1, 2)", Arch::X86_64);
    assert!(e.message.contains("positional"), "{e}");
    assert_eq!(e.offset, 19);
    let e = bad("openat(0, dfd=1)", Arch::X86_64);
    assert!(e.message.contains("twice"), "{e}");
    let e = bad("openat(fleags=1)", Arch::X86_64);
    assert!(e.message.contains("dfd, filename, flags, mode"), "{e}");
}

#[test]
fn raw_form_and_ip() {
    let c = ok("nr=135 0x1 0 0", Arch::X86_64);
    assert_eq!((c.name.as_str(), c.nr, c.given), ("personality", 135, 3));
    assert_eq!(c.args[0], 1);
    let c = ok("nr=0x7fff -1 @ip=0x401000", Arch::X86_64);
    assert_eq!(
        (c.name.as_str(), c.args[0], c.ip),
        ("syscall_0x7fff", u64::MAX, Some(0x401000))
    );
    let c = ok("read(0) ip=0x10", Arch::X86_64);
    assert_eq!(c.ip, Some(0x10));
    let c = ok("read(0) @ ip = 1 << 4", Arch::X86_64);
    assert_eq!(c.ip, Some(16));
    assert!(bad("nr=1 1 2 3 4 5 6 7", Arch::X86_64)
        .message
        .contains("at most 6"));
    assert!(bad("nr=0x100000000", Arch::X86_64)
        .message
        .contains("does not fit in seccomp_data.nr"));
    // seccomp_data.nr is an int: -1 (a ptracer's "skip this call") is 0xffffffff to the filter,
    // and the most negative int is the lowest it takes.
    let c = ok("nr=-1", Arch::X86_64);
    assert_eq!((c.nr, c.name.as_str()), (0xffff_ffff, "syscall_0xffffffff"));
    assert_eq!(c.to_string(), "nr=0xffffffff");
    assert_eq!(ok("nr=-2147483648 1", Arch::X86).nr, 0x8000_0000);
    assert_eq!(ok("nr=-(1) 1", Arch::X86_64).nr, 0xffff_ffff);
    let e = bad("nr=-2147483649", Arch::X86_64);
    assert!(e.message.contains("does not fit") && e.offset == 3, "{e}");
    let e = bad("nr=1 1 + 2", Arch::X86_64);
    assert!(e.message.contains("without spaces") && e.offset == 8, "{e}");
}

#[test]
fn errors_are_located() {
    let e = bad("opne(0)", Arch::X86_64);
    assert_eq!((e.offset, e.column), (0, 1));
    assert!(
        e.message.contains("x86_64") && e.message.contains("`open`"),
        "{e}"
    );
    let e = bad("open(\"/x\", 0)", Arch::Aarch64);
    assert!(
        e.message.contains("aarch64") && e.message.contains("did you mean `openat`"),
        "{e}"
    );
    let e = bad("unshare(1, 2)", Arch::X86_64);
    assert!(e.message.contains("takes 1 argument"), "{e}");
    assert_eq!(e.offset, 11);
    assert_eq!(ok("unshare(1, 2)", Arch::X86).given, 2); // 32-bit: all six slots
    assert!(bad("read(1,2,3,4,5,6,7)", Arch::X86)
        .message
        .contains("at most 6"));
    let e = bad("read(O_RDONY)", Arch::X86_64);
    assert!(e.message.contains("O_RDONLY") && e.offset == 5, "{e}");
    let e = bad("read(0, (1", Arch::X86_64);
    assert_eq!(e.offset, 10);
    let e = bad("read(0, \"abc", Arch::X86_64);
    assert_eq!(e.offset, 8);
    let e = bad("read(0) junk", Arch::X86_64);
    assert_eq!((e.offset, e.column), (8, 9));
    let e = bad("read(0 1)", Arch::X86_64);
    assert_eq!(e.offset, 7);
    let e = bad("read(é)", Arch::X86_64);
    assert_eq!((e.offset, e.column), (5, 6));
    let e = bad("read(0,\n  é)", Arch::X86_64);
    assert_eq!(e.column, 3);
    assert!(bad("", Arch::X86_64).message.contains("empty"));
    let deep = format!("read({}1{})", "(".repeat(500), ")".repeat(500));
    assert!(bad(&deep, Arch::X86_64).message.contains("deeply"));
    let e = bad(&format!("read({}1)", "~".repeat(500)), Arch::X86_64);
    assert!(e.message.contains("deeply"));
}

#[test]
fn display_round_trips() {
    for s in [
        "read(0, 0x1000, 16)",
        "nr=0x7fff 1 2 @ip=0x10",
        "getpid()",
        "nr=-1 2",
    ] {
        let c = ok(s, Arch::X86_64);
        assert_eq!(ok(&c.to_string(), Arch::X86_64), c, "{s} → {c}");
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(s in "\\PC*") {
        let _ = parse_call(&s, Arch::X86_64);
        let _ = eval(&s);
    }

    #[test]
    fn expression_like_text_never_panics(s in "[a-z_A-Z0-9(),=|&~<>+@\" x-]{0,40}") {
        for a in [Arch::X86_64, Arch::X32, Arch::Mips] {
            if let Err(e) = parse_call(&s, a) {
                prop_assert!(e.offset <= s.len());
                prop_assert!(s.is_char_boundary(e.offset));
            }
        }
    }

    #[test]
    fn calls_round_trip(i in 0usize..300, args in proptest::collection::vec(any::<u64>(), 0..=6), ip in proptest::option::of(any::<u64>())) {
        let all = syscalls::syscalls(Arch::X86);
        let (name, nr) = all[i % all.len()];
        let mut a = [0u64; 6];
        a[..args.len()].copy_from_slice(&args);
        let c = Call { name: name.to_string(), nr, args: a, given: args.len(), ip };
        // Raw form: any six arguments on any syscall.
        let raw = format!("nr={} {}{}", nr,
            args.iter().map(|v| format!("{v:#x}")).collect::<Vec<_>>().join(" "),
            ip.map(|v| format!(" @ip={v}")).unwrap_or_default());
        prop_assert_eq!(parse_call(&raw, Arch::X86).unwrap(), c.clone());
        prop_assert_eq!(parse_call(&c.to_string(), Arch::X86).unwrap(), c);
    }
}
