//! Small pieces the components share: the browser's storage, clock and downloads, number
//! formatting, and values compared by identity.
use gloo::timers::callback::Timeout;
use seccplay_core::bpf::format as bpf_format;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A value compared by identity (derived values that are expensive to compare).
#[derive(Clone)]
pub struct ById<T>(pub Rc<T>);

impl<T> PartialEq for ById<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Where the last session is kept in `localStorage`.
pub const STORAGE_KEY: &str = "seccplay.state";

/// The page's `localStorage`, if it has one.
pub fn storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

/// Milliseconds since the page started (`performance.now()`).
pub fn now_ms() -> f64 {
    gloo::utils::window()
        .performance()
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Runs `f` once the browser has painted what the page shows now (a timeout queued from an
/// animation frame runs after that frame's paint): work that can wait comes after the first
/// verdict is on screen.
pub fn after_paint(f: impl FnOnce() + 'static) {
    let frame = Closure::once_into_js(move || Timeout::new(0, f).forget());
    let _ = gloo::utils::window().request_animation_frame(frame.unchecked_ref());
}

/// `x` with one decimal (`4.2`), without pulling float formatting into the wasm.
pub fn dec1(x: f64) -> String {
    let tenths = (x * 10.0).round().max(0.0) as u64;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Offers bytes as a file download (a blob URL: nothing leaves the browser).
pub fn download(name: &str, bytes: &[u8], mime: &str) {
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
pub fn file_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(t) if !t.chars().any(|c| c.is_control() && !c.is_whitespace()) => t.to_string(),
        _ => bpf_format::bytes_to_hex(bytes),
    }
}
