//! Compare: the table of A (the profile and context above) against B (a preset or A's text, in
//! a context with capabilities added or dropped); rows that only differ in what decided them
//! are hidden unless asked for, and each change says whether B is looser or tighter.
use crate::model::{self, Rows};
use crate::util::ById;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::presets;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// An edit of B's side.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareEdit {
    /// B's preset (`""`: A's text).
    Preset(String),
    /// Capabilities added, comma-separated.
    CapAdd(String),
    /// Capabilities dropped, comma-separated.
    CapDrop(String),
    /// `--privileged`.
    Privileged(bool),
}

/// Props of [`ComparePanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct CompareProps {
    /// A's rows.
    pub rows: ById<Rows>,
    /// The ABI compared.
    pub abi: Arch,
    /// A's text (B's when `preset` is empty).
    pub text: AttrValue,
    /// B's preset.
    pub preset: AttrValue,
    /// B's capabilities added, as typed.
    pub cap_add: AttrValue,
    /// B's capabilities dropped, as typed.
    pub cap_drop: AttrValue,
    /// B is `--privileged`.
    pub privileged: bool,
    /// B's context, or why it is invalid.
    pub b_ctx: Result<Context, String>,
    /// An edit of B's side.
    pub on_edit: Callback<CompareEdit>,
}

/// The compare tab.
#[function_component(ComparePanel)]
pub fn compare_panel(p: &CompareProps) -> Html {
    let show_same = use_state(|| false);
    let b_text = if p.preset.is_empty() {
        p.text.to_string()
    } else {
        crate::state::preset_text(&p.preset).unwrap_or_default()
    };
    let b_strict = presets::get(&p.preset)
        .map(|pr| pr.kind == presets::PresetKind::Strict)
        .unwrap_or(false);
    let b_rows = use_memo(
        (b_text, b_strict, p.b_ctx.clone(), p.abi),
        |(t, st, c, abi)| {
            c.as_ref()
                .ok()
                .map(|_| model::table(&model::analyze(t, *st, c), *abi))
        },
    );
    let changes = match &*b_rows {
        Some(b) => model::changes(&p.rows.0, b),
        None => Vec::new(),
    };
    let same = changes.iter().filter(|c| c.same_outcome).count();
    let count = |d: &str| changes.iter().filter(|c| c.direction == d).count();
    let emit_text = |f: fn(String) -> CompareEdit| {
        let on = p.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(f(e.target_unchecked_into::<HtmlInputElement>().value()))
        })
    };
    let on_preset = {
        let on = p.on_edit.clone();
        Callback::from(move |e: Event| {
            on.emit(CompareEdit::Preset(
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        })
    };
    let on_priv = {
        let on = p.on_edit.clone();
        Callback::from(move |e: Event| {
            on.emit(CompareEdit::Privileged(
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        })
    };
    let on_same = {
        let s = show_same.clone();
        Callback::from(move |e: Event| {
            s.set(e.target_unchecked_into::<HtmlInputElement>().checked())
        })
    };
    // A side without verdicts (refused, unreadable, too large) has nothing to compare.
    let summary = match (&p.rows.0.none, b_rows.as_ref()) {
        (Some(why), _) => html! { <p class="bad" id="cmp-none">{ format!("A: {why}") }</p> },
        (
            None,
            Some(Rows {
                none: Some(why), ..
            }),
        ) => {
            html! { <p class="bad" id="cmp-none">{ format!("B: {why}") }</p> }
        }
        (None, Some(b)) => html! {
            <>
                <p id="cmp-summary">{ format!("A: {} · B: {} · {} changed", p.rows.0.summary, b.summary, changes.len() - same) }</p>
                <p class="hint" id="cmp-directions">{ format!("B is looser on {}, tighter on {}, different on {}; {same} more differ only in what decided them (same behaviour).", count("looser"), count("tighter"), count("other").saturating_sub(same)) }</p>
            </>
        },
        (None, None) => html! {},
    };
    let abi = p.abi;
    html! {
        <div class="compare-panel">
            <p class="hint">{ format!("A = the profile and context above; B = the profile and context chosen here. Syscalls of {abi} whose verdict changes:") }</p>
            <div class="row">
                <label for="cmp-preset">{ "B profile" }</label>
                <select id="cmp-preset" onchange={on_preset}>
                    <option value="" selected={p.preset.is_empty()}>{ "the same profile (A's text)" }</option>
                    { for presets::MENU.iter().map(|pr| html! { <option value={pr.name} selected={p.preset == pr.name}>{ pr.title }</option> }) }
                </select>
                <label for="cmp-cap-add">{ "--cap-add" }</label>
                <input id="cmp-cap-add" value={p.cap_add.clone()} oninput={emit_text(CompareEdit::CapAdd)} placeholder="SYS_ADMIN, …" />
                <label for="cmp-cap-drop">{ "--cap-drop" }</label>
                <input id="cmp-cap-drop" value={p.cap_drop.clone()} oninput={emit_text(CompareEdit::CapDrop)} placeholder="ALL, …" />
                <label><input type="checkbox" id="cmp-privileged" checked={p.privileged} onchange={on_priv} />{ " --privileged" }</label>
                <label><input type="checkbox" id="cmp-show-same" checked={*show_same} onchange={on_same} />{ " show rows that behave the same" }</label>
            </div>
            if let Err(e) = &p.b_ctx { <p class="bad" role="alert">{ e }</p> }
            { summary }
            <div class="scroll" tabindex="0" aria-label="The rows that differ">
                <table id="cmp-changes">
                    <thead><tr><th>{ "nr" }</th><th>{ "syscall" }</th><th>{ "B vs A" }</th><th>{ "A" }</th><th>{ "B" }</th></tr></thead>
                    <tbody>
                        { for changes.iter().filter(|c| *show_same || !c.same_outcome).map(|c| {
                            let dir = if c.same_outcome { "same" } else { c.direction };
                            html! {
                                <tr data-name={c.name} class={classes!("chg", dir)} data-direction={dir}>
                                    <td class="num">{ c.nr }</td><td>{ c.name }</td>
                                    <td class="dir">{ match dir { "looser" => "looser", "tighter" => "tighter", "same" => "same behaviour", _ => "different" } }</td>
                                    <td class="v">{ &c.a }</td><td class="v">{ &c.b }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
