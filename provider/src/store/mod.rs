//! The provider's storage boundary for OAuth: apps and their credentials, OAuth 1.0a's
//! tokens (and their tables as `oauth1::server`'s stores), OAuth 2.0's beside them, web
//! sessions, and the one sweeper of what expires. The Twitter API's own records (users,
//! statuses) keep their rules beside their SQL, in `users` and `statuses`.

/// What storage code fails with: never an HTTP error. The service maps it (`error.rs`):
/// every kind is a 500 (or 503 for an unreachable database) and is logged.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A row this code wrote no longer reads (an access level, a scope, a key).
    #[error("damaged row: {0}")]
    Damaged(String),
    /// What the caller asked to store breaks the table's rule (the pages check first,
    /// so this is a programming error).
    #[error("refused to store: {0}")]
    Invalid(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

use crate::plumbing::db::{self, Db, OpenError};
use crate::plumbing::expiry::Table;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/provider");

/// Connects (creating a SQLite file and its folder if missing) and runs the provider's
/// migrations.
pub async fn connect(url: &str) -> Result<Db, OpenError> {
    db::open(url, &MIGRATOR).await
}

/// Every table with an `expires_at` column, and its primary key: what the one sweeper
/// (`plumbing::expiry`, every `SWEEP_INTERVAL_SECS`) deletes once expired. Temporary
/// credentials (RFC 5849 §2.1: short-lived), nonces past their timestamp window (§3.3),
/// web sessions, and OAuth 2.0 codes, tokens and revoked families. Nothing else sweeps:
/// the nonce store is told so.
pub const EXPIRING: [Table; 6] = [
    ("request_tokens", "token"),
    ("nonces", "key_digest"),
    ("sessions", "id"),
    ("oauth2_codes", "code_digest"),
    ("oauth2_tokens", "token_digest"),
    ("oauth2_revoked_families", "family_id"),
];

pub mod apps;
pub mod grant_cache;
pub mod oauth1;
pub mod oauth2;
pub mod sessions;
pub mod tokens;
