//! Temporary credentials (RFC 5849 §2.1) and token credentials (§2.3) in the database.
//!
//! Request tokens are short-lived and single-use: the access-token exchange reads the row
//! and then deletes it (`store/oauth1.rs`, `take`), and only the exchange whose delete
//! removed the row goes on, so of many concurrent exchanges of one verifier exactly one wins.
//!
//! Access tokens: one per (app, user). Authorizing again *rotates* it (new token and
//! secret, old ones dead at once), so a leaked old token cannot outlive a new sign-in.

use oauth1::{ConsumerKey, ConsumerSecret, Token, TokenSecret, Verifier};
use sqlx::Row;

use crate::plumbing::db::{self, Db};
use crate::store::apps::{AccessLevel, random_credential};
pub use crate::store::grant_cache::Grant;
use crate::store::grant_cache::Grants;
use crate::store::{Result, StoreError};

fn level(row: &sqlx::any::AnyRow, column: &str) -> Result<AccessLevel> {
    let value: String = row.try_get(column)?;
    AccessLevel::parse(&value)
        .ok_or_else(|| StoreError::Damaged(format!("bad access level {value:?} in {column}")))
}

/// A request token as stored, with the client it was issued to. Its secrets (token
/// secret, client secret, verifier) print `[redacted]` in `Debug`, so logging one leaks
/// nothing.
#[derive(Debug)]
pub struct PendingToken {
    pub token: Token,
    pub secret: TokenSecret,
    pub app_id: i64,
    pub app_name: String,
    /// The screen name of the person who registered the app, shown on the consent page.
    pub app_owner: String,
    pub consumer_key: ConsumerKey,
    pub consumer_secret: ConsumerSecret,
    pub callback: String,
    pub access_level: AccessLevel,
    /// Set once the resource owner approved (§2.2).
    pub user_id: Option<i64>,
    /// Compared in constant time by the caller.
    pub verifier: Option<Verifier>,
    /// The approving user's screen name, read with the token so that the exchange
    /// (§2.3) needs no second query to name the user.
    pub screen_name: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn create_request_token(
    db: &Db,
    app_id: i64,
    callback: &str,
    access_level: AccessLevel,
    ttl_secs: u64,
) -> Result<(Token, TokenSecret)> {
    let token = Token::new(random_credential(32));
    let secret = TokenSecret::new(random_credential(32));
    sqlx::query(
        "insert into request_tokens (token, secret, app_id, callback, access_level, expires_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.as_str())
    .bind(secret.secret())
    .bind(app_id)
    .bind(callback)
    .bind(access_level.as_str())
    .bind(db::now() + ttl_secs as i64)
    .execute(db)
    .await?;
    Ok((token, secret))
}

/// A request token that has not expired, with its app.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn pending(db: &Db, token: &str) -> Result<Option<PendingToken>> {
    let row = sqlx::query(
        "select r.token, r.secret, r.app_id, r.callback, r.access_level, r.user_id, r.verifier, \
                a.name, a.consumer_key, a.consumer_secret, u.screen_name, \
                o.screen_name as owner_screen_name \
         from request_tokens r join apps a on a.id = r.app_id \
         join users o on o.id = a.owner_id \
         left join users u on u.id = r.user_id \
         where r.token = $1 and r.expires_at >= $2",
    )
    .bind(token)
    .bind(db::now())
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(PendingToken {
        token: Token::new(row.try_get::<String, _>("token")?),
        secret: TokenSecret::new(row.try_get::<String, _>("secret")?),
        app_id: row.try_get("app_id")?,
        app_name: row.try_get("name")?,
        app_owner: row.try_get("owner_screen_name")?,
        consumer_key: ConsumerKey::new(row.try_get::<String, _>("consumer_key")?),
        consumer_secret: ConsumerSecret::new(row.try_get::<String, _>("consumer_secret")?),
        callback: row.try_get("callback")?,
        access_level: level(&row, "access_level")?,
        user_id: row.try_get("user_id")?,
        verifier: row
            .try_get::<Option<String>, _>("verifier")?
            .map(Verifier::new),
        screen_name: row.try_get("screen_name")?,
    }))
}

/// Whether `user_id` already granted app `app_id` at least `asked`: `/oauth/authenticate`
/// skips the consent page only then. A grant never widens without asking: a `write`
/// request after a `read` grant goes to the consent page.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id, user_id = user_id, asked = ?asked))]
pub async fn grant_covers(db: &Db, app_id: i64, user_id: i64, asked: AccessLevel) -> Result<bool> {
    let granted: Option<String> = sqlx::query_scalar(
        "select access_level from access_tokens where app_id = $1 and user_id = $2",
    )
    .bind(app_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(granted
        .as_deref()
        .and_then(AccessLevel::parse)
        .is_some_and(|granted| granted >= asked))
}

/// Deletes the request tokens that expired before `now` (abandoned flows), in bounded
/// batches; returns how many went. The background sweep does this for every table.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_expired_request_tokens(db: &Db, now: i64) -> Result<u64> {
    Ok(crate::plumbing::expiry::expired(db, ("request_tokens", "token"), now).await?)
}

