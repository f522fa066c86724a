//! Firecracker / rust-vmm seccompiler JSON: one filter per thread (`vmm`, `api`, `vcpu`).
//!
//! Each thread's filter becomes a Docker-shaped tree whose nodes keep the spans of the
//! seccompiler text, and [`crate::profile`]'s reader reads that, so the rest of the pipeline
//! (and every located message) is the one Docker profiles get.
//!
//! 1. Shape (seccompiler's `JsonFilter`): `{thread: {default_action | mismatch_action,
//!    filter_action | match_action, filter: [{syscall, args?, comment?}]}}`. Firecracker's
//!    files use the first names, seccompiler 0.5 the second; both are read. Unknown members
//!    are errors, as serde's `deny_unknown_fields` makes them in seccompiler.
//! 2. Actions: `allow`, `trap`, `log`, `kill_thread`, `kill_process`, `{"errno": N}`,
//!    `{"trace": N}`. Every rule of a thread has the thread's `filter_action`.
//! 3. Conditions `{index, type, op, val}`, all of which must hold. `qword` compares the whole
//!    64-bit argument, as Docker's conditions do. `dword` compares the low 32 bits only (the
//!    high half is not looked at), so `eq` becomes `MASKED_EQ` with mask `0xffffffff`, and
//!    `{"masked_eq": m}` a `MASKED_EQ` with the mask cut to 32 bits; the ordered operators and
//!    `ne` on a `dword` have no Docker equivalent and are read as 64-bit (a warning says so).
//! 4. Architecture: a seccompiler file is compiled for one target (the file name says which);
//!    the profiles name no architecture, so they cover the host's native ABI only.

use super::tree::{member, node};
use crate::diag::{Diagnostic, Failure};
use crate::frontend::Policy;
use crate::json::{self, LineIndex, Member, Node, Span, Value};
use crate::profile::{self, Parsed};

/// Reads every thread's filter.
pub fn read(text: &str) -> Result<(Vec<Policy>, Vec<Diagnostic>), Failure> {
    let root = json::parse(text).map_err(Failure::single)?;
    let idx = LineIndex::new(text);
    let mut c = Conv {
        idx: &idx,
        errors: Vec::new(),
        notes: Vec::new(),
    };
    let Value::Object(threads) = root.value else {
        return Err(Failure::single(c.err(
            root.span,
            "",
            "a JSON object mapping thread names to filters",
        )));
    };
    let mut out = Vec::new();
    for t in threads {
        let path = t.key.clone();
        let Some(docker) = c.thread(&t) else { continue };
        match profile::read(text, docker) {
            Ok(parsed) => out.push(Policy {
                name: t.key,
                parsed: Parsed {
                    profile: parsed.profile,
                    warnings: Vec::new(),
                },
            }),
            Err(f) => c.errors.extend(f.diagnostics.into_iter().map(|mut d| {
                if let Some(l) = &mut d.location {
                    l.path = path.clone();
                }
                d
            })),
        }
    }
    if !c.errors.is_empty() {
        c.errors.append(&mut c.notes);
        return Err(Failure {
            diagnostics: c.errors,
        });
    }
    if out.is_empty() {
        return Err(Failure::single(c.err(
            root.span,
            "",
            "at least one thread's filter",
        )));
    }
    Ok((out, c.notes))
}

struct Conv<'a> {
    idx: &'a LineIndex<'a>,
    errors: Vec<Diagnostic>,
    notes: Vec<Diagnostic>,
}

