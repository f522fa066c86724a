//! Simulate a syscall: the ABI, the call with its prototype and the constants of the argument
//! being typed, and the answer — the verdict, why, and where in the profile it was decided.
use crate::model::{self, Shown};
use seccplay_core::arch::Arch;
use seccplay_core::syscalls;
use std::rc::Rc;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// An edit of the simulation's inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum SimEdit {
    /// The ABI the call is made on.
    Abi(Arch),
    /// The call as typed.
    Call(String),
    /// The instruction pointer as typed.
    Ip(String),
}

/// Props of [`SimPanel`].
#[derive(Properties, PartialEq)]
pub struct SimProps {
    /// The ABI.
    pub abi: Arch,
    /// The call as typed.
    pub call: AttrValue,
    /// The instruction pointer as typed.
    pub ip: AttrValue,
    /// The answer, or why there is none.
    pub shown: Rc<Result<Shown, String>>,
    /// An edit of the inputs.
    pub on_edit: Callback<SimEdit>,
    /// Scrolls the editor to a line.
    pub on_reveal: Callback<u32>,
    /// The call field's completion list (every syscall name of the ABI, some 400 options) is
    /// in the page: false for the first frame, which shows the verdict sooner without it.
    #[prop_or(true)]
    pub completion: bool,
}

/// `t` with a constant appended to the argument being typed (`|` between flags).
fn with_constant(call: &str, c: &str) -> String {
    let t = call.trim_end().trim_end_matches(')').to_string();
    let sep = if t.ends_with('(') || t.ends_with(',') || t.ends_with('|') || t.ends_with(' ') {
        ""
    } else {
        "|"
    };
    format!("{t}{sep}{c})")
}

