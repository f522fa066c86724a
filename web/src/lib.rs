//! The seccplay playground (Yew, client-side only): a thin shell over seccplay-core.
//!
//! [`state`] is everything a person sets (and its URL form), [`model`] derives what to show
//! from it with the core, and the components below render it. `main.rs` only renders [`App`].
pub mod model;
pub mod state;

use gloo::file::callbacks::FileReader;
use gloo::timers::callback::Timeout;
use model::{Rows, Shown, Source};
use seccplay_core::arch::Arch;
use seccplay_core::bpf::data::offset_name;
use seccplay_core::bpf::format::{self as bpf_format, ExportFormat};
use seccplay_core::bpf::{disasm, interp::Trace};
use seccplay_core::context::{ALL_CAPS, DOCKER_DEFAULT_CAPS};
use seccplay_core::diag::Severity;
use seccplay_core::{analysis, presets, syscalls};
use state::State;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// An edit of the state, applied by the reducer to the latest state.
#[derive(Clone)]
pub struct Edit(pub Rc<dyn Fn(&mut State)>);

impl Reducible for State {
    type Action = Edit;
    fn reduce(self: Rc<Self>, action: Edit) -> Rc<Self> {
        let mut s = (*self).clone();
        (action.0)(&mut s);
        if s == *self {
            self
        } else {
            Rc::new(s)
        }
    }
}

type Dispatch = UseReducerDispatcher<State>;

fn edit(d: &Dispatch, f: impl Fn(&mut State) + 'static) {
    d.dispatch(Edit(Rc::new(f)));
}

/// A value compared by identity (derived values that are expensive to compare).
#[derive(Clone)]
pub struct ById<T>(pub Rc<T>);

impl<T> PartialEq for ById<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The line height of the editor, in CSS pixels (style.css uses the same).
const LINE_PX: f64 = 18.0;
/// The editor's top padding.
const PAD_PX: f64 = 6.0;
/// The most line numbers the editor's gutter shows.
const MAX_GUTTER_LINES: usize = 50_000;
/// The debounce of editor input before the profile is recompiled.
pub const DEBOUNCE_MS: u32 = 150;

/// The state the page starts from: the URL fragment, else the last session, else the default.
pub fn initial_state() -> State {
    let hash = gloo::utils::window().location().hash().unwrap_or_default();
    if hash.len() > 1 {
        if let Ok(s) = State::from_fragment(&hash) {
            return s;
        }
    }
    if let Some(f) = storage().and_then(|st| st.get_item(STORAGE_KEY).ok().flatten()) {
        // (Sessions saved by an earlier build hold the fragment as a JSON string: quoted.)
        if let Ok(s) = State::from_fragment(f.trim_matches('"')) {
            return s;
        }
    }
    State::default()
}

const STORAGE_KEY: &str = "seccplay.state";

fn storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

/// Milliseconds since the page started (`performance.now()`).
fn now_ms() -> f64 {
    gloo::utils::window()
        .performance()
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// `x` with one decimal (`4.2`), without pulling float formatting into the wasm.
fn dec1(x: f64) -> String {
    let tenths = (x * 10.0).round().max(0.0) as u64;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Offers bytes as a file download (a blob URL: nothing leaves the browser).
fn download(name: &str, bytes: &[u8], mime: &str) {
    let blob = gloo::file::Blob::new_with_options(bytes, Some(mime));
    let url = gloo::file::ObjectUrl::from(blob);
    let doc = gloo::utils::document();
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    Timeout::new(2000, move || drop(url)).forget();
}

/// Turns a file's bytes into editor text (binary BPF becomes hex).
fn file_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(t) if !t.chars().any(|c| c.is_control() && !c.is_whitespace()) => t.to_string(),
        _ => bpf_format::bytes_to_hex(bytes),
    }
}

