//! The copy of a profile that makes the kernel log what it refuses.
//!
//! The kernel logs ERRNO, TRAP, TRACE and USER_NOTIF results only for filters installed with
//! `SECCOMP_FILTER_FLAG_LOG` (KILL and LOG always; `/proc/sys/kernel/seccomp/actions_logged`
//! decides which actions may be logged at all). Docker and runc pass a profile's `flags` to
//! seccomp(2), so adding `"SECCOMP_FILTER_FLAG_LOG"` there is all it takes.
//!
//! 1. The text is edited, not re-serialised: the flag is inserted into the existing `flags`
//!    array, replaces a `null`, or becomes a new first member of the seccomp object (the top
//!    level, or `linux.seccomp` in a config.json). Comments, order and layout stay.
//! 2. The copy is checked: in the given context both texts must give the same rules and the
//!    same program, and the copy's policy must carry the flag.

use crate::analysis::analyze;
use crate::context::Context;
use crate::diag::{Diagnostic, Failure};
use crate::json::{self, Node, Value};
use crate::resolve;

/// The flag's name in a profile.
pub const LOG_FLAG: &str = "SECCOMP_FILTER_FLAG_LOG";

/// The copy, and whether it differs from the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCopy {
    /// The profile text with the flag.
    pub text: String,
    /// False when the profile already had the flag (the text is then the original).
    pub changed: bool,
}

fn members(n: &Node) -> Option<&Vec<json::Member>> {
    match &n.value {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// Adds `SECCOMP_FILTER_FLAG_LOG` to the profile's `flags` (see the module documentation).
pub fn with_log_flag(text: &str, ctx: &Context) -> Result<LogCopy, Failure> {
    let before = analyze(text, ctx);
    if let Some(e) = before.first_error() {
        return Err(Failure::single(e.clone()));
    }
    if before.database.is_none() {
        return Err(Failure::single(Diagnostic::error(
            "no-filter",
            format!(
                "the profile installs no filter in this context ({}): there is nothing to log",
                before.unconfined.as_deref().unwrap_or("unconfined")
            ),
        )));
    }
    let root = json::parse(text).map_err(Failure::single)?;
    let top = members(&root).ok_or_else(|| {
        Failure::single(Diagnostic::error(
            "not-an-object",
            "the profile is not a JSON object",
        ))
    })?;
    // A config.json keeps the profile in linux.seccomp.
    let target = top
        .iter()
        .rev()
        .find(|m| m.key == "linux")
        .and_then(|l| members(&l.value))
        .and_then(|l| l.iter().rev().find(|m| m.key == "seccomp"))
        .map(|m| &m.value)
        .filter(|n| members(n).is_some())
        .unwrap_or(&root);
    let obj = members(target).expect("an object");
    let flags = obj.iter().rev().find(|m| m.key == "flags");
    let quoted = format!("\"{LOG_FLAG}\"");
    let edited = match flags.map(|m| &m.value) {
        Some(Node {
            value: Value::Array(items),
            span,
        }) => {
            if items
                .iter()
                .any(|i| matches!(&i.value, Value::String(s) if s == LOG_FLAG))
            {
                return Ok(LogCopy {
                    text: text.to_string(),
                    changed: false,
                });
            }
            let close = span.end - 1;
            let sep = if items.is_empty() { "" } else { ", " };
            format!("{}{sep}{quoted}{}", &text[..close], &text[close..])
        }
        Some(Node {
            value: Value::Null,
            span,
        }) => format!("{}[{quoted}]{}", &text[..span.start], &text[span.end..]),
        Some(other) => {
            return Err(Failure::single(Diagnostic::error(
                "flags-not-array",
                format!("\"flags\" is {}, not an array", other.value.type_name()),
            )))
        }
        None => match obj.first() {
            Some(first) => {
                let at = first.key_span.start;
                let line_start = text[..at].rfind('\n').map(|p| p + 1).unwrap_or(0);
                let indent = &text[line_start..at];
                let sep = if indent.trim().is_empty() && line_start > target.span.start {
                    format!(",\n{indent}")
                } else {
                    ", ".to_string()
                };
                format!("{}\"flags\": [{quoted}]{sep}{}", &text[..at], &text[at..])
            }
            None => {
                let open = target.span.start + 1;
                format!("{}\"flags\": [{quoted}]{}", &text[..open], &text[open..])
            }
        },
    };
    let after = analyze(&edited, ctx);
    if let Some(e) = after.first_error() {
        return Err(Failure::single(e.clone()));
    }
    let same_program = match (&before.program, &after.program) {
        (Some(a), Some(b)) => a.insns == b.insns,
        (None, None) => true,
        _ => false,
    };
    let rules_same = match (&before.database, &after.database) {
        (Some(a), Some(b)) => {
            // Locations move with the inserted text; everything else must stay.
            let shape = |d: &crate::db::Database| -> Vec<_> {
                d.rules
                    .iter()
                    .map(|r| {
                        (
                            r.syscall.clone(),
                            r.action,
                            r.conditions.clone(),
                            r.origin.entry,
                        )
                    })
                    .collect()
            };
            shape(a) == shape(b) && a.default_action == b.default_action
        }
        (None, None) => true,
        _ => false,
    };
    let flagged = after
        .parsed
        .as_ref()
        .map(|p| resolve::resolve(&p.profile, ctx))
        .and_then(|r| r.ok())
        .and_then(|r| r.policy)
        .map(|p| p.flags.log)
        .unwrap_or(false);
    if !same_program || !rules_same || !flagged {
        return Err(Failure::single(Diagnostic::error(
            "log-flag-changed-behaviour",
            "adding the flag changed more than the flag (a bug in seccplay: please report the profile)",
        )));
    }
    Ok(LogCopy {
        text: edited,
        changed: true,
    })
}
