//! The full build's panels, each in a WebAssembly chunk of its own that loads when the panel
//! is first shown (ARCHITECTURE.md, "The playground").
//!
//! The full build is split after linking (`scripts/build-full.sh`, feature `split`:
//! wasm-split-cli from `wasm_split_cli_support`, then wasm-bindgen and wasm-opt). Each
//! `#[wasm_split(NAME)]` function below is a split point: the function, and everything only it
//! reaches, moves into `split_NAME.wasm`; code that several chunks share moves into a
//! `chunk_*.wasm` they all load. The main module keeps what the page shows at once: the
//! Docker/OCI JSON reader, the pipeline, the verdict, the table, the context. The chunks share
//! its memory, its function table and its stack pointer.
//!
//! 1. A chunk's split function returns a plain function pointer into the chunk: a panel's
//!    render function ([`Render`]), or the reader of every other format ([`model::Reader`]).
//!    Once loaded it is kept for the session and called synchronously, like the code it wraps.
//! 2. A panel is a [`Panel`]: the component's props, by value. [`LazyPanel`] renders it with
//!    its chunk's render function, or says "Loading this panel…" and asks for the chunk.
//! 3. The editor's text in another format is [`model::Source::Loading`] until the `formats`
//!    chunk is there: the App asks for it ([`load_reader`]) and analyses the text again.
//! 4. Without the feature `split` (the wasm tests, clippy, the host) the split functions are
//!    ordinary functions: the same code paths, resolved at once.
//!
//! [`model::Reader`]: crate::model::Reader
//! [`model::Source::Loading`]: crate::model::Source::Loading
use crate::components::audit::{AuditPanel, AuditProps};
use crate::components::compare::{ComparePanel, CompareProps};
use crate::components::hosts::{HostsPanel, HostsProps};
use crate::components::program::{ProgramPanel, ProgramProps};
use crate::components::raw::{RawPanel, RawProps};
use crate::components::step::{StepPanel, StepProps};
use crate::components::strace::{StracePanel, StraceProps};
use crate::model::Reader;
use std::cell::Cell;
use std::rc::Rc;
#[cfg(feature = "split")]
use wasm_split_helpers::wasm_split;
use yew::prelude::*;

/// A panel loaded on use, with its props.
#[derive(PartialEq)]
pub enum Panel {
    /// The Audit records tab.
    Audit(AuditProps),
    /// The strace log tab.
    Strace(StraceProps),
    /// The Hosts tab.
    Hosts(HostsProps),
    /// The Step tab.
    Step(StepProps),
    /// The Program tab.
    Program(ProgramProps),
    /// The Compare tab.
    Compare(CompareProps),
    /// A raw program's decompiled profile, under the editor.
    Raw(RawProps),
}

/// The chunks, one per group of panels that share most of their code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// Audit and strace: the core's evidence readers and `predict`.
    Evidence,
    /// Hosts: the matrix, the named hosts, the kernel-version table.
    Hosts,
    /// Step and Program: the interpreter's trace, the disassembly.
    Trace,
    /// Compare: the other side's analysis (any format, any preset) and the table diff.
    Compare,
    /// The raw program's panel: decompilation and stacks.
    Raw,
}

impl Chunk {
    /// Every chunk of panels.
    pub const ALL: [Chunk; 5] = [
        Chunk::Evidence,
        Chunk::Hosts,
        Chunk::Trace,
        Chunk::Compare,
        Chunk::Raw,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

impl Panel {
    /// The chunk that renders this panel.
    pub fn chunk(&self) -> Chunk {
        match self {
            Panel::Audit(_) | Panel::Strace(_) => Chunk::Evidence,
            Panel::Hosts(_) => Chunk::Hosts,
            Panel::Step(_) | Panel::Program(_) => Chunk::Trace,
            Panel::Compare(_) => Chunk::Compare,
            Panel::Raw(_) => Chunk::Raw,
        }
    }
}

/// A chunk's render function (it renders the panels of its chunk, nothing for the others).
pub type Render = fn(&Panel) -> Html;

fn render_evidence(p: &Panel) -> Html {
    match p {
        Panel::Audit(p) => html! { <AuditPanel ..p.clone() /> },
        Panel::Strace(p) => html! { <StracePanel ..p.clone() /> },
        _ => html! {},
    }
}

fn render_hosts(p: &Panel) -> Html {
    match p {
        Panel::Hosts(p) => html! { <HostsPanel ..p.clone() /> },
        _ => html! {},
    }
}

fn render_trace(p: &Panel) -> Html {
    match p {
        Panel::Step(p) => html! { <StepPanel ..p.clone() /> },
        Panel::Program(p) => html! { <ProgramPanel ..p.clone() /> },
        _ => html! {},
    }
}

fn render_compare(p: &Panel) -> Html {
    match p {
        Panel::Compare(p) => html! { <ComparePanel ..p.clone() /> },
        _ => html! {},
    }
}

fn render_raw(p: &Panel) -> Html {
    match p {
        Panel::Raw(p) => html! { <RawPanel ..p.clone() /> },
        _ => html! {},
    }
}

/// Why a chunk did not load (the network, most likely: a chunk loads on first use). The page
/// says so where the panel would be; the next use tries again.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for LoadError {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> LoadError {
        LoadError
    }
}

