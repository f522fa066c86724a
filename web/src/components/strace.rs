//! strace: a pasted `strace -f` log, every call decided as the profile above would in the
//! context above — the first call refused (the one that breaks the program), every refused
//! call with its deciding rule, calls whose verdict depends on a value strace did not show, a
//! summary per syscall, and the profile entries that would allow the refused calls. What
//! strace recorded for each call is set against the prediction: the calls the predicted
//! action cannot have produced (a log taken under another filter or context) are listed. A
//! prediction from one unconfined run, not a run under seccomp: the page says so. What
//! `seccplay-native replay PROFILE FILE` prints, from the same core results.
use crate::model::evidence::{self, StraceView, MAX_ROWS};
use crate::model::Source;
use crate::util::ById;
use seccplay_core::evidence::predict::{Judged, Prediction};
use seccplay_core::evidence::recorded::MISMATCH;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Props of [`StracePanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct StraceProps {
    /// The editor's text, analysed.
    pub src: ById<Source>,
    /// How locations name the profile (`preset docker@29.4.3`, `the editor`).
    pub origin: AttrValue,
    /// The pasted log.
    pub text: AttrValue,
    /// New pasted text.
    pub on_text: Callback<String>,
    /// Scrolls the editor to a line.
    pub on_reveal: Callback<u32>,
}

/// The strace tab.
#[function_component(StracePanel)]
pub fn strace_panel(p: &StraceProps) -> Html {
    let view = use_memo(
        (p.text.clone(), p.src.clone(), p.origin.clone()),
        |(t, src, origin)| evidence::strace(t, &src.0, origin),
    );
    // Whether the snippet reached the clipboard (None: not tried yet).
    let copied = use_state(|| None::<bool>);
    let on_input = {
        let on = p.on_text.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let on_clear = {
        let on = p.on_text.clone();
        Callback::from(move |_| on.emit(String::new()))
    };
    let ctx = Ctx {
        reveal: p.on_reveal.clone(),
        copied: copied.clone(),
    };
    html! {
        <div class="evidence-panel" id="strace-panel">
            <p class="hint">{ "Paste the output of " }<code>{ "strace -f" }</code>
                { " (with or without -tt, -T, -y, -X raw|abbrev|verbose, [pid N] or -o prefixes). Every call is decided as the profile and context above would, on the context's architecture; strings, structs and arrays are pointers to seccomp: \"any value\"." }</p>
            <label for="strace-input" class="sr">{ "strace output" }</label>
            <textarea id="strace-input" class="evidence-input" rows="7" spellcheck="false" autocomplete="off"
                value={p.text.clone()} oninput={on_input}
                placeholder="openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3\n[pid 20309] mkdir(\"/tmp/a\", 0777) = 0" />
            <div class="row"><button id="strace-clear" onclick={on_clear}>{ "Clear" }</button></div>
            { match &*view {
                Err(why) => html! { <p class="bad" id="strace-error" role="alert">{ why }</p> },
                Ok(v) if !p.text.trim().is_empty() => body(v, &ctx),
                Ok(_) => html! {},
            } }
        </div>
    }
}

/// What the rows need besides the data.
struct Ctx {
    reveal: Callback<u32>,
    copied: UseStateHandle<Option<bool>>,
}

fn body(v: &StraceView, c: &Ctx) -> Html {
    let t = &v.trace;
    let read = html! {
        <>
            <p class="summary" id="strace-counts">{ format!(
                "{} calls read ({} lines skipped, {} malformed)",
                t.calls.len(), t.skipped, t.malformed.len()
            ) }</p>
            if !t.malformed.is_empty() {
                <ul class="malformed" id="strace-malformed">
                    { for t.malformed.iter().take(MAX_ROWS).map(|m| html! {
                        <li data-line={m.line.to_string()}>{ format!("line {}: malformed: {}", m.line, m.message) }</li>
                    }) }
                </ul>
            }
        </>
    };
    let p = match &v.prediction {
        Err(why) => {
            return html! { <>{ read }<p class="caveat" id="strace-no-profile" role="note">{ format!("Not read against a profile: {why}") }</p></> }
        }
        Ok(p) => p,
    };
    if t.calls.is_empty() {
        return html! { <>{ read }<p class="bad" id="strace-none" role="status">{ "No strace call in the text: a call line reads name(arguments) = result." }</p></> };
    }
    html! {
        <>
            { read }
            <p class="caveat" id="strace-note" role="note">{ format!("On {}: {}.", v.host, capitalize(p.note)) }</p>
            { recorded(p) }
            { first(p, c) }
            { mismatches(p) }
            { judged_list("strace-refused", &format!("Refused calls ({})", p.refused.len()), &p.refused, true, c) }
            { judged_list("strace-depends", &format!("Calls whose verdict depends on values strace did not show ({})", p.depends.len()), &p.depends, false, c) }
            { judged_list("strace-unknown", &format!("Not syscalls of their ABI ({})", p.unknown.len()), &p.unknown, false, c) }
            <h3>{ "Per syscall" }</h3>
            <div class="scroll" tabindex="0" aria-label="Per syscall">
                <table id="strace-summary">
                    <thead><tr><th>{ "syscall" }</th><th>{ "calls" }</th><th>{ "allowed" }</th><th>{ "refused" }</th><th>{ "depends" }</th><th>{ "mismatched" }</th><th>{ "actions" }</th></tr></thead>
                    <tbody>
                        { for p.summary.iter().map(|r| {
                            let acts: Vec<&str> = r.actions.iter().map(String::as_str).collect();
                            html! {
                                <tr data-name={r.syscall.clone()} class={classes!((r.refused > 0).then_some("blocked"))}>
                                    <td>{ &r.syscall }</td><td class="num">{ r.calls }</td><td class="num">{ r.allowed }</td>
                                    <td class="num">{ r.refused }</td><td class="num">{ r.depends }</td><td class="num mismatched">{ r.mismatched }</td><td class="v">{ acts.join(", ") }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
            { snippet(p, c) }
        </>
    }
}

fn first(p: &Prediction, c: &Ctx) -> Html {
    match &p.first_refused {
        None => {
            html! { <p class="summary ok" id="strace-first">{ "No call would be refused." }</p> }
        }
        Some(j) => html! {
            <div class="first-refused" id="strace-first" data-line={j.line.to_string()}>
                <h3>{ "First refused call" }</h3>
                <p class="verdict-line">
                    <span class="hint">{ where_(j) }</span>
                    <code class="call-text">{ &j.text }</code>
                </p>
                <p><span class="badge errno action">{ &j.answer.action }</span>{ " by " }<span class="rule">{ &j.answer.rule }</span>{ " " }{ reveal(j, c) }</p>
                <p class="explanation">{ &j.answer.explanation }</p>
            </div>
        },
    }
}

fn reveal(j: &Judged, c: &Ctx) -> Html {
    match &j.answer.location {
        Some(l) => {
            let r = c.reveal.clone();
            let line = l.line;
            html! { <button class="link loc" onclick={move |_| r.emit(line)}>{ format!("show line {line}") }</button> }
        }
        None => html! {},
    }
}

/// `line 200 · pid 20308`.
fn where_(j: &Judged) -> String {
    let pid = j.pid.map(|p| format!(" · pid {p}")).unwrap_or_default();
    format!("line {}{pid}", j.line)
}

fn judged_list(id: &str, title: &str, list: &[Judged], verdict: bool, c: &Ctx) -> Html {
    if list.is_empty() {
        return html! {};
    }
    html! {
        <details open={list.len() <= 50} id={id.to_string()}>
            <summary>{ title }</summary>
            if list.len() > MAX_ROWS { <p class="hint">{ format!("The first {MAX_ROWS} are shown.") }</p> }
            <div class="scroll" tabindex="0" aria-label={title.to_string()}>
                <table>
                    <thead><tr><th>{ "where" }</th><th>{ "call" }</th><th>{ "recorded" }</th>
                        if verdict { <th>{ "action" }</th><th>{ "by" }</th> } else { <th>{ "why" }</th> }</tr></thead>
                    <tbody>
                        { for list.iter().take(MAX_ROWS).map(|j| html! {
                            <tr data-line={j.line.to_string()}>
                                <td class="where">{ where_(j) }</td><td class="v call-text">{ &j.text }</td>
                                { recorded_cell(j) }
                                if verdict {
                                    <td class="v action">{ &j.answer.action }</td><td class="why rule">{ &j.answer.rule }{ " " }{ reveal(j, c) }</td>
                                } else {
                                    <td class="why">{ &j.answer.explanation }</td>
                                }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </details>
    }
}

fn snippet(p: &Prediction, c: &Ctx) -> Html {
    if p.snippet.is_empty() {
        return html! {};
    }
    let on_copy = {
        let text = p.snippet.clone();
        let copied = c.copied.clone();
        Callback::from(move |_| {
            let clip = gloo::utils::window().navigator().clipboard();
            let (ok, bad) = (copied.clone(), copied.clone());
            let ok = Closure::once(move |_: JsValue| ok.set(Some(true)));
            let bad = Closure::once(move |_: JsValue| bad.set(Some(false)));
            let _ = clip.write_text(&text).then2(&ok, &bad);
            ok.forget();
            bad.forget();
        })
    };
    html! {
        <div class="snippet">
            <h3>{ "To allow the refused calls" }</h3>
            if !p.remove_or_change.is_empty() {
                <p class="hint">{ "Remove or change these rules of the profile, which refuse them first:" }</p>
                <ul id="strace-remove">
                    { for p.remove_or_change.iter().map(|r| html! { <li><code>{ r }</code></li> }) }
                </ul>
            }
            <p class="hint">{ "Add these entries to the profile's \"syscalls\":" }</p>
            <div class="row">
                <button id="strace-copy" onclick={on_copy}>{ "Copy the snippet" }</button>
                { match *c.copied {
                    Some(true) => html! { <span id="strace-copy-status" class="ok" role="status">{ "✓ Copied" }</span> },
                    Some(false) => html! { <span id="strace-copy-status" class="bad" role="status">{ "The browser refused the clipboard: select the text below and copy it." }</span> },
                    None => html! {},
                } }
            </div>
            <pre id="strace-snippet" tabindex="0">{ &p.snippet }</pre>
        </div>
    }
}

/// The counts of recorded results against the prediction, when the log has results.
fn recorded(p: &Prediction) -> Html {
    let r = &p.recorded;
    if r.recorded == 0 {
        return html! {};
    }
    html! {
        <p class={classes!("summary", (r.mismatched > 0).then_some("bad"))} id="strace-recorded" role="status">{ format!("{}.", capitalize(&r.describe())) }</p>
    }
}

/// The calls whose recorded result the predicted action cannot produce.
fn mismatches(p: &Prediction) -> Html {
    if p.mismatches.is_empty() {
        return html! {};
    }
    let title = format!(
        "Recorded results the prediction cannot produce ({})",
        p.mismatches.len()
    );
    html! {
        <details open=true id="strace-mismatches">
            <summary>{ &title }</summary>
            <p class="hint">{ format!("{}.", capitalize(MISMATCH)) }</p>
            if p.mismatches.len() > MAX_ROWS { <p class="hint">{ format!("The first {MAX_ROWS} are shown.") }</p> }
            <div class="scroll" tabindex="0" aria-label={title.clone()}>
                <table>
                    <thead><tr><th>{ "where" }</th><th>{ "call" }</th><th>{ "recorded" }</th><th>{ "predicted" }</th><th>{ "why" }</th></tr></thead>
                    <tbody>
                        { for p.mismatches.iter().take(MAX_ROWS).map(|j| html! {
                            <tr data-line={j.line.to_string()}>
                                <td class="where">{ where_(j) }</td><td class="v call-text">{ &j.text }</td>
                                <td class="v recorded">{ &j.recorded.label }</td><td class="v action">{ &j.answer.action }</td>
                                <td class="why">{ j.recorded.short_reason() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </details>
    }
}

/// What strace recorded, with the comparison as class and title.
fn recorded_cell(j: &Judged) -> Html {
    let v = j.recorded.verdict.name();
    html! {
        <td class={classes!("v", "recorded", v)} data-verdict={v} title={j.recorded.reason.clone()}>{ &j.recorded.label }</td>
    }
}

/// `Predicted …` from the core's `predicted …`.
fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