/// The application.
#[function_component(App)]
pub fn app() -> Html {
    let st = use_reducer(initial_state);
    let d = st.dispatcher();
    let s: &State = &st;
    let reveal = use_state(|| (0u32, 0u32));
    let reader = use_mut_ref(|| None::<FileReader>);
    // Why the last paste, drop or opened file was not loaded (above model::MAX_TEXT_BYTES).
    let refused = use_state(|| None::<String>);

    let (ctx, ctx_errors) = model::context(s);
    let host = ctx.host_arch;
    let abi = model::abi(s);
    // How long the last analysis and table took (shown, and read by the e2e benchmark).
    let timing = use_mut_ref(|| (0.0f64, 0.0f64));
    let src = {
        let timing = timing.clone();
        use_memo(
            (s.text.clone(), s.strict, ctx.clone()),
            move |(t, strict, c)| {
                let t0 = now_ms();
                let r = model::analyze(t, *strict, c);
                timing.borrow_mut().0 = now_ms() - t0;
                r
            },
        )
    };
    let srcid = ById(src.clone());
    let shown = use_memo(
        (srcid.clone(), s.call.clone(), s.ip.clone(), abi, host),
        |(src, call, ip, abi, host)| model::simulate(&src.0, call, ip, *abi, *host),
    );
    let rows = {
        let timing = timing.clone();
        use_memo((srcid.clone(), abi, host), move |(src, abi, host)| {
            let t0 = now_ms();
            let r = model::table(&src.0, *abi, *host);
            timing.borrow_mut().1 = now_ms() - t0;
            r
        })
    };
    let (analysis_ms, table_ms) = *timing.borrow();

    // The URL fragment and the last session follow the state (not text too large to analyse:
    // compressing megabytes on every change would stall the page; the link is cleared instead).
    use_effect_with((*st).clone(), |s| {
        let f = if s.text.len() > model::MAX_TEXT_BYTES {
            String::new()
        } else {
            s.to_fragment()
        };
        if let Ok(h) = gloo::utils::window().history() {
            let _ =
                h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{f}")));
        }
        if let Some(st) = storage() {
            let _ = st.set_item(STORAGE_KEY, &f);
        }
    });

    let load_file = {
        let d = d.clone();
        let reader = reader.clone();
        let refused = refused.clone();
        Callback::from(move |file: web_sys::File| {
            let d = d.clone();
            let name = file.name();
            // Not read at all when too large: a textarea holding megabytes stalls the tab.
            let size = file.size() as usize;
            if size > model::MAX_TEXT_BYTES {
                refused.set(Some(format!(
                    "{} It was not loaded.",
                    model::too_large_message(&name, size)
                )));
                return;
            }
            refused.set(None);
            let task = gloo::file::callbacks::read_as_bytes(&file.into(), move |r| {
                if let Ok(bytes) = r {
                    let t = file_text(&bytes);
                    let _ = &name;
                    edit(&d, move |s| {
                        s.text = t.clone();
                        s.preset.clear();
                        s.strict = false;
                    });
                }
            });
            *reader.borrow_mut() = Some(task);
        })
    };
    let on_refuse = {
        let refused = refused.clone();
        Callback::from(move |why: String| refused.set(Some(why)))
    };
    let on_commit = {
        let d = d.clone();
        let refused = refused.clone();
        Callback::from(move |t: String| {
            refused.set(None);
            edit(&d, move |s| {
                s.text = t.clone();
                s.strict = false;
            })
        })
    };
    let do_reveal = {
        let reveal = reveal.clone();
        Callback::from(move |line: u32| reveal.set((line, reveal.1 + 1)))
    };

    // Marks in the editor: errors and warnings at their lines, the deciding rule.
    let mut marks: Vec<(u32, &'static str)> = Vec::new();
    if let Source::Profile(a) = &*src {
        for dg in &a.diagnostics {
            if let Some(l) = &dg.location {
                let c = match dg.severity {
                    Severity::Error => "m-error",
                    Severity::Warning => "m-warning",
                    Severity::Note => continue,
                };
                marks.push((l.line, c));
            }
        }
    }
    if let Source::BpfError { line: Some(l), .. } = &*src {
        marks.push((*l as u32, "m-error"));
    }
    if let Ok(v) = &*shown {
        if let Some(l) = v.line {
            marks.push((l, "m-rule"));
        }
    }
    let first_error: Option<String> = match &*src {
        Source::Profile(a) => a.first_error().map(|e| e.to_string()),
        Source::BpfError { message, line, col } => Some(match (line, col) {
            (Some(l), Some(c)) => format!("{l}:{c}: {message}"),
            _ => message.clone(),
        }),
        Source::TooLarge { bytes } => Some(model::too_large_message("The text", *bytes)),
        _ => None,
    };

    let tab = s.tab.clone();
    let set_tab = |name: &'static str| {
        let d = d.clone();
        Callback::from(move |_| edit(&d, move |s| s.tab = name.into()))
    };
    let tabs = [
        ("table", "Table"),
        ("step", "Step through"),
        ("program", "Program"),
        ("compare", "Compare"),
        ("about", "About"),
    ];

    html! {
        <main id="app">
            <header class="top">
                <h1>{ "seccplay" }</h1>
                <p class="tagline">{ seccplay_core::TAGLINE }</p>
                <p class="offline" id="offline-note">{ "Runs entirely in your browser: after the page has loaded, nothing is sent anywhere." }</p>
            </header>
            <div class="columns">
                <section class="col left" aria-label="Profile">
                    <ProfileToolbar state={(*st).clone()} dispatch={d.clone()} on_file={load_file.clone()} />
                    if s.strict {
                        <div class="strict-note" id="strict-note">
                            { "Strict mode (SECCOMP_MODE_STRICT, prctl(PR_SET_SECCOMP, 1)) has no filter: read, write, _exit and sigreturn are allowed, anything else kills the thread with SIGKILL. Choose another preset, or type below to use a profile." }
                        </div>
                    }
                    <Editor text={s.text.clone()} marks={marks} on_commit={on_commit} on_file={load_file} on_refuse={on_refuse} reveal={*reveal} />
                    if let Some(why) = &*refused {
                        <p class="editor-error" id="input-refused" role="alert">{ why }</p>
                    }
                    if let Some(e) = &first_error {
                        <p class="editor-error" id="editor-error" role="alert">{ e }</p>
                    }
                    <SourceInfo src={srcid.clone()} on_reveal={do_reveal.clone()} {analysis_ms} {table_ms} />
                </section>
                <section class="col right" aria-label="Context and simulation">
                    <ContextPanel state={(*st).clone()} dispatch={d.clone()} errors={ctx_errors} />
                    <SimPanel state={(*st).clone()} dispatch={d.clone()} shown={shown.clone()} on_reveal={do_reveal.clone()} />
                </section>
            </div>
            <nav class="tabs" role="tablist">
                { for tabs.iter().map(|(id, label)| html! {
                    <button role="tab" id={format!("tab-{id}")} data-testid={format!("tab-{id}")}
                        aria-selected={(tab == *id).to_string()} class={classes!((tab == *id).then_some("active"))}
                        onclick={set_tab(id)}>{ *label }</button>
                }) }
            </nav>
            <section class="panel" role="tabpanel" id={format!("panel-{tab}")}>
                { match tab.as_str() {
                    "step" => html! { <StepPanel src={srcid.clone()} call={s.call.clone()} ip={s.ip.clone()} abi={abi} host={host} /> },
                    "program" => html! { <ProgramPanel src={srcid.clone()} /> },
                    "compare" => html! { <ComparePanel state={(*st).clone()} dispatch={d.clone()} rows={ById(rows.clone())} /> },
                    "about" => about(),
                    _ => html! { <TablePanel rows={ById(rows.clone())} dispatch={d.clone()} /> },
                } }
            </section>
            <footer>{ "seccplay — a seccomp playground. The profile, the program and every result are computed in this page (WebAssembly)." }</footer>
        </main>
    }
}

