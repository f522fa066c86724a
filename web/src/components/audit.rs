//! Audit records: the kernel's seccomp records pasted (kernel log, auditd, `ausearch -i`), one
//! row each with the ABI, syscall, logged action and process, and, read against the profile
//! and context above, the parts of the profile that produce exactly that action (with their
//! conditions and an example call), or that this profile never does. What `seccplay-native
//! audit PROFILE FILE` prints, from the same core results.
use crate::model::evidence::{self, AuditView, MAX_ROWS};
use crate::model::Source;
use crate::util::ById;
use seccplay_core::evidence::attribute::Attribution;
use seccplay_core::evidence::audit::AuditRecord;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Real records from this project's machine (crates/seccplay-core/tests/data/evidence:
/// dmesg.txt lines 334–341 and one line of ausearch-i.txt), for a first look.
const EXAMPLE: &str = include_str!("audit-example.txt");

/// Props of [`AuditPanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct AuditProps {
    /// The editor's text, analysed.
    pub src: ById<Source>,
    /// The pasted records.
    pub text: AttrValue,
    /// New pasted text.
    pub on_text: Callback<String>,
    /// Scrolls the editor to a line.
    pub on_reveal: Callback<u32>,
}

/// The audit tab.
#[function_component(AuditPanel)]
pub fn audit_panel(p: &AuditProps) -> Html {
    let view = use_memo((p.text.clone(), p.src.clone()), |(t, src)| {
        evidence::audit(t, &src.0)
    });
    let on_input = {
        let on = p.on_text.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let set = |t: &'static str| {
        let on = p.on_text.clone();
        Callback::from(move |_| on.emit(t.to_string()))
    };
    html! {
        <div class="evidence-panel" id="audit-panel">
            <p class="hint">{ "Paste the kernel's seccomp audit records (type=1326 or type=SECCOMP): the output of " }
                <code>{ "dmesg" }</code>{ " or " }<code>{ "journalctl -k" }</code>{ ", /var/log/audit/audit.log, or " }<code>{ "ausearch -i" }</code>
                { ". Other lines are skipped. Each record is read against the profile and context above. The kernel logs ERRNO, TRAP, TRACE and USER_NOTIF only for filters installed with SECCOMP_FILTER_FLAG_LOG: " }
                <code>{ "seccplay-native add-log-flag profile.json -o logged.json" }</code>{ " writes such a copy." }</p>
            <label for="audit-input" class="sr">{ "Audit records" }</label>
            <textarea id="audit-input" class="evidence-input" rows="7" spellcheck="false" autocomplete="off"
                value={p.text.clone()} oninput={on_input}
                placeholder="[ 1422.183851] audit: type=1326 audit(1796312105.199:2): … pid=26010 comm=\"mkdir\" exe=\"/usr/bin/mkdir\" sig=0 arch=c000003e syscall=83 compat=0 ip=0x7f763ffdaf37 code=0x50000" />
            <div class="row">
                <button id="audit-example" onclick={set(EXAMPLE)} title="Real records captured on this project's machine">{ "Paste an example" }</button>
                <button id="audit-clear" onclick={set("")}>{ "Clear" }</button>
            </div>
            { match &*view {
                Err(why) => html! { <p class="bad" id="audit-error" role="alert">{ why }</p> },
                Ok(v) => body(v, &p.text, &p.on_reveal),
            } }
        </div>
    }
}

