//! The provider's OAuth 1.0a tables as the library's stores: apps as clients, request
//! tokens as temporary credentials (with the access level `x_auth_access_type` chose),
//! access tokens as token credentials (one per app and user, rotated by each new grant,
//! read through the grant cache on SQLite).

use std::sync::Arc;

use async_trait::async_trait;
use oauth1::server::{
    Approval, ClientRecord, ClientStore, StoreResult, TemporaryCredentials, TemporaryStore,
    TokenRecord, TokenStore,
};
use oauth1::{ConsumerKey, ConsumerSecret, SignedParams, Token, TokenSecret, Verifier};
use sqlx::Row;

use crate::plumbing::db::Db;
use crate::store::StoreError;
use crate::store::apps::{self, AccessLevel};
use crate::store::grant_cache::{Grants, Lookup};
use crate::store::tokens::{self, Grant};
use crate::users::User;

/// What the provider attaches to a client.
#[derive(Clone, Debug)]
pub struct AppInfo {
    pub id: i64,
    /// Its name and the screen name of whoever registered it, for the consent page
    /// (empty on a protected request: the grant cache keeps what verification needs).
    pub name: String,
    pub owner: String,
    /// The most it may be granted.
    pub access_level: AccessLevel,
}

pub type Client = ClientRecord<AppInfo>;
pub type Temporary = TemporaryCredentials<User, AccessLevel>;
pub type TokenCredentials = TokenRecord<User, AccessLevel>;

/// The tables, and the grant cache every change to access tokens clears.
#[derive(Clone)]
pub struct Tables {
    pub db: Db,
    pub grants: Grants,
}

fn level(row: &sqlx::any::AnyRow, column: &str) -> Result<AccessLevel, StoreError> {
    let value: String = row.try_get(column)?;
    AccessLevel::parse(&value)
        .ok_or_else(|| StoreError::Damaged(format!("bad access level {value:?} in {column}")))
}

async fn client(db: &Db, key: &str) -> Result<Option<Client>, StoreError> {
    let rows = sqlx::query(
        "select a.id, a.name, a.consumer_secret, a.access_level, a.rsa_public_key, \
                o.screen_name as owner, c.url \
         from apps a join users o on o.id = a.owner_id \
         left join app_callbacks c on c.app_id = a.id \
         where a.consumer_key = $1 order by c.url",
    )
    .bind(key)
    .fetch_all(db)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let mut callbacks = Vec::new();
    for row in &rows {
        if let Some(url) = row.try_get::<Option<String>, _>("url")? {
            callbacks.push(url);
        }
    }
    Ok(Some(ClientRecord {
        key: ConsumerKey::new(key),
        secret: ConsumerSecret::new(first.try_get::<String, _>("consumer_secret")?),
        callbacks,
        public_key: apps::public_key(first)?,
        app: AppInfo {
            id: first.try_get("id")?,
            name: first.try_get("name")?,
            owner: first.try_get("owner")?,
            access_level: level(first, "access_level")?,
        },
    }))
}

#[async_trait]
impl ClientStore<AppInfo> for Tables {
    async fn client(&self, key: &str) -> StoreResult<Option<Client>> {
        Ok(client(&self.db, key).await?)
    }
}

async fn temporary(db: &Db, token: &str) -> Result<Option<Temporary>, StoreError> {
    let row = sqlx::query(
        "select r.secret, r.callback, r.access_level, r.expires_at, r.verifier, a.consumer_key, \
                u.id as user_id, u.screen_name, u.name, u.created_at \
         from request_tokens r join apps a on a.id = r.app_id \
         left join users u on u.id = r.user_id \
         where r.token = $1",
    )
    .bind(token)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let approval = match (
        row.try_get::<Option<i64>, _>("user_id")?,
        row.try_get::<Option<String>, _>("verifier")?,
    ) {
        (Some(id), Some(verifier)) => Some(Approval {
            user: User {
                id,
                screen_name: row.try_get("screen_name")?,
                name: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
            },
            verifier: Verifier::new(verifier),
        }),
        _ => None,
    };
    Ok(Some(TemporaryCredentials {
        token: Token::new(token),
        secret: TokenSecret::new(row.try_get::<String, _>("secret")?),
        consumer_key: ConsumerKey::new(row.try_get::<String, _>("consumer_key")?),
        callback: row.try_get("callback")?,
        expires_at: row.try_get::<i64, _>("expires_at")?.max(0) as u64,
        approval,
        grant: level(&row, "access_level")?,
    }))
}

