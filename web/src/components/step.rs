//! Step through: the program's disassembly with the executed path, the registers, scratch
//! memory and the `seccomp_data` bytes read, one instruction at a time.
use crate::components::raw::StackChoice;
use crate::model::{self, Source};
use crate::util::ById;
use seccplay_core::analysis;
use seccplay_core::arch::Arch;
use seccplay_core::bpf::data::offset_name;
use seccplay_core::bpf::{disasm, interp::Trace};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct StepProps {
    pub src: ById<Source>,
    pub call: String,
    pub ip: String,
    pub abi: Arch,
    pub host: Arch,
}

#[function_component(StepPanel)]
pub fn step_panel(p: &StepProps) -> Html {
    // Which filter of a stack is stepped through (0 = the newest; a profile has one).
    let which = use_state_eq(|| 0usize);
    {
        let which = which.clone();
        use_effect_with(p.src.clone(), move |_| which.set(0));
    }
    let answers = use_memo(
        (p.src.clone(), p.call.clone(), p.ip.clone(), p.abi),
        |(src, call, ip, abi)| model::raw::stack_answers(&src.0, call, ip, *abi),
    );
    let trace = use_memo(
        (p.src.clone(), p.call.clone(), p.ip.clone(), p.abi, *which),
        |(src, call, ip, abi, which)| model::trace(&src.0, call, ip, *abi, *which),
    );
    let lines = use_memo((p.src.clone(), p.host, *which), |(src, host, which)| {
        src.0
            .program_at(*which)
            .map(|(insns, _)| disasm::human(insns, Some(*host)))
            .unwrap_or_default()
    });
    let choice = match &*answers {
        Some((rets, decided_by)) => {
            let w = which.clone();
            html! { <StackChoice rets={rets.clone()} decided_by={*decided_by} which={*which}
            on_pick={Callback::from(move |i: usize| w.set(i))} /> }
        }
        None => html! {},
    };
    let cur = use_state(|| 0usize);
    {
        let cur = cur.clone();
        use_effect_with(trace.clone(), move |_| cur.set(0));
    }
    let list = use_node_ref();
    {
        let list = list.clone();
        use_effect_with(*cur, move |_| {
            if let Some(l) = list.cast::<web_sys::Element>() {
                if let Ok(Some(e)) = l.query_selector(".current") {
                    let e: HtmlElement = e.unchecked_into();
                    if let Some(parent) = e.parent_element() {
                        let parent: HtmlElement = parent.unchecked_into();
                        parent.set_scroll_top(e.offset_top() - parent.client_height() / 3);
                    }
                }
            }
        });
    }
    let t: &Trace = match &*trace {
        Ok(t) => t,
        Err(e) => return html! { <>{ choice }<p class="bad" id="trace-error">{ e }</p></> },
    };
    let n = t.steps.len();
    let c = (*cur).min(n.saturating_sub(1));
    let go = |to: Rc<dyn Fn(usize) -> usize>| {
        let cur = cur.clone();
        Callback::from(move |_: MouseEvent| cur.set(to(*cur).min(n.saturating_sub(1))))
    };
    let onkeydown = {
        let cur = cur.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowDown" | "ArrowRight" | "j" => {
                e.prevent_default();
                cur.set((*cur + 1).min(n.saturating_sub(1)))
            }
            "ArrowUp" | "ArrowLeft" | "k" => {
                e.prevent_default();
                cur.set(cur.saturating_sub(1))
            }
            "End" => cur.set(n.saturating_sub(1)),
            "Home" => cur.set(0),
            _ => {}
        })
    };
    let step = &t.steps[c];
    // Inserted one by one: `collect` into a BTreeSet sorts first, a sort instance of its own.
    let mut executed = std::collections::BTreeSet::new();
    for s in &t.steps {
        executed.insert(s.pc);
    }
    let mut mem = [None::<u32>; 16];
    for s in &t.steps[..=c] {
        if let Some(w) = s.mem_write {
            mem[w.index as usize & 15] = Some(w.value);
        }
    }
    let endian = p
        .src
        .0
        .program()
        .map(|(_, e)| e)
        .unwrap_or(seccplay_core::arch::Endian::Little);
    let data = model::query(&p.call, &p.ip, p.abi)
        .map(|(_, q)| analysis::data_of(&q).to_bytes(endian))
        .unwrap_or([0; 64]);
    let read = step
        .read
        .as_ref()
        .map(|r| (r.offset as usize, r.offset as usize + r.width as usize));
    html! {
        <div class="step-panel" tabindex="0" {onkeydown} aria-label="Step through the program (arrow keys)">
            { choice }
            <div class="row">
                <button id="step-first" onclick={go(Rc::new(|_| 0))} title="Home">{ "|◀ first" }</button>
                <button id="step-prev" onclick={go(Rc::new(|c: usize| c.saturating_sub(1)))} title="← or k">{ "◀ back" }</button>
                <button id="step-next" onclick={go(Rc::new(|c: usize| c + 1))} title="→ or j">{ "forward ▶" }</button>
                <button id="step-return" onclick={go(Rc::new(|_| usize::MAX))} title="End">{ "to the return ▶|" }</button>
                <span id="step-pos" class="hint">{ format!("step {} of {} — instruction {:04}", c + 1, n, step.pc) }</span>
                <span class="hint">{ format!(" → returns {}", analysis::describe_action(t.ret)) }</span>
            </div>
            <div class="step-grid">
                <ol class="disasm" id="disasm" ref={list} tabindex="0" aria-label="Disassembly, the executed path marked">
                    { for lines.iter().map(|l| html! {
                        <li class={classes!(executed.contains(&l.pc).then_some("executed"), (l.pc == step.pc).then_some("current"))} data-pc={l.pc.to_string()}>
                            <span class="pc">{ format!("{:04}", l.pc) }</span>
                            <span class="txt">{ &l.text }</span>
                            if let Some(cm) = &l.comment { <span class="cm">{ format!(" # {cm}") }</span> }
                        </li>
                    }) }
                </ol>
                <div class="regs" id="registers">
                    <table>
                        <tr><th>{ "A" }</th><td id="reg-a">{ format!("{:#010x}", step.a) }</td></tr>
                        <tr><th>{ "X" }</th><td id="reg-x">{ format!("{:#010x}", step.x) }</td></tr>
                        { for mem.iter().enumerate().filter_map(|(i, m)| m.map(|v| html! { <tr><th>{ format!("M[{i}]") }</th><td>{ format!("{v:#010x}") }</td></tr> })) }
                    </table>
                    if let Some(r) = &step.read {
                        <p id="data-read">{ format!("read {} = {:#010x} (bytes {}..{})", r.field, r.value, r.offset, r.offset + r.width as u32) }</p>
                    }
                    if let Some(b) = &step.branch {
                        <p>{ format!("jump {}→ {:04}", b.cond.map(|c| if c { "(true) " } else { "(false) " }).unwrap_or(""), b.target) }</p>
                    }
                    if let Some(r) = step.ret { <p id="step-ret"><b>{ format!("return {}", analysis::describe_action(r)) }</b></p> }
                    if let Some(nt) = step.note { <p class="hint">{ nt }</p> }
                    <p class="hint">{ "seccomp_data" }</p>
                    <div class="bytes" id="data-bytes">
                        { for (0..16).map(|w| html! {
                            <div class="word" title={offset_name(w as u32 * 4, endian)}>
                                <span class="off">{ format!("{:02}", w * 4) }</span>
                                { for (0..4).map(|k| { let i = w * 4 + k; html! {
                                    <span class={classes!("byte", read.filter(|(a, b)| i >= *a && i < *b).map(|_| "hit"))}>{ format!("{:02x}", data[i]) }</span>
                                }}) }
                            </div>
                        }) }
                    </div>
                </div>
            </div>
        </div>
    }
}
