//! What the editor holds: the status line (compiled, unconfined, refused, a raw program) and
//! the diagnostics, collapsed to a count ("3 warnings, 18 notes") with warnings first.
use crate::model::Source;
use crate::util::{dec1, ById};
use seccplay_core::diag::{Diagnostic, Severity};
use yew::prelude::*;

/// Props of [`SourceInfo`].
#[derive(Properties, PartialEq)]
pub struct SourceInfoProps {
    /// What the editor holds.
    pub src: ById<Source>,
    /// Scrolls the editor to a line.
    pub on_reveal: Callback<u32>,
    /// Milliseconds of the last analysis (parse, resolve, build, compile).
    pub analysis_ms: f64,
    /// Milliseconds of the last table.
    pub table_ms: f64,
    /// The collapsed list of diagnostics is in the page: false for the first frame, which
    /// shows the verdict sooner without it (its summary, with the counts, is there; a refused
    /// profile's list, open, is always there).
    #[prop_or(true)]
    pub complete: bool,
}

/// `2 errors, 3 warnings, 18 notes` (what there is of each).
fn counts(ds: &[Diagnostic]) -> String {
    let n = |s: Severity| ds.iter().filter(|d| d.severity == s).count();
    let parts: Vec<String> = [
        (n(Severity::Error), "error"),
        (n(Severity::Warning), "warning"),
        (n(Severity::Note), "note"),
    ]
    .into_iter()
    .filter(|(k, _)| *k > 0)
    .map(|(k, w)| format!("{k} {w}{}", if k == 1 { "" } else { "s" }))
    .collect();
    if parts.is_empty() {
        "no diagnostics".into()
    } else {
        parts.join(", ")
    }
}

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Note => 2,
    }
}

/// The status line and the diagnostics.
#[function_component(SourceInfo)]
pub fn source_info(p: &SourceInfoProps) -> Html {
    match &*p.src.0 {
        Source::Profile(a) => {
            let status = if a.failed() {
                "The profile is refused: the container would not start.".to_string()
            } else if let Some(u) = &a.unconfined {
                format!("No filter: {u}.")
            } else if let Some(pg) = &a.program {
                format!("Compiled: {} instructions for {}.", pg.insns.len(), pg.arch)
            } else {
                String::new()
            };
            // The analysis's diagnostics, lint's execve check and, in the full build, its
            // review (the core's, as the CLI's; the first-load build leaves the review out).
            let all: Vec<Diagnostic> = a
                .diagnostics
                .iter()
                .cloned()
                .chain(a.execve_blocked())
                .chain(review(a))
                .collect();
            let mut ds: Vec<&Diagnostic> = all.iter().collect();
            seccplay_core::sort::sort_by_key(&mut ds, |d| rank(d.severity));
            let open = a.failed();
            if !(open || p.complete) {
                ds.clear();
            }
            html! {
                <div class="diags">
                    <p id="profile-status" class={classes!("status", a.failed().then_some("bad"))}
                        data-analysis-ms={dec1(p.analysis_ms)} data-table-ms={dec1(p.table_ms)}>
                        { status }
                        <span class="hint" id="analysis-time">{ format!(" (analysed in {} ms, table in {} ms)", dec1(p.analysis_ms), dec1(p.table_ms)) }</span>
                    </p>
                    <details class="diag-box" id="diagnostics-box" open={open}>
                        <summary id="diagnostics-summary">{ format!("Diagnostics: {}", counts(&all)) }</summary>
                        <ul id="diagnostics" data-testid="diagnostics">
                            { for ds.iter().map(|dg| {
                                let sev = match dg.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Note => "note" };
                                let line = dg.location.as_ref().map(|l| l.line);
                                let onclick = {
                                    let r = p.on_reveal.clone();
                                    Callback::from(move |_| if let Some(l) = line { r.emit(l) })
                                };
                                html! {
                                    <li class={sev} data-code={dg.code}>
                                        <span class="sev">{ sev }</span>
                                        if let Some(l) = &dg.location {
                                            <button class="loc link" {onclick} title="Show in the editor">
                                                { format!("{}:{}", l.line, l.column) }
                                                if !l.path.is_empty() { <span class="path">{ format!(" {}", l.path) }</span> }
                                            </button>
                                        }
                                        <span class="msg">{ format!(" {}", dg.message) }</span>
                                        if let Some(a) = dg.arch { <span class="arch">{ format!(" [{a}]") }</span> }
                                    </li>
                                }
                            }) }
                        </ul>
                    </details>
                </div>
            }
        }
        #[cfg(feature = "full")]
        Source::Bpf(r) => html! {
            <div class="diags"><p id="profile-status" class={classes!("status", r.refused().then_some("bad"))}
                data-analysis-ms={dec1(p.analysis_ms)} data-table-ms={dec1(p.table_ms)}>
                { r.status() }
                <span class="hint" id="analysis-time">{ format!(" (read and analysed in {} ms, table in {} ms)", dec1(p.analysis_ms), dec1(p.table_ms)) }</span>
            </p></div>
        },
        #[cfg(feature = "full")]
        Source::Loading => html! {
            <div class="diags"><p id="profile-status" class="status" role="status">{ crate::model::READING }</p></div>
        },
        Source::BpfError { .. }
        | Source::Strict { .. }
        | Source::TooLarge { .. }
        | Source::BadContext(_) => html! {},
    }
}

/// The core's review ([`seccplay_core::analysis::Analysis::review`]): in the full build only,
/// which replaces the first-load build once the first screen is idle.
fn review(a: &seccplay_core::analysis::Analysis) -> Vec<Diagnostic> {
    #[cfg(feature = "full")]
    return a.review();
    #[cfg(not(feature = "full"))]
    {
        let _ = a;
        Vec::new()
    }
}
