//! The site's data: local users, linked accounts with their tokens, the temporary
//! credential cache (SQL or Redis) and the token store the registry reads.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::server::db::{self, Db};
use async_trait::async_trait;
use oauth1::{AccessToken, RequestToken, TemporaryCredentialCache, TokenStore};
use sqlx::Row;

use crate::model::LinkedAccount;

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

    /// One batch of expired rows per table, now.
    pub async fn sweep_now(&self, now: i64) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        for statement in [
            "delete from temporary_credentials where key in \
             (select key from temporary_credentials where expires_at < $1 limit $2)",
            "delete from pending_sign_ins where (browser, remote, token) in \
             (select browser, remote, token from pending_sign_ins where expires_at < $1 limit $2)",
        ] {
            deleted += sqlx::query(statement)
                .bind(now)
                .bind(SWEEP_BATCH)
                .execute(&self.db)
                .await?
                .rows_affected();
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

/// The registry's `fetch_token`: the signed-in user's token for a remote, from the
/// `accounts` table. `user` is the local user id.
pub struct DbTokenStore {
    pub db: Db,
}

#[async_trait]
impl TokenStore for DbTokenStore {
    async fn fetch_token(
        &self,
        remote: &str,
        user: &str,
    ) -> Result<Option<AccessToken>, oauth1::Error> {
        let Ok(user_id) = user.parse::<i64>() else {
            return Ok(None);
        };
        let row = sqlx::query(
            "select token, token_secret, remote_user_id, screen_name from accounts \
             where user_id = $1 and remote = $2",
        )
        .bind(user_id)
        .bind(remote)
        .fetch_optional(&self.db)
        .await
        .map_err(store_error)?;
        let Some(row) = row else { return Ok(None) };
        let mut token = AccessToken::new(
            row.try_get::<String, _>("token").map_err(store_error)?,
            row.try_get::<String, _>("token_secret")
                .map_err(store_error)?,
        );
        token.extra = vec![
            (
                "user_id".into(),
                row.try_get("remote_user_id").map_err(store_error)?,
            ),
            (
                "screen_name".into(),
                row.try_get("screen_name").map_err(store_error)?,
            ),
        ];
        Ok(Some(token))
    }
}

pub async fn create_user(db: &Db, display_name: &str) -> Result<i64, sqlx::Error> {
    let id = db::new_id();
    sqlx::query("insert into users (id, display_name, created_at) values ($1, $2, $3)")
        .bind(id)
        .bind(display_name)
        .bind(db::now())
        .execute(db)
        .await?;
    Ok(id)
}

pub async fn display_name(db: &Db, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query("select display_name from users where id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .map(|r| r.try_get("display_name"))
        .transpose()
}

/// The local owner of a remote account, if it is linked.
pub async fn owner_of(
    db: &Db,
    remote: &str,
    remote_user_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query("select user_id from accounts where remote = $1 and remote_user_id = $2")
        .bind(remote)
        .bind(remote_user_id)
        .fetch_optional(db)
        .await?
        .map(|r| r.try_get("user_id"))
        .transpose()
}

/// The common case of a sign-in, in one statement: this remote account is already linked
/// (to `current`, if someone is signed in here), so its new token is saved and its owner
/// returned. `None` when it is not linked, or linked to someone other than `current`:
/// then nothing changed, and the caller takes the long way (`owner_of`, then `link`).
pub async fn relink(
    db: &Db,
    remote: &str,
    token: &AccessToken,
    current: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query(
        "update accounts set screen_name = $1, token = $2, token_secret = $3, linked_at = $4 \
         where remote = $5 and remote_user_id = $6 and user_id = coalesce($7, user_id) \
         returning user_id",
    )
    .bind(token.extra("screen_name").unwrap_or(""))
    .bind(token.token.as_str())
    .bind(token.secret.secret())
    .bind(db::now())
    .bind(remote)
    .bind(token.extra("user_id").unwrap_or(""))
    .bind(current)
    .fetch_optional(db)
    .await?
    .map(|r| r.try_get("user_id"))
    .transpose()
}

/// Links (or re-links, with a new token) a remote account to `user_id`.
pub async fn link(
    db: &Db,
    user_id: i64,
    remote: &str,
    token: &AccessToken,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("delete from accounts where (user_id = $1 and remote = $2) or (remote = $2 and remote_user_id = $3)")
        .bind(user_id)
        .bind(remote)
        .bind(token.extra("user_id").unwrap_or(""))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into accounts (user_id, remote, remote_user_id, screen_name, token, token_secret, linked_at) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user_id)
    .bind(remote)
    .bind(token.extra("user_id").unwrap_or(""))
    .bind(token.extra("screen_name").unwrap_or(""))
    .bind(token.token.as_str())
    .bind(token.secret.secret())
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

pub async fn unlink(db: &Db, user_id: i64, remote: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("delete from accounts where user_id = $1 and remote = $2")
        .bind(user_id)
        .bind(remote)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The user's linked accounts, with brands looked up by `brand_of`.
pub async fn accounts(
    db: &Db,
    user_id: i64,
    brand_of: impl Fn(&str) -> String,
) -> Result<Vec<LinkedAccount>, sqlx::Error> {
    let rows =
        sqlx::query("select remote, screen_name from accounts where user_id = $1 order by remote")
            .bind(user_id)
            .fetch_all(db)
            .await?;
    rows.iter()
        .map(|r| {
            let remote: String = r.try_get("remote")?;
            Ok(LinkedAccount {
                brand: brand_of(&remote),
                screen_name: r.try_get("screen_name")?,
                remote,
            })
        })
        .collect()
}

/// Keeps `steps` as the user's last sign-in, replacing the one before: one statement.
pub async fn save_flow(
    db: &Db,
    user_id: i64,
    remote: &str,
    steps: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into sign_in_flows (user_id, remote, recorded_at, steps) values ($1, $2, $3, $4) \
         on conflict (user_id) do update set remote = excluded.remote, \
         recorded_at = excluded.recorded_at, steps = excluded.steps",
    )
    .bind(user_id)
    .bind(remote)
    .bind(db::now())
    .bind(steps)
    .execute(db)
    .await?;
    Ok(())
}

/// `(remote, recorded_at, steps JSON)` of the user's last sign-in.
pub async fn last_flow(
    db: &Db,
    user_id: i64,
) -> Result<Option<(String, i64, String)>, sqlx::Error> {
    sqlx::query("select remote, recorded_at, steps from sign_in_flows where user_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .map(|r| {
            Ok((
                r.try_get("remote")?,
                r.try_get("recorded_at")?,
                r.try_get("steps")?,
            ))
        })
        .transpose()
}
