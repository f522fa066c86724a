//! The table: every syscall of the ABI with its verdict, cache status and cost, filtered and
//! searched; a click on a name simulates it.
use crate::model::{self, Rows};
use crate::util::ById;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Props of [`TablePanel`].
#[derive(Properties, PartialEq)]
pub struct TableProps {
    /// The rows.
    pub rows: ById<Rows>,
    /// A syscall name was picked (to simulate).
    pub on_pick: Callback<&'static str>,
    /// The filter (`all`, `allowed`, `conditional`, `blocked`): part of the state and the link.
    pub filter: AttrValue,
    /// The search text: part of the state and the link.
    pub search: AttrValue,
    /// The filter (first) or the search (second) changed.
    pub on_edit: Callback<(bool, String)>,
}

/// The table tab.
#[function_component(TablePanel)]
pub fn table_panel(p: &TableProps) -> Html {
    let (filter, search) = (&p.filter, &p.search);
    let t = &*p.rows.0;
    let q = search.to_ascii_lowercase();
    let shown: Vec<&model::Row> = t
        .rows
        .iter()
        .filter(|r| filter == "all" || r.kind == filter.as_str())
        .filter(|r| {
            q.is_empty()
                || r.name.contains(&q)
                || r.nr.to_string() == q
                || r.verdict.to_ascii_lowercase().contains(&q)
                || r.why.to_ascii_lowercase().contains(&q)
        })
        .collect();
    let on_filter = p
        .on_edit
        .reform(|e: Event| (true, e.target_unchecked_into::<HtmlSelectElement>().value()));
    let on_search = p
        .on_edit
        .reform(|e: InputEvent| (false, e.target_unchecked_into::<HtmlInputElement>().value()));
    if let Some(why) = &t.none {
        return html! { <p class="bad" id="table-none" role="status">{ why }</p> };
    }
    let cached = t.rows.iter().filter(|r| r.cached == Some(true)).count();
    let older = t.rows.iter().filter(|r| r.older_libseccomp).count();
    html! {
        <div class="table-panel">
            <p class="summary" id="table-summary">{ &t.summary }</p>
            <p class="counts">
                <span class="badge allow">{ "allowed " }<b id="count-allowed">{ t.allowed }</b></span>
                <span class="badge other">{ "conditional " }<b id="count-conditional">{ t.conditional }</b></span>
                <span class="badge errno">{ "blocked " }<b id="count-blocked" data-testid="count-blocked">{ t.blocked }</b></span>
                <span class="hint" id="cache-note">{
                    if t.action_cache {
                        format!(" {cached} answered by the kernel's cache without running the filter")
                    } else {
                        " no constant-action cache before Linux 5.11: the filter runs on every syscall".to_string()
                    }
                }</span>
            </p>
            if older > 0 {
                <p class="hint caveat" id="older-libseccomp-rows">{ format!("† {older} syscall(s) newer than libseccomp 2.5.x: hosts with it (Debian 12, Ubuntu 22.04 and 24.04, RHEL 9) leave their rules out, so there they get runc's ENOSYS stub or the default action.") }</p>
            }
            <div class="row">
                <label for="table-filter">{ "Show" }</label>
                <select id="table-filter" onchange={on_filter}>
                    { for ["all", "allowed", "conditional", "blocked"].iter().map(|k| html! { <option value={*k} selected={filter == *k}>{ *k }</option> }) }
                </select>
                <label for="table-search">{ "Search" }</label>
                <input id="table-search" type="search" value={search.clone()} oninput={on_search} placeholder="name, number, action or why" />
                <span class="hint" id="table-shown">{ format!("{} shown", shown.len()) }</span>
            </div>
            <div class="scroll" tabindex="0" aria-label="Every syscall of the ABI">
                <table id="syscall-table" data-testid="syscall-table">
                    <thead><tr><th>{ "nr" }</th><th>{ "syscall" }</th><th>{ "verdict" }</th><th title="kernel's constant-action cache">{ "cached" }</th><th title="instructions executed with zero arguments">{ "cost" }</th><th title="worst case: the most instructions this syscall can execute over every argument value">{ "worst" }</th><th>{ "why" }</th></tr></thead>
                    <tbody>
                        { for shown.iter().map(|r| {
                            let onclick = {
                                let pick = p.on_pick.clone();
                                let name = r.name;
                                Callback::from(move |_| pick.emit(name))
                            };
                            html! {
                                <tr class={r.kind} data-name={r.name}>
                                    <td class="num">{ r.nr }</td>
                                    <td><button class="link" {onclick} title="Simulate this syscall">{ r.name }</button>
                                        if r.older_libseccomp { <span class="older" title="newer than libseccomp 2.5.x">{ " †" }</span> }</td>
                                    <td class="v">{ &r.verdict }</td>
                                    <td>{ match r.cached { Some(true) => "yes", Some(false) => "", None => "–" } }</td>
                                    <td class="num">{ r.cost.map(|c| c.to_string()).unwrap_or_default() }</td>
                                    <td class="num">{ r.worst.map(|c| c.to_string()).unwrap_or_default() }</td>
                                    <td class="why">{ &r.why }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
