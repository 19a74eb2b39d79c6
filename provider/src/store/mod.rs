//! The provider's storage boundary: its tables as `oauth1::server`'s stores. Code here
//! runs SQL and returns storage errors; the HTTP side maps them.

pub mod expiry;
pub mod oauth1;
