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

/// Moves the focus to the element with this id, if there is one.
pub fn focus_id(id: &str) {
    if let Some(e) = gloo::utils::document().get_element_by_id(id) {
        if let Ok(e) = e.dyn_into::<web_sys::HtmlElement>() {
            let _ = e.focus();
        }
    }
}

/// Where an arrow key, Home or End moves in a row of `n` items from item `i` (WAI-ARIA tabs
/// and toolbar: ArrowLeft/ArrowUp back, ArrowRight/ArrowDown on, wrapping; Home, End), or
/// None for any other key.
pub fn roving_index(key: &str, i: usize, n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    match key {
        "ArrowLeft" | "ArrowUp" => Some((i + n - 1) % n),
        "ArrowRight" | "ArrowDown" => Some((i + 1) % n),
        "Home" => Some(0),
        "End" => Some(n - 1),
        _ => None,
    }
}

/// Keys within a group of buttons that takes one tab stop (WAI-ARIA toolbar, or tab list):
/// arrows, Home and End move the focus, and the focused button becomes the group's only
/// `tabindex=0`; a tab (`role=tab`) is also activated (a click, after the focus moved: the
/// hand-over to the full build keeps the focused id).
pub fn toolbar_keydown(e: web_sys::KeyboardEvent) {
    // (Yew delegates events: currentTarget is its root, so the group is found from the target.)
    let Some(group) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest("[role=tablist],[role=toolbar]").ok().flatten())
    else {
        return;
    };
    let Ok(list) = group.query_selector_all("button") else {
        return;
    };
    let items: Vec<web_sys::HtmlElement> = (0..list.length())
        .filter_map(|k| list.item(k)?.dyn_into().ok())
        .collect();
    let active = gloo::utils::document().active_element();
    let i = items
        .iter()
        .position(|b| active.as_ref() == Some(b.as_ref()))
        .unwrap_or(0);
    if let Some(j) = roving_index(&e.key(), i, items.len()) {
        e.prevent_default();
        for (k, b) in items.iter().enumerate() {
            let _ = b.set_attribute("tabindex", if k == j { "0" } else { "-1" });
        }
        let _ = items[j].focus();
        if items[j].get_attribute("role").as_deref() == Some("tab") {
            items[j].click();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::roving_index;

    #[test]
    fn roving_keys_wrap_and_jump() {
        assert_eq!(roving_index("ArrowRight", 7, 8), Some(0));
        assert_eq!(roving_index("ArrowLeft", 0, 8), Some(7));
        assert_eq!(roving_index("ArrowDown", 2, 8), Some(3));
        assert_eq!(roving_index("ArrowUp", 2, 8), Some(1));
        assert_eq!(roving_index("Home", 5, 8), Some(0));
        assert_eq!(roving_index("End", 0, 8), Some(7));
        assert_eq!(roving_index("Enter", 0, 8), None);
        assert_eq!(roving_index("ArrowRight", 0, 0), None);
    }
}
