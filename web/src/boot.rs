//! How the page starts, in two builds of this one crate (ARCHITECTURE.md, "The playground").
//!
//! The first-load build (bin `seccplay-first`, without the `full` feature) holds what the first
//! screen needs: a Docker/OCI JSON profile in the editor, Docker's current default preset, the
//! context, the verdict and the table. The full build (bin `seccplay-web`, feature `full`,
//! built and split into chunks by scripts/build-full.sh into `full-HASH/`, which index.html
//! names, loaded here) is the whole page; its panels load as chunks on use (`crate::lazy`).
//! The hand-off is the page's own state:
//!
//! 1. The first app decides with [`needs_full`] after every edit (a tab it lacks, a preset it
//!    does not carry, text that is not a Docker profile). It then shows a loading status in
//!    place of the page, writes the state into the URL fragment and where the user was
//!    ([`Place`]: focus, open sections, scroll, the editor's uncommitted text) into
//!    `sessionStorage`, and starts the full build ([`load_full`]).
//! 2. A link whose state needs the full build starts it at once, before the first app mounts:
//!    the static shell of index.html stays up, saying so.
//! 3. The full build's `main` stops the first app (a function the first one left on `window`),
//!    mounts its own from the fragment and puts the user back where they were ([`start`]).
//! 4. Once the first verdict and the table are on screen the first build prefetches the full
//!    one when the browser is idle (the module compiled, kept in memory): a later click only
//!    instantiates it, and works offline.
use crate::state::State;
use crate::App;

/// `sessionStorage` key: where the user was when the full build was asked for ([`Place`]).
const PLACE_KEY: &str = "seccplay.place";
/// The `window` property holding the first app's stop function while the full build loads.
const STOP_FIRST: &str = "seccplayStopFirst";

/// The status shown while the full build loads.
pub const LOADING: &str = "Loading the full playground (the other tabs, formats and presets)…";

/// Where the user was on the first app: the focused element, the open `<details>`, the scroll
/// position, and the editor's text not yet committed (the editor waits for a pause in typing).
/// Read while the first app still shows the page; the full build restores it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Place {
    /// The focused element's id.
    pub focus: String,
    /// The ids of the open `<details>` elements.
    pub open: Vec<String>,
    /// `window.scrollY`, in CSS pixels.
    pub scroll: i32,
    /// The editor's text (`#profile-text`) as shown.
    pub editor: Option<String>,
}

impl Place {
    /// Where the user is now. `before` is the text the editor showed at the last render and
    /// `text` the state's: the editor's own value counts only when the state's text did not
    /// change since (typing not yet committed), not when a file or a preset replaced it.
    pub fn here(before: &str, text: &str) -> Place {
        use wasm_bindgen::JsCast;
        let doc = gloo::utils::document();
        let mut open = Vec::new();
        if let Ok(list) = doc.query_selector_all("details[open][id]") {
            for i in 0..list.length() {
                if let Some(e) = list
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                {
                    open.push(e.id());
                }
            }
        }
        Place {
            focus: doc.active_element().map(|e| e.id()).unwrap_or_default(),
            open,
            scroll: gloo::utils::window().scroll_y().unwrap_or(0.0) as i32,
            editor: doc
                .get_element_by_id("profile-text")
                .and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                .map(|t| t.value())
                .filter(|v| before == text && v != text),
        }
    }

    /// One line per field (the editor's text is carried in the state, not here).
    pub fn encode(&self) -> String {
        format!("{}\n{}\n{}", self.focus, self.scroll, self.open.join(" "))
    }

    /// Reads [`Place::encode`]'s form.
    pub fn decode(s: &str) -> Place {
        let mut l = s.lines();
        Place {
            focus: l.next().unwrap_or_default().to_string(),
            scroll: l.next().and_then(|x| x.parse().ok()).unwrap_or(0),
            open: l
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .map(String::from)
                .collect(),
            editor: None,
        }
    }

    /// Puts the page back there: opens the `<details>`, scrolls, focuses.
    pub fn restore(&self) {
        let doc = gloo::utils::document();
        for id in &self.open {
            if let Some(e) = doc.get_element_by_id(id) {
                let _ = e.set_attribute("open", "");
            }
        }
        gloo::utils::window().scroll_to_with_x_and_y(0.0, self.scroll as f64);
        crate::util::focus_id(&self.focus);
    }
}

/// True when the first-load build reads `text` itself: blank, or JSON that the core's
/// detection reads as a Docker/OCI profile (the same reading as the full build's).
pub fn first_reads(text: &str) -> bool {
    use seccplay_core::frontend::Format;
    text.trim().is_empty() || crate::model::json_format(text) == Some(Format::Docker)
}

