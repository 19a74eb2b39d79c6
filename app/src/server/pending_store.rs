//! Where a sign-in waits between leg 1 and leg 3 (RFC 5849 §2.1-§2.3; OAuth 2: between
//! the authorization request and the token request): the site's database (the default)
//! or Redis (`TEMP_CREDENTIAL_STORE`). Each sign-in under way is one record, filed under
//! the browser that began it, holding its temporary credentials (`pending.rs`).

use std::sync::atomic::{AtomicI64, Ordering};

use crate::server::db::{self, Db};

pub(crate) fn store_error(e: impl std::fmt::Display) -> oauth1::Error {
    oauth1::Error::Store(e.to_string())
}

/// Sign-ins under way in the `pending_sign_ins` table (the default).
pub struct SqlPendingSignIns {
    pub db: Db,
    /// When expired rows were last swept (seconds since the epoch).
    last_sweep: AtomicI64,
}

/// Rows of abandoned sign-ins deleted in one statement: a sweep never holds the table
/// for long, whatever piled up.
const SWEEP_BATCH: i64 = 1000;

/// Batches per sweep at most: 20,000 rows a minute, far beyond what people leave behind.
const SWEEP_ROUNDS: usize = 20;

impl SqlPendingSignIns {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            last_sweep: AtomicI64::new(0),
        }
    }

    /// Deletes expired rows, in bounded batches, through the `expires_at` index; at most
    /// once a minute, so a burst of sign-ins does not scan on every one.
    pub async fn sweep(&self) -> Result<u64, sqlx::Error> {
        let now = db::now();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now - last < 60
            || self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(0);
        }
        self.sweep_now(now).await
    }

    /// Expired rows, now: batch after batch until one comes back short
    /// (at most [`SWEEP_ROUNDS`], so one call stays short even under a flood).
    pub async fn sweep_now(&self, now: i64) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        for _ in 0..SWEEP_ROUNDS {
            let batch = self.sweep_batch(now).await?;
            deleted += batch;
            if batch < SWEEP_BATCH as u64 {
                break;
            }
            tokio::task::yield_now().await;
        }
        Ok(deleted)
    }

    /// One batch of expired rows, through the `expires_at` index.
    pub async fn sweep_batch(&self, now: i64) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(
            "delete from pending_sign_ins where (browser, remote, token) in \
             (select browser, remote, token from pending_sign_ins where expires_at < $1 limit $2)",
        )
        .bind(now)
        .bind(SWEEP_BATCH)
        .execute(&self.db)
        .await?
        .rows_affected())
    }
}

/// Sign-ins under way in Redis (`TEMP_CREDENTIAL_STORE=redis`), expiring by themselves.
pub struct RedisPendingSignIns {
    pub conn: redis::aio::ConnectionManager,
    pub prefix: String,
}