#[async_trait]
impl TemporaryStore<User, AccessLevel> for Tables {
    async fn save(&self, temporary: &Temporary, _: &SignedParams) -> StoreResult<()> {
        sqlx::query(
            "insert into request_tokens (token, secret, app_id, callback, access_level, \
             expires_at) select $1, $2, id, $3, $4, $5 from apps where consumer_key = $6",
        )
        .bind(temporary.token.as_str())
        .bind(temporary.secret.secret())
        .bind(&temporary.callback)
        .bind(temporary.grant.as_str())
        .bind(temporary.expires_at as i64)
        .bind(temporary.consumer_key.as_str())
        .execute(&self.db)
        .await?;
        Ok(())
    }

    async fn get(&self, token: &str) -> StoreResult<Option<Temporary>> {
        Ok(temporary(&self.db, token).await?)
    }

    async fn approve(&self, token: &str, approval: &Approval<User>) -> StoreResult<bool> {
        let done = sqlx::query(
            "update request_tokens set user_id = $1, verifier = $2 \
             where token = $3 and user_id is null",
        )
        .bind(approval.user.id)
        .bind(approval.verifier.secret())
        .bind(token)
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn take(&self, token: &str) -> StoreResult<Option<Temporary>> {
        let Some(found) = temporary(&self.db, token).await? else {
            return Ok(None);
        };
        // Of concurrent exchanges, one deletes the row.
        let done = sqlx::query("delete from request_tokens where token = $1")
            .bind(token)
            .execute(&self.db)
            .await?;
        Ok((done.rows_affected() == 1).then_some(found))
    }

    async fn void(&self, token: &str) -> StoreResult<()> {
        Ok(tokens::delete_request_token(&self.db, token).await?)
    }
}

#[async_trait]
impl TokenStore<AppInfo, User, AccessLevel> for Tables {
    /// One access token per (app, user): a new grant rotates it, so the old one is dead
    /// at once. Twitter's response names the user.
    async fn save(
        &self,
        client: &Client,
        _: &Temporary,
        token: &TokenCredentials,
    ) -> StoreResult<Vec<(String, String)>> {
        tokens::store_access_token(
            &self.db,
            &self.grants,
            client.app.id,
            token.user.id,
            token.grant,
            &token.token,
            &token.secret,
        )
        .await?;
        Ok(vec![
            ("user_id".into(), token.user.id.to_string()),
            ("screen_name".into(), token.user.screen_name.clone()),
        ])
    }

    async fn get(&self, token: &str) -> StoreResult<Option<(Client, TokenCredentials)>> {
        let grant = match self.grants.lookup(token) {
            Lookup::Hit(grant) => grant,
            Lookup::Miss(ticket) => {
                let Some(grant) = tokens::grant(&self.db, token).await? else {
                    return Ok(None);
                };
                let grant = Arc::new(grant);
                self.grants.store(ticket, Arc::clone(&grant));
                grant
            }
        };
        Ok(Some(records(&grant)))
    }
}

/// A cached grant as the library's records.
fn records(grant: &Grant) -> (Client, TokenCredentials) {
    let client = ClientRecord {
        key: grant.consumer_key.clone(),
        secret: grant.consumer_secret.clone(),
        // Not needed to protect a resource.
        callbacks: Vec::new(),
        public_key: grant.public_key.clone(),
        app: AppInfo {
            id: grant.app_id,
            name: String::new(),
            owner: String::new(),
            access_level: grant.access_level,
        },
    };
    let token = TokenRecord {
        token: grant.token.clone(),
        secret: grant.secret.clone(),
        consumer_key: grant.consumer_key.clone(),
        user: grant.user.clone(),
        grant: grant.access_level,
    };
    (client, token)
}
