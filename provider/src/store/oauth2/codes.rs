//! Authorization codes (RFC 6749 §4.1.2): random, stored as digests, single-use, ten
//! minutes long, bound to the client, the redirect URI, the user, the scopes and the
//! PKCE challenge (RFC 7636 §4.4). A code names its token family from the start, so a
//! revocation that comes while it is being exchanged still reaches what it issues.

use sqlx::Row;

use crate::oauth2::digest::sha256_hex;
use crate::oauth2::scope::Scopes;
use crate::plumbing::db::{self, Db};
use crate::store::Result;
use crate::store::apps::random_credential;

/// RFC 6749 §4.1.2 recommends at most ten minutes.
pub const CODE_TTL_SECS: i64 = 600;

pub struct NewCode<'a> {
    pub app_id: i64,
    pub user_id: i64,
    pub redirect_uri: &'a str,
    pub scopes: &'a Scopes,
    pub code_challenge: &'a str,
}

/// Issues a code; only its digest is stored.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn issue(db: &Db, new: NewCode<'_>) -> Result<String> {
    let code = random_credential(43);
    sqlx::query(
        "insert into oauth2_codes (code_digest, app_id, user_id, redirect_uri, scope, \
         code_challenge, expires_at, family_id) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(sha256_hex(&code))
    .bind(new.app_id)
    .bind(new.user_id)
    .bind(new.redirect_uri)
    .bind(new.scopes.to_string())
    .bind(new.code_challenge)
    .bind(db::now() + CODE_TTL_SECS)
    .bind(random_credential(32))
    .execute(db)
    .await?;
    Ok(code)
}

/// A code claimed for one exchange, with what it is bound to.
#[derive(Debug)]
pub struct Claimed {
    pub user_id: i64,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: String,
    /// The family the tokens of this exchange belong to.
    pub family_id: String,
}

/// Why a code could not be claimed.
#[derive(Debug, PartialEq, Eq)]
pub enum Unclaimed {
    /// Unknown, expired, or issued to another client.
    Invalid,
    /// Used before: RFC 6749 §4.1.2 says to revoke what it issued; this is its family.
    Reused { family_id: Option<String> },
}

/// Claims code `code` for client `app_id` in one statement, so of concurrent exchanges
/// exactly one gets it. A code of another client is left as it is, and its reuse is not
/// looked for: only the client a code was issued to can spend it, or set off the
/// revocation of what it issued (anyone can present a code they saw, and a public client
/// needs no secret to do so).
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn claim(db: &Db, app_id: i64, code: &str) -> Result<Result<Claimed, Unclaimed>> {
    let digest = sha256_hex(code);
    let now = db::now();
    // Codes issued before families were named at issue get theirs now.
    let row = sqlx::query(
        "update oauth2_codes set used_at = $1, family_id = coalesce(family_id, $2) \
         where code_digest = $3 and app_id = $4 and used_at is null and expires_at >= $1 \
         and not exists (select 1 from oauth2_revoked_families f \
                         where f.family_id = oauth2_codes.family_id) \
         returning user_id, redirect_uri, scope, code_challenge, family_id",
    )
    .bind(now)
    .bind(random_credential(32))
    .bind(&digest)
    .bind(app_id)
    .fetch_optional(db)
    .await?;
    if let Some(row) = row {
        return Ok(Ok(Claimed {
            user_id: row.try_get("user_id")?,
            redirect_uri: row.try_get("redirect_uri")?,
            scope: row.try_get("scope")?,
            code_challenge: row.try_get("code_challenge")?,
            family_id: row.try_get("family_id")?,
        }));
    }
    let used = sqlx::query(
        "select used_at, family_id from oauth2_codes where code_digest = $1 and app_id = $2",
    )
    .bind(&digest)
    .bind(app_id)
    .fetch_optional(db)
    .await?;
    Ok(Err(match used {
        Some(row) if row.try_get::<Option<i64>, _>("used_at")?.is_some() => Unclaimed::Reused {
            family_id: row.try_get("family_id")?,
        },
        _ => Unclaimed::Invalid,
    }))
}
