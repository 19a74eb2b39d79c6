//! The sign-in flow: `/login/{name}` and the callback that drive the registry, the
//! browser each sign-in is bound to, the quota per address, sign-out and unlinking.

pub mod account_posts;
pub mod browser;
pub mod callback;
pub mod client_addr;
pub mod flows;
pub mod login;
pub mod throttle;
