//! What the site keeps: its database, the users and their linked accounts (the
//! registry's token store), sign-ins under way, and web sessions.

pub mod accounts;
pub mod pending_sign_ins;
pub mod sessions;

use crate::server::plumbing::db::{self, Db, OpenError};
use crate::server::plumbing::expiry::Table;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/app");

/// Connects (creating a SQLite file and its folder if missing) and runs the site's
/// migrations.
pub async fn open(url: &str) -> Result<Db, OpenError> {
    db::open(url, &MIGRATOR).await
}

/// The tables that expire, with their keys: what the site's one sweeper
/// (`plumbing::expiry`, every `SWEEP_INTERVAL_SECS`) deletes once expired. Sessions, and
/// sign-ins abandoned before their callback. Nothing else sweeps (Redis keys expire by
/// themselves).
pub const EXPIRING: [Table; 2] = [
    ("sessions", "id"),
    ("pending_sign_ins", "browser, remote, token"),
];

/// A storage failure as the registry reports it (its hooks return `oauth1::Error`).
pub(crate) fn store_error(e: impl std::fmt::Display) -> oauth1::Error {
    oauth1::Error::Store(e.to_string())
}
