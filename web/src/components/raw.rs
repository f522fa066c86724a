//! Raw filters: the decompiled profile with its gaps and the ABIs it covers, and the button that
//! opens it in the editor (so every profile view applies); the filter choice of a stack for the
//! step-through. Shown only when the editor holds a raw program or a stack.
use crate::model::Source;
use crate::util::ById;
use seccplay_core::analysis::describe_action;
use yew::prelude::*;

/// Props of [`RawPanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct RawProps {
    /// What the editor holds.
    pub src: ById<Source>,
    /// Replaces the editor's text with the decompiled profile.
    pub on_open: Callback<String>,
}

/// The decompiled profile of a raw program or stack: what it covers, what it cannot state,
/// and "Open as a profile".
#[function_component(RawPanel)]
pub fn raw_panel(p: &RawProps) -> Html {
    let dec = use_memo(p.src.clone(), |src| match &*src.0 {
        Source::Bpf(r) => Some(r.raw().decompiled()),
        _ => None,
    });
    let Some(dec) = &*dec else {
        return html! {};
    };
    let d = match dec {
        Ok(d) => d,
        Err(e) => {
            return html! { <p class="hint" id="decompile-none">{ format!("No decompiled profile: {e}") }</p> };
        }
    };
    let abis: Vec<&str> = d.abis.iter().map(|a| a.name()).collect();
    let open = {
        let on_open = p.on_open.clone();
        let text = d.profile.clone();
        Callback::from(move |_| on_open.emit(text.clone()))
    };
    html! {
        <details class="diag-box" id="decompile-box" open={true}>
            <summary id="decompile-summary">{ format!(
                "Decompiled: a Docker profile for {}, default {}; {}",
                abis.join(", "),
                describe_action(d.default_ret),
                match d.gaps.len() {
                    0 => "every syscall stated".to_string(),
                    1 => "1 syscall no profile can state".to_string(),
                    n => format!("{n} syscalls no profile can state"),
                }
            ) }</summary>
            <div class="row">
                <button id="open-as-profile" onclick={open}
                    title="Replace the editor's text with the decompiled profile (every profile view then applies)">
                    { "Open as a profile" }</button>
                <span class="hint" id="decompile-abis">{ format!("ABIs covered exactly: {}", abis.join(", ")) }</span>
            </div>
            if !d.gaps.is_empty() {
                <ul id="decompile-gaps">
                    { for d.gaps.iter().map(|g| html! {
                        <li class="warning" data-syscall={g.syscall.clone()}>
                            <b>{ format!("{}{}", g.abi.map(|a| format!("{} ", a.name())).unwrap_or_default(), g.syscall) }</b>
                            { format!(": {}", g.why) }
                        </li>
                    }) }
                </ul>
            }
        </details>
    }
}

/// Props of [`StackChoice`].
#[derive(Properties, PartialEq)]
pub struct StackChoiceProps {
    /// Each filter's value for the call, newest first.
    pub rets: Vec<u32>,
    /// The filter whose value the kernel takes.
    pub decided_by: usize,
    /// The filter being stepped through.
    pub which: usize,
    /// Another filter was chosen.
    pub on_pick: Callback<usize>,
}

/// The filters of a stack with their answers; a click steps through one.
#[function_component(StackChoice)]
pub fn stack_choice(p: &StackChoiceProps) -> Html {
    let n = p.rets.len();
    html! {
        <div class="row" id="stack-choice" role="group" aria-label="Filters of the stack, newest first">
            <span class="hint">{ "Filters, newest first:" }</span>
            { for p.rets.iter().enumerate().map(|(i, r)| {
                let pick = p.on_pick.clone();
                let pos = match i { 0 => " (newest)", _ if i + 1 == n => " (oldest)", _ => "" };
                html! {
                    <button id={format!("stack-filter-{i}")} aria-pressed={(i == p.which).to_string()}
                        class={classes!((i == p.which).then_some("active"), (i == p.decided_by).then_some("decided"))}
                        onclick={move |_| pick.emit(i)}>
                        { format!("filter {i}{pos}: {}{}", describe_action(*r), if i == p.decided_by { " ← decides" } else { "" }) }
                    </button>
                }
            }) }
        </div>
    }
}
