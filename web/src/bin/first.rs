//! The first-load build's entry point (bin `seccplay-first`, built without the `full`
//! feature): the app for a Docker profile, or the full build at once for a link that needs it
//! ([`seccplay_web::boot`]).
fn main() {
    seccplay_web::boot::start();
}
