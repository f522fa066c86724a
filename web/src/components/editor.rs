//! The editor: a textarea over a layer of line marks (errors, warnings, the deciding rule),
//! with line numbers, a debounce before the text is committed, drop and paste handling.
use crate::model;
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The line height of the editor, in CSS pixels (style.css uses the same).
const LINE_PX: f64 = 18.0;
/// The editor's top padding.
const PAD_PX: f64 = 6.0;
/// The most line numbers the editor's gutter shows.
const MAX_GUTTER_LINES: usize = 50_000;
/// The debounce of editor input before the profile is recompiled.
pub const DEBOUNCE_MS: u32 = 150;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub text: String,
    pub marks: Vec<(u32, &'static str)>,
    pub on_commit: Callback<String>,
    pub on_file: Callback<web_sys::File>,
    /// Says why a paste was not let into the editor.
    pub on_refuse: Callback<String>,
    /// (line, nonce): scroll that line into view when the nonce changes.
    pub reveal: (u32, u32),
}

#[function_component(Editor)]
pub fn editor(p: &EditorProps) -> Html {
    let draft = use_state(|| p.text.clone());
    let timer = use_mut_ref(|| None::<Timeout>);
    let ta = use_node_ref();
    let gutter = use_node_ref();
    let layer = use_node_ref();
    {
        let draft = draft.clone();
        let timer = timer.clone();
        use_effect_with(p.text.clone(), move |t| {
            if *draft != *t {
                *timer.borrow_mut() = None;
                draft.set(t.clone());
            }
        });
    }
    let sync = {
        let (ta, gutter, layer) = (ta.clone(), gutter.clone(), layer.clone());
        Rc::new(move || {
            let Some(t) = ta.cast::<HtmlElement>() else {
                return;
            };
            let y = t.scroll_top();
            for r in [&gutter, &layer] {
                if let Some(e) = r.cast::<HtmlElement>() {
                    let _ = e
                        .style()
                        .set_property("transform", &format!("translateY({}px)", -y));
                }
            }
        })
    };
    {
        let ta = ta.clone();
        let sync = sync.clone();
        use_effect_with(p.reveal, move |(line, nonce)| {
            if *nonce > 0 && *line > 0 {
                if let Some(t) = ta.cast::<HtmlElement>() {
                    let y =
                        PAD_PX + (*line as f64 - 1.0) * LINE_PX - t.client_height() as f64 / 3.0;
                    t.set_scroll_top(y.max(0.0) as i32);
                    sync();
                }
            }
        });
    }
    let oninput = {
        let draft = draft.clone();
        let timer = timer.clone();
        let commit = p.on_commit.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            draft.set(v.clone());
            let commit = commit.clone();
            *timer.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || commit.emit(v)));
        })
    };
    let onscroll = {
        let sync = sync.clone();
        Callback::from(move |_: Event| sync())
    };
    // A paste above model::MAX_TEXT_BYTES never reaches the textarea (Chromium takes tens of
    // seconds to insert and lay out 20 MB in one): the page says why instead.
    let onpaste = {
        let refuse = p.on_refuse.clone();
        Callback::from(move |e: Event| {
            let e: web_sys::ClipboardEvent = e.unchecked_into();
            let Some(t) = e
                .clipboard_data()
                .and_then(|d| d.get_data("text/plain").ok())
            else {
                return;
            };
            if t.len() > model::MAX_TEXT_BYTES {
                e.prevent_default();
                refuse.emit(format!(
                    "{} It was not pasted.",
                    model::too_large_message("The pasted text", t.len())
                ));
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let f = p.on_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|l| l.get(0))
            {
                f.emit(file);
            }
        })
    };
    // Line numbers stop at MAX_GUTTER_LINES: a 20 MB paste must not lay out millions of them.
    let n =
        (draft.lines().count().max(1) + usize::from(draft.ends_with('\n'))).min(MAX_GUTTER_LINES);
    let mut numbers = String::with_capacity(n * 5);
    for i in 1..=n {
        numbers.push_str(&i.to_string());
        numbers.push('\n');
    }
    html! {
        <div class="editor" {ondragover} {ondrop} title="Drop a profile or a BPF program here">
            <div class="marks" ref={layer} aria-hidden="true">
                { for p.marks.iter().map(|(line, class)| html! {
                    <div class={classes!("mark", *class)} data-line={line.to_string()}
                        style={format!("top:{}px", PAD_PX as u32 + line.saturating_sub(1) * LINE_PX as u32)}></div>
                }) }
            </div>
            <pre class="gutter" ref={gutter} aria-hidden="true">{ numbers }</pre>
            <textarea id="profile-text" data-testid="profile-text" ref={ta} spellcheck="false" wrap="off"
                aria-label="Seccomp profile (JSON) or BPF program"
                value={(*draft).clone()} {oninput} {onscroll} {onpaste} />
        </div>
    }
}
