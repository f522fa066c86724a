//! Unit tests of `syscalls` (they use its private items).

use super::*;

#[test]
fn every_abi_reads_the_column_named_like_its_table_column() {
    for a in Arch::ALL {
        let c = a.table_column();
        let want = format!("{c:?}").to_ascii_lowercase();
        assert_eq!(tables::syscalls::COLUMN_NAMES[c as usize], want, "{a}");
    }
}

#[test]
fn lookup_finds_exactly_the_table_names() {
    let linear = |n: &str| tables::syscall_rows().iter().find(|r| r.0 == n);
    let mut probes: Vec<String> = Vec::new();
    for r in tables::syscall_rows() {
        let n = r.0;
        probes.push(n.to_string());
        probes.push(format!("{n}x"));
        probes.push(format!("{n}\0"));
        probes.push(n[..n.len() - 1].to_string());
        probes.push(n.to_uppercase());
        let mut b = n.as_bytes().to_vec();
        b[0] = b[0].wrapping_add(1);
        probes.push(String::from_utf8_lossy(&b).into_owned());
    }
    probes.extend(["", "\0", "clock_gettime64\0x", "é"].map(String::from));
    for p in &probes {
        assert_eq!(row(p), linear(p), "{p:?}");
    }
    for a in Arch::ALL {
        let bases = [0..1100, 4000..4500, 5000..5500, 6000..6500];
        for nr in bases.into_iter().flatten().chain([
            0x4000_0000,
            0x4000_0200,
            0xf_0001,
            0xf_0005,
            u32::MAX,
        ]) {
            let want = tables::syscall_rows()
                .iter()
                .find(|r| raw_nr(a, r).map(|v| with_base(a, v)) == Some(nr))
                .map(|r| r.0);
            assert_eq!(name(a, nr), want, "{a} {nr:#x}");
        }
    }
}

#[test]
fn targeted_numbers() {
    assert_eq!(resolve(Arch::X32, "read"), Resolved::Number(0x4000_0000));
    assert_eq!(resolve(Arch::Mips, "read"), Resolved::Number(4003));
    assert_eq!(resolve(Arch::Mipsel, "read"), Resolved::Number(4003));
    assert_eq!(resolve(Arch::Mips64, "read"), Resolved::Number(5000));
    assert_eq!(resolve(Arch::Mips64n32, "read"), Resolved::Number(6000));
    assert_eq!(resolve(Arch::X86, "socketcall"), Resolved::Number(102));
    assert_eq!(resolve(Arch::X86, "socket"), Resolved::Number(359));
    assert_eq!(resolve(Arch::X86_64, "socket"), Resolved::Number(41));
    assert_eq!(
        resolve(Arch::Aarch64, "open"),
        Resolved::Pseudo(pseudo("open").unwrap())
    );
    assert_eq!(
        resolve(Arch::X86_64, "socketcall"),
        Resolved::Pseudo(-10060)
    );
    assert_eq!(resolve(Arch::X86_64, "arch_prctl"), Resolved::Number(158));
    assert_eq!(resolve(Arch::Arm, "arch_prctl"), Resolved::Pseudo(-10001));
    assert_eq!(resolve(Arch::Arm, "cacheflush"), Resolved::Number(0xF0002));
    assert_eq!(resolve(Arch::X86_64, "no_such_call"), Resolved::Unknown);
    assert_eq!(pseudo("socket"), Some(-101));
    assert_eq!(pseudo("read"), None);
    assert_eq!(
        names_of_pseudo(-10191),
        vec!["switch_endian", "sys_debug_setcontext"]
    );
    assert!(is_known("read") && !is_known("READ"));
}

