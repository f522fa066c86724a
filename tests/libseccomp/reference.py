#!/usr/bin/python3
"""libseccomp reference harness for seccplay's differential tests.

Independent of seccplay: it re-does, in a few lines of Python, what moby's
setupSeccomp and then runc or crun do with a seccomp profile, builds the
filter with the real libseccomp (python3-seccomp) and answers with
libseccomp's own rule database (export_pfc) and BPF (export_bpf).

Input on stdin: one JSON request object, or a JSON list of requests.
  {"profile": {...Docker/moby or OCI linux.seccomp...},
   "native": "x86_64", "goarch": "amd64", "caps": ["CAP_CHOWN", ...],
   "kernel": "6.1", "runtime": "runc" | "crun"}
Output on stdout: one JSON answer (or a list, in request order).
  {"ok": true, "disabled": false, "arches": [...], "optimize": 1|2,
   "default_action": n, "pfc": "...", "bpf_hex": "...",
   "rules": [{"flat": i, "name": ..., "action": n, "args": [...]}, ...],
   "skipped": [{"flat": i, "name": ..., "why": "unknown"|"equals default"}]}
  {"ok": false, "stage": "moby"|"runc"|"crun"|"libseccomp", "error": "...",
   "errno": n|null, "rule": <flattened index>|null}
Pass --selftest to print libseccomp's version and API level.
"""

import errno as E
import json
import re
import sys
import tempfile

import seccomp as S

EPERM = 1

# OCI / Docker arch strings -> libseccomp arch names.
OCI_ARCH = {
    "SCMP_ARCH_X86": "x86", "SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X32": "x32",
    "SCMP_ARCH_ARM": "arm", "SCMP_ARCH_AARCH64": "aarch64",
    "SCMP_ARCH_MIPS": "mips", "SCMP_ARCH_MIPS64": "mips64",
    "SCMP_ARCH_MIPS64N32": "mips64n32", "SCMP_ARCH_MIPSEL": "mipsel",
    "SCMP_ARCH_MIPSEL64": "mipsel64", "SCMP_ARCH_MIPSEL64N32": "mipsel64n32",
    "SCMP_ARCH_PPC": "ppc", "SCMP_ARCH_PPC64": "ppc64",
    "SCMP_ARCH_PPC64LE": "ppc64le", "SCMP_ARCH_S390": "s390",
    "SCMP_ARCH_S390X": "s390x", "SCMP_ARCH_RISCV64": "riscv64",
    "SCMP_ARCH_LOONGARCH64": "loongarch64",
}
# moby: GOARCH -> "native" string used by includes/excludes.arches, and the
# native string -> the archMap key (upstream lookup mismatch for loong64 and
# mipsle is reproduced on purpose: those daemons ignore archMap).
GO_TO_NATIVE = {
    "386": "x86", "amd64": "amd64", "arm": "arm", "arm64": "arm64",
    "loong64": "loongarch64", "mips64": "mips64", "mips64p32": "mips64n32",
    "mips64le": "mipsel64", "mips64p32le": "mips3l64n32", "mipsle": "mipsel",
    "ppc": "ppc", "ppc64": "ppc64", "ppc64le": "ppc64le",
    "riscv64": "riscv64", "s390": "s390", "s390x": "s390x",
}
NATIVE_TO_SECCOMP = {
    "x86": "SCMP_ARCH_X86", "amd64": "SCMP_ARCH_X86_64", "arm": "SCMP_ARCH_ARM",
    "arm64": "SCMP_ARCH_AARCH64", "loong64": "SCMP_ARCH_LOONGARCH64",
    "mips64": "SCMP_ARCH_MIPS64", "mips64n32": "SCMP_ARCH_MIPS64N32",
    "mipsel64": "SCMP_ARCH_MIPSEL64", "mips3l64n32": "SCMP_ARCH_MIPSEL64N32",
    "mipsle": "SCMP_ARCH_MIPSEL", "ppc": "SCMP_ARCH_PPC",
    "ppc64": "SCMP_ARCH_PPC64", "ppc64le": "SCMP_ARCH_PPC64LE",
    "riscv64": "SCMP_ARCH_RISCV64", "s390": "SCMP_ARCH_S390",
    "s390x": "SCMP_ARCH_S390X",
}
OPS = {
    "SCMP_CMP_NE": S.NE, "SCMP_CMP_LT": S.LT, "SCMP_CMP_LE": S.LE,
    "SCMP_CMP_EQ": S.EQ, "SCMP_CMP_GE": S.GE, "SCMP_CMP_GT": S.GT,
    "SCMP_CMP_MASKED_EQ": S.MASKED_EQ,
}
ACT_NOTIFY = 0x7FC00000
U64 = (1 << 64) - 1


