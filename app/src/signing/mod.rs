//! The signing pages, `/playground` and `/debugger`, with everything only they use: their
//! fields and forms, the step-by-step view, and their form posts for browsers without JS.
//!
//! In the browser both are lazy routes: their code, and the `oauth1` crate's signing and
//! diagnosis (RSA included) that only they run, is split out of the main wasm by
//! `.ci/build-site` into files loaded when one of these pages is opened (during
//! hydration when it is the first page, on navigation otherwise). On the server the
//! routes render as any other.

mod debugger;
mod fields;
pub mod forms;
mod playground;
#[cfg(feature = "ssr")]
pub mod posts;
mod steps;

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

pub use debugger::Debugger;
pub use playground::{Playground, PlaygroundStart};

/// `/playground`, loaded when opened.
pub struct PlaygroundRoute;

#[lazy_route]
impl LazyRoute for PlaygroundRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <Playground/> }.into_any()
    }
}

/// `/debugger`, loaded when opened.
pub struct DebuggerRoute;

#[lazy_route]
impl LazyRoute for DebuggerRoute {
    fn data() -> Self {
        Self
    }

    fn view(_this: Self) -> AnyView {
        view! { <Debugger/> }.into_any()
    }
}