#[test]
fn multiplexing() {
    assert_eq!(multiplexed("socket"), Some(Multiplexed::Socket(1)));
    assert_eq!(multiplexed("sendmmsg"), Some(Multiplexed::Socket(20)));
    assert_eq!(multiplexed("semop"), Some(Multiplexed::Ipc(1)));
    assert_eq!(multiplexed("shmctl"), Some(Multiplexed::Ipc(24)));
    assert_eq!(multiplexed("read"), None);
    assert_eq!(multiplexed("socketcall"), None);
    let socket: Vec<_> = all_names()
        .filter(|n| matches!(multiplexed(n), Some(Multiplexed::Socket(_))))
        .collect();
    let ipc: Vec<_> = all_names()
        .filter(|n| matches!(multiplexed(n), Some(Multiplexed::Ipc(_))))
        .collect();
    assert_eq!((socket.len(), ipc.len()), (20, 12));
}

#[test]
fn reverse_lookup() {
    assert_eq!(name(Arch::X32, 0x4000_0000), Some("read"));
    assert_eq!(name(Arch::X32, 0), None);
    assert_eq!(name(Arch::Mips, 4003), Some("read"));
    assert_eq!(name(Arch::Mips, 3), None);
    assert_eq!(name(Arch::X86_64, 59), Some("execve"));
    for a in Arch::ALL {
        let all = syscalls(a);
        assert!(all.windows(2).all(|w| w[0].1 < w[1].1), "{a}");
        for &(n, nr) in &all {
            assert_eq!(name(a, nr), Some(n));
            assert_eq!(resolve(a, n), Resolved::Number(nr));
        }
        assert_eq!(max_number(a), all.last().map(|x| x.1));
    }
    assert_eq!(max_number(Arch::Arm), Some(0xF0006));
}

#[test]
fn prototypes() {
    let p = prototype("unshare").unwrap();
    assert_eq!(p.to_string(), "unshare(unsigned long unshare_flags)");
    let p = prototype("openat").unwrap();
    assert_eq!(
        p.to_string(),
        "openat(int dfd, const char *filename, int flags, umode_t mode)"
    );
    assert_eq!(p.arg_index("flags"), Some(2));
    assert_eq!(prototype("umount2").unwrap().kernel_function, "umount");
    assert_eq!(prototype("stat").unwrap().kernel_function, "newstat");
    assert_eq!(prototype("getpid").unwrap().args.len(), 0);
    assert!(prototype("afs_syscall").is_none());
}

#[test]
fn constants_and_errno() {
    assert_eq!(constant("CLONE_NEWUSER"), Some(0x1000_0000));
    assert_eq!(constant("AF_NETLINK"), Some(16));
    assert_eq!(constant("SOCK_RAW"), Some(3));
    assert_eq!(constant("NETLINK_AUDIT"), Some(9));
    assert_eq!(constant("O_RDONLY"), Some(0));
    assert_eq!(constant("PROT_READ"), Some(1));
    assert_eq!(constant("MAP_PRIVATE"), Some(2));
    assert_eq!(constant("PER_LINUX"), Some(0));
    assert_eq!(constant("TIOCSTI"), Some(0x5412));
    assert_eq!(constant("EPERM"), Some(1));
    assert_eq!(constant("eperm"), None);
    assert_eq!(errno_name(1), Some("EPERM"));
    assert_eq!(errno_name(11), Some("EAGAIN"));
    assert_eq!(errno_name(38), Some("ENOSYS"));
    assert_eq!(errno_by_name("EWOULDBLOCK"), Some(11));
    assert_eq!(errno_by_name("CLONE_NEWUSER"), None);
    assert_eq!(errno_message(1), Some("Operation not permitted"));
    assert_eq!(errno_message(0), None);
    assert!(constant_groups().contains(&"netlink_protocol"));
    assert!(group_constants("address_family").contains(&("AF_INET6", 10)));
}

