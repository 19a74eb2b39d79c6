//! The "Connected apps" page's side of OAuth 2.0 tokens: which apps hold a live grant of
//! a user, and revoking all of one app's grants at once.

use sqlx::Row;

use super::tokens::{LIVE_FAMILY, REVOKED_FAMILY_TTL_SECS};
use crate::oauth2::scope::Scopes;
use crate::plumbing::db::{self, Db};
use crate::store::grant_cache::BearerGrants;
use crate::store::{Result, StoreError};

/// An app a user has given OAuth 2.0 access to, for the "Connected apps" page: every live
/// grant of that app for this user together (each sign-in through the app starts a
/// family of its own).
#[derive(Clone, Debug)]
pub struct Connection {
    pub app_id: i64,
    pub app_name: String,
    /// Every scope of its live tokens.
    pub scopes: Scopes,
    /// When the oldest of its live tokens was issued.
    pub created_at: i64,
}

/// The apps holding a live OAuth 2.0 token of `user_id`: an unexpired access token, or an
/// unexpired refresh token not yet rotated (a rotated one only waits to catch a replay).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id))]
pub async fn connections(db: &Db, user_id: i64) -> Result<Vec<Connection>> {
    let rows = sqlx::query(&format!(
        "select t.app_id, a.name, t.scope, t.created_at \
         from oauth2_tokens t join apps a on a.id = t.app_id \
         where t.user_id = $1 and t.expires_at >= $2 \
         and (t.kind = 'access' or t.used_at is null) and {LIVE_FAMILY} \
         order by a.name, t.app_id"
    ))
    .bind(user_id)
    .bind(db::now())
    .fetch_all(db)
    .await?;
    let mut out: Vec<Connection> = Vec::new();
    for row in &rows {
        let app_id: i64 = row.try_get("app_id")?;
        let scope: String = row.try_get("scope")?;
        let scopes = Scopes::parse(&scope)
            .map_err(|_| StoreError::Damaged(format!("bad scope {scope:?} in oauth2_tokens")))?;
        let created_at: i64 = row.try_get("created_at")?;
        // Rows come ordered by app, so an app's rows are together.
        match out.last_mut() {
            Some(last) if last.app_id == app_id => {
                last.scopes = last.scopes.union(&scopes);
                last.created_at = last.created_at.min(created_at);
            }
            _ => out.push(Connection {
                app_id,
                app_name: row.try_get("name")?,
                scopes,
                created_at,
            }),
        }
    }
    Ok(out)
}

/// Revokes everything user `user_id` gave app `app_id` over OAuth 2.0: every token of
/// every family (access and refresh tokens alike), and the codes not yet exchanged, so
/// that a code issued a moment before cannot bring the grant back. Every family of a
/// used code or a token is recorded as revoked, so an exchange or a refresh under way
/// gets nothing that works. Returns how many tokens went; a user can only ever revoke
/// their own grants.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id, user_id = user_id))]
pub async fn disconnect(db: &Db, grants: &BearerGrants, app_id: i64, user_id: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    sqlx::query("delete from oauth2_codes where app_id = $1 and user_id = $2 and used_at is null")
        .bind(app_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    // `where true`: SQLite reads `on conflict` after a bare `select ... from` as a join.
    sqlx::query(
        "insert into oauth2_revoked_families (family_id, expires_at) \
         select family_id, $3 from \
         (select family_id from oauth2_codes where app_id = $1 and user_id = $2 \
                 and family_id is not null \
          union select family_id from oauth2_tokens where app_id = $1 and user_id = $2) f \
         where true on conflict (family_id) do nothing",
    )
    .bind(app_id)
    .bind(user_id)
    .bind(db::now() + REVOKED_FAMILY_TTL_SECS)
    .execute(&mut *tx)
    .await?;
    let done = sqlx::query("delete from oauth2_tokens where app_id = $1 and user_id = $2")
        .bind(app_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    grants.clear();
    Ok(done.rows_affected())
}