// ----------------------------------------------------------------------------------------------
// Profile: presets, open, download, share

#[derive(Properties, PartialEq)]
struct ToolbarProps {
    state: State,
    dispatch: Dispatch,
    on_file: Callback<web_sys::File>,
}

#[function_component(ProfileToolbar)]
fn profile_toolbar(p: &ToolbarProps) -> Html {
    let file_ref = use_node_ref();
    let link = use_state(String::new);
    let on_preset = {
        let d = p.dispatch.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if !v.is_empty() {
                edit(&d, move |s| s.load_preset(&v));
            }
        })
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
        let text = p.state.text.clone();
        let name = if p.state.preset.is_empty() {
            "profile".to_string()
        } else {
            p.state.preset.clone()
        };
        Callback::from(move |_| {
            let json = model::looks_like_profile(&text);
            let file = if json {
                format!("{name}.json")
            } else {
                format!("{name}.txt")
            };
            download(
                &file,
                text.as_bytes(),
                if json {
                    "application/json"
                } else {
                    "text/plain"
                },
            );
        })
    };
    let on_share = {
        let link = link.clone();
        let state = p.state.clone();
        Callback::from(move |_| {
            if state.text.len() > model::MAX_TEXT_BYTES {
                link.set(format!(
                    "(no link: {} — download the file instead)",
                    model::too_large_message("The text", state.text.len())
                ));
                return;
            }
            let frag = state.to_fragment();
            let loc = gloo::utils::window().location();
            let base = format!(
                "{}{}",
                loc.origin().unwrap_or_default(),
                loc.pathname().unwrap_or_default()
            );
            let url = format!("{base}#{frag}");
            let clip = gloo::utils::window().navigator().clipboard();
            let _ = clip.write_text(&url);
            link.set(url);
        })
    };
    html! {
        <div class="toolbar">
            <label for="preset">{ "Preset" }</label>
            <select id="preset" data-testid="preset" onchange={on_preset}>
                <option value="" selected={p.state.preset.is_empty()}>{ "(custom)" }</option>
                { for presets::ALL.iter().map(|pr| html! {
                    <option value={pr.name} selected={p.state.preset == pr.name} title={pr.description}>{ pr.title }</option>
                }) }
            </select>
            <button id="open-file" onclick={on_open} title="Open a profile or a BPF program (raw, hex, C array, base64)">{ "Open…" }</button>
            <input type="file" id="file-input" ref={file_ref} class="hidden" onchange={on_chosen} aria-label="Profile or program file" />
            <button id="download-profile" onclick={on_download}>{ "Download" }</button>
            <button id="share" data-testid="share" onclick={on_share} title="Put the whole state in a link">{ "Share link" }</button>
            if !link.is_empty() {
                <input id="share-link" data-testid="share-link" readonly=true value={(*link).clone()} aria-label="Link to this view (copied)" />
            }
        </div>
    }
}