def c_int(v):
    """The binding takes actions as C ints (KILL_PROCESS is negative)."""
    return v - (1 << 32) if v >= 1 << 31 else v


class Refused(Exception):
    def __init__(self, stage, error, err=None, rule=None):
        super().__init__(error)
        self.stage, self.error, self.errno, self.rule = stage, error, err, rule


def lib_errno(exc):
    """The negative errno the binding reports, as a positive number."""
    if isinstance(exc, ValueError):
        return E.EINVAL
    m = re.search(r"errno\s*=\s*(-?\d+)", str(exc))
    if m:
        return abs(int(m.group(1)))
    if isinstance(exc, OSError) and exc.errno:
        return abs(exc.errno)
    return None


def lib_call(what, fn, *args, rule=None):
    try:
        return fn(*args)
    except (RuntimeError, ValueError, OSError) as exc:
        n = lib_errno(exc)
        name = E.errorcode.get(n, "?") if n else "?"
        raise Refused("libseccomp", "%s: %s (%s)" % (what, exc, name), n, rule)


# ---------------------------------------------------------------- moby ----
def kernel_version(s, what):
    m = re.match(r"^(\d+)\.(\d+)", str(s))
    if not m:
        raise Refused("moby", "failed to parse kernel version %r (%s)" % (s, what))
    return int(m.group(1)), int(m.group(2))


def moby_setup(profile, goarch, caps, kernel):
    """moby profiles/seccomp setupSeccomp: Docker profile -> OCI linux.seccomp
    (None when seccomp is disabled)."""
    syscalls = profile.get("syscalls") or []
    if not profile.get("defaultAction") and not syscalls:
        return None
    if profile.get("architectures") and profile.get("archMap"):
        raise Refused("moby", "both 'architectures' and 'archMap' are specified")
    out = {k: v for k, v in profile.items()
           if k not in ("archMap", "syscalls", "architectures")}
    arches = list(profile.get("architectures") or [])
    native = GO_TO_NATIVE.get(goarch, "")
    key = NATIVE_TO_SECCOMP.get(native)
    if key:
        for entry in profile.get("archMap") or []:
            if entry.get("architecture") == key:
                arches.append(entry["architecture"])
                arches.extend(entry.get("subArchitectures") or [])
                break
    if arches:
        out["architectures"] = arches
    host = kernel_version(kernel, "host")

    def ge(v):
        return host >= kernel_version(v, "minKernel")

    kept = []
    for call in syscalls:
        call = dict(call)
        if call.get("name"):
            if call.get("names"):
                raise Refused("moby", "both 'name' and 'names' are specified")
            call["names"] = [call["name"]]
        exc = call.get("excludes") or {}
        inc = call.get("includes") or {}
        if native in (exc.get("arches") or []):
            continue
        if any(c in caps for c in exc.get("caps") or []):
            continue
        if exc.get("minKernel") and ge(exc["minKernel"]):
            continue
        if inc.get("arches") and native not in inc["arches"]:
            continue
        if any(c not in caps for c in inc.get("caps") or []):
            continue
        if inc.get("minKernel") and not ge(inc["minKernel"]):
            continue
        kept.append({k: v for k, v in call.items()
                     if k in ("names", "action", "errnoRet", "args")})
    out["syscalls"] = kept
    return out


