//! One module per page; the signing pages are in `crate::signing`.

mod accounts;
mod home;
mod how_it_works;
mod profile;

pub use accounts::Accounts;
pub use home::Home;
pub use how_it_works::HowItWorks;
pub use profile::{Profile, ProfileRoute};
