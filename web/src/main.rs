//! The seccplay playground's entry point: removes index.html's static loading shell and renders
//! the app into `<body>`.
fn main() {
    if let Some(shell) = gloo::utils::document().get_element_by_id("loading") {
        shell.remove();
    }
    yew::Renderer::<seccplay_web::App>::new().render();
}