// ----------------------------------------------------------------------------------------------
// Editor

#[derive(Properties, PartialEq)]
struct EditorProps {
    text: String,
    marks: Vec<(u32, &'static str)>,
    on_commit: Callback<String>,
    on_file: Callback<web_sys::File>,
    /// Says why a paste was not let into the editor.
    on_refuse: Callback<String>,
    /// (line, nonce): scroll that line into view when the nonce changes.
    reveal: (u32, u32),
}

#[function_component(Editor)]
fn editor(p: &EditorProps) -> Html {
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

// ----------------------------------------------------------------------------------------------
// Diagnostics and what the editor holds

#[derive(Properties, PartialEq)]
struct SourceInfoProps {
    src: ById<Source>,
    on_reveal: Callback<u32>,
    /// Milliseconds of the last analysis (parse, resolve, build, compile) and table.
    analysis_ms: f64,
    table_ms: f64,
}

#[function_component(SourceInfo)]
fn source_info(p: &SourceInfoProps) -> Html {
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
            html! {
                <div class="diags">
                    <p id="profile-status" class={classes!("status", a.failed().then_some("bad"))}
                        data-analysis-ms={dec1(p.analysis_ms)} data-table-ms={dec1(p.table_ms)}>
                        { status }
                        <span class="hint" id="analysis-time">{ format!(" (analysed in {} ms, table in {} ms)", dec1(p.analysis_ms), dec1(p.table_ms)) }</span>
                    </p>
                    <ul id="diagnostics" data-testid="diagnostics">
                        { for a.diagnostics.iter().map(|dg| {
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
                </div>
            }
        }
        Source::Bpf { insns, format } => html! {
            <div class="diags"><p id="profile-status" class="status">
                { format!("A raw BPF program ({format:?}, {} instructions): simulated as is, without a profile.", insns.len()) }
            </p></div>
        },
        Source::BpfError { .. } | Source::Strict | Source::TooLarge { .. } => html! {},
    }
}

// ----------------------------------------------------------------------------------------------
// Context

#[derive(Properties, PartialEq)]
struct CtxProps {
    state: State,
    dispatch: Dispatch,
    errors: Vec<String>,
}

#[function_component(ContextPanel)]
fn context_panel(p: &CtxProps) -> Html {
    let s = &p.state;
    let d = &p.dispatch;
    let on_host = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            edit(&d, move |s| {
                s.host = v.clone();
                if let Some(a) = Arch::from_docker_host(&v) {
                    s.abi = a.name().into();
                }
            })
        })
    };
    let on_text = |f: fn(&mut State, String)| {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            edit(&d, move |s| f(s, v.clone()))
        })
    };
    let on_check = |f: fn(&mut State, bool)| {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().checked();
            edit(&d, move |s| f(s, v))
        })
    };
    let on_runtime = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            edit(&d, move |s| s.runtime = v.clone())
        })
    };
    let reset_caps = {
        let d = d.clone();
        Callback::from(move |_| {
            edit(&d, |s| {
                s.caps = DOCKER_DEFAULT_CAPS.iter().map(|c| c.to_string()).collect();
                s.caps.sort();
                s.privileged = false;
            })
        })
    };
    html! {
        <fieldset class="context" id="context">
            <legend>{ "Context (docker run)" }</legend>
            <div class="row">
                <label for="host-arch">{ "Host" }</label>
                <select id="host-arch" data-testid="host-arch" onchange={on_host}>
                    { for Arch::ALL.iter().filter_map(|a| a.docker_host_name().map(|n| (a, n))).map(|(a, n)| html! {
                        <option value={n} selected={s.host == n}>{ format!("{n} ({a})") }</option>
                    }) }
                </select>
                <label for="kernel">{ "Kernel" }</label>
                <input id="kernel" class="short" value={s.kernel.clone()} oninput={on_text(|s, v| s.kernel = v)} />
                <label for="runtime">{ "Runtime" }</label>
                <select id="runtime" onchange={on_runtime}>
                    <option value="runc" selected={s.runtime == "runc"}>{ "runc" }</option>
                    <option value="crun" selected={s.runtime == "crun"}>{ "crun" }</option>
                </select>
            </div>
            <div class="row">
                <label><input type="checkbox" id="privileged" checked={s.privileged}
                    onchange={on_check(|s, v| s.privileged = v)} />{ " --privileged" }</label>
                <label title="runc answers ENOSYS for syscall numbers above the profile's largest">
                    <input type="checkbox" id="enosys" checked={s.enosys} onchange={on_check(|s, v| s.enosys = v)} />
                    { " ENOSYS stub (runc)" }</label>
                <button class="link" id="caps-reset" onclick={reset_caps}>{ "Docker's default caps" }</button>
            </div>
            { for p.errors.iter().map(|e| html! { <p class="ctx-error" role="alert">{ e }</p> }) }
            <details class="caps" open=true>
                <summary>{ format!("Capabilities ({} of {})", if s.privileged { ALL_CAPS.len() } else { s.caps.len() }, ALL_CAPS.len()) }</summary>
                <div class="caplist">
                    { for ALL_CAPS.iter().map(|c| {
                        let cap = c.to_string();
                        let onchange = {
                            let d = d.clone();
                            let cap = cap.clone();
                            Callback::from(move |e: Event| {
                                let on = e.target_unchecked_into::<HtmlInputElement>().checked();
                                let cap = cap.clone();
                                edit(&d, move |s| {
                                    s.caps.retain(|x| *x != cap);
                                    if on { s.caps.push(cap.clone()); s.caps.sort(); }
                                })
                            })
                        };
                        let dflt = DOCKER_DEFAULT_CAPS.contains(c);
                        html! {
                            <label class={classes!("cap", dflt.then_some("dflt"))}>
                                <input type="checkbox" id={format!("cap-{c}")} data-testid={format!("cap-{c}")}
                                    checked={s.privileged || s.caps.contains(&cap)} disabled={s.privileged} {onchange} />
                                { c.trim_start_matches("CAP_") }
                            </label>
                        }
                    }) }
                </div>
            </details>
        </fieldset>
    }
}