fn body(v: &AuditView, text: &str, reveal: &Callback<u32>) -> Html {
    let log = &v.log;
    let n = log.records.len();
    if text.trim().is_empty() {
        return html! {};
    }
    html! {
        <>
            <p class="summary" id="audit-counts">{ format!(
                "{n} seccomp record{} ({} other line{} skipped, {} malformed)",
                plural(n), log.skipped, plural(log.skipped), log.malformed.len()
            ) }</p>
            if n == 0 && log.malformed.is_empty() {
                <p class="bad" id="audit-none" role="status">{ format!("No seccomp record in the {} line{} pasted: a record holds type=1326 or type=SECCOMP followed by audit(…).", log.skipped, plural(log.skipped)) }</p>
            }
            if !log.malformed.is_empty() {
                <ul class="malformed" id="audit-malformed">
                    { for log.malformed.iter().map(|m| {
                        let col = m.column.map(|c| format!(":{c}")).unwrap_or_default();
                        html! { <li data-line={m.line.to_string()}>{ format!("line {}{col}: malformed: {}", m.line, m.message) }</li> }
                    }) }
                </ul>
            }
            if let Some(why) = &v.no_profile {
                <p class="caveat" id="audit-no-profile" role="note">{ format!("Not read against a profile: {why}") }</p>
            }
            if n > MAX_ROWS {
                <p class="hint">{ format!("The first {MAX_ROWS} of {n} records are shown; the summary counts them all.") }</p>
            }
            <ol class="records" id="audit-records">
                { for log.records.iter().take(MAX_ROWS).enumerate().map(|(i, r)| {
                    record(r, v.attributions.as_ref().map(|a| &a[i]), reveal)
                }) }
            </ol>
            if !v.summary.is_empty() {
                <h3>{ "Summary (executable, syscall, action)" }</h3>
                <div class="scroll" tabindex="0" aria-label="Summary">
                    <table id="audit-summary">
                        <thead><tr><th>{ "records" }</th><th>{ "executable" }</th><th>{ "syscall" }</th><th>{ "action" }</th></tr></thead>
                        <tbody>
                            { for v.summary.iter().map(|s| html! {
                                <tr><td class="num">{ s.count }</td><td class="v">{ &s.exe }</td><td>{ &s.syscall }</td><td class="v">{ &s.action }</td></tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </>
    }
}

/// One record: what it says, then the profile's answer.
fn record(r: &AuditRecord, att: Option<&Attribution>, reveal: &Callback<u32>) -> Html {
    let sig = r
        .sig
        .filter(|&s| s != 0)
        .map(|s| format!(" sig {s}"))
        .unwrap_or_default();
    let process = format!(
        "pid {} {}",
        r.pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into()),
        r.exe.as_deref().or(r.comm.as_deref()).unwrap_or("?")
    );
    let foreign = att.is_some_and(|a| a.candidates.is_empty());
    // What the record cannot say (no errno, no data), unless the answer already says it.
    let caveat = r
        .action
        .caveat()
        .filter(|c| !att.is_some_and(|a| a.summary.contains(c)));
    html! {
        <li class={classes!("record", foreign.then_some("foreign"))} data-line={r.line.to_string()}
            data-abi={r.abi_label()} data-syscall={r.syscall_label()} data-action={r.action.name()}>
            <div class="verdict-line">
                <span class="hint">{ format!("line {}", r.line) }</span>
                <code class="abi">{ r.abi_label() }</code>
                <b class="syscall">{ r.syscall_label() }</b>
                <span class="badge other action">{ format!("{}{sig}", r.action.name()) }</span>
                <span class="process">{ process }</span>
            </div>
            if let Some(c) = caveat { <p class="hint caveat-text">{ format!("({c})") }</p> }
            { match att {
                Some(a) => html! {
                    <>
                        <p class="attribution">{ &*a.summary }</p>
                        if !a.candidates.is_empty() {
                            <ul class="candidates">
                                { for a.candidates.iter().map(|c| html! {
                                    // (The explanation says the rule's conditions.)
                                    <li class="candidate" data-kind={c.kind} data-conditions={c.conditions.join(" && ")}>
                                        <span class="explanation">{ &c.explanation }</span>
                                        if let Some(ex) = &c.example { <span class="example">{ " — e.g. " }<code>{ ex }</code></span> }
                                        if let Some(l) = &c.location {
                                            { " " }<button class="link loc" onclick={{ let r = reveal.clone(); let line = l.line; move |_| r.emit(line) }}>
                                                { format!("line {}:{}", l.line, l.column) }</button>
                                        }
                                    </li>
                                }) }
                            </ul>
                        }
                    </>
                },
                None => html! {},
            } }
        </li>
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
