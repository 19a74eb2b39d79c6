//! What expires, swept by one policy: a background task (`SWEEP_INTERVAL_SECS`) deletes
//! every table's expired rows in bounded batches found through its `expires_at` index,
//! so a backlog never becomes one long statement holding locks. Nothing else sweeps:
//! inserts never pay for it, and the nonce store is told so.
//!
//! Temporary credentials (RFC 5849 §2.1: short-lived), nonces past their timestamp window
//! (§3.3), web sessions, and OAuth 2.0 codes, tokens and revoked families.

use std::time::Duration;

use crate::db::{self, Db};

/// Rows deleted per statement.
pub const BATCH: u64 = 500;

/// Every table with an `expires_at` column, and its primary key.
pub const TABLES: [(&str, &str); 6] = [
    ("request_tokens", "token"),
    ("nonces", "key_digest"),
    ("sessions", "id"),
    ("oauth2_codes", "code_digest"),
    ("oauth2_tokens", "token_digest"),
    ("oauth2_revoked_families", "family_id"),
];

/// Deletes the rows of `table` that expired before `now`, [`BATCH`] at a time, each
/// batch chosen by `key` (the table's primary key). Returns how many went. The
/// statement is one that SQLite and Postgres both accept (neither has `delete ... limit`
/// in common).
pub async fn expired(
    db: &Db,
    table: &'static str,
    key: &'static str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let statement = format!(
        "delete from {table} where {key} in \
         (select {key} from {table} where expires_at < $1 limit {BATCH})"
    );
    let mut total = 0;
    loop {
        let deleted = sqlx::query(&statement)
            .bind(now)
            .execute(db)
            .await?
            .rows_affected();
        total += deleted;
        if deleted < BATCH {
            return Ok(total);
        }
        // Let requests waiting for the database in between.
        tokio::task::yield_now().await;
    }
}

/// One sweep of every table; failures are logged and retried next time.
pub async fn sweep_once(db: &Db) {
    let now = db::now();
    for (table, key) in TABLES {
        match expired(db, table, key, now).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(table, rows = n, "swept expired rows"),
            Err(err) => tracing::warn!(table, error = %err, "sweeping expired rows"),
        }
    }
}

/// Sweeps now and then every `every`, for as long as the runtime runs, calling `also`
/// after each sweep (the service forgets idle throttle entries there).
pub fn start(
    db: Db,
    every: Duration,
    also: impl Fn() + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            sweep_once(&db).await;
            also();
        }
    })
}
