//! The program: its disassembly, its figures and downloads (raw, C array, hex).
use crate::model::Source;
use crate::util::{dec1, download, ById};
use seccplay_core::arch::Arch;
use seccplay_core::bpf::disasm;
use seccplay_core::bpf::format::{self as bpf_format, ExportFormat};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct ProgramProps {
    pub src: ById<Source>,
    /// The host: the disassembly names its syscall numbers.
    pub host: Arch,
}

#[function_component(ProgramPanel)]
pub fn program_panel(p: &ProgramProps) -> Html {
    let stats = use_memo(p.src.clone(), |src| match &*src.0 {
        Source::Profile(a) => a.stats(),
        _ => None,
    });
    let lines = use_memo((p.src.clone(), p.host), |(src, host)| {
        src.0
            .program()
            .map(|(insns, _)| disasm::human(insns, Some(*host)))
            .unwrap_or_default()
    });
    let Some((insns, endian)) = p.src.0.program() else {
        let why = p.src.0.no_verdicts().unwrap_or_else(|| match &*p.src.0 {
            Source::Strict { .. } => "No program: strict mode runs no filter.".into(),
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
                    <tr><th>{ "average executed (zero arguments)" }</th><td>{ dec1(s.average_executed) }</td></tr>
                    <tr><th>{ "most executed (zero arguments)" }</th><td>{ s.most_executed }</td></tr>
                    <tr><th>{ "worst (any arguments)" }</th><td id="prog-worst">{ s.worst }</td></tr>
                }
            </table>
            <p class="hint">{ "Over every syscall of the native ABI: with zero arguments, and the worst case (the most instructions a syscall can execute over every argument value, the table's \"worst\" column)." }</p>
            <div class="row">
                <button id="dl-raw" onclick={dl(ExportFormat::Raw, "filter.bpf", "application/octet-stream")}>{ "Download raw (.bpf)" }</button>
                <button id="dl-c" onclick={dl(ExportFormat::C, "filter.c", "text/x-c")}>{ "Download C array" }</button>
                <button id="dl-hex" onclick={dl(ExportFormat::Hex, "filter.hex", "text/plain")}>{ "Download hex" }</button>
            </div>
            <h3>{ "Disassembly" }</h3>
            <ol class="disasm" id="prog-disasm" tabindex="0" aria-label="The program's instructions">
                { for lines.iter().map(|l| html! {
                    <li data-pc={l.pc.to_string()}>
                        <span class="pc">{ format!("{:04}", l.pc) }</span>
                        <span class="txt">{ &l.text }</span>
                        if let Some(cm) = &l.comment { <span class="cm">{ format!(" # {cm}") }</span> }
                    </li>
                }) }
            </ol>
        </div>
    }
}