# ------------------------------------------------------- runc and crun ----
def action_value(runtime, name, errno_ret, rule):
    """The 32-bit action value runc (libseccomp-golang) or crun computes."""
    present = errno_ret is not None
    if runtime == "crun":
        if present and name not in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"):
            raise Refused("crun", "errno value specified for action `%s`" % name,
                          None, rule)
    code = (errno_ret if present else EPERM) & 0xFFFF
    table = {
        "SCMP_ACT_KILL": S.KILL, "SCMP_ACT_KILL_THREAD": S.KILL,
        "SCMP_ACT_KILL_PROCESS": S.KILL_PROCESS, "SCMP_ACT_TRAP": S.TRAP,
        "SCMP_ACT_ALLOW": S.ALLOW, "SCMP_ACT_LOG": S.LOG,
        "SCMP_ACT_NOTIFY": ACT_NOTIFY,
    }
    if name == "SCMP_ACT_ERRNO":
        return 0x00050000 | code
    if name == "SCMP_ACT_TRACE":
        return 0x7FF00000 | code
    if name in table:
        return table[name] & 0xFFFFFFFF
    raise Refused(runtime, "invalid action %r" % (name,), None, rule)


def arch_name(runtime, s):
    if runtime == "runc":
        if s not in OCI_ARCH:
            raise Refused("runc", "invalid arch %r specified" % (s,))
        return OCI_ARCH[s]
    # crun: strip the prefix, lowercase, seccomp_arch_resolve_name
    name = (s[len("SCMP_ARCH_"):] if s.startswith("SCMP_ARCH_") else s).lower()
    try:
        S.Arch(name)
    except (ValueError, RuntimeError):
        raise Refused("crun", "seccomp unknown architecture `%s`" % s)
    return name


def flatten(oci):
    """One (entry, name) pair per name, in profile order."""
    return [(call, name) for call in oci.get("syscalls") or []
            for name in call.get("names") or []]


def rule_conditions(runtime, call, flat):
    """The list of condition lists (one per libseccomp rule) for an entry."""
    args = call.get("args") or []
    if runtime == "crun":
        args = args[:6]
        counts = [0] * 6
        for a in args:
            idx = int(a.get("index", 0))
            if idx >= 6:
                raise Refused("crun", "invalid seccomp index `%d`" % idx, None, flat)
            counts[idx] += 1
            if counts[idx] > 1:
                break
    conds = []
    for a in args:
        op = a.get("op")
        if op not in OPS:
            raise Refused(runtime, "invalid operator %r" % (op,), None, flat)
        idx = int(a.get("index", 0))
        if runtime == "runc" and idx > 5:
            raise Refused("runc", "invalid argument index %d" % idx, None, flat)
        conds.append((idx, op, int(a.get("value", 0)) & U64,
                      int(a.get("valueTwo", 0) or 0) & U64))
    if not conds:
        return [[]]
    idxs = [c[0] for c in conds]
    if len(set(idxs)) != len(idxs):
        return [[c] for c in conds]
    return [conds]


