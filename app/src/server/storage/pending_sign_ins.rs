//! Sign-ins under way (RFC 5849 §2.1-§2.3; OAuth 2: between the authorization request
//! and the token request): each is one record holding its temporary credentials, filed
//! under the browser that began it (`sign_in/browser.rs`), in the site's database (the
//! default, table `pending_sign_ins`) or in Redis (`PENDING_SIGN_IN_STORE`). Starting a
//! sign-in is one write and finishing it one more.
//!
//! A browser may have a few at once (two tabs, a double click, Chirp and Warble
//! together); past [`MAX_PER_BROWSER`] the oldest is dropped, so a browser that starts
//! sign-ins in a loop holds a bounded number of rows. Each is taken once.

use std::time::Duration;

use async_trait::async_trait;
use oauth1::{PendingAuthorization, RemoteToken};
use sqlx::Row;

use crate::server::plumbing::db::{self, Db};
use crate::server::sign_in::browser::BrowserKey;
use crate::server::storage::store_error;

/// Sign-ins one browser may have under way at once.
pub const MAX_PER_BROWSER: usize = 8;

/// Sign-ins under way in the `pending_sign_ins` table (the default).
pub struct SqlPendingSignIns {
    pub db: Db,
}

impl SqlPendingSignIns {
    /// Expired rows are deleted by the site's one sweeper (`storage::EXPIRING`).
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// Sign-ins under way in Redis (`PENDING_SIGN_IN_STORE=redis`), expiring by themselves.
pub struct RedisPendingSignIns {
    pub conn: redis::aio::ConnectionManager,
    pub prefix: String,
}

/// One sign-in under way: what the registry returned for it (OAuth 1's temporary
/// credentials, or OAuth 2's `state` and PKCE verifier), kept server-side for the browser
/// that began it and filed under its [`callback_key`](PendingAuthorization::callback_key).
pub type PendingSignIn = PendingAuthorization<RemoteToken>;

fn to_json(sign_in: &PendingSignIn) -> Result<String, oauth1::Error> {
    serde_json::to_string(sign_in).map_err(store_error)
}

/// A record this version cannot read (one written before an upgrade changed its shape)
/// is a sign-in that has to start again, not an error page.
fn from_json(data: &str) -> Result<Option<PendingSignIn>, oauth1::Error> {
    match serde_json::from_str(data) {
        Ok(sign_in) => Ok(Some(sign_in)),
        Err(e) => {
            tracing::warn!(err = ?e.to_string(), "a sign-in under way could not be read; it has to start again");
            Ok(None)
        }
    }
}

#[async_trait]
pub trait PendingSignIns: Send + Sync {
    /// Files `pending` under `browser` for `ttl`, dropping that browser's oldest beyond
    /// [`MAX_PER_BROWSER`].
    async fn add(
        &self,
        browser: &BrowserKey,
        sign_in: &PendingSignIn,
        ttl: Duration,
    ) -> Result<(), oauth1::Error>;

