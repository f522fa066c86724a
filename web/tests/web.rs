//! The app shell mounted in a headless browser (wasm-bindgen-test).
//!
//! Each test mounts into its own element and queries inside it: the runner's page has
//! elements of its own (`#output`, ...).
#![cfg(target_arch = "wasm32")]

use seccplay_web::App;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Creates a fresh `<div>` under `<body>` to mount a component into.
fn mount_root() -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// Lets Yew run its scheduled renders.
async fn settle() {
    yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
}

#[wasm_bindgen_test]
async fn app_shell_shows_name_and_tagline() {
    let root = mount_root();
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;

    let h1 = root
        .query_selector("h1")
        .unwrap()
        .expect("an <h1> in the app");
    assert_eq!(h1.text_content().unwrap(), "seccplay");
    let tagline = root
        .query_selector(".tagline")
        .unwrap()
        .expect("a .tagline in the app");
    assert_eq!(tagline.text_content().unwrap(), seccplay_core::TAGLINE);

    handle.destroy();
    root.remove();
}
