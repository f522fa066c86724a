//! The profile's toolbar: the preset menu (which says "custom" once the text is edited, with a
//! way back to the preset), open, download, and the share link with its confirmation.
use crate::model;
use crate::util::download;
use seccplay_core::presets;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Props of [`ProfileToolbar`].
#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// The preset the text came from (`""`: none).
    pub preset: String,
    /// The text differs from the preset's.
    pub edited: bool,
    /// The editor's text (for Download).
    pub text: AttrValue,
    /// A preset was chosen (also the way back to an edited preset).
    pub on_preset: Callback<String>,
    /// A file was chosen.
    pub on_file: Callback<web_sys::File>,
    /// Makes the share link of the current state (or says why there is none).
    pub make_link: Callback<(), Result<String, String>>,
}

/// The toolbar above the editor.
#[function_component(ProfileToolbar)]
pub fn profile_toolbar(p: &ToolbarProps) -> Html {
    let file_ref = use_node_ref();
    // The link, and whether it reached the clipboard.
    let link = use_state(|| None::<(String, bool)>);
    let on_preset = {
        let f = p.on_preset.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if !v.is_empty() {
                f.emit(v);
            }
        })
    };
    let on_back = {
        let f = p.on_preset.clone();
        let name = p.preset.clone();
        Callback::from(move |_| f.emit(name.clone()))
    };
    let on_open = {
        let r = file_ref.clone();
        Callback::from(move |_| {
            if let Some(i) = r.cast::<HtmlInputElement>() {
                i.click();
            }
        })
    };
    let on_chosen = {
        let f = p.on_file.clone();
        Callback::from(move |e: Event| {
            let i = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(file) = i.files().and_then(|l| l.get(0)) {
                f.emit(file);
            }
            i.set_value("");
        })
    };
    let on_download = {
        let text = p.text.clone();
        let name = if p.preset.is_empty() || p.edited {
            "profile".to_string()
        } else {
            p.preset.clone()
        };
        Callback::from(move |_| {
            let (file, mime) = model::download_name(&name, &text);
            download(&file, text.as_bytes(), mime);
        })
    };
    let on_share = {
        let link = link.clone();
        let make = p.make_link.clone();
        Callback::from(move |_| match make.emit(()) {
            Ok(url) => {
                let clip = gloo::utils::window().navigator().clipboard();
                let _ = clip.write_text(&url);
                link.set(Some((url, true)));
            }
            Err(why) => link.set(Some((why, false))),
        })
    };
    let title = presets::find(&p.preset).map(|i| presets::MENU[i].title);
    let custom = p.preset.is_empty() || p.edited;
    html! {
        <div class="toolbar">
            <label for="preset">{ "Preset" }</label>
            // Keyed by what it shows: a fresh element takes its options' `selected` as the
            // selection (a select the user changed ignores later `selected` attributes).
            <select key={format!("{}|{custom}", p.preset)} id="preset" data-testid="preset" onchange={on_preset}>
                <option value="" selected={custom}>
                    { match (title, p.edited) { (Some(t), true) => format!("(custom: edited {t})"), _ => "(custom)".to_string() } }
                </option>
                { for presets::MENU.iter().map(|pr| html! {
                    <option value={pr.name} selected={!custom && p.preset == pr.name} title={pr.description}>{ pr.title }</option>
                }) }
            </select>
            if let (Some(t), true) = (title, p.edited) {
                <button id="preset-back" onclick={on_back} title="Discard the edits and load the preset again">{ format!("↺ back to {t}") }</button>
            }
            <button id="open-file" onclick={on_open} title="Open a profile or a BPF program (raw, hex, C array, base64)">{ "Open…" }</button>
            <input type="file" id="file-input" ref={file_ref} class="hidden" onchange={on_chosen} aria-label="Profile or program file" />
            <button id="download-profile" onclick={on_download}>{ "Download" }</button>
            <button id="share" data-testid="share" onclick={on_share} title="Put the whole state in a link">{ "Share link" }</button>
            if let Some((text, ok)) = &*link {
                if *ok {
                    <input id="share-link" data-testid="share-link" readonly=true value={text.clone()} aria-label="Link to this view (copied)" />
                    <span id="share-status" class="ok" role="status">{ "✓ Link copied" }</span>
                } else {
                    <span id="share-status" class="bad" role="status">{ text.clone() }</span>
                }
            }
        </div>
    }
}
