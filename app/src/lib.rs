//! The demo site: "Sign in with Chirp / Warble / Twitter" on the `oauth1` registry.
//!
//! - [`components`] and [`pages`]: the Leptos UI, rendered on the server and hydrated;
//! - [`api`]: server functions, the pages' data;
//! - [`model`]: the values the pages show (no secrets: they reach the browser);
//! - [`forms`]: the playground's and the debugger's fields, turned into `oauth1::explain`
//!   inputs (in the browser, and on the server for a form posted without JavaScript);
//! - `server` (feature `ssr`): configuration, database, the sign-in routes that drive the
//!   registry, the token store and temporary-credential cache, the flow recorder.
pub mod api;
pub mod components;
pub mod forms;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

/// The browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(components::App);
}