/// True when this build cannot show the state: always false in the full build.
#[cfg(feature = "full")]
pub fn needs_full(_: &State) -> bool {
    false
}

/// True when this build cannot show the state ([`first_cannot_show`]).
#[cfg(not(feature = "full"))]
pub fn needs_full(s: &State) -> bool {
    first_cannot_show(s)
}

/// True when the first-load build cannot show the state: a tab other than the table and About,
/// a preset whose profile it does not carry, text that is not a Docker JSON profile, evidence
/// text. (Compiled in both builds, so the full build's tests check it.)
pub fn first_cannot_show(s: &State) -> bool {
    use crate::state::Tab;
    !matches!(s.tab, Tab::Table | Tab::About)
        || (!s.preset.is_empty() && !crate::state::first_carries(&s.preset))
        || !first_reads(&s.text)
        || !s.audit_text.is_empty()
        || !s.strace_text.is_empty()
}

/// The page's start (both bins' `main`).
#[cfg(feature = "full")]
pub fn start() {
    use wasm_bindgen::JsCast;
    let w = gloo::utils::window();
    // The first app, if it asked for this build: stopped just before this one mounts.
    if let Ok(stop) = js_sys::Reflect::get(&w, &STOP_FIRST.into()) {
        if let Some(f) = stop.dyn_ref::<js_sys::Function>() {
            let _ = f.call0(&wasm_bindgen::JsValue::NULL);
        }
        let _ = js_sys::Reflect::delete_property(&w, &STOP_FIRST.into());
    }
    remove_shell();
    yew::Renderer::<App>::new().render();
    use crate::util::after_paint;
    let session = w.session_storage().ok().flatten();
    if let Some(p) = session
        .as_ref()
        .and_then(|s| s.get_item(PLACE_KEY).ok().flatten())
    {
        let _ = session.map(|s| s.remove_item(PLACE_KEY));
        let place = Place::decode(&p);
        // After the first frame and the table that follows it.
        after_paint(move || after_paint(move || place.restore()));
    }
}

fn remove_shell() {
    if let Some(shell) = gloo::utils::document().get_element_by_id("loading") {
        shell.remove();
    }
}

#[cfg(not(feature = "full"))]
pub use first::{load_full, prefetch_when_idle, start};

/// Does nothing in the full build (it is the full build).
#[cfg(feature = "full")]
pub fn prefetch_when_idle() {}

/// Does nothing in the full build (it is the full build).
#[cfg(feature = "full")]
pub fn load_full(_: &State, _: Option<Place>) {}

#[cfg(not(feature = "full"))]
mod first {
    use super::*;
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

    /// The full build's main module, in the directory index.html names
    /// (`<meta name="seccplay-full">`, written by scripts/build-full.sh: `full-HASH/`).
    const FULL_JS: &str = "seccplay-web.js";
    const FULL_WASM: &str = "seccplay-web_bg.wasm";

    // Fetching, compiling and starting the full build (an ES module made by wasm-bindgen
    // `--target web`). The promise is kept: a second call reuses it, a failed one is retried.
    // Its directory is named by a hash of its contents, so a cached file is never stale; the
    // JS is imported by its plain URL, as its chunk loader (`__wasm_split.js`) imports it: one
    // module instance, whose `initSync` hands the loader the instantiated main module.
    #[wasm_bindgen(inline_js = r#"
let pending = null;
export function prefetch_full(js, wasm) {
  if (!pending) {
    const dir = document.querySelector('meta[name="seccplay-full"]');
    const base = new URL(dir ? dir.content : './', document.baseURI);
    const url = (f) => new URL(f, base).href;
    pending = Promise.all([
      import(url(js)),
      fetch(url(wasm)).then((r) => {
        if (!r.ok) throw new Error(`${wasm}: HTTP ${r.status}`);
        return r.arrayBuffer();
      }).then((b) => WebAssembly.compile(b)),
    ]);
    pending.catch(() => { pending = null; });
  }
  return pending;
}
export function prefetch_idle(js, wasm) {
  const go = () => prefetch_full(js, wasm).catch(() => {});
  if (window.requestIdleCallback) requestIdleCallback(go, { timeout: 3000 });
  else setTimeout(go, 300);
}
export function start_full(js, wasm, onError) {
  prefetch_full(js, wasm)
    .then(([m, module]) => m.default({ module_or_path: module }))
    .catch((e) => onError(String((e && e.message) || e)));
}
"#)]
    extern "C" {
        fn prefetch_idle(js: &str, wasm: &str);
        fn start_full(js: &str, wasm: &str, on_error: &js_sys::Function);
    }

