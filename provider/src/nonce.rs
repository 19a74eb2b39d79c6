//! Nonce stores (RFC 5849 §3.3): "the server SHALL ... verify that the nonce/timestamp/
//! token combination has not been used before". Each store records a nonce atomically and
//! says whether it was new, so of many concurrent copies of one request exactly one passes.
//!
//! A nonce only needs remembering while its timestamp is inside the accepted window:
//! after that the timestamp check rejects the request anyway, so entries expire then.
//!
//! Every store keeps a SHA-256 digest of the whole key, not the key itself: 32 bytes per
//! request whatever the client sent, and one fixed-size primary key in SQL.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher as _, RandomState};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use oauth1::encode::encode;
use sha2::{Digest as _, Sha256};

use crate::db::Db;

/// What makes a nonce unique: the client, the token (empty for none) and the timestamp.
#[derive(Clone, Copy, Debug)]
pub struct NonceKey<'a> {
    pub consumer_key: &'a str,
    pub token: &'a str,
    pub timestamp: u64,
    pub nonce: &'a str,
}

impl NonceKey<'_> {
    /// One string for the whole key; each part is percent-encoded so `:` separates
    /// unambiguously.
    fn joined(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            encode(self.consumer_key),
            encode(self.token),
            self.timestamp,
            encode(self.nonce)
        )
    }

    /// SHA-256 of [`Self::joined`]: what the stores remember.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.joined().as_bytes()).into()
    }

    /// [`Self::digest`] in lower-case hex, for the SQL and Redis stores.
    pub fn digest_hex(&self) -> String {
        self.digest().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NonceStoreError {
    #[error("nonce store (database): {0}")]
    Sql(#[from] sqlx::Error),
    #[error("nonce store (redis): {0}")]
    Redis(#[from] redis::RedisError),
}

#[async_trait]
pub trait NonceStore: Send + Sync + 'static {
    /// Records the nonce until `expires_at` (Unix seconds). `Ok(true)` the first time,
    /// `Ok(false)` for a replay. Atomic: concurrent callers with one key get one `true`.
    async fn insert_once(
        &self,
        key: NonceKey<'_>,
        expires_at: i64,
    ) -> Result<bool, NonceStoreError>;
}

/// For one process: maps, with entries dropped in expiry order. The keys are spread over
/// [`SHARDS`] maps, each with its own lock, so requests seldom wait for each other and a
/// map that grows rehashes a sixteenth of the entries, not all of them at once. (The load
/// benchmark's p99 is 47–50 ms with one map, 5–6 ms with sixteen, at the same req/s.)
pub struct MemoryNonceStore {
    shards: [Mutex<MemoryInner>; SHARDS],
    hasher: RandomState,
}

const SHARDS: usize = 16;

impl Default for MemoryNonceStore {
    fn default() -> Self {
        Self {
            shards: std::array::from_fn(|_| Mutex::default()),
            hasher: RandomState::new(),
        }
    }
}

#[derive(Default)]
struct MemoryInner {
    seen: HashMap<[u8; 32], i64>,
    /// Digests by the second they expire. Clients' clocks differ, so entries do not arrive
    /// in expiry order; a sorted map lets the expired ones go first whatever came before
    /// them (an entry timestamped in the future no longer holds back older ones).
    by_expiry: BTreeMap<i64, Vec<[u8; 32]>>,
}

impl MemoryInner {
    fn evict(&mut self, now: i64) {
        while let Some(entry) = self.by_expiry.first_entry()
            && *entry.key() < now
        {
            let at = *entry.key();
            for digest in entry.remove() {
                if self.seen.get(&digest) == Some(&at) {
                    self.seen.remove(&digest);
                }
            }
        }
    }

    fn insert_once(&mut self, digest: [u8; 32], expires_at: i64, now: i64) -> bool {
        self.evict(now);
        if self.seen.get(&digest).is_some_and(|at| *at >= now) {
            return false;
        }
        self.seen.insert(digest, expires_at);
        self.by_expiry.entry(expires_at).or_default().push(digest);
        true
    }
}

impl MemoryNonceStore {
    fn insert_at(&self, digest: [u8; 32], expires_at: i64, now: i64) -> bool {
        let shard = self.hasher.hash_one(digest) as usize % SHARDS;
        // A poisoned lock only means another request panicked mid-insert; the map is
        // still a valid map, so keep using it.
        let mut inner = self.shards[shard].lock().unwrap_or_else(|e| e.into_inner());
        inner.insert_once(digest, expires_at, now)
    }

    /// Nonces remembered, over every shard.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).seen.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl NonceStore for MemoryNonceStore {
    async fn insert_once(
        &self,
        key: NonceKey<'_>,
        expires_at: i64,
    ) -> Result<bool, NonceStoreError> {
        Ok(self.insert_at(key.digest(), expires_at, crate::db::now()))
    }
}

/// In the provider's database: shared by every instance on that database. The primary
/// key makes the insert atomic; expired rows are purged now and then.
pub struct SqlNonceStore {
    db: Db,
    inserts: AtomicU64,
}

impl SqlNonceStore {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            inserts: AtomicU64::new(0),
        }
    }
}