    /// Removes and returns the sign-in of `remote` with callback key `token` (request
    /// token or `state`) that `browser` began, if there is one and it has not expired.
    async fn take(
        &self,
        browser: &BrowserKey,
        remote: &str,
        token: &str,
    ) -> Result<Option<PendingSignIn>, oauth1::Error>;
}

#[async_trait]
impl PendingSignIns for SqlPendingSignIns {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn add(
        &self,
        browser: &BrowserKey,
        sign_in: &PendingSignIn,
        ttl: Duration,
    ) -> Result<(), oauth1::Error> {
        // Past the bound, drop this browser's oldest. The insert counts its browser's
        // rows as it goes (with or without the new one, depending on the database: hence
        // `>=`), so the common case is one statement; the delete is only for a browser
        // that left many sign-ins behind. A race between two of its own sign-ins drops
        // more, never fewer.
        let held: i64 = sqlx::query(
            "insert into pending_sign_ins (browser, remote, token, data, expires_at) \
             values ($1, $2, $3, $4, $5) \
             returning (select count(*) from pending_sign_ins where browser = $1) as n",
        )
        .bind(browser.as_str())
        .bind(sign_in.remote())
        .bind(sign_in.callback_key())
        .bind(to_json(sign_in)?)
        .bind(db::now() + ttl.as_secs() as i64)
        .fetch_one(&self.db)
        .await
        .and_then(|row| row.try_get("n"))
        .map_err(store_error)?;
        if held < MAX_PER_BROWSER as i64 {
            return Ok(());
        }
        // The new one stays, with the newest others (sign-ins begun in the same second
        // share an expiry, so the new one is named rather than found by its time).
        sqlx::query(
            "delete from pending_sign_ins where browser = $1 \
             and not (remote = $2 and token = $3) and (remote, token) not in \
             (select remote, token from pending_sign_ins where browser = $1 \
              and not (remote = $2 and token = $3) order by expires_at desc limit $4)",
        )
        .bind(browser.as_str())
        .bind(sign_in.remote())
        .bind(sign_in.callback_key())
        .bind(MAX_PER_BROWSER as i64 - 1)
        .execute(&self.db)
        .await
        .map_err(store_error)
        .map(drop)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn take(
        &self,
        browser: &BrowserKey,
        remote: &str,
        token: &str,
    ) -> Result<Option<PendingSignIn>, oauth1::Error> {
        let row = sqlx::query(
            "delete from pending_sign_ins where browser = $1 and remote = $2 and token = $3 \
             returning data, expires_at",
        )
        .bind(browser.as_str())
        .bind(remote)
        .bind(token)
        .fetch_optional(&self.db)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let expires: i64 = row.try_get("expires_at").map_err(store_error)?;
        if expires < db::now() {
            return Ok(None);
        }
        let data: String = row.try_get("data").map_err(store_error)?;
        from_json(&data)
    }
}

/// In Redis: one sorted set per browser, `{prefix}pf:{browser}`, members
/// `remote token data` scored by expiry in milliseconds (so the newest of several begun
/// in one second ranks last and stays), the set expiring with its newest member.
#[async_trait]
impl PendingSignIns for RedisPendingSignIns {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn add(
        &self,
        browser: &BrowserKey,
        sign_in: &PendingSignIn,
        ttl: Duration,
    ) -> Result<(), oauth1::Error> {
        let mut conn = self.conn.clone();
        let key = self.pending_key(browser);
        let now = now_ms();
        let member = format!(
            "{} {}",
            prefix(sign_in.remote(), sign_in.callback_key()),
            to_json(sign_in)?
        );
        redis::pipe()
            .atomic()
            .cmd("ZREMRANGEBYSCORE")
            .arg(&key)
            .arg("-inf")
            .arg(now - 1)
            .ignore()
            .cmd("ZADD")
            .arg(&key)
            .arg(now + ttl.as_millis() as i64)
            .arg(member)
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

    #[tracing::instrument(level = "debug", skip_all)]
    async fn take(
        &self,
        browser: &BrowserKey,
        remote: &str,
        token: &str,
    ) -> Result<Option<PendingSignIn>, oauth1::Error> {
        let mut conn = self.conn.clone();
        let key = self.pending_key(browser);
        // At most MAX_PER_BROWSER members, the live ones only.
        let live: Vec<String> = redis::cmd("ZRANGE")
            .arg(&key)
            .arg(now_ms())
            .arg("+inf")
            .arg("BYSCORE")
            .query_async(&mut conn)
            .await
            .map_err(store_error)?;
        let wanted = format!("{} ", prefix(remote, token));
        let Some(member) = live.into_iter().find(|m| m.starts_with(&wanted)) else {
            return Ok(None);
        };
        // Of two callbacks racing for it, one removes it.
        let removed: i64 = redis::cmd("ZREM")
            .arg(&key)
            .arg(&member)
            .query_async(&mut conn)
            .await
            .map_err(store_error)?;
        if removed != 1 {
            return Ok(None);
        }
        from_json(&member[wanted.len()..])
    }
}

/// Remote names have no spaces (`SITE_REMOTES` allows letters, digits, `-` and `_`),
/// and callback keys (request tokens, states) are unreserved characters (RFC 5849 §3.6)
/// after encoding.
fn prefix(remote: &str, token: &str) -> String {
    format!("{remote} {}", oauth1::encode::encode(token))
}

impl RedisPendingSignIns {
    fn pending_key(&self, browser: &BrowserKey) -> String {
        format!("{}pf:{}", self.prefix, browser.as_str())
    }
}

/// Milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
