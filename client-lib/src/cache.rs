//! Where temporary credentials wait between leg 1 and leg 3 (RFC 5849 §2.1–§2.3), keyed
//! by the request token. Server side, never in a cookie: the token secret must stay here.

use std::collections::HashMap;
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
    entries: Mutex<HashMap<String, (RequestToken, Instant)>>,
}

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (RequestToken, Instant)>> {
        // A panic while holding the lock cannot leave the map half-written.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl TemporaryCredentialCache for MemoryCache {
    async fn set(&self, key: &str, value: &RequestToken, ttl: Duration) -> Result<(), Error> {
        let now = Instant::now();
        let mut entries = self.lock();
        entries.retain(|_, (_, expires)| *expires > now);
        entries.insert(key.to_owned(), (value.clone(), now + ttl));
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<RequestToken>, Error> {
        Ok(self
            .lock()
            .get(key)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(v, _)| v.clone()))
    }

    async fn delete(&self, key: &str) -> Result<(), Error> {
        self.lock().remove(key);
        Ok(())
    }

    async fn take(&self, key: &str) -> Result<Option<RequestToken>, Error> {
        Ok(self
            .lock()
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
