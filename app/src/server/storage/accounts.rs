//! The site's users and their linked accounts with their tokens: OAuth 1 token
//! credentials (RFC 5849 §2.3) or OAuth 2 access tokens (RFC 6749 §5.1), and the token
//! store the registry reads and refreshes them through.

use async_trait::async_trait;
use oauth1::{
    AccessToken, BearerToken, OAuth2Token, RefreshToken, RemoteToken, TokenStore, UserKey,
};
use sqlx::Row;

use crate::model::LinkedAccount;
use crate::server::plumbing::db::{self, Db};
use crate::server::storage::store_error;

/// The registry's `fetch_token` / `update_token`: the signed-in user's token for a
/// remote, of either kind, in the `accounts` table. Users are keyed by their local id
/// (`UserKey::Id`).
pub struct DbTokenStore {
    pub db: Db,
}

/// A token as an `accounts` row keeps it. The remote account (`user_id`, `screen_name`)
/// travels in the token's extra fields: OAuth 1's token response has them, and the
/// callback adds them to an OAuth 2 token from `/2/users/me`.
struct Columns<'a> {
    kind: &'static str,
    remote_user_id: &'a str,
    screen_name: &'a str,
    token: &'a str,
    token_secret: &'a str,
    refresh_token: Option<&'a str>,
    expires_at: Option<i64>,
    scope: Option<&'a str>,
}

/// Binds, in this order, the token's columns that `relink` sets and `link` inserts:
/// screen_name, token, token_secret, linked_at, kind, refresh_token, expires_at, scope.
fn bind_token<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    c: &Columns<'q>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(c.screen_name)
        .bind(c.token)
        .bind(c.token_secret)
        .bind(db::now())
        .bind(c.kind)
        .bind(c.refresh_token)
        .bind(c.expires_at)
        .bind(c.scope)
}

fn columns(token: &RemoteToken) -> Columns<'_> {
    match token {
        RemoteToken::OAuth1(t) => Columns {
            kind: "oauth1",
            remote_user_id: t.extra("user_id").unwrap_or(""),
            screen_name: t.extra("screen_name").unwrap_or(""),
            token: t.token.as_str(),
            token_secret: t.secret.secret(),
            refresh_token: None,
            expires_at: None,
            scope: None,
        },
        RemoteToken::OAuth2(t) => Columns {
            kind: "oauth2",
            remote_user_id: t.extra_str("user_id").unwrap_or(""),
            screen_name: t.extra_str("screen_name").unwrap_or(""),
            token: t.access_token.secret(),
            token_secret: "",
            refresh_token: t.refresh_token.as_ref().map(|r| r.secret()),
            expires_at: t.expires_at.map(|at| at.min(i64::MAX as u64) as i64),
            scope: t.scope.as_deref(),
        },
    }
}

/// The remote account a token is for: its id at the service (empty if unknown) and
/// screen name.
pub fn remote_account(token: &RemoteToken) -> (&str, &str) {
    let c = columns(token);
    (c.remote_user_id, c.screen_name)
}

/// `account` added to an OAuth 2 token's extra fields, where [`columns`] finds it.
pub fn with_account(mut token: OAuth2Token, user_id: &str, screen_name: &str) -> OAuth2Token {
    token.extra.insert("user_id".into(), user_id.into());
    token.extra.insert("screen_name".into(), screen_name.into());
    token
}

/// An `accounts` row as [`DbTokenStore::fetch_token`] selects it.
#[derive(sqlx::FromRow)]
struct AccountRow {
    kind: String,
    token: String,
    token_secret: String,
    refresh_token: Option<String>,
    expires_at: Option<i64>,
    scope: Option<String>,
    remote_user_id: String,
    screen_name: String,
}

impl From<AccountRow> for RemoteToken {
    fn from(row: AccountRow) -> Self {
        if row.kind == "oauth2" {
            let t = OAuth2Token {
                access_token: BearerToken::new(row.token),
                token_type: "Bearer".into(),
                refresh_token: row.refresh_token.map(RefreshToken::new),
                expires_at: row.expires_at.map(|at| at.max(0) as u64),
                scope: row.scope,
                extra: serde_json::Map::new(),
            };
            return RemoteToken::OAuth2(with_account(t, &row.remote_user_id, &row.screen_name));
        }
        let mut t = AccessToken::new(row.token, row.token_secret);
        t.extra = vec![
            ("user_id".into(), row.remote_user_id),
            ("screen_name".into(), row.screen_name),
        ];
        RemoteToken::OAuth1(t)
    }
}

