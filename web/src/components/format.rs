//! Which format the editor's text was read as: the core's detection (the one
//! `frontend::read_one` applies for the analysis and the CLI), with systemd's release for a unit.

use crate::model;
use yew::prelude::*;

/// Props of [`FormatRead`].
#[derive(Properties, PartialEq)]
pub struct FormatReadProps {
    /// What the editor holds.
    pub text: AttrValue,
}

/// "Read as: …" for a policy; nothing for a raw BPF program.
#[function_component(FormatRead)]
pub fn format_read(p: &FormatReadProps) -> Html {
    let label = use_memo(p.text.clone(), |t| model::format_read(t));
    match &*label {
        Some(l) => {
            html! { <p class="hint format-read" id="format-read">{ format!("Read as: {l}") }</p> }
        }
        None => html! {},
    }
}
