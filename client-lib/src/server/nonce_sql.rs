//! Nonces in a SQL table (feature `nonce-sql`, through sqlx's `Any` driver: SQLite and
//! Postgres): shared by every instance on that database. The primary key makes the
//! insert atomic; expired rows go in bounded batches, every 1,024th insert, or, for an
//! application with a sweeper of its own ([`SqlNonceStore::swept_elsewhere`]), when that
//! sweeper calls [`SqlNonceStore::delete_expired`] or deletes by `expires_at`.
//!
//! The table, in the application's migrations ([`SqlNonceStore::SCHEMA`]):
//! `create table nonces (key_digest text primary key, expires_at bigint not null)`, with
//! an index on `expires_at`.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use sqlx::AnyPool;

use super::nonce::{NonceKey, NonceStore};
use super::store::StoreResult;

/// Rows deleted per statement when sweeping.
const BATCH: u64 = 500;

pub struct SqlNonceStore {
    db: AnyPool,
    table: &'static str,
    inserts: AtomicU64,
    /// Sweep before every this many inserts; `None`: the application sweeps.
    sweep_every: Option<u64>,
}

impl SqlNonceStore {
    /// The table this store expects, for an application's migrations.
    pub const SCHEMA: &'static str = "create table nonces (key_digest text primary key, \
        expires_at bigint not null); create index nonces_by_expiry on nonces (expires_at);";

    /// A store over table `nonces` of `db`.
    pub fn new(db: AnyPool) -> Self {
        Self {
            db,
            table: "nonces",
            inserts: AtomicU64::new(0),
            sweep_every: Some(1024),
        }
    }

    /// Leaves the expired rows to the application's own sweeper: inserts never pay for
    /// sweeping (one policy per service, not two).
    pub fn swept_elsewhere(mut self) -> Self {
        self.sweep_every = None;
        self
    }

    /// Another table name (one the application chose in its migrations).
    pub fn table(mut self, name: &'static str) -> Self {
        self.table = name;
        self
    }

    /// Deletes the nonces that expired before `now`, [`BATCH`] at a time (a backlog never
    /// becomes one long statement holding locks). Returns how many went. The statement
    /// is one both SQLite and Postgres take (neither has `delete ... limit` in common).
    #[tracing::instrument(name = "nonce_store.delete_expired", skip_all, fields(table = self.table))]
    pub async fn delete_expired(&self, now: u64) -> Result<u64, sqlx::Error> {
        let table = self.table;
        let statement = format!(
            "delete from {table} where key_digest in \
             (select key_digest from {table} where expires_at < $1 limit {BATCH})"
        );
        let mut total = 0;
        loop {
            let deleted = sqlx::query(&statement)
                .bind(now as i64)
                .execute(&self.db)
                .await?
                .rows_affected();
            total += deleted;
            if deleted < BATCH {
                return Ok(total);
            }
        }
    }
}

#[async_trait]
impl NonceStore for SqlNonceStore {
    #[tracing::instrument(name = "nonce_store.insert", skip_all, fields(table = self.table))]
    async fn insert_once(&self, key: NonceKey<'_>, now: u64, expires_at: u64) -> StoreResult<bool> {
        if let Some(every) = self.sweep_every
            && self
                .inserts
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(every)
        {
            self.delete_expired(now).await?;
        }
        let inserted = sqlx::query(&format!(
            "insert into {} (key_digest, expires_at) values ($1, $2) on conflict do nothing",
            self.table
        ))
        .bind(key.digest_hex())
        .bind(expires_at as i64)
        .execute(&self.db)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }
}