/// Voids a request token (denied, or a wrong verifier was tried).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_request_token(db: &Db, token: &str) -> Result<()> {
    sqlx::query("delete from request_tokens where token = $1")
        .bind(token)
        .execute(db)
        .await?;
    Ok(())
}

/// Issues (or rotates) the access token of this user for this app. Cached grants are
/// forgotten: a rotated token is dead at once.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id, user_id = user_id))]
pub async fn issue_access_token(
    db: &Db,
    grants: &Grants,
    app_id: i64,
    user_id: i64,
    access_level: AccessLevel,
) -> Result<(Token, TokenSecret)> {
    // Twitter-style tokens start with the user id.
    let token = Token::new(format!("{user_id}-{}", random_credential(40)));
    let secret = TokenSecret::new(random_credential(45));
    store_access_token(db, grants, app_id, user_id, access_level, &token, &secret).await?;
    Ok((token, secret))
}

/// Stores `token` and `secret` as the access token of this user for this app, replacing
/// the one before (rotation). Cached grants are forgotten: a rotated token is dead at once.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id, user_id = user_id))]
pub async fn store_access_token(
    db: &Db,
    grants: &Grants,
    app_id: i64,
    user_id: i64,
    access_level: AccessLevel,
    token: &Token,
    secret: &TokenSecret,
) -> Result<()> {
    sqlx::query(
        "insert into access_tokens (token, secret, app_id, user_id, access_level, created_at) \
         values ($1, $2, $3, $4, $5, $6) \
         on conflict (app_id, user_id) do update set token = excluded.token, \
         secret = excluded.secret, access_level = excluded.access_level, \
         created_at = excluded.created_at",
    )
    .bind(token.as_str())
    .bind(secret.secret())
    .bind(app_id)
    .bind(user_id)
    .bind(access_level.as_str())
    .bind(db::now())
    .execute(db)
    .await?;
    grants.clear();
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn grant(db: &Db, token: &str) -> Result<Option<Grant>> {
    let row = sqlx::query(
        "select t.secret, t.app_id, t.access_level, a.consumer_key, a.consumer_secret, \
                a.rsa_public_key, u.id, u.screen_name, u.name, u.created_at \
         from access_tokens t \
         join apps a on a.id = t.app_id \
         join users u on u.id = t.user_id \
         where t.token = $1",
    )
    .bind(token)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Grant {
        token: Token::new(token),
        secret: TokenSecret::new(row.try_get::<String, _>("secret")?),
        app_id: row.try_get("app_id")?,
        consumer_key: ConsumerKey::new(row.try_get::<String, _>("consumer_key")?),
        consumer_secret: ConsumerSecret::new(row.try_get::<String, _>("consumer_secret")?),
        public_key: crate::store::apps::public_key(&row)?,
        access_level: level(&row, "access_level")?,
        user: sqlx::FromRow::from_row(&row)?,
    }))
}

/// An app a user has granted access to, for the "Connected apps" page.
#[derive(Clone, Debug)]
pub struct Connection {
    pub app_id: i64,
    pub app_name: String,
    pub access_level: AccessLevel,
    pub created_at: i64,
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id))]
pub async fn connections(db: &Db, user_id: i64) -> Result<Vec<Connection>> {
    let rows = sqlx::query(
        "select a.id, a.name, t.access_level, t.created_at \
         from access_tokens t join apps a on a.id = t.app_id \
         where t.user_id = $1 order by a.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Connection {
                app_id: row.try_get("id")?,
                app_name: row.try_get("name")?,
                access_level: level(row, "access_level")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// Revokes the access a user gave an app; `false` if there was none.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id, user_id = user_id))]
pub async fn disconnect(db: &Db, grants: &Grants, app_id: i64, user_id: i64) -> Result<bool> {
    let done = sqlx::query("delete from access_tokens where app_id = $1 and user_id = $2")
        .bind(app_id)
        .bind(user_id)
        .execute(db)
        .await?;
    grants.clear();
    Ok(done.rows_affected() == 1)
}

/// Revokes one access token; `false` if it did not exist.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(db: &Db, grants: &Grants, token: &str) -> Result<bool> {
    let done = sqlx::query("delete from access_tokens where token = $1")
        .bind(token)
        .execute(db)
        .await?;
    grants.clear();
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_pending_token_shows_no_secret() {
        let pending = PendingToken {
            token: Token::new("request-token"),
            secret: TokenSecret::new("token-secret-123"),
            app_id: 1,
            app_name: "App".into(),
            app_owner: "alice".into(),
            consumer_key: ConsumerKey::new("key"),
            consumer_secret: ConsumerSecret::new("consumer-secret-456"),
            callback: "http://127.0.0.1:3000/cb".into(),
            access_level: AccessLevel::Read,
            user_id: Some(7),
            verifier: Some(Verifier::new("verifier-789")),
            screen_name: Some("alice".into()),
        };
        let logged = format!("{pending:?} {pending:#?}");
        for secret in ["token-secret-123", "consumer-secret-456", "verifier-789"] {
            assert!(!logged.contains(secret), "{secret} in {logged}");
        }
        assert!(logged.contains("request-token"), "{logged}");
    }
}
