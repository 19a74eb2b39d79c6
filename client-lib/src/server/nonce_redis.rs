//! Nonces in Redis (feature `nonce-redis`): shared by every instance, one `SET NX EXAT`
//! per request, so Redis forgets each nonce by itself once its window has passed.

use async_trait::async_trait;

use super::nonce::{NonceKey, NonceStore};
use super::store::StoreResult;

pub struct RedisNonceStore {
    conn: redis::aio::ConnectionManager,
    prefix: String,
}

impl RedisNonceStore {
    /// A store on `conn`; every key starts with `prefix` (then `nonce:`), so that several
    /// deployments or tests can share a server.
    pub fn new(conn: redis::aio::ConnectionManager, prefix: impl Into<String>) -> Self {
        Self {
            conn,
            prefix: prefix.into(),
        }
    }

    /// Connects to `url` (`redis://127.0.0.1:6379`).
    pub async fn connect(url: &str, prefix: impl Into<String>) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client).await?;
        Ok(Self::new(conn, prefix))
    }
}

#[async_trait]
impl NonceStore for RedisNonceStore {
    #[tracing::instrument(name = "nonce_store.insert", skip_all, fields(prefix = %self.prefix))]
    async fn insert_once(
        &self,
        key: NonceKey<'_>,
        _now: u64,
        expires_at: u64,
    ) -> StoreResult<bool> {
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