/// `text` with every "line N" (or "line N:C") a link that moves the editor to line N.
fn with_line_links(text: &str, on_reveal: &Callback<u32>) -> Html {
    let mut parts: Vec<Html> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("line ") {
        let after = &rest[i + 5..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(n) = after[..digits].parse::<u32>() else {
            parts.push(html! { { &rest[..i + 5] } });
            rest = after;
            continue;
        };
        let mut end = digits;
        if let Some(col) = after[end..].strip_prefix(':') {
            let c = col.bytes().take_while(u8::is_ascii_digit).count();
            if c > 0 {
                end += 1 + c;
            }
        }
        let r = on_reveal.clone();
        parts.push(html! { { &rest[..i] } });
        parts.push(html! {
            <button class="link line-link" data-line={n.to_string()} title="Show this line in the editor"
                onclick={move |_| r.emit(n)}>{ format!("line {}", &after[..end]) }</button>
        });
        rest = &after[end..];
    }
    parts.push(html! { { rest } });
    html! { <>{ for parts }</> }
}

/// The simulation fieldset.
#[function_component(SimPanel)]
pub fn sim_panel(p: &SimProps) -> Html {
    let abi = p.abi;
    let names = use_memo((abi, p.completion), |(a, on)| {
        if !on {
            return Vec::new();
        }
        syscalls::syscalls(*a)
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>()
    });
    let call_ref = use_node_ref();
    let on_abi = {
        let on = p.on_edit.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(a) = Arch::from_name(&v) {
                on.emit(SimEdit::Abi(a));
            }
        })
    };
    let on_call = {
        let on = p.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(SimEdit::Call(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_ip = {
        let on = p.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(SimEdit::Ip(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let line = match &*p.shown {
        Ok(v) => v.line,
        Err(_) => None,
    };
    let on_submit = {
        let r = p.on_reveal.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(l) = line {
                r.emit(l);
            }
        })
    };
    // Prototype and the constants of the argument being typed.
    let (proto, consts) = match model::current_arg(&p.call) {
        Some((name, idx)) => {
            let proto = syscalls::prototype(name).map(|p| p.to_string());
            let group = syscalls::arg_group(name, idx);
            let consts = group.map(syscalls::group_constants).unwrap_or_default();
            (proto.map(|p| (p, idx)), consts)
        }
        None => (
            syscalls::prototype(p.call.trim()).map(|p| (p.to_string(), usize::MAX)),
            Vec::new(),
        ),
    };
    let insert = |c: &'static str| {
        let on = p.on_edit.clone();
        let call = p.call.to_string();
        let call_ref = call_ref.clone();
        Callback::from(move |_| {
            on.emit(SimEdit::Call(with_constant(&call, c)));
            if let Some(i) = call_ref.cast::<HtmlElement>() {
                let _ = i.focus();
            }
        })
    };
    html! {
        <fieldset class="simulate" id="simulate">
            <legend>{ "Simulate a syscall" }</legend>
            <form class="row" onsubmit={on_submit}>
                <label for="abi">{ "ABI" }</label>
                <select id="abi" data-testid="abi" onchange={on_abi}>
                    { for Arch::ALL.iter().map(|a| html! { <option value={a.name()} selected={*a == abi}>{ a.name() }</option> }) }
                </select>
                <label for="call" class="sr">{ "Syscall" }</label>
                <input id="call" data-testid="call" class="call" list="syscall-names" ref={call_ref.clone()}
                    value={p.call.clone()} oninput={on_call} spellcheck="false" autocomplete="off"
                    placeholder="unshare(CLONE_NEWUSER)" aria-label="Syscall with arguments" />
                <datalist id="syscall-names">
                    { for names.iter().map(|n| html! { <option value={format!("{n}(")} /> }) }
                </datalist>
                <label for="ip">{ "IP" }</label>
                <input id="ip" class="short" value={p.ip.clone()} oninput={on_ip} placeholder="0x0" aria-label="Instruction pointer (optional)" />
                <button type="submit" id="simulate-btn">{ "Simulate" }</button>
            </form>
            <div class="result" id="result" aria-live="polite">
                { match &*p.shown {
                    Ok(v) => html! {
                        <>
                            <div class="verdict-line">
                                <span id="verdict" data-testid="verdict" class={classes!("badge", v.class)}>{ &v.label }</span>
                                if let Some(m) = &v.errno_message { <span id="errno-message" class="errno-msg">{ format!("“{m}”") }</span> }
                                <code class="as-seen">{ &v.call }</code>
                            </div>
                            <p id="explanation" data-testid="explanation">
                                <strong id="headline">{ with_line_links(&v.headline, &p.on_reveal) }</strong>
                                { " " }<span id="detail">{ with_line_links(&v.explanation, &p.on_reveal) }</span>
                            </p>
                            if let Some(k) = &v.kernel_enosys {
                                <p id="kernel-enosys" class="caveat" role="note">{ format!("Then the kernel: {k}.") }</p>
                            }
                            if let Some(n) = &v.older_libseccomp {
                                <p id="older-libseccomp" class="caveat" role="note">{ n }</p>
                            }
                            <p class="meta">
                                if let (Some(l), Some(path)) = (v.line, &v.path) {
                                    <button class="link" id="rule-location" onclick={{ let r = p.on_reveal.clone(); move |_| r.emit(l) }}>
                                        { format!("decided at line {l} ({path})") }
                                    </button>
                                }
                                if let Some(r) = v.ret { <span>{ format!(" · return {r:#010x}") }</span> }
                                if let Some(n) = v.steps { <span>{ format!(" · {n} instructions executed") }</span> }
                                if let (Some(a), Some(b)) = (v.ret, v.program_ret) {
                                    if a != b { <span class="bad">{ format!(" · the program returned {b:#010x}!") }</span> }
                                }
                            </p>
                        </>
                    },
                    Err(e) => html! { <p id="call-error" class="bad" role="alert">{ e }</p> },
                } }
            </div>
            if let Some((proto, idx)) = proto {
                <p class="proto" id="prototype"><code>{ proto }</code>
                    if idx != usize::MAX { <span class="hint">{ format!("  — argument {idx}") }</span> }
                </p>
            }
            if !consts.is_empty() {
                // One tab stop (WAI-ARIA toolbar): arrows move among the constants.
                // (Keyed by the list: a new list starts with its first constant the tab stop.)
                <div class="consts" id="constants" role="toolbar" key={format!("{}/{}", consts[0].0, consts.len())} aria-label="Constants of this argument (arrow keys)"
                    onkeydown={crate::util::toolbar_keydown}>
                    { for consts.iter().take(48).enumerate().map(|(i, (n, v))| html! {
                        <button class="chip" title={format!("{v:#x}")} onclick={insert(n)}
                            tabindex={if i == 0 { "0" } else { "-1" }}>{ *n }</button>
                    }) }
                </div>
            }
        </fieldset>
    }
}
