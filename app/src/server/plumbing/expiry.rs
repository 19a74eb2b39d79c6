//! What expires, swept by one policy: a background task deletes each table's expired rows
//! in bounded batches found through its `expires_at` index, so a backlog never becomes one
//! long statement holding locks. Nothing else sweeps: inserts never pay for it.
//!
//! Each service names its tables (every table with an `expires_at` column, and its key).

use std::time::Duration;

use super::db::{self, Db};

/// Rows deleted per statement.
pub const BATCH: u64 = 500;

/// A table that expires: its name and its primary key, one column or several separated by
/// commas (both SQLite and Postgres compare `(a, b) in (select a, b ...)` as rows).
pub type Table = (&'static str, &'static str);

/// Deletes the rows of `table` that expired before `now`, [`BATCH`] at a time, each
/// batch chosen by `key` (the table's primary key). Returns how many went. The
/// statement is one that SQLite and Postgres both accept (neither has `delete ... limit`
/// in common).
pub async fn expired(db: &Db, (table, key): Table, now: i64) -> Result<u64, sqlx::Error> {
    let statement = format!(
        "delete from {table} where ({key}) in \
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
pub async fn sweep_once(db: &Db, tables: &[Table]) {
    let now = db::now();
    for &(table, key) in tables {
        match expired(db, (table, key), now).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(table, rows = n, "swept expired rows"),
            Err(err) => tracing::warn!(table, error = %err, "sweeping expired rows"),
        }
    }
}

/// Sweeps `tables` now and then every `every`, for as long as the runtime runs, calling
/// `also` after each sweep (where a service forgets idle throttle entries).
pub fn start(
    db: Db,
    tables: &'static [Table],
    every: Duration,
    also: impl Fn() + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            sweep_once(&db, tables).await;
            also();
        }
    })
}
