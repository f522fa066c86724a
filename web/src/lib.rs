//! The seccplay playground (Yew, client-side only).
//!
//! The library holds the components so that `tests/web.rs` can mount them in a browser;
//! `main.rs` only renders [`App`] into the page body.
use yew::prelude::*;

/// The application shell.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <main id="app">
            <h1>{ "seccplay" }</h1>
            <p class="tagline">{ seccplay_core::TAGLINE }</p>
        </main>
    }
}
