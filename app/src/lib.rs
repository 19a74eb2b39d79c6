//! The demo site: "Sign in with Chirp / Warble / Twitter" on the `oauth1` registry.
//!
//! - [`components`] and [`pages`]: the Leptos UI, rendered on the server and hydrated;
//! - [`api`]: server functions, the pages' data;
//! - [`model`]: the values the pages show (no secrets: they reach the browser);
//! - [`signing`]: the playground and the debugger, with their fields and forms (computed
//!   in the browser, and on the server for a form posted without JavaScript);
//! - `server` (feature `ssr`): configuration, the sign-in flow that drives the registry,
//!   storage (accounts and their tokens, sign-ins under way, sessions), HTTP plumbing.
pub mod api;
pub mod components;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod signing;

/// The browser entry point: hydrates the server-rendered page, once the code of its lazy
/// route (the playground's, the debugger's) has loaded when it is one.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(components::App);
}
