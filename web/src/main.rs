//! The seccplay playground's entry point: renders the app shell into `<body>`.
fn main() {
    yew::Renderer::<seccplay_web::App>::new().render();
}