impl LoadError {
    /// What the page shows.
    pub const MESSAGE: &'static str =
        "This part of the playground did not load (is the network down?). Choose the tab again, or reload the page, to try again.";
}

#[cfg_attr(feature = "split", wasm_split(evidence, fallible))]
fn evidence_chunk() -> Result<Render, LoadError> {
    Ok(render_evidence)
}

#[cfg_attr(feature = "split", wasm_split(hosts, fallible))]
fn hosts_chunk() -> Result<Render, LoadError> {
    Ok(render_hosts)
}

#[cfg_attr(feature = "split", wasm_split(trace, fallible))]
fn trace_chunk() -> Result<Render, LoadError> {
    Ok(render_trace)
}

#[cfg_attr(feature = "split", wasm_split(compare, fallible))]
fn compare_chunk() -> Result<Render, LoadError> {
    Ok(render_compare)
}

#[cfg_attr(feature = "split", wasm_split(raw, fallible))]
fn raw_chunk() -> Result<Render, LoadError> {
    Ok(render_raw)
}

#[cfg_attr(feature = "split", wasm_split(formats, fallible))]
fn formats_chunk() -> Result<Reader, LoadError> {
    Ok(crate::model::raw::read_other)
}

/// Awaits a split function's value (without `split`, the value itself).
macro_rules! get {
    ($f:ident) => {{
        #[cfg(feature = "split")]
        let v = $f().await;
        #[cfg(not(feature = "split"))]
        let v = $f();
        v
    }};
}

thread_local! {
    static LOADED: [Cell<Option<Render>>; Chunk::ALL.len()] = const { [const { Cell::new(None) }; 5] };
    static READER: Cell<Option<Reader>> = const { Cell::new(None) };
}

/// The chunk's render function, when it is loaded.
pub fn loaded(c: Chunk) -> Option<Render> {
    LOADED.with(|l| l[c.index()].get())
}

/// Loads the chunk (once; after a failure the next call tries again).
pub async fn load(c: Chunk) -> Result<Render, LoadError> {
    if let Some(r) = loaded(c) {
        return Ok(r);
    }
    let r = match c {
        Chunk::Evidence => get!(evidence_chunk),
        Chunk::Hosts => get!(hosts_chunk),
        Chunk::Trace => get!(trace_chunk),
        Chunk::Compare => get!(compare_chunk),
        Chunk::Raw => get!(raw_chunk),
    }?;
    LOADED.with(|l| l[c.index()].set(Some(r)));
    Ok(r)
}

/// The reader of every format but Docker/OCI JSON, when the `formats` chunk is loaded.
pub fn reader() -> Option<Reader> {
    READER.with(Cell::get)
}

/// Loads the `formats` chunk (once; after a failure the next call tries again).
pub async fn load_reader() -> Result<Reader, LoadError> {
    if let Some(r) = reader() {
        return Ok(r);
    }
    let r = get!(formats_chunk)?;
    READER.with(|c| c.set(Some(r)));
    Ok(r)
}

/// Props of [`LazyPanel`].
#[derive(Properties, PartialEq)]
pub struct LazyProps {
    /// The panel.
    pub panel: Rc<Panel>,
}

/// A panel, rendered by its chunk once that is loaded.
#[function_component(LazyPanel)]
pub fn lazy_panel(p: &LazyProps) -> Html {
    let chunk = p.panel.chunk();
    // Set when a chunk arrives (the render after it finds it loaded) or fails to.
    let outcome = use_state(|| None::<Result<Chunk, LoadError>>);
    {
        let outcome = outcome.clone();
        use_effect_with(chunk, move |&c| {
            if loaded(c).is_none() {
                yew::platform::spawn_local(async move {
                    outcome.set(Some(load(c).await.map(|_| c)));
                });
            }
        });
    }
    match (loaded(chunk), &*outcome) {
        (Some(render), _) => render(&p.panel),
        (None, Some(Err(_))) => html! {
            <p class="note bad" id="chunk-error" role="alert">{ LoadError::MESSAGE }</p>
        },
        (None, _) => {
            html! { <p class="note" id="chunk-wait" role="status">{ "Loading this panel…" }</p> }
        }
    }
}
