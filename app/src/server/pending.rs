//! Sign-ins under way, each filed under the browser that began it (`browser.rs`), kept
//! next to the temporary credentials (SQL or Redis, `TEMP_CREDENTIAL_STORE`).
//!
//! A browser may have a few at once (two tabs, a double click, Chirp and Warble
//! together); past [`MAX_PER_BROWSER`] the oldest is dropped, so a browser that starts
//! sign-ins in a loop holds a bounded number of rows. Each is taken once.

use std::time::Duration;

use crate::server::db;
use async_trait::async_trait;
use oauth1::{PendingAuthorization, Token};
use sqlx::Row;

use crate::server::browser::BrowserKey;
use crate::server::temp_store::{RedisCache, SqlCache, store_error};

/// Sign-ins one browser may have under way at once.
pub const MAX_PER_BROWSER: usize = 8;

#[async_trait]
pub trait PendingSignIns: Send + Sync {
    /// Files `pending` under `browser` for `ttl`, dropping that browser's oldest beyond
    /// [`MAX_PER_BROWSER`].
    async fn add(
        &self,
        browser: &BrowserKey,
        pending: &PendingAuthorization,
        ttl: Duration,
    ) -> Result<(), oauth1::Error>;

    /// Removes and returns the sign-in of `remote` with request token `token` that
    /// `browser` began, if there is one and it has not expired.
    async fn take(
        &self,
        browser: &BrowserKey,
        remote: &str,
        token: &str,
    ) -> Result<Option<PendingAuthorization>, oauth1::Error>;
}

#[async_trait]
impl PendingSignIns for SqlCache {
    async fn add(
        &self,
        browser: &BrowserKey,
        pending: &PendingAuthorization,
        ttl: Duration,
    ) -> Result<(), oauth1::Error> {
        let mut tx = self.db.begin().await.map_err(store_error)?;
        sqlx::query(
            "insert into pending_sign_ins (browser, remote, token, expires_at) \
             values ($1, $2, $3, $4)",
        )
        .bind(browser.as_str())
        .bind(&pending.remote)
        .bind(pending.token.as_str())
        .bind(db::now() + ttl.as_secs() as i64)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        sqlx::query(
            "delete from pending_sign_ins where browser = $1 and (remote, token) not in \
             (select remote, token from pending_sign_ins where browser = $1 \
              order by expires_at desc limit $2)",
        )
        .bind(browser.as_str())
        .bind(MAX_PER_BROWSER as i64)
        .execute(&mut *tx)
        .await
        .map_err(store_error)?;
        tx.commit().await.map_err(store_error)
    }

    async fn take(
        &self,
        browser: &BrowserKey,
        remote: &str,
        token: &str,
    ) -> Result<Option<PendingAuthorization>, oauth1::Error> {
        let row = sqlx::query(
            "delete from pending_sign_ins where browser = $1 and remote = $2 and token = $3 \
             returning expires_at",
        )
        .bind(browser.as_str())
        .bind(remote)
        .bind(token)
        .fetch_optional(&self.db)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let expires: i64 = row.try_get("expires_at").map_err(store_error)?;
        Ok((expires >= db::now()).then(|| PendingAuthorization {
            remote: remote.to_owned(),
            token: Token::new(token),
        }))
    }
}

/// In Redis: one sorted set per browser, `{prefix}pf:{browser}`, members `remote token`
/// scored by expiry, the set itself expiring with its newest member.
#[async_trait]
impl PendingSignIns for RedisCache {
    async fn add(
        &self,
        browser: &BrowserKey,
        pending: &PendingAuthorization,
        ttl: Duration,
    ) -> Result<(), oauth1::Error> {
        let mut conn = self.conn.clone();
        let key = self.pending_key(browser);
        let now = db::now();
        redis::pipe()
            .atomic()
            .cmd("ZREMRANGEBYSCORE")
            .arg(&key)
            .arg("-inf")
            .arg(now - 1)
            .ignore()
            .cmd("ZADD")
            .arg(&key)
            .arg(now + ttl.as_secs() as i64)
            .arg(member(&pending.remote, pending.token.as_str()))
            .ignore()
            .cmd("ZREMRANGEBYRANK")
            .arg(&key)
            .arg(0)
            .arg(-(MAX_PER_BROWSER as i64) - 1)
            .ignore()
            .cmd("EXPIRE")
            .arg(&key)
            .arg(ttl.as_secs().max(1))
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(store_error)
    }

    async fn take(
        &self,
        browser: &BrowserKey,
        remote: &str,
        token: &str,
    ) -> Result<Option<PendingAuthorization>, oauth1::Error> {
        let mut conn = self.conn.clone();
        let key = self.pending_key(browser);
        let member = member(remote, token);
        let (expires, removed): (Option<f64>, i64) = redis::pipe()
            .atomic()
            .cmd("ZSCORE")
            .arg(&key)
            .arg(&member)
            .cmd("ZREM")
            .arg(&key)
            .arg(&member)
            .query_async(&mut conn)
            .await
            .map_err(store_error)?;
        let live = removed == 1 && expires.is_some_and(|e| e >= db::now() as f64);
        Ok(live.then(|| PendingAuthorization {
            remote: remote.to_owned(),
            token: Token::new(token),
        }))
    }
}

/// Remote names have no spaces (`SITE_REMOTES` allows letters, digits, `-` and `_`).
fn member(remote: &str, token: &str) -> String {
    format!("{remote} {token}")
}

impl RedisCache {
    fn pending_key(&self, browser: &BrowserKey) -> String {
        format!("{}pf:{}", self.prefix, browser.as_str())
    }
}
