//! The seccplay playground (Yew, client-side only).
use yew::prelude::*;

#[function_component(App)]
fn app() -> Html {
    html! {
        <main id="app">
            <h1>{ "seccplay" }</h1>
            <p class="tagline">{ seccplay_core::TAGLINE }</p>
        </main>
    }
}

fn main() {
    yew::Renderer::<App>::new().render();
}