def build(req):
    profile = req["profile"]
    runtime = req.get("runtime", "runc")
    if runtime not in ("runc", "crun"):
        raise Refused("runc", "unknown runtime %r" % (runtime,))
    native = req.get("native", "x86_64")
    oci = moby_setup(profile, req.get("goarch", "amd64"), set(req.get("caps") or []),
                     req.get("kernel", "6.1"))
    if oci is None:
        return {"ok": True, "disabled": True}
    def_name = oci.get("defaultAction") or ""
    if runtime == "crun" and not def_name:
        raise Refused("crun", "seccomp misses the default action")
    flat = flatten(oci)
    if runtime == "runc":
        # specconv.SetupSeccomp converts every string up front
        for s in oci.get("architectures") or []:
            arch_name("runc", s)
        action_value("runc", def_name, None, None)
        for i, (call, _) in enumerate(flat):
            action_value("runc", call.get("action"), None, i)
            for a in call.get("args") or []:
                if a.get("op") not in OPS:
                    raise Refused("runc", "invalid operator %r" % (a.get("op"),),
                                  None, i)
    default = action_value(runtime, def_name, oci.get("defaultErrnoRet"), None)
    if runtime == "runc":
        for i, (call, name) in enumerate(flat):
            if call.get("action") == "SCMP_ACT_NOTIFY" and name == "write":
                raise Refused("runc", "SCMP_ACT_NOTIFY cannot be used for the "
                              "write syscall", None, i)
        if default == ACT_NOTIFY:
            raise Refused("runc", "SCMP_ACT_NOTIFY cannot be used as default action")
    arches = [native]
    for s in oci.get("architectures") or []:
        a = arch_name(runtime, s)
        if a not in arches:
            arches.append(a)

    try:
        filt = S.SyscallFilter(c_int(default))
    except (RuntimeError, ValueError, OSError) as exc:
        raise Refused("libseccomp", "seccomp_init(0x%x): %s" % (default, exc),
                      lib_errno(exc) or E.EINVAL)
    host = S.Arch()
    if int(S.Arch(native)) != int(host):
        # simulate another native arch: swap the host's arch db for it
        lib_call("seccomp_arch_add(%s)" % native, filt.add_arch, S.Arch(native))
        lib_call("seccomp_arch_remove(native)", filt.remove_arch, host)
    for a in arches[1:]:
        try:
            filt.add_arch(S.Arch(a))
        except (RuntimeError, ValueError, OSError) as exc:
            if lib_errno(exc) != E.EEXIST:  # golang and crun ignore EEXIST
                raise Refused("libseccomp", "seccomp_arch_add(%s): %s" % (a, exc),
                              lib_errno(exc))
    optimize = 2 if runtime == "runc" and len(flat) > 32 else 1
    if optimize == 2:
        lib_call("set optimize", filt.set_attr, S.Attr.CTL_OPTIMIZE, 2)

    rules, skipped = [], []
    i = 0
    while i < len(flat):
        call, name = flat[i]
        errno_ret = call.get("errnoRet")
        act = action_value(runtime, call.get("action"), errno_ret, i)
        if act == default:
            skipped.append({"flat": i, "name": name, "why": "equals default"})
            i += 1
            continue
        if S.resolve_syscall(S.Arch(native), name) == -1:  # __NR_SCMP_ERROR
            skipped.append({"flat": i, "name": name, "why": "unknown"})
            i += 1
            continue
        for conds in rule_conditions(runtime, call, i):
            args = [S.Arg(idx, OPS[op], v, v2) for (idx, op, v, v2) in conds]
            rules.append({"flat": i, "name": name, "action": act,
                          "args": [{"index": idx, "op": op, "value": v,
                                    "valueTwo": v2}
                                   for (idx, op, v, v2) in conds]})
            lib_call("seccomp_rule_add(%s, %s)" % (name, call.get("action")),
                     filt.add_rule, c_int(act), name, *args, rule=i)
        i += 1

    with tempfile.TemporaryFile() as f:
        lib_call("seccomp_export_pfc", filt.export_pfc, f)
        f.seek(0)
        pfc = f.read().decode()
    with tempfile.TemporaryFile() as f:
        lib_call("seccomp_export_bpf", filt.export_bpf, f)
        f.seek(0)
        bpf = f.read().hex()
    return {"ok": True, "disabled": False, "arches": arches, "optimize": optimize,
            "default_action": default, "pfc": pfc, "bpf_hex": bpf,
            "rules": rules, "skipped": skipped}


def answer(req):
    try:
        return build(req)
    except Refused as r:
        return {"ok": False, "stage": r.stage, "error": r.error, "errno": r.errno,
                "rule": r.rule}
    except (KeyError, TypeError, AttributeError) as exc:
        return {"ok": False, "stage": "harness", "error": "malformed request: %r"
                % (exc,), "errno": None, "rule": None}


def main():
    if "--selftest" in sys.argv:
        v = S.__dict__.get("get_version", lambda: None)
        print(json.dumps({"api": S.get_api(), "version": str(v() if callable(v) else v),
                          "native": S.resolve_syscall(S.Arch(), "read") == 0}))
        return
    req = json.load(sys.stdin)
    if isinstance(req, list):
        out = [answer(r) for r in req]
    else:
        out = answer(req)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