// ----------------------------------------------------------------------------------------------
// Simulate

#[derive(Properties, PartialEq)]
struct SimProps {
    state: State,
    dispatch: Dispatch,
    shown: Rc<Result<Shown, String>>,
    on_reveal: Callback<u32>,
}

#[function_component(SimPanel)]
fn sim_panel(p: &SimProps) -> Html {
    let s = &p.state;
    let d = &p.dispatch;
    let abi = model::abi(s);
    let names = use_memo(abi, |a| {
        syscalls::syscalls(*a)
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>()
    });
    let call_ref = use_node_ref();
    let on_abi = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            edit(&d, move |s| s.abi = v.clone())
        })
    };
    let on_call = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            edit(&d, move |s| s.call = v.clone())
        })
    };
    let on_ip = {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            edit(&d, move |s| s.ip = v.clone())
        })
    };
    let line = match &*p.shown {
        Ok(v) => v.line,
        Err(_) => None,
    };
    let on_submit = {
        let r = p.on_reveal.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(l) = line {
                r.emit(l);
            }
        })
    };
    // Prototype and the constants of the argument being typed.
    let (proto, consts) = match model::current_arg(&s.call) {
        Some((name, idx)) => {
            let proto = syscalls::prototype(name).map(|p| p.to_string());
            let group = syscalls::arg_group(name, idx);
            let consts = group.map(syscalls::group_constants).unwrap_or_default();
            (proto.map(|p| (p, idx)), consts)
        }
        None => (
            syscalls::prototype(s.call.trim()).map(|p| (p.to_string(), usize::MAX)),
            Vec::new(),
        ),
    };
    let insert = |c: &'static str| {
        let d = d.clone();
        let call_ref = call_ref.clone();
        Callback::from(move |_| {
            edit(&d, move |s| {
                let t = s.call.trim_end().trim_end_matches(')').to_string();
                let sep =
                    if t.ends_with('(') || t.ends_with(',') || t.ends_with('|') || t.ends_with(' ')
                    {
                        ""
                    } else {
                        "|"
                    };
                s.call = format!("{t}{sep}{c})");
            });
            if let Some(i) = call_ref.cast::<HtmlElement>() {
                let _ = i.focus();
            }
        })
    };
    html! {
        <fieldset class="simulate" id="simulate">
            <legend>{ "Simulate a syscall" }</legend>
            <form class="row" onsubmit={on_submit}>
                <label for="abi">{ "ABI" }</label>
                <select id="abi" data-testid="abi" onchange={on_abi}>
                    { for Arch::ALL.iter().map(|a| html! { <option value={a.name()} selected={*a == abi}>{ a.name() }</option> }) }
                </select>
                <label for="call" class="sr">{ "Syscall" }</label>
                <input id="call" data-testid="call" class="call" list="syscall-names" ref={call_ref.clone()}
                    value={s.call.clone()} oninput={on_call} spellcheck="false" autocomplete="off"
                    placeholder="unshare(CLONE_NEWUSER)" aria-label="Syscall with arguments" />
                <datalist id="syscall-names">
                    { for names.iter().map(|n| html! { <option value={format!("{n}(")} /> }) }
                </datalist>
                <label for="ip">{ "IP" }</label>
                <input id="ip" class="short" value={s.ip.clone()} oninput={on_ip} placeholder="0x0" aria-label="Instruction pointer (optional)" />
                <button type="submit" id="simulate-btn">{ "Simulate" }</button>
            </form>
            if let Some((proto, idx)) = proto {
                <p class="proto" id="prototype"><code>{ proto }</code>
                    if idx != usize::MAX { <span class="hint">{ format!("  — argument {idx}") }</span> }
                </p>
            }
            if !consts.is_empty() {
                <div class="consts" id="constants">
                    { for consts.iter().take(48).map(|(n, v)| html! {
                        <button class="chip" title={format!("{v:#x}")} onclick={insert(n)}>{ *n }</button>
                    }) }
                </div>
            }
            <div class="result" id="result" aria-live="polite">
                { match &*p.shown {
                    Ok(v) => html! {
                        <>
                            <div class="verdict-line">
                                <span id="verdict" data-testid="verdict" class={classes!("badge", v.class)}>{ &v.label }</span>
                                if let Some(m) = &v.errno_message { <span id="errno-message" class="errno-msg">{ format!("“{m}”") }</span> }
                                <code class="as-seen">{ &v.call }</code>
                            </div>
                            <p id="explanation" data-testid="explanation">{ &v.explanation }</p>
                            <p class="meta">
                                if let (Some(l), Some(path)) = (v.line, &v.path) {
                                    <button class="link" id="rule-location" onclick={{ let r = p.on_reveal.clone(); move |_| r.emit(l) }}>
                                        { format!("decided at line {l} ({path})") }
                                    </button>
                                }
                                if let Some(r) = v.ret { <span>{ format!(" · return {r:#010x}") }</span> }
                                if let Some(n) = v.steps { <span>{ format!(" · {n} instructions executed") }</span> }
                                if let (Some(a), Some(b)) = (v.ret, v.program_ret) {
                                    if a != b { <span class="bad">{ format!(" · the program returned {b:#010x}!") }</span> }
                                }
                            </p>
                        </>
                    },
                    Err(e) => html! { <p id="call-error" class="bad" role="alert">{ e }</p> },
                } }
            </div>
        </fieldset>
    }
}

