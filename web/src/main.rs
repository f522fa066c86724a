//! The full playground's entry point (bin `seccplay-web`, feature `full`): stops the first-load
//! build if it handed over, removes index.html's static shell and renders the app into
//! `<body>` ([`seccplay_web::boot`]).
fn main() {
    seccplay_web::boot::start();
}