#[test]
fn describing() {
    let d = |s, i, v| describe_arg(s, i, v);
    assert_eq!(
        d("clone", 0, 0x1000_0000 | 17).as_deref(),
        Some("CLONE_NEWUSER|SIGCHLD")
    );
    assert_eq!(
        d("unshare", 0, 0x1000_0000 | 0x2_0000).as_deref(),
        Some("CLONE_NEWNS|CLONE_NEWUSER")
    );
    assert_eq!(d("unshare", 0, 0).as_deref(), Some("0"));
    assert_eq!(d("socket", 0, 16).as_deref(), Some("AF_NETLINK"));
    assert_eq!(
        d("socket", 1, 3 | 0x80000).as_deref(),
        Some("SOCK_RAW|SOCK_CLOEXEC")
    );
    assert_eq!(
        d("socket", 2, 9).as_deref(),
        Some("NETLINK_AUDIT (if AF_NETLINK)")
    );
    assert_eq!(
        d("openat", 2, 0o1101).as_deref(),
        Some("O_WRONLY|O_CREAT|O_TRUNC")
    );
    assert_eq!(d("open", 1, 0).as_deref(), Some("O_RDONLY"));
    assert_eq!(
        d("open", 1, 0x410000 | 2).as_deref(),
        Some("O_RDWR|O_TMPFILE")
    );
    assert_eq!(d("mmap", 2, 3).as_deref(), Some("PROT_READ|PROT_WRITE"));
    assert_eq!(
        d("mmap", 3, 0x22).as_deref(),
        Some("MAP_PRIVATE|MAP_ANONYMOUS")
    );
    assert_eq!(d("personality", 0, 0).as_deref(), Some("PER_LINUX"));
    assert_eq!(
        d("personality", 0, 0xffff_ffff).as_deref(),
        Some("PERSONALITY_QUERY")
    );
    assert_eq!(
        d("personality", 0, 0x40000).as_deref(),
        Some("PER_LINUX|ADDR_NO_RANDOMIZE")
    );
    assert_eq!(d("ioctl", 1, 0x5412).as_deref(), Some("TIOCSTI"));
    assert_eq!(d("ioctl", 1, 0x1234_5678), None);
    assert_eq!(
        d("openat", 0, (-100i64) as u64).as_deref(),
        Some("AT_FDCWD")
    );
    assert_eq!(d("read", 0, 1), None);
    // AT_* flags of the *at() calls; 0x200 by the call's meaning.
    assert_eq!(
        d("statx", 2, 0x900).as_deref(),
        Some("AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT")
    );
    assert_eq!(
        d("statx", 2, 0x1000 | 0x4000).as_deref(),
        Some("AT_EMPTY_PATH|AT_STATX_DONT_SYNC")
    );
    assert_eq!(d("statx", 2, 0).as_deref(), Some("0"));
    assert_eq!(d("unlinkat", 2, 0x200).as_deref(), Some("AT_REMOVEDIR"));
    assert_eq!(d("faccessat2", 3, 0x200).as_deref(), Some("AT_EACCESS"));
    assert_eq!(
        d("newfstatat", 3, 0x300).as_deref(),
        Some("AT_SYMLINK_NOFOLLOW|0x200")
    );
    assert_eq!(d("linkat", 4, 0x400).as_deref(), Some("AT_SYMLINK_FOLLOW"));
    assert_eq!(
        d("fchownat", 4, 0x1100).as_deref(),
        Some("AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH")
    );
    assert_eq!(
        d("mount_setattr", 2, 0x8000).as_deref(),
        Some("AT_RECURSIVE")
    );
    // Not for flags that are not AT_* (renameat2's RENAME_*).
    assert_eq!(d("renameat2", 4, 1), None);
    assert_eq!(
        d("move_mount", 2, (-100i64) as u64).as_deref(),
        Some("AT_FDCWD")
    );
    assert_eq!(constant("AT_REMOVEDIR"), Some(0x200));
    assert_eq!(constant_group("AT_EMPTY_PATH"), Some("at_flags"));
    assert_eq!(
        describe_args("socket", &[16, 3, 9]),
        vec![
            Some("AF_NETLINK".into()),
            Some("SOCK_RAW".into()),
            Some("NETLINK_AUDIT".into())
        ]
    );
    assert_eq!(describe_args("socket", &[2, 1, 9])[2], None);
    assert_eq!(arg_group("clone", 0), Some("clone"));
    assert_eq!(arg_group("read", 0), None);
}