#[async_trait]
impl NonceStore for SqlNonceStore {
    async fn insert_once(
        &self,
        key: NonceKey<'_>,
        expires_at: i64,
    ) -> Result<bool, NonceStoreError> {
        if self
            .inserts
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(1024)
        {
            crate::sweep::expired(&self.db, "nonces", "key_digest", crate::db::now()).await?;
        }
        let inserted = sqlx::query(
            "insert into nonces (key_digest, expires_at) values ($1, $2) on conflict do nothing",
        )
        .bind(key.digest_hex())
        .bind(expires_at)
        .execute(&self.db)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }
}

/// In Redis: shared by every instance, one `SET NX EXAT` per request.
pub struct RedisNonceStore {
    conn: redis::aio::ConnectionManager,
    prefix: String,
}

impl RedisNonceStore {
    /// `prefix` starts every key, so several deployments (or tests) can share a server.
    pub async fn connect(url: &str, prefix: impl Into<String>) -> Result<Self, NonceStoreError> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client).await?;
        Ok(Self {
            conn,
            prefix: prefix.into(),
        })
    }
}

#[async_trait]
impl NonceStore for RedisNonceStore {
    async fn insert_once(
        &self,
        key: NonceKey<'_>,
        expires_at: i64,
    ) -> Result<bool, NonceStoreError> {
        let mut conn = self.conn.clone();
        let reply: Option<String> = redis::cmd("SET")
            .arg(format!("{}nonce:{}", self.prefix, key.digest_hex()))
            .arg(1)
            .arg("NX")
            .arg("EXAT")
            .arg(expires_at.max(1))
            .query_async(&mut conn)
            .await?;
        Ok(reply.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(nonce: &str) -> [u8; 32] {
        NonceKey {
            consumer_key: "k",
            token: "",
            timestamp: 1,
            nonce,
        }
        .digest()
    }

    #[test]
    fn a_nonce_with_a_future_timestamp_does_not_hold_back_older_ones() {
        let store = MemoryNonceStore::default();
        // First in: a client whose clock runs ahead, remembered until t = 1000.
        assert!(store.insert_at(key("ahead"), 1000, 0));
        for i in 0..1000 {
            assert!(store.insert_at(key(&format!("a{i}")), 10, 0));
        }
        // At t = 20 the thousand have expired; each shard drops its own on its next insert.
        for i in 0..1000 {
            assert!(store.insert_at(key(&format!("b{i}")), 30, 20));
        }
        assert_eq!(store.len(), 1 + 1000);
        assert!(!store.insert_at(key("ahead"), 1000, 20), "still a replay");
    }

    #[test]
    fn every_key_is_remembered_in_32_bytes() {
        let long = "n".repeat(10_000);
        let digest = NonceKey {
            consumer_key: "k",
            token: "t",
            timestamp: 1,
            nonce: &long,
        }
        .digest_hex();
        assert_eq!(digest.len(), 64);
        assert_ne!(key("a"), key("b"));
    }
}
