//! The site's users and their linked accounts with token credentials (RFC 5849 §2.3),
//! and the token store the registry reads them through.

use async_trait::async_trait;
use oauth1::{AccessToken, TokenStore, UserKey};
use sqlx::Row;

use crate::model::LinkedAccount;
use crate::server::db::{self, Db};
use crate::server::temp_store::store_error;

/// The registry's `fetch_token`: the signed-in user's token for a remote, from the
/// `accounts` table. Users are keyed by their local id (`UserKey::Id`).
pub struct DbTokenStore {
    pub db: Db,
}

#[async_trait]
impl TokenStore for DbTokenStore {
    async fn fetch_token(
        &self,
        remote: &str,
        user: &UserKey,
    ) -> Result<Option<AccessToken>, oauth1::Error> {
        let &UserKey::Id(user_id) = user else {
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

    /// A new token for `user` (a local user id): linked to that user, replacing the
    /// account's earlier token and any other link of the same remote account.
    async fn update_token(
        &self,
        remote: &str,
        user: &UserKey,
        token: &AccessToken,
    ) -> Result<(), oauth1::Error> {
        let &UserKey::Id(user_id) = user else {
            return Err(oauth1::Error::Store(format!("not a local user id: {user}")));
        };
        link(&self.db, user_id, remote, token)
            .await
            .map_err(store_error)
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