impl Conv<'_> {
    fn err(&self, span: Span, path: &str, expected: &str) -> Diagnostic {
        Diagnostic::error("firecracker-schema", format!("expected {expected}"))
            .at(Some(self.idx.location(span, path)))
    }

    fn fail(&mut self, span: Span, path: &str, expected: &str) {
        let d = self.err(span, path, expected);
        self.errors.push(d);
    }

    /// A thread's filter as a Docker-shaped tree.
    fn thread(&mut self, t: &Member) -> Option<Node> {
        let path = t.key.as_str();
        let Value::Object(ms) = &t.value.value else {
            self.fail(
                t.value.span,
                path,
                "an object with default_action, filter_action and filter",
            );
            return None;
        };
        let (mut default, mut matched, mut filter) = (None, None, None);
        for m in ms {
            match m.key.as_str() {
                "default_action" | "mismatch_action" => default = Some(&m.value),
                "filter_action" | "match_action" => matched = Some(&m.value),
                "filter" => filter = Some(&m.value),
                other => self.fail(
                    m.key_span,
                    path,
                    &format!("default_action, filter_action or filter, not \"{other}\""),
                ),
            }
        }
        let (Some(default), Some(matched), Some(filter)) = (default, matched, filter) else {
            self.fail(
                t.value.span,
                path,
                "default_action, filter_action and filter (all three)",
            );
            return None;
        };
        let mut top = Vec::new();
        let (a, errno) = self.action(default, path)?;
        top.push(member("defaultAction", a));
        if let Some(e) = errno {
            top.push(member("defaultErrnoRet", e));
        }
        let (action, errno) = self.action(matched, path)?;
        let Value::Array(rules) = &filter.value else {
            self.fail(filter.span, path, "an array of rules");
            return None;
        };
        let mut entries = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let rpath = format!("{path}.filter[{i}]");
            if let Some(e) = self.rule(r, &rpath, &action, &errno) {
                entries.push(e);
            }
        }
        top.push(member("syscalls", node(Value::Array(entries), filter.span)));
        Some(node(Value::Object(top), t.value.span))
    }

    /// An action: the Docker name node and, for errno/trace, the errno node.
    fn action(&mut self, n: &Node, path: &str) -> Option<(Node, Option<Node>)> {
        let s = |v: &str| node(Value::String(v.into()), n.span);
        match &n.value {
            Value::String(a) => Some((
                s(match a.as_str() {
                    "allow" => "SCMP_ACT_ALLOW",
                    "trap" => "SCMP_ACT_TRAP",
                    "log" => "SCMP_ACT_LOG",
                    "kill_thread" => "SCMP_ACT_KILL_THREAD",
                    "kill_process" => "SCMP_ACT_KILL_PROCESS",
                    _ => {
                        self.fail(n.span, path, "an action: allow, trap, log, kill_thread, kill_process, {\"errno\": N} or {\"trace\": N}");
                        return None;
                    }
                }),
                None,
            )),
            Value::Object(ms)
                if ms.len() == 1 && matches!(ms[0].key.as_str(), "errno" | "trace") =>
            {
                let name = if ms[0].key == "errno" {
                    "SCMP_ACT_ERRNO"
                } else {
                    "SCMP_ACT_TRACE"
                };
                Some((s(name), Some(ms[0].value.clone())))
            }
            _ => {
                self.fail(n.span, path, "an action: allow, trap, log, kill_thread, kill_process, {\"errno\": N} or {\"trace\": N}");
                None
            }
        }
    }

    fn rule(&mut self, r: &Node, path: &str, action: &Node, errno: &Option<Node>) -> Option<Node> {
        let Value::Object(ms) = &r.value else {
            self.fail(r.span, path, "a rule object {syscall, args?, comment?}");
            return None;
        };
        let mut entry = Vec::new();
        let mut args = Vec::new();
        let mut name = None;
        for m in ms {
            match (m.key.as_str(), &m.value.value) {
                ("syscall", Value::String(_)) => name = Some(m.value.clone()),
                ("comment", Value::String(_)) => {}
                ("args", Value::Array(conds)) => {
                    let mut seen = 0u8;
                    for (j, c) in conds.iter().enumerate() {
                        if let Some((a, index)) = self.condition(c, &format!("{path}.args[{j}]")) {
                            if index < 8 && seen & (1 << index) != 0 {
                                self.notes.push(Diagnostic::warning("not-expressible", format!("two conditions on argument {index} in one rule: seccompiler requires both, runc splits such a rule into one rule per condition (either suffices)")).at(Some(self.idx.location(c.span, path))));
                            }
                            if index < 8 {
                                seen |= 1 << index;
                            }
                            args.push(a);
                        }
                    }
                }
                ("args", Value::Null) => {}
                (k, _) => self.fail(
                    m.key_span,
                    path,
                    &format!(
                        "syscall (a string), args (an array) or comment, not \"{k}\" of this type"
                    ),
                ),
            }
        }
        let Some(name) = name else {
            self.fail(r.span, path, "a \"syscall\" name");
            return None;
        };
        entry.push(member("names", node(Value::Array(vec![name]), r.span)));
        entry.push(member("action", node(action.value.clone(), r.span)));
        if let Some(e) = errno {
            entry.push(member("errnoRet", e.clone()));
        }
        if !args.is_empty() {
            entry.push(member("args", node(Value::Array(args), r.span)));
        }
        Some(node(Value::Object(entry), r.span))
    }

    /// A condition as a Docker `args[]` object (point 3), and its argument index.
    fn condition(&mut self, c: &Node, path: &str) -> Option<(Node, u64)> {
        let Value::Object(ms) = &c.value else {
            self.fail(c.span, path, "a condition {index, type, op, val}");
            return None;
        };
        let (mut index, mut ty, mut op, mut val) = (None, None, None, None);
        for m in ms {
            match m.key.as_str() {
                "index" => index = Some(&m.value),
                "type" => ty = Some(&m.value),
                "op" => op = Some(&m.value),
                "val" => val = Some(&m.value),
                "comment" => {}
                k => self.fail(
                    m.key_span,
                    path,
                    &format!("index, type, op, val or comment, not \"{k}\""),
                ),
            }
        }
        let (Some(index), Some(ty), Some(op), Some(val)) = (index, ty, op, val) else {
            self.fail(c.span, path, "index, type, op and val (all four)");
            return None;
        };
        let num = |n: &Node| match &n.value {
            Value::Number(raw) => json::parse_u64(raw).ok(),
            _ => None,
        };
        let Some(v) = num(val) else {
            self.fail(val.span, path, "val: an unsigned 64-bit integer");
            return None;
        };
        let Some(ix) = num(index) else {
            self.fail(index.span, path, "index: an integer 0..=5");
            return None;
        };
        let dword = match &ty.value {
            Value::String(t) if t == "dword" => true,
            Value::String(t) if t == "qword" => false,
            _ => {
                self.fail(ty.span, path, "type: \"dword\" or \"qword\"");
                return None;
            }
        };
        if dword && v > u32::MAX as u64 {
            self.fail(
                val.span,
                path,
                "a val that fits 32 bits for a dword argument",
            );
            return None;
        }
        let parsed = match &op.value {
            Value::String(o) => match o.as_str() {
                "eq" if dword => Some(("SCMP_CMP_MASKED_EQ", Some(u32::MAX as u64))),
                "eq" => Some(("SCMP_CMP_EQ", None)),
                "ne" => Some(("SCMP_CMP_NE", None)),
                "lt" => Some(("SCMP_CMP_LT", None)),
                "le" => Some(("SCMP_CMP_LE", None)),
                "gt" => Some(("SCMP_CMP_GT", None)),
                "ge" => Some(("SCMP_CMP_GE", None)),
                _ => None,
            },
            Value::Object(m) if m.len() == 1 && m[0].key == "masked_eq" => {
                let Some(mask) = num(&m[0].value) else {
                    self.fail(m[0].value.span, path, "a mask: an unsigned 64-bit integer");
                    return None;
                };
                let mask = if dword { mask & u32::MAX as u64 } else { mask };
                if v & !mask != 0 {
                    self.notes.push(Diagnostic::warning("not-expressible", format!("val {v:#x} has bits outside the mask {mask:#x}: seccompiler's test never holds, libseccomp masks val too")).at(Some(self.idx.location(val.span, path))));
                }
                Some(("SCMP_CMP_MASKED_EQ", Some(mask)))
            }
            _ => None,
        };
        let Some((name, mask)) = parsed else {
            self.fail(
                op.span,
                path,
                "op: eq, ne, lt, le, gt, ge or {\"masked_eq\": MASK}",
            );
            return None;
        };
        if dword && mask.is_none() {
            self.notes.push(Diagnostic::warning("not-expressible", "an ordered or ne comparison of a dword (low 32 bits) has no Docker equivalent: read as a 64-bit comparison").at(Some(self.idx.location(op.span, path))));
        }
        let n = |x: u64| node(Value::Number(x.to_string()), val.span);
        let mut out = vec![member("index", index.clone())];
        match mask {
            Some(m) => {
                out.push(member("value", n(m)));
                out.push(member("valueTwo", n(v)));
            }
            None => out.push(member("value", n(v))),
        }
        out.push(member("op", node(Value::String(name.into()), op.span)));
        Some((node(Value::Object(out), c.span), ix))
    }
}
