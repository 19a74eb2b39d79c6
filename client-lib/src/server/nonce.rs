//! Nonce stores (RFC 5849 §3.3): "the server SHALL ... verify that the nonce/timestamp/
//! token combination has not been used before". A store records a nonce atomically and
//! says whether it was new, so of many concurrent copies of one request exactly one
//! passes. The server asks only after the signature is valid, so strangers' requests
//! cannot fill the store or burn a real client's nonces.
//!
//! A nonce needs remembering only while its timestamp is inside the window: after that
//! the timestamp check refuses the request anyway, so entries expire then. Stores keep a
//! SHA-256 of the whole key: 32 bytes per request whatever the client sent.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher as _, RandomState};
use std::sync::Mutex;

use async_trait::async_trait;
use sha2::{Digest as _, Sha256};

use super::store::StoreResult;
use crate::encode::encode;

/// What makes a nonce unique (§3.3): the client, the token (empty for none), the
/// timestamp and the nonce itself.
#[derive(Clone, Copy, Debug)]
pub struct NonceKey<'a> {
    pub consumer_key: &'a str,
    pub token: &'a str,
    pub timestamp: u64,
    pub nonce: &'a str,
}

impl NonceKey<'_> {
    /// One string for the whole key, each part percent-encoded so that `:` separates
    /// them unambiguously (`a:b` + `c` is not `a` + `b:c`).
    fn joined(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            encode(self.consumer_key),
            encode(self.token),
            self.timestamp,
            encode(self.nonce)
        )
    }

    /// SHA-256 of the whole key: what the stores remember.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.joined().as_bytes()).into()
    }

    /// [`Self::digest`] in lower-case hex, for SQL and Redis keys.
    pub fn digest_hex(&self) -> String {
        hex::encode(self.digest())
    }
}

#[async_trait]
pub trait NonceStore: Send + Sync {
    /// Records the nonce until `expires_at` (Unix seconds; `now` is the server's clock).
    /// `Ok(true)` the first time, `Ok(false)` for a replay. Atomic: concurrent callers
    /// with one key get one `true`.
    async fn insert_once(&self, key: NonceKey<'_>, now: u64, expires_at: u64) -> StoreResult<bool>;
}

/// A shared store (one the application also holds) is a store.
#[async_trait]
impl<T: NonceStore + ?Sized> NonceStore for std::sync::Arc<T> {
    async fn insert_once(&self, key: NonceKey<'_>, now: u64, expires_at: u64) -> StoreResult<bool> {
        (**self).insert_once(key, now, expires_at).await
    }
}

/// For one process: maps, with entries dropped in expiry order. The keys are spread over
/// sixteen maps, each with its own lock, so requests seldom wait for each other and a
/// growing map rehashes a sixteenth of the entries at a time (measured on the provider's
/// load example: p99 47–50 ms with one map, 5–6 ms with sixteen, at the same rate).
pub struct MemoryNonceStore {
    shards: [Mutex<Shard>; SHARDS],
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
struct Shard {
    seen: HashMap<[u8; 32], u64>,
    /// Digests by the second they expire. Clients' clocks differ, so entries do not
    /// arrive in expiry order; a sorted map lets the expired go first whatever came
    /// before them (an entry timestamped in the future holds back nothing).
    by_expiry: BTreeMap<u64, Vec<[u8; 32]>>,
}

impl Shard {
    fn evict(&mut self, now: u64) {
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

    fn insert_once(&mut self, digest: [u8; 32], now: u64, expires_at: u64) -> bool {
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
    fn insert_at(&self, digest: [u8; 32], now: u64, expires_at: u64) -> bool {
        let shard = self.hasher.hash_one(digest) as usize % SHARDS;
        // A poisoned lock only means a panic elsewhere mid-insert; the map is whole.
        let mut shard = self.shards[shard]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        shard.insert_once(digest, now, expires_at)
    }

    /// Nonces remembered, over every shard.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| {
                s.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .seen
                    .len()
            })
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl NonceStore for MemoryNonceStore {
    async fn insert_once(&self, key: NonceKey<'_>, now: u64, expires_at: u64) -> StoreResult<bool> {
        Ok(self.insert_at(key.digest(), now, expires_at))
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
        assert!(store.insert_at(key("ahead"), 0, 1000));
        for i in 0..1000 {
            assert!(store.insert_at(key(&format!("a{i}")), 0, 10));
        }
        for i in 0..1000 {
            assert!(store.insert_at(key(&format!("b{i}")), 20, 30));
        }
        assert_eq!(store.len(), 1 + 1000);
        assert!(!store.insert_at(key("ahead"), 20, 1000), "still a replay");
    }

    #[test]
    fn the_key_is_unambiguous_and_32_bytes_whatever_its_length() {
        let of = |consumer_key, token, nonce| {
            NonceKey {
                consumer_key,
                token,
                timestamp: 1,
                nonce,
            }
            .digest()
        };
        assert_ne!(of("a:b", "", "c"), of("a", "b", "c"));
        assert_ne!(of("a", "b:c", "d"), of("a", "b", "c:d"));
        assert_ne!(
            of("k", "", "n"),
            of("k", "t", "n"),
            "the token is part of it"
        );
        let long = "n".repeat(10_000);
        assert_eq!(
            NonceKey {
                consumer_key: "k",
                token: "t",
                timestamp: 1,
                nonce: &long,
            }
            .digest_hex()
            .len(),
            64
        );
    }
}