// ----------------------------------------------------------------------------------------------
// Table

#[derive(Properties, PartialEq)]
struct TableProps {
    rows: ById<Rows>,
    dispatch: Dispatch,
}

#[function_component(TablePanel)]
fn table_panel(p: &TableProps) -> Html {
    let filter = use_state(|| "all".to_string());
    let search = use_state(String::new);
    let t = &*p.rows.0;
    let q = search.to_ascii_lowercase();
    let shown: Vec<&model::Row> = t
        .rows
        .iter()
        .filter(|r| *filter == "all" || r.kind == filter.as_str())
        .filter(|r| {
            q.is_empty()
                || r.name.contains(&q)
                || r.nr.to_string() == q
                || r.verdict.to_ascii_lowercase().contains(&q)
        })
        .collect();
    let on_filter = {
        let f = filter.clone();
        Callback::from(move |e: Event| {
            f.set(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let on_search = {
        let s = search.clone();
        Callback::from(move |e: InputEvent| {
            s.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    if let Some(why) = &t.none {
        return html! { <p class="bad" id="table-none" role="status">{ why }</p> };
    }
    let cached = t.rows.iter().filter(|r| r.cached == Some(true)).count();
    html! {
        <div class="table-panel">
            <p class="summary" id="table-summary">{ &t.summary }</p>
            <p class="counts">
                <span class="badge allow">{ "allowed " }<b id="count-allowed">{ t.allowed }</b></span>
                <span class="badge other">{ "conditional " }<b id="count-conditional">{ t.conditional }</b></span>
                <span class="badge errno">{ "blocked " }<b id="count-blocked" data-testid="count-blocked">{ t.blocked }</b></span>
                <span class="hint">{ format!(" {cached} answered by the kernel's cache without running the filter") }</span>
            </p>
            <div class="row">
                <label for="table-filter">{ "Show" }</label>
                <select id="table-filter" onchange={on_filter}>
                    { for ["all", "allowed", "conditional", "blocked"].iter().map(|k| html! { <option value={*k} selected={*filter == *k}>{ *k }</option> }) }
                </select>
                <label for="table-search">{ "Search" }</label>
                <input id="table-search" type="search" value={(*search).clone()} oninput={on_search} placeholder="name, number or action" />
                <span class="hint" id="table-shown">{ format!("{} shown", shown.len()) }</span>
            </div>
            <div class="scroll">
                <table id="syscall-table" data-testid="syscall-table">
                    <thead><tr><th>{ "nr" }</th><th>{ "syscall" }</th><th>{ "verdict" }</th><th title="kernel's constant-action cache">{ "cached" }</th><th title="instructions with zero arguments">{ "cost" }</th><th title="most instructions over all arguments">{ "worst" }</th></tr></thead>
                    <tbody>
                        { for shown.iter().map(|r| {
                            let onclick = {
                                let d = p.dispatch.clone();
                                let name = r.name;
                                Callback::from(move |_| edit(&d, move |s| s.call = format!("{name}()")))
                            };
                            html! {
                                <tr class={r.kind} data-name={r.name}>
                                    <td class="num">{ r.nr }</td>
                                    <td><button class="link" {onclick} title="Simulate this syscall">{ r.name }</button></td>
                                    <td class="v">{ &r.verdict }</td>
                                    <td>{ match r.cached { Some(true) => "yes", Some(false) => "", None => "–" } }</td>
                                    <td class="num">{ r.cost.map(|c| c.to_string()).unwrap_or_default() }</td>
                                    <td class="num">{ r.worst.map(|c| c.to_string()).unwrap_or_default() }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

// ----------------------------------------------------------------------------------------------
// Step through

#[derive(Properties, PartialEq)]
struct StepProps {
    src: ById<Source>,
    call: String,
    ip: String,
    abi: Arch,
    host: Arch,
}

#[function_component(StepPanel)]
fn step_panel(p: &StepProps) -> Html {
    let trace = use_memo(
        (p.src.clone(), p.call.clone(), p.ip.clone(), p.abi),
        |(src, call, ip, abi)| model::trace(&src.0, call, ip, *abi),
    );
    let lines = use_memo((p.src.clone(), p.host), |(src, host)| {
        src.0
            .program()
            .map(|(insns, _)| disasm::human(insns, Some(*host)))
            .unwrap_or_default()
    });
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
        Err(e) => return html! { <p class="bad" id="trace-error">{ e }</p> },
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
    let executed: std::collections::BTreeSet<usize> = t.steps.iter().map(|s| s.pc).collect();
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
            <div class="row">
                <button id="step-first" onclick={go(Rc::new(|_| 0))} title="Home">{ "|◀ first" }</button>
                <button id="step-prev" onclick={go(Rc::new(|c: usize| c.saturating_sub(1)))} title="← or k">{ "◀ back" }</button>
                <button id="step-next" onclick={go(Rc::new(|c: usize| c + 1))} title="→ or j">{ "forward ▶" }</button>
                <button id="step-return" onclick={go(Rc::new(|_| usize::MAX))} title="End">{ "to the return ▶|" }</button>
                <span id="step-pos" class="hint">{ format!("step {} of {} — instruction {:04}", c + 1, n, step.pc) }</span>
                <span class="hint">{ format!(" → returns {}", analysis::describe_action(t.ret)) }</span>
            </div>
            <div class="step-grid">
                <ol class="disasm" id="disasm" ref={list}>
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

// ----------------------------------------------------------------------------------------------
// Program

#[derive(Properties, PartialEq)]
struct ProgramProps {
    src: ById<Source>,
}

#[function_component(ProgramPanel)]
fn program_panel(p: &ProgramProps) -> Html {
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

// ----------------------------------------------------------------------------------------------
// Compare

#[derive(Properties, PartialEq)]
struct CompareProps {
    state: State,
    dispatch: Dispatch,
    rows: ById<Rows>,
}

#[function_component(ComparePanel)]
fn compare_panel(p: &CompareProps) -> Html {
    let s = &p.state;
    let d = &p.dispatch;
    let abi = model::abi(s);
    let host = model::host(s);
    let b_text = if s.cmp_preset.is_empty() {
        s.text.clone()
    } else {
        state::preset_text(&s.cmp_preset).unwrap_or_default()
    };
    let b_strict = presets::get(&s.cmp_preset)
        .map(|p| p.kind == presets::PresetKind::Strict)
        .unwrap_or(false);
    let b_ctx = model::compare_context(s);
    let b_rows = use_memo(
        (b_text, b_strict, b_ctx.clone(), abi, host),
        |(t, st, c, abi, host)| {
            c.as_ref()
                .ok()
                .map(|c| model::table(&model::analyze(t, *st, c), *abi, *host))
        },
    );
    let changes = match &*b_rows {
        Some(b) => model::changes(&p.rows.0, b),
        None => Vec::new(),
    };
    let on_preset = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            edit(&d, move |s| s.cmp_preset = v.clone())
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
            <p id="cmp-summary">{ format!("A: {} · B: {} · {} changed", p.rows.0.summary, b.summary, changes.len()) }</p>
        },
        (None, None) => html! {},
    };
    let on_text = |f: fn(&mut State, String)| {
        let d = d.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            edit(&d, move |s| f(s, v.clone()))
        })
    };
    let on_priv = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().checked();
            edit(&d, move |s| s.cmp_privileged = v)
        })
    };
    html! {
        <div class="compare-panel">
            <p class="hint">{ format!("A = the profile and context above; B = the profile and context chosen here. Syscalls of {abi} whose verdict changes:") }</p>
            <div class="row">
                <label for="cmp-preset">{ "B profile" }</label>
                <select id="cmp-preset" onchange={on_preset}>
                    <option value="" selected={s.cmp_preset.is_empty()}>{ "the same profile (A's text)" }</option>
                    { for presets::ALL.iter().map(|pr| html! { <option value={pr.name} selected={s.cmp_preset == pr.name}>{ pr.title }</option> }) }
                </select>
                <label for="cmp-cap-add">{ "--cap-add" }</label>
                <input id="cmp-cap-add" value={s.cmp_cap_add.clone()} oninput={on_text(|s, v| s.cmp_cap_add = v)} placeholder="SYS_ADMIN, …" />
                <label for="cmp-cap-drop">{ "--cap-drop" }</label>
                <input id="cmp-cap-drop" value={s.cmp_cap_drop.clone()} oninput={on_text(|s, v| s.cmp_cap_drop = v)} placeholder="ALL, …" />
                <label><input type="checkbox" id="cmp-privileged" checked={s.cmp_privileged} onchange={on_priv} />{ " --privileged" }</label>
            </div>
            if let Err(e) = &b_ctx { <p class="bad" role="alert">{ e }</p> }
            { summary }
            <div class="scroll">
                <table id="cmp-changes">
                    <thead><tr><th>{ "nr" }</th><th>{ "syscall" }</th><th>{ "A" }</th><th>{ "B" }</th></tr></thead>
                    <tbody>
                        { for changes.iter().map(|c| html! {
                            <tr data-name={c.name}><td class="num">{ c.nr }</td><td>{ c.name }</td><td class="v">{ &c.a }</td><td class="v">{ &c.b }</td></tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

// ----------------------------------------------------------------------------------------------
// About

fn about() -> Html {
    html! {
        <div class="about" id="about">
            <h2>{ "What this shows" }</h2>
            <p>{ "Docker hands a seccomp profile (JSON) to runc or crun, which asks libseccomp to build a rule database and compile it to a classic BPF program; the kernel runs that program on every syscall of the container. seccplay reimplements that pipeline in Rust, compiled to WebAssembly: it resolves the profile in your context (architecture, capabilities, kernel, runtime), builds the same rule database, compiles it, and runs the program in a tracing interpreter. Nothing is sent anywhere." }</p>
            <h2>{ "Strict mode and filter mode" }</h2>
            <p>{ "Strict mode (SECCOMP_MODE_STRICT, 1) is the original seccomp: only read, write, _exit and sigreturn; any other syscall kills the thread with SIGKILL. Filter mode (SECCOMP_MODE_FILTER, 2) runs a BPF program that returns an action per syscall: ALLOW, LOG, ERRNO(n) (the call fails with that errno), TRAP (SIGSYS), TRACE, USER_NOTIF, KILL_THREAD or KILL_PROCESS. Docker uses filter mode." }</p>
            <h2>{ "Docker's default profile" }</h2>
            <p>{ "It allows about 370 syscalls and answers the rest with ERRNO(EPERM) (\"Operation not permitted\"). Some syscalls are allowed only with a capability (CAP_SYS_ADMIN allows unshare, mount, clone with namespace flags...), some only for certain arguments (personality, clone's namespace flags, socket families). --privileged runs without seccomp unless a profile is given explicitly; --security-opt seccomp=unconfined disables it." }</p>
            <h2>{ "Checking a real process" }</h2>
            <p>{ "In a container: " }<code>{ "grep Seccomp /proc/self/status" }</code>{ " shows Seccomp: 0 (off), 1 (strict) or 2 (filter), and Seccomp_filters: how many filters are stacked. For another process use /proc/PID/status. The kernel's constant-action cache lets always-allowed syscalls skip the filter." }</p>
            <h2>{ "Keyboard" }</h2>
            <p>{ "Everything is reachable with Tab; in the step-through view the arrow keys (or j/k), Home and End move along the executed path. Enter in the syscall field scrolls the editor to the deciding rule." }</p>
        </div>
    }
}
