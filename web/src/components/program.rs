//! The program: its figures and downloads (raw, C array, hex).
use crate::model::Source;
use crate::util::{dec1, download, ById};
use seccplay_core::bpf::format::{self as bpf_format, ExportFormat};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgramProps {
    pub src: ById<Source>,
}

#[function_component(ProgramPanel)]
pub fn program_panel(p: &ProgramProps) -> Html {
    let stats = use_memo(p.src.clone(), |src| match &*src.0 {
        Source::Profile(a) => a.stats(),
        _ => None,
    });
    let Some((insns, endian)) = p.src.0.program() else {
        let why = p.src.0.no_verdicts().unwrap_or_else(|| match &*p.src.0 {
            Source::Strict => "No program: strict mode runs no filter.".into(),
            _ => "No program: this profile installs no filter (unconfined).".into(),
        });
        return html! { <p id="program-none">{ why }</p> };
    };
    let insns: Rc<Vec<_>> = Rc::new(insns.to_vec());
    let dl = |fmt: ExportFormat, name: &'static str, mime: &'static str| {
        let insns = insns.clone();
        Callback::from(move |_| download(name, &bpf_format::export_file(&insns, fmt, endian), mime))
    };
    html! {
        <div class="program-panel">
            <table class="stats" id="prog-stats">
                <tr><th>{ "instructions" }</th><td id="prog-insns">{ insns.len() }</td></tr>
                <tr><th>{ "bytes" }</th><td>{ insns.len() * 8 }</td></tr>
                if let Some(s) = &*stats {
                    <tr><th>{ "ABI measured" }</th><td>{ s.arch.to_string() }</td></tr>
                    <tr><th>{ "average executed" }</th><td>{ dec1(s.average_executed) }</td></tr>
                    <tr><th>{ "worst executed" }</th><td>{ s.worst_executed }</td></tr>
                }
            </table>
            <p class="hint">{ "Averages over every syscall of the native ABI with zero arguments." }</p>
            <div class="row">
                <button id="dl-raw" onclick={dl(ExportFormat::Raw, "filter.bpf", "application/octet-stream")}>{ "Download raw (.bpf)" }</button>
                <button id="dl-c" onclick={dl(ExportFormat::C, "filter.c", "text/x-c")}>{ "Download C array" }</button>
                <button id="dl-hex" onclick={dl(ExportFormat::Hex, "filter.hex", "text/plain")}>{ "Download hex" }</button>
            </div>
        </div>
    }
}
