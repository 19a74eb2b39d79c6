//! OAuth 2.0 access and refresh tokens (RFC 6749 §1.4, §1.5), stored as SHA-256 digests.
//!
//! Every token belongs to a family: what one authorization code issued, through every
//! refresh. A refresh token is rotated on use (RFC 6749 §6, and the OAuth 2.0 Security
//! BCP §4.14.2): the used one is kept, marked, until it expires, and presenting it again
//! revokes the whole family, since one of the two presenters is not the client.
//!
//! A revoked family is recorded in `oauth2_revoked_families`, and every use of a token
//! checks it: a refresh or an exchange that was under way when the revocation committed
//! may still insert its tokens, and they are refused all the same.

use sqlx::{FromRow, Row};

use crate::oauth2::digest::sha256_hex;
use crate::oauth2::scope::{Scope, Scopes};
use crate::plumbing::db::{self, Db};
use crate::store::apps::random_credential;
use crate::store::grant_cache::{BearerGrants, Lookup};
use crate::store::{Result, StoreError};
use crate::users::User;

/// X's access tokens live two hours.
pub const ACCESS_TTL_SECS: i64 = 7200;
/// A refresh token that is never used goes after six months.
pub const REFRESH_TTL_SECS: i64 = 180 * 24 * 3600;

/// How long a revoked family is remembered: past the lifetime of any token issued beside
/// its revocation (a refresh token; access tokens are shorter).
pub(super) const REVOKED_FAMILY_TTL_SECS: i64 = REFRESH_TTL_SECS + 24 * 3600;

/// SQL: the token row `t` belongs to no revoked family.
pub(super) const LIVE_FAMILY: &str =
    "not exists (select 1 from oauth2_revoked_families f where f.family_id = t.family_id)";

/// What the token endpoint hands out (RFC 6749 §5.1).
pub struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scopes: Scopes,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("access_token", &"[redacted]")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// What a grant gives in one issue: the scopes the user granted (a refresh token keeps
/// them all, RFC 6749 §6) and those of the new access token (the same, or fewer when a
/// refresh asked for less).
pub struct NewTokens {
    pub family_id: String,
    pub app_id: i64,
    pub user_id: i64,
    pub granted: Scopes,
    pub access: Scopes,
}

impl NewTokens {
    /// A grant whose access token carries every granted scope.
    pub fn whole(family_id: &str, app_id: i64, user_id: i64, scopes: Scopes) -> Self {
        Self {
            family_id: family_id.to_owned(),
            app_id,
            user_id,
            access: scopes.clone(),
            granted: scopes,
        }
    }
}

/// Issues an access token of the default lifetime ([`ACCESS_TTL_SECS`]), and a refresh
/// token if `offline.access` was granted.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn issue(db: &Db, grant: NewTokens) -> Result<Issued> {
    issue_lasting(db, grant, ACCESS_TTL_SECS).await
}

/// [`issue`] with an access token that lasts `access_ttl_secs`
/// (`OAUTH2_ACCESS_TOKEN_TTL_SECS`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn issue_lasting(db: &Db, grant: NewTokens, access_ttl_secs: i64) -> Result<Issued> {
    let now = db::now();
    let access_token = random_credential(48);
    // RFC 6749 §6: "the refresh token scope MUST be identical to that of the refresh
    // token included by the client in the request", however narrow the access token.
    let refresh_token = grant
        .granted
        .contains(Scope::OfflineAccess)
        .then(|| random_credential(48));
    let NewTokens {
        family_id,
        app_id,
        user_id,
        granted,
        access,
    } = grant;
    let mut tx = db.begin().await?;
    let mut rows = vec![("access", &access_token, &access, now + access_ttl_secs)];
    if let Some(refresh) = &refresh_token {
        rows.push(("refresh", refresh, &granted, now + REFRESH_TTL_SECS));
    }
    for (kind, token, scopes, expires_at) in rows {
        sqlx::query(
            "insert into oauth2_tokens (token_digest, kind, family_id, app_id, user_id, scope, \
             expires_at, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(sha256_hex(token))
        .bind(kind)
        .bind(&family_id)
        .bind(app_id)
        .bind(user_id)
        .bind(scopes.to_string())
        .bind(expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Issued {
        access_token,
        refresh_token,
        scopes: access,
    })
}

/// A refresh token claimed for one rotation.
#[derive(Debug)]
pub struct Refreshing {
    pub family_id: String,
    pub user_id: i64,
    pub scope: String,
}

/// Why a refresh token could not be used.
#[derive(Debug, PartialEq, Eq)]
pub enum NotRefreshable {
    /// Unknown, expired, revoked, or another client's.
    Invalid,
    /// Rotated already: its family must go.
    Reused { family_id: String },
}

/// Marks refresh token `token` of client `app_id` used, in one statement: of concurrent
/// refreshes exactly one proceeds. Only a rotated token of this same client counts as
/// reused: another client presenting it changes nothing (it could not have been given
/// it, and a public client needs no secret to try).
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn claim_refresh(
    db: &Db,
    app_id: i64,
    token: &str,
) -> Result<Result<Refreshing, NotRefreshable>> {
    let digest = sha256_hex(token);
    let now = db::now();
    let row = sqlx::query(
        "update oauth2_tokens set used_at = $1 \
         where token_digest = $2 and kind = 'refresh' and app_id = $3 and used_at is null \
         and expires_at >= $1 and not exists (select 1 from oauth2_revoked_families f \
                                             where f.family_id = oauth2_tokens.family_id) \
         returning family_id, user_id, scope",
    )
    .bind(now)
    .bind(&digest)
    .bind(app_id)
    .fetch_optional(db)
    .await?;
    if let Some(row) = row {
        return Ok(Ok(Refreshing {
            family_id: row.try_get("family_id")?,
            user_id: row.try_get("user_id")?,
            scope: row.try_get("scope")?,
        }));
    }
    let used = sqlx::query(
        "select family_id from oauth2_tokens \
         where token_digest = $1 and kind = 'refresh' and app_id = $2 and used_at is not null",
    )
    .bind(&digest)
    .bind(app_id)
    .fetch_optional(db)
    .await?;
    Ok(Err(match used {
        Some(row) => NotRefreshable::Reused {
            family_id: row.try_get("family_id")?,
        },
        None => NotRefreshable::Invalid,
    }))
}

/// The scope of live refresh token `token` of client `app_id`, read without using it.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn refresh_scope(db: &Db, app_id: i64, token: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(&format!(
        "select scope from oauth2_tokens t where token_digest = $1 and kind = 'refresh' \
         and app_id = $2 and used_at is null and expires_at >= $3 and {LIVE_FAMILY}"
    ))
    .bind(sha256_hex(token))
    .bind(app_id)
    .bind(db::now())
    .fetch_optional(db)
    .await?)
}

