//! Sweeping what expires: temporary credentials (RFC 5849 §2.1: short-lived), nonces
//! past their timestamp window (§3.3) and web sessions. Rows go in bounded batches found
//! through each table's `expires_at` index, so a backlog never becomes one long
//! statement holding locks; a background task sweeps every `SWEEP_INTERVAL_SECS`.

use std::time::Duration;

use crate::db::{self, Db};
use crate::state::AppState;

/// Rows deleted per statement.
pub const BATCH: u64 = 500;

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

/// One sweep of everything that expires; failures are logged and retried next time.
pub async fn once(state: &AppState) {
    let now = db::now();
    if let Err(err) = crate::tokens::delete_expired_request_tokens(&state.db, now).await {
        tracing::warn!(error = %err, "sweeping expired request tokens");
    }
    for (table, key) in [
        ("nonces", "key_digest"),
        ("sessions", "id"),
        // OAuth 2.0 codes and tokens past their lifetime, used or not.
        ("oauth2_codes", "code_digest"),
        ("oauth2_tokens", "token_digest"),
        ("oauth2_revoked_families", "family_id"),
    ] {
        match expired(&state.db, table, key, now).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(table, rows = n, "swept expired rows"),
            Err(err) => tracing::warn!(table, error = %err, "sweeping expired rows"),
        }
    }
    state.login_limits.forget_idle();
}

/// Sweeps now and then every `sweep_interval_secs`, for as long as the runtime runs.
pub fn start(state: AppState) -> tokio::task::JoinHandle<()> {
    let every = Duration::from_secs(state.config.sweep_interval_secs.max(1));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            once(&state).await;
        }
    })
}