#[async_trait]
impl TokenStore<RemoteToken> for DbTokenStore {
    #[tracing::instrument(level = "debug", skip_all, fields(remote = remote))]
    async fn fetch_token(
        &self,
        remote: &str,
        user: &UserKey,
    ) -> Result<Option<RemoteToken>, oauth1::Error> {
        let &UserKey::Id(user_id) = user else {
            return Ok(None);
        };
        let row: Option<AccountRow> = sqlx::query_as(
            "select kind, token, token_secret, refresh_token, expires_at, scope, \
             remote_user_id, screen_name from accounts where user_id = $1 and remote = $2",
        )
        .bind(user_id)
        .bind(remote)
        .fetch_optional(&self.db)
        .await
        .map_err(store_error)?;
        Ok(row.map(RemoteToken::from))
    }

    /// A token for `user` (a local user id). One that names its remote account (a
    /// sign-in) is linked to that user, replacing the account's earlier token and any
    /// other link of the same remote account; one that does not (a refresh) replaces the
    /// token of the user's account at this remote.
    #[tracing::instrument(level = "debug", skip_all, fields(remote = remote))]
    async fn update_token(
        &self,
        remote: &str,
        user: &UserKey,
        token: &RemoteToken,
    ) -> Result<(), oauth1::Error> {
        let &UserKey::Id(user_id) = user else {
            return Err(oauth1::Error::Store(format!("not a local user id: {user}")));
        };
        let done = if remote_account(token).0.is_empty() {
            refreshed(&self.db, user_id, remote, token).await
        } else {
            link(&self.db, user_id, remote, token).await
        };
        done.map_err(store_error)
    }
}

/// A refreshed token (RFC 6749 §6) in place of the one the account had.
async fn refreshed(
    db: &Db,
    user_id: i64,
    remote: &str,
    token: &RemoteToken,
) -> Result<(), sqlx::Error> {
    let c = columns(token);
    sqlx::query(
        "update accounts set token = $1, token_secret = $2, refresh_token = $3, \
         expires_at = $4, scope = $5 where user_id = $6 and remote = $7",
    )
    .bind(c.token)
    .bind(c.token_secret)
    .bind(c.refresh_token)
    .bind(c.expires_at)
    .bind(c.scope)
    .bind(user_id)
    .bind(remote)
    .execute(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn display_name(db: &Db, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("select display_name from users where id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// The local owner of a remote account, if it is linked.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn owner_of(
    db: &Db,
    remote: &str,
    remote_user_id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("select user_id from accounts where remote = $1 and remote_user_id = $2")
        .bind(remote)
        .bind(remote_user_id)
        .fetch_optional(db)
        .await
}

/// The common case of a sign-in, in one statement: this remote account is already linked
/// (to `current`, if someone is signed in here), so its new token is saved and its owner
/// returned. `None` when it is not linked, or linked to someone other than `current`:
/// then nothing changed, and the caller takes the long way (`owner_of`, then `link`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn relink(
    db: &Db,
    remote: &str,
    token: &RemoteToken,
    current: Option<i64>,
) -> Result<Option<i64>, sqlx::Error> {
    let c = columns(token);
    let update = sqlx::query(
        "update accounts set screen_name = $1, token = $2, token_secret = $3, linked_at = $4, \
         kind = $5, refresh_token = $6, expires_at = $7, scope = $8 \
         where remote = $9 and remote_user_id = $10 and user_id = coalesce($11, user_id) \
         returning user_id",
    );
    bind_token(update, &c)
        .bind(remote)
        .bind(c.remote_user_id)
        .bind(current)
        .fetch_optional(db)
        .await?
        .map(|r| r.try_get("user_id"))
        .transpose()
}

/// Links (or re-links, with a new token) a remote account to `user_id`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn link(
    db: &Db,
    user_id: i64,
    remote: &str,
    token: &RemoteToken,
) -> Result<(), sqlx::Error> {
    let c = columns(token);
    let mut tx = db.begin().await?;
    sqlx::query("delete from accounts where (user_id = $1 and remote = $2) or (remote = $2 and remote_user_id = $3)")
        .bind(user_id)
        .bind(remote)
        .bind(c.remote_user_id)
        .execute(&mut *tx)
        .await?;
    let insert = sqlx::query(
        "insert into accounts (screen_name, token, token_secret, linked_at, kind, \
         refresh_token, expires_at, scope, user_id, remote, remote_user_id) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    );
    bind_token(insert, &c)
        .bind(user_id)
        .bind(remote)
        .bind(c.remote_user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn unlink(db: &Db, user_id: i64, remote: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("delete from accounts where user_id = $1 and remote = $2")
        .bind(user_id)
        .bind(remote)
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The user's linked accounts, with brands looked up by `brand_of`.
#[tracing::instrument(level = "debug", skip_all)]
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