/// Revokes every token of a family, those being issued at this moment included: the
/// family is recorded as revoked first, then its tokens go, then the cached grants.
/// Returns how many went.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke_family(db: &Db, grants: &BearerGrants, family_id: &str) -> Result<u64> {
    sqlx::query(
        "insert into oauth2_revoked_families (family_id, expires_at) values ($1, $2) \
         on conflict (family_id) do nothing",
    )
    .bind(family_id)
    .bind(db::now() + REVOKED_FAMILY_TTL_SECS)
    .execute(db)
    .await?;
    let done = sqlx::query("delete from oauth2_tokens where family_id = $1")
        .bind(family_id)
        .execute(db)
        .await?;
    grants.clear();
    Ok(done.rows_affected())
}

/// RFC 7009 §2.1: revokes `token` if client `app_id` holds it. A refresh token takes its
/// whole family with it (the access tokens "based on the same authorization grant");
/// an access token goes alone. An unknown token is [`Revocation::Done`] too (§2.2).
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn revoke(
    db: &Db,
    grants: &BearerGrants,
    app_id: i64,
    token: &str,
) -> Result<Revocation> {
    let row =
        sqlx::query("select kind, family_id, app_id from oauth2_tokens where token_digest = $1")
            .bind(sha256_hex(token))
            .fetch_optional(db)
            .await?;
    let Some(row) = row else {
        return Ok(Revocation::Done);
    };
    if row.try_get::<i64, _>("app_id")? != app_id {
        return Ok(Revocation::AnotherClients);
    }
    if row.try_get::<String, _>("kind")? == "refresh" {
        revoke_family(db, grants, &row.try_get::<String, _>("family_id")?).await?;
    } else {
        sqlx::query("delete from oauth2_tokens where token_digest = $1")
            .bind(sha256_hex(token))
            .execute(db)
            .await?;
        grants.clear();
    }
    Ok(Revocation::Done)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Revocation {
    Done,
    /// The token was issued to another client, which alone may revoke it (§2.1).
    AnotherClients,
}

/// An unexpired access token, with the user and app it acts for and its scopes.
#[derive(Clone, Debug)]
pub struct BearerGrant {
    pub app_id: i64,
    pub user: User,
    pub scopes: Scopes,
    /// When the token expires (seconds since the epoch): a cached grant is never used
    /// past it.
    pub expires_at: i64,
}

/// The grant of access token `token` (RFC 6750), if it is live. On SQLite a busy token's
/// grant comes from `grants`, which every revocation above clears.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn bearer(
    db: &Db,
    grants: &BearerGrants,
    token: &str,
) -> Result<Option<std::sync::Arc<BearerGrant>>> {
    let digest = sha256_hex(token);
    let now = db::now();
    let ticket = match grants.lookup(&digest) {
        Lookup::Hit(grant) if grant.expires_at >= now => return Ok(Some(grant)),
        Lookup::Hit(_) => return Ok(None),
        Lookup::Miss(ticket) => ticket,
    };
    let row = sqlx::query(&format!(
        "select t.app_id, t.scope, t.expires_at, u.id, u.screen_name, u.name, u.created_at \
         from oauth2_tokens t join users u on u.id = t.user_id \
         where t.token_digest = $1 and t.kind = 'access' and t.expires_at >= $2 \
         and {LIVE_FAMILY}"
    ))
    .bind(&digest)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let scope: String = row.try_get("scope")?;
    let grant = std::sync::Arc::new(BearerGrant {
        app_id: row.try_get("app_id")?,
        scopes: Scopes::parse(&scope)
            .map_err(|_| StoreError::Damaged(format!("bad scope {scope:?} in oauth2_tokens")))?,
        user: User::from_row(&row)?,
        expires_at: row.try_get("expires_at")?,
    });
    grants.store_as(ticket, &digest, std::sync::Arc::clone(&grant));
    Ok(Some(grant))
}
