//! The plumbing the site and the provider share, as the same files in both services
//! (`.ci/lift-out` checks they stay identical), so each still lifts out with `client-lib/`.
//!
//! Nothing here knows which service it serves: tables, migrations and settings are given.

pub mod client_addr;
pub mod db;
pub mod dotenv;
pub mod expiry;
pub mod logging;
pub mod no_store;
pub mod probes;
pub mod request_ids;
pub mod shutdown;
pub mod store_kind;