    thread_local! {
        static HANDLE: RefCell<Option<yew::AppHandle<App>>> = const { RefCell::new(None) };
    }

    /// The first build's start: the app, or the full build at once for a state it cannot show.
    pub fn start() {
        let s = crate::initial_state();
        if needs_full(&s) {
            set_status(LOADING);
            load_full(&s, None);
            return;
        }
        remove_shell();
        let handle = yew::Renderer::<App>::new().render();
        HANDLE.with(|h| *h.borrow_mut() = Some(handle));
    }

    /// Prefetches the full build once the browser is idle.
    pub fn prefetch_when_idle() {
        prefetch_idle(FULL_JS, FULL_WASM);
    }

    /// Hands the page to the full build: the state into the fragment (with the editor's text
    /// as shown), where the user was into `sessionStorage`, the first app's stop function on
    /// `window`; then starts it.
    pub fn load_full(s: &State, place: Option<Place>) {
        let w = gloo::utils::window();
        let mut s = s.clone();
        if let Some(t) = place.as_ref().and_then(|p| p.editor.clone()) {
            if t != s.text {
                s.set_text(t);
            }
        }
        if let Ok(h) = w.history() {
            let url = format!("#{}", s.to_fragment());
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
        if let (Some(p), Some(st)) = (place, w.session_storage().ok().flatten()) {
            let _ = st.set_item(PLACE_KEY, &p.encode());
        }
        let stop = Closure::once_into_js(|| {
            if let Some(h) = HANDLE.with(|h| h.borrow_mut().take()) {
                h.destroy();
            }
        });
        let _ = js_sys::Reflect::set(&w, &STOP_FIRST.into(), &stop);
        let on_error = Closure::once_into_js(|e: String| {
            set_status(&format!(
                "The full playground did not load ({e}). Reload the page to try again."
            ))
        });
        start_full(FULL_JS, FULL_WASM, on_error.unchecked_ref());
    }

    /// Sets the loading status (the static shell's, or the first app's while it waits).
    fn set_status(text: &str) {
        if let Some(e) = gloo::utils::document().get_element_by_id("loading-status") {
            e.set_text_content(Some(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Tab;

    /// What the first-load build hands over: every tab but the table and About, every preset
    /// but Docker's current one, every text that is not Docker JSON.
    #[test]
    fn the_first_build_shows_docker_json_and_hands_over_the_rest() {
        let s = State::default();
        assert!(
            !first_cannot_show(&s),
            "the default state is the first screen"
        );
        let with = |f: &dyn Fn(&mut State)| {
            let mut s = State::default();
            f(&mut s);
            first_cannot_show(&s)
        };
        assert!(!with(&|s| s.tab = Tab::About));
        assert!(
            !with(&|s| s.set_text("{\"defaultAction\": ".into())),
            "broken JSON is Docker's"
        );
        assert!(!with(&|s| s.set_text("  ".into())));
        assert!(!with(&|s| s.load_preset("docker")));
        for t in [
            Tab::Step,
            Tab::Program,
            Tab::Compare,
            Tab::Audit,
            Tab::Strace,
            Tab::Hosts,
        ] {
            assert!(with(&|s| s.tab = t), "{t:?}");
        }
        assert!(with(&|s| s.load_preset("podman")));
        assert!(with(&|s| s.load_preset("strict")));
        assert!(with(&|s| s.load_preset("example")));
        assert!(with(
            &|s| s.set_text("[Service]\nSystemCallFilter=@basic-io\n".into())
        ));
        assert!(with(
            &|s| s.set_text("kind: SeccompProfile\napiVersion: v1\n".into())
        ));
        assert!(with(&|s| s.set_text("{\"main\": {\"filter\": []}}".into())));
        assert!(with(&|s| s.set_text("06 00 00 00 01 00 05 00".into())));
        assert!(with(&|s| s.audit_text = "type=1326".into()));
    }

    #[test]
    fn place_round_trips_without_the_editor_text() {
        let p = Place {
            focus: "tab-audit".into(),
            open: vec!["caps".into(), "diag".into()],
            scroll: 420,
            editor: Some("{}".into()),
        };
        assert_eq!(Place::decode(&p.encode()), Place { editor: None, ..p });
        assert_eq!(Place::decode(""), Place::default());
    }
}
