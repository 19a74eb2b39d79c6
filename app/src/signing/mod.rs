//! The signing pages, `/playground` and `/debugger`, with everything only they use: their
//! fields and forms, the step-by-step view, and their form posts for browsers without JS.

mod debugger;
mod fields;
pub mod forms;
mod playground;
#[cfg(feature = "ssr")]
pub mod posts;
mod steps;

pub use debugger::Debugger;
pub use playground::{Playground, PlaygroundStart};
