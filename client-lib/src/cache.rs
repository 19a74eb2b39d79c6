//! Where temporary credentials wait between leg 1 and leg 3 (RFC 5849 §2.1–§2.3), keyed
//! by the request token. Server side, never in a cookie: the token secret must stay here.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::error::Error;
use crate::types::RequestToken;

/// get / set with expiry / delete. Implement it over a database or Redis to share the
/// waiting credentials between processes (the demo site keeps them in its SQL database).
#[async_trait]
pub trait TemporaryCredentialCache: Send + Sync {
    async fn set(&self, key: &str, value: &RequestToken, ttl: Duration) -> Result<(), Error>;
    async fn get(&self, key: &str) -> Result<Option<RequestToken>, Error>;
    async fn delete(&self, key: &str) -> Result<(), Error>;

    /// Reads and removes, so a callback is good once. Stores with an atomic
    /// delete-and-return should override this.
    async fn take(&self, key: &str) -> Result<Option<RequestToken>, Error> {
        let value = self.get(key).await?;
        if value.is_some() {
            self.delete(key).await?;
        }
        Ok(value)
    }
}

/// In-process cache: the default, right for one process.
#[derive(Default)]
pub struct MemoryCache {
    entries: Mutex<Entries>,
}

/// The values, and their keys ordered by expiry: each `set` drops what has expired by
/// looking at the soonest few, never by scanning every value.
#[derive(Default)]
struct Entries {
    values: HashMap<String, (RequestToken, Instant)>,
    expiry: BinaryHeap<Reverse<(Instant, String)>>,
}

impl Entries {
    fn drop_expired(&mut self, now: Instant) {
        while let Some(Reverse((expires, _))) = self.expiry.peek() {
            if *expires > now {
                break;
            }
            let Some(Reverse((expires, key))) = self.expiry.pop() else {
                break;
            };
            // Only if the key was not set again since with a later expiry.
            if self.values.get(&key).is_some_and(|(_, e)| *e == expires) {
                self.values.remove(&key);
            }
        }
        // Keys taken before they expired leave heap entries behind; rebuild when they
        // outnumber the live values, so the heap stays within twice the values.
        if self.expiry.len() > 2 * self.values.len() + 64 {
            self.expiry = self
                .values
                .iter()
                .map(|(k, (_, e))| Reverse((*e, k.clone())))
                .collect();
        }
    }
}

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave the map half-written.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many values are held (expired ones not yet dropped included).
    pub fn len(&self) -> usize {
        self.lock().values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl TemporaryCredentialCache for MemoryCache {
    async fn set(&self, key: &str, value: &RequestToken, ttl: Duration) -> Result<(), Error> {
        let now = Instant::now();
        let mut entries = self.lock();
        entries.drop_expired(now);
        entries
            .values
            .insert(key.to_owned(), (value.clone(), now + ttl));
        entries.expiry.push(Reverse((now + ttl, key.to_owned())));
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<RequestToken>, Error> {
        Ok(self
            .lock()
            .values
            .get(key)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(v, _)| v.clone()))
    }

    async fn delete(&self, key: &str) -> Result<(), Error> {
        self.lock().values.remove(key);
        Ok(())
    }

    async fn take(&self, key: &str) -> Result<Option<RequestToken>, Error> {
        Ok(self
            .lock()
            .values
            .remove(key)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(v, _)| v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_value_is_taken_once() {
        let cache = MemoryCache::new();
        let token = RequestToken::new("t", "s");
        cache
            .set("k", &token, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(cache.get("k").await.unwrap(), Some(token.clone()));
        assert_eq!(cache.take("k").await.unwrap(), Some(token));
        assert_eq!(cache.take("k").await.unwrap(), None);
    }

    #[tokio::test]
    async fn expired_values_are_dropped_as_new_ones_arrive() {
        let cache = MemoryCache::new();
        let token = RequestToken::new("t", "s");
        for i in 0..1000 {
            cache
                .set(&format!("old{i}"), &token, Duration::ZERO)
                .await
                .unwrap();
        }
        cache
            .set("new", &token, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(cache.len(), 1);
        // Taken values leave nothing behind for long either.
        for i in 0..1000 {
            let key = format!("taken{i}");
            cache
                .set(&key, &token, Duration::from_secs(60))
                .await
                .unwrap();
            cache.take(&key).await.unwrap();
        }
        let heap = cache.lock().expiry.len();
        assert!(heap <= 2 * cache.len() + 65, "{heap}");
        assert_eq!(cache.get("new").await.unwrap(), Some(token));
    }

    #[tokio::test]
    async fn an_expired_value_is_gone() {
        let cache = MemoryCache::new();
        cache
            .set("k", &RequestToken::new("t", "s"), Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(cache.get("k").await.unwrap(), None);
        assert_eq!(cache.take("k").await.unwrap(), None);
    }
}
