//! One module per page, and the pieces the signing pages share.

mod accounts;
mod debugger;
mod fields;
mod home;
mod how_it_works;
mod playground;
mod profile;
mod signature_steps;

pub use accounts::Accounts;
pub use debugger::Debugger;
pub use home::Home;
pub use how_it_works::HowItWorks;
pub use playground::{Playground, PlaygroundStart};
pub use profile::Profile;
