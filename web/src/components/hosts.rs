//! Hosts: one call (or a few) across named hosts (engine, runtime release, libseccomp and
//! kernel, each fact cited), presets in the page's context and the editor's profile — the
//! outcome a process sees on each, who answered (the filter, runc's ENOSYS stub, the kernel)
//! and, where they differ, why; then every syscall compared between two of the columns. What
//! `seccplay-native matrix` prints, from the same core results.
use crate::model;
use crate::model::hosts::{self, CUSTOM};
use crate::util::ById;
use seccplay_core::action::Action;
use seccplay_core::context::Context;
use seccplay_core::host::{Cell, HOSTS};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// An edit of the Hosts tab.
#[derive(Clone, Debug, PartialEq)]
pub enum HostsEdit {
    /// The calls as typed.
    Calls(String),
    /// A column chosen or not.
    Column(&'static str, bool),
    /// The first column of the whole-profile comparison.
    DiffA(String),
    /// The second one.
    DiffB(String),
}

/// Props of [`HostsPanel`].
#[derive(Properties, PartialEq, Clone)]
pub struct HostsProps {
    /// The calls as typed.
    pub calls: AttrValue,
    /// The chosen columns.
    pub columns: Rc<Vec<String>>,
    /// The compared pair (`""`: the first/second chosen column).
    pub diff_a: AttrValue,
    /// See `diff_a`.
    pub diff_b: AttrValue,
    /// The editor's text (the `custom` column).
    pub text: AttrValue,
    /// The page's context (preset and `custom` columns).
    pub ctx: ById<Result<Context, String>>,
    /// An edit.
    pub on_edit: Callback<HostsEdit>,
}

/// The Hosts tab.
#[function_component(HostsPanel)]
pub fn hosts_panel(p: &HostsProps) -> Html {
    let custom = p.columns.iter().any(|c| c == CUSTOM);
    // The editor's text matters only to the custom column.
    let text = if custom {
        p.text.clone()
    } else {
        AttrValue::default()
    };
    let cols = use_memo(
        (p.columns.clone(), text, p.ctx.clone()),
        |(chosen, t, ctx)| hosts::columns(chosen, t, &ctx.0),
    );
    let cols = ById(cols);
    let m = use_memo(
        (p.calls.clone(), ById(cols.0.clone())),
        |(calls, cols)| match &*cols.0 {
            Ok(c) => hosts::decide(calls, c),
            Err(e) => Err(e.clone()),
        },
    );
    let names: Vec<String> = match &*cols.0 {
        Ok(c) => c.iter().map(|c| c.name.clone()).collect(),
        Err(_) => Vec::new(),
    };
    let pick = |v: &str, i: usize| {
        if names.iter().any(|n| n == v) {
            v.to_string()
        } else {
            names.get(i).cloned().unwrap_or_default()
        }
    };
    let (da, db) = (pick(&p.diff_a, 0), pick(&p.diff_b, 1));
    let d = use_memo(
        (ById(cols.0.clone()), da.clone(), db.clone()),
        |(cols, a, b)| match &*cols.0 {
            Ok(c) if c.len() >= 2 => Some(hosts::compare(c, a, b)),
            _ => None,
        },
    );
    let on_calls = {
        let on = p.on_edit.clone();
        Callback::from(move |e: InputEvent| {
            on.emit(HostsEdit::Calls(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };
    let on_diff = |f: fn(String) -> HostsEdit| {
        let on = p.on_edit.clone();
        Callback::from(move |e: Event| {
            on.emit(f(e.target_unchecked_into::<HtmlSelectElement>().value()))
        })
    };
    let choices = hosts::choices();
    let check = |name: &'static str, title: &str| {
        let on = p.on_edit.clone();
        let onchange = Callback::from(move |e: Event| {
            on.emit(HostsEdit::Column(
                name,
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        });
        let id = format!("mx-col-{}", name.replace(['@', '.'], "_"));
        html! {
            <label class="col-choice"><input type="checkbox" id={id} data-column={name} checked={p.columns.iter().any(|c| c == name)} {onchange} />{ format!(" {title}") }</label>
        }
    };
    let n_hosts = HOSTS.len();
    html! {
        <div class="hosts-panel" id="hosts-panel">
            <p class="hint">{ "The outcome a process sees for a call on each host: the filter's verdict (runc's ENOSYS stub first, then the rules), then the kernel's own ENOSYS when the host's kernel predates the call. A named host is an engine's default profile with its runtime release, libseccomp and kernel; a preset column and the custom one use the context above." }</p>
            <label for="mx-calls">{ "Calls (one per line, or separated by ;)" }</label>
            <textarea id="mx-calls" class="mx-calls" rows="3" spellcheck="false" autocomplete="off" value={p.calls.clone()} oninput={on_calls} />
            <details class="mx-columns" id="mx-columns">
                <summary id="mx-columns-summary">{ format!("Columns: {} chosen", p.columns.len()) }</summary>
                <fieldset>
                    <legend>{ "Named hosts" }</legend>
                    { for choices.iter().take(n_hosts).map(|(n, t)| check(n, t)) }
                </fieldset>
                <fieldset>
                    <legend>{ "Presets and the editor's profile, in the page's context" }</legend>
                    { for choices.iter().skip(n_hosts).map(|(n, t)| check(n, t)) }
                </fieldset>
            </details>
            { match &*m {
                Err(e) => html! { <p class="bad" id="mx-error" role="alert">{ e }</p> },
                Ok(m) => html! {
                    <>
                        <div class="scroll" tabindex="0" aria-label="Verdicts by host">
                            <table id="mx-table">
                                <thead><tr><th>{ "call" }</th>{ for m.columns.iter().map(|c| html! { <th scope="col">{ c }</th> }) }</tr></thead>
                                <tbody>
                                    { for m.rows.iter().map(|r| html! {
                                        <tr data-call={r.call.clone()} class={classes!(r.differ.then_some("differ"))}>
                                            <th scope="row"><code>{ &r.call }</code></th>
                                            { for r.cells.iter().map(cell) }
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                        </div>
                        if m.rows.iter().any(|r| r.differ) {
                            <h3>{ "Where they differ" }</h3>
                            <div id="mx-reasons">
                                { for m.rows.iter().filter(|r| r.differ).map(|r| html! {
                                    <div class="mx-reason" data-call={r.call.clone()}>
                                        <code>{ &r.call }</code>
                                        <ul>
                                            { for r.cells.iter().map(|c| html! {
                                                <li data-column={c.column.clone()}><b>{ &c.column }</b>{ format!(": {} — {}", c.outcome.label, c.reason) }</li>
                                            }) }
                                        </ul>
                                    </div>
                                }) }
                            </div>
                        }
                    </>
                },
            } }
            <h3>{ "Every syscall, between two columns" }</h3>
            if names.len() < 2 {
                <p class="hint" id="mx-diff-none">{ "Choose at least two columns to compare them." }</p>
            } else {
                <div class="row">
                    <label for="mx-diff-a">{ "A" }</label>
                    <select id="mx-diff-a" onchange={on_diff(HostsEdit::DiffA)}>
                        { for names.iter().map(|n| html! { <option value={n.clone()} selected={*n == da}>{ n }</option> }) }
                    </select>
                    <label for="mx-diff-b">{ "B" }</label>
                    <select id="mx-diff-b" onchange={on_diff(HostsEdit::DiffB)}>
                        { for names.iter().map(|n| html! { <option value={n.clone()} selected={*n == db}>{ n }</option> }) }
                    </select>
                </div>
                { match &*d {
                    Some(Ok(d)) => html! {
                        <>
                            <p class="summary" id="mx-diff-summary">{ format!("{} vs {}: {} syscalls compared, {} differ", d.a, d.b, d.compared, d.rows.len()) }</p>
                            if !d.rows.is_empty() {
                                <div class="scroll" tabindex="0" aria-label="Syscalls that differ">
                                    <table id="mx-diff">
                                        <thead><tr><th>{ "syscall" }</th><th>{ format!("A: {}", d.a) }</th><th>{ format!("B: {}", d.b) }</th></tr></thead>
                                        <tbody>
                                            { for d.rows.iter().map(|r| html! {
                                                <tr data-name={r.name}><td>{ r.name }</td><td class="v">{ &r.a }</td><td class="v">{ &r.b }</td></tr>
                                            }) }
                                        </tbody>
                                    </table>
                                </div>
                            }
                        </>
                    },
                    Some(Err(e)) => html! { <p class="bad" id="mx-diff-error" role="alert">{ e }</p> },
                    None => html! {},
                } }
            }
        </div>
    }
}

/// One outcome with who answered: `ERRNO(ENOSYS)` `kernel`.
fn cell(c: &Cell) -> Html {
    let class = match c.outcome.by {
        "kernel" => "errno",
        _ => model::action_class(Action::from_ret(c.filter_ret)),
    };
    html! {
        <td data-column={c.column.clone()} data-label={c.outcome.label.clone()} data-by={c.outcome.by} title={c.reason.clone()}>
            <span class={classes!("badge", class)}>{ &c.outcome.label }</span>
            <span class="by">{ format!(" [{}]", c.outcome.by) }</span>
        </td>
    }
}
