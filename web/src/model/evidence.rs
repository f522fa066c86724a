//! Evidence from a failure, read against the editor's profile: kernel audit records (the Audit
//! tab) and `strace -f` logs (the strace tab). The core reads and decides
//! (`seccplay_core::evidence`, the same calls as `seccplay-native audit` and `replay`); this
//! module only picks the profile and bounds the input.
use super::Source;
use seccplay_core::analysis::Analysis;
use seccplay_core::arch::Arch;
use seccplay_core::evidence::attribute::{attribute, Attribution};
use seccplay_core::evidence::audit::{self, AuditLog, SummaryRow};
use seccplay_core::evidence::predict::{predict_named, Prediction};
use seccplay_core::evidence::strace::{self, Trace};

/// The largest pasted evidence read: 1 MiB, as the editor ([`super::MAX_TEXT_BYTES`]; a whole
/// `dmesg` is tens of KB, `strace -f` of a shell pipeline 40 KB). Chromium itself takes seconds
/// to take a textarea value of several MiB; larger logs go to `seccplay-native audit`/`replay`.
pub const MAX_EVIDENCE_BYTES: usize = super::MAX_TEXT_BYTES;

/// Rows shown per list (the counts and summaries cover every record or call).
pub const MAX_ROWS: usize = 500;

/// The analysed profile the evidence is read against, or why there is none (a raw program,
/// strict mode, a refused profile, an invalid context).
pub fn profile_of(src: &Source) -> Result<&Analysis, String> {
    match src {
        Source::Profile(a) if !a.failed() => Ok(a),
        Source::Bpf(_) => Err("The editor holds a raw BPF program: evidence is read against a profile's rules, and a raw program has none. Load a profile to see the rules.".into()),
        Source::Strict { .. } => Err("Strict mode runs no filter and has no rules: choose a profile preset or paste a profile.".into()),
        other => Err(other.no_verdicts().unwrap_or_default()),
    }
}

/// Why pasted evidence of `bytes` bytes is not read, when it is too large.
fn too_large(bytes: usize, cli: &str) -> Option<String> {
    (bytes > MAX_EVIDENCE_BYTES).then(|| {
        format!(
            "The pasted text is {bytes} bytes: the playground reads at most {MAX_EVIDENCE_BYTES} bytes (1 MiB) of evidence. Read a log this large with `seccplay-native {cli}`."
        )
    })
}

/// Audit records, and with a profile the rule behind each.
#[derive(Clone, Debug)]
pub struct AuditView {
    /// The records, skipped lines and malformed records.
    pub log: AuditLog,
    /// Per record (same order as `log.records`), when there is a profile.
    pub attributions: Option<Vec<Attribution>>,
    /// Why the records are not read against a profile.
    pub no_profile: Option<String>,
    /// Records grouped by executable, syscall and action.
    pub summary: Vec<SummaryRow>,
}

/// Reads pasted audit records (every form `audit::parse` reads) against the editor's profile.
pub fn audit(text: &str, src: &Source) -> Result<AuditView, String> {
    if let Some(why) = too_large(text.len(), "audit PROFILE FILE") {
        return Err(why);
    }
    let log = audit::parse(text);
    let (attributions, no_profile) = match profile_of(src) {
        Ok(an) => (Some(attribute(&log, an)), None),
        Err(why) => (None, Some(why)),
    };
    let summary = log.summary();
    Ok(AuditView {
        log,
        attributions,
        no_profile,
        summary,
    })
}

/// A strace log read against the editor's profile.
#[derive(Clone, Debug)]
pub struct StraceView {
    /// The calls, events, skipped lines and malformed lines.
    pub trace: Trace,
    /// The verdict of every call, or why there is none (no profile).
    pub prediction: Result<Prediction, String>,
    /// The ABI of calls strace did not mark with another.
    pub host: Arch,
}

/// Decides every call of a pasted `strace -f` log under the editor's profile, on the host ABI
/// of the context (as `seccplay-native replay` does without `--arch`); `origin` names the
/// profile in locations (`preset docker@29.4.3`, `the editor`).
pub fn strace(text: &str, src: &Source, origin: &str) -> Result<StraceView, String> {
    if let Some(why) = too_large(text.len(), "replay PROFILE FILE") {
        return Err(why);
    }
    let trace = strace::parse(text);
    let (prediction, host) = match profile_of(src) {
        Ok(an) => {
            let host = an.context.host_arch;
            (Ok(predict_named(&trace, an, host, origin)), host)
        }
        Err(why) => (Err(why), Arch::X86_64),
    };
    Ok(StraceView {
        trace,
        prediction,
        host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::analyze;
    use seccplay_core::context::Context;

    const RECORD: &str = "[ 1422.183851] audit: type=1326 audit(1796312105.199:2): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=26010 comm=\"mkdir\" exe=\"/usr/bin/mkdir\" sig=0 arch=c000003e syscall=83 compat=0 ip=0x7f763ffdaf37 code=0x50000\n";

    #[test]
    fn records_are_read_with_or_without_a_profile() {
        let ctx = Ok(Context::docker(Arch::X86_64));
        let p = analyze(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}"#,
            false,
            &ctx,
        );
        let v = audit(RECORD, &p).unwrap();
        assert_eq!(v.log.records.len(), 1);
        assert_eq!(v.attributions.unwrap()[0].candidates.len(), 1);
        let raw = analyze("06 00 00 00 00 00 ff 7f", false, &ctx);
        let v = audit(RECORD, &raw).unwrap();
        assert!(v.attributions.is_none());
        assert!(v.no_profile.unwrap().contains("raw BPF program"));
        assert_eq!(v.summary.len(), 1);
        let strict = analyze("", true, &ctx);
        assert!(strace("getpid() = 4\n", &strict, "the editor")
            .unwrap()
            .prediction
            .unwrap_err()
            .contains("Strict mode"));
    }

    #[test]
    fn evidence_above_the_limit_is_refused_naming_the_cli() {
        let ctx = Ok(Context::docker(Arch::X86_64));
        let p = analyze("{}", false, &ctx);
        let big = "x".repeat(MAX_EVIDENCE_BYTES + 1);
        assert!(audit(&big, &p)
            .unwrap_err()
            .contains("seccplay-native audit"));
        assert!(strace(&big, &p, "x")
            .unwrap_err()
            .contains("seccplay-native replay"));
        assert!(audit(&"x".repeat(MAX_EVIDENCE_BYTES), &p).is_ok());
    }
}
