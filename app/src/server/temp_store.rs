//! Where a sign-in waits between leg 1 and leg 3 (RFC 5849 §2.1-§2.3): the temporary
//! credentials, in the site's database (the default) or Redis (`TEMP_CREDENTIAL_STORE`).
//! The same stores keep the sign-ins under way per browser (`pending.rs`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use oauth1::{RequestToken, TemporaryCredentialCache};
use sqlx::Row;

use crate::server::db::{self, Db};

pub(crate) fn store_error(e: impl std::fmt::Display) -> oauth1::Error {
    oauth1::Error::Store(e.to_string())
}

/// Temporary credentials in the `temporary_credentials` table (the default), and the
/// sign-ins under way (`pending.rs`).
pub struct SqlCache {
    pub db: Db,
    /// When expired rows were last swept (seconds since the epoch).
    last_sweep: AtomicI64,
}

/// Rows of abandoned sign-ins deleted in one statement: a sweep never holds the table
/// for long, whatever piled up.
const SWEEP_BATCH: i64 = 1000;

/// Batches per sweep at most: 20,000 rows a minute, far beyond what people leave behind.
const SWEEP_ROUNDS: usize = 20;

impl SqlCache {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            last_sweep: AtomicI64::new(0),
        }
    }

    /// Deletes expired rows of both tables, one bounded batch each, through the
    /// `expires_at` indexes; at most once a minute, so a burst of sign-ins does not
    /// scan on every one.
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

    /// Expired rows of both tables, now: batch after batch until one comes back short
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

    /// One batch of expired rows per table, through the `expires_at` indexes.
    pub async fn sweep_batch(&self, now: i64) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        for statement in [
            "delete from temporary_credentials where key in \
             (select key from temporary_credentials where expires_at < $1 limit $2)",
            "delete from pending_sign_ins where (browser, remote, token) in \
             (select browser, remote, token from pending_sign_ins where expires_at < $1 limit $2)",
        ] {
            deleted = deleted.max(
                sqlx::query(statement)
                    .bind(now)
                    .bind(SWEEP_BATCH)
                    .execute(&self.db)
                    .await?
                    .rows_affected(),
            );
        }
        Ok(deleted)
    }
}

#[async_trait]
impl TemporaryCredentialCache for SqlCache {
    async fn set(
        &self,
        key: &str,
        value: &RequestToken,
        ttl: Duration,
    ) -> Result<(), oauth1::Error> {
        let now = db::now();
        // Expired rows of abandoned sign-ins go as new ones arrive.
        self.sweep().await.map_err(store_error)?;
        sqlx::query(
            "insert into temporary_credentials (key, token, secret, expires_at) \
             values ($1, $2, $3, $4)",
        )
        .bind(key)
        .bind(value.token.as_str())
        .bind(value.secret.secret())
        .bind(now + ttl.as_secs() as i64)
        .execute(&self.db)
        .await
        .map_err(store_error)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<RequestToken>, oauth1::Error> {
        let row = sqlx::query(
            "select token, secret from temporary_credentials where key = $1 and expires_at >= $2",
        )
        .bind(key)
        .bind(db::now())
        .fetch_optional(&self.db)
        .await
        .map_err(store_error)?;
        row.as_ref().map(request_token).transpose()
    }

    async fn delete(&self, key: &str) -> Result<(), oauth1::Error> {
        sqlx::query("delete from temporary_credentials where key = $1")
            .bind(key)
            .execute(&self.db)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    /// Atomic: of two callbacks racing with the same token, one gets the credentials.
    async fn take(&self, key: &str) -> Result<Option<RequestToken>, oauth1::Error> {
        let row = sqlx::query(
            "delete from temporary_credentials where key = $1 \
             returning token, secret, expires_at",
        )
        .bind(key)
        .fetch_optional(&self.db)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let expires: i64 = row.try_get("expires_at").map_err(store_error)?;
        if expires < db::now() {
            return Ok(None);
        }
        request_token(&row).map(Some)
    }
}

fn request_token(row: &sqlx::any::AnyRow) -> Result<RequestToken, oauth1::Error> {
    Ok(RequestToken::new(
        row.try_get::<String, _>("token").map_err(store_error)?,
        row.try_get::<String, _>("secret").map_err(store_error)?,
    ))
}

/// Temporary credentials in Redis (`TEMP_CREDENTIAL_STORE=redis`), expiring by themselves.
pub struct RedisCache {
    pub conn: redis::aio::ConnectionManager,
    pub prefix: String,
}

#[async_trait]
impl TemporaryCredentialCache for RedisCache {
    async fn set(
        &self,
        key: &str,
        value: &RequestToken,
        ttl: Duration,
    ) -> Result<(), oauth1::Error> {
        let mut conn = self.conn.clone();
        let data = format!("{}\n{}", value.token.as_str(), value.secret.secret());
        redis::cmd("SET")
            .arg(format!("{}{key}", self.prefix))
            .arg(data)
            .arg("EX")
            .arg(ttl.as_secs().max(1))
            .query_async::<()>(&mut conn)
            .await
            .map_err(store_error)
    }

    async fn get(&self, key: &str) -> Result<Option<RequestToken>, oauth1::Error> {
        self.read("GET", key).await
    }

    async fn delete(&self, key: &str) -> Result<(), oauth1::Error> {
        let mut conn = self.conn.clone();
        redis::cmd("DEL")
            .arg(format!("{}{key}", self.prefix))
            .query_async::<()>(&mut conn)
            .await
            .map_err(store_error)
    }

    /// `GETDEL` is atomic: of two racing callbacks, one gets the credentials.
    async fn take(&self, key: &str) -> Result<Option<RequestToken>, oauth1::Error> {
        self.read("GETDEL", key).await
    }
}

impl RedisCache {
    /// Runs `GET` or `GETDEL` on `key` and reads the stored `token\nsecret`.
    async fn read(&self, command: &str, key: &str) -> Result<Option<RequestToken>, oauth1::Error> {
        let mut conn = self.conn.clone();
        let data: Option<String> = redis::cmd(command)
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(data.as_deref().and_then(|d| {
            let (token, secret) = d.split_once('\n')?;
            Some(RequestToken::new(token, secret))
        }))
    }
}
