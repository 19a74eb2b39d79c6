//! Registered client applications (RFC 5849 §1.1 "client"), their credentials and
//! their approved callback URLs.

use oauth1::server::ClientPublicKey;
use oauth1::{ConsumerKey, ConsumerSecret};
use sqlx::Row;

use crate::plumbing::db::{self, Db};
use crate::store::{Result, StoreError};

/// What an app's tokens may do, as Twitter's `x_auth_access_type`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AccessLevel {
    Read,
    Write,
}

impl AccessLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::Read => "read",
            AccessLevel::Write => "write",
        }
    }
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "read" => Some(AccessLevel::Read),
            "write" => Some(AccessLevel::Write),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct App {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub consumer_key: ConsumerKey,
    pub consumer_secret: ConsumerSecret,
    pub access_level: AccessLevel,
    pub created_at: i64,
    /// The PEM public key the app registered for RSA-SHA1 (§3.4.3), checked when saved.
    pub rsa_public_key: Option<String>,
}

const COLUMNS: &str = "id, owner_id, name, consumer_key, consumer_secret, access_level, created_at";
/// What [`from_row`] reads: [`COLUMNS`] and the RSA key, which an app gets afterwards.
const READ_COLUMNS: &str =
    "id, owner_id, name, consumer_key, consumer_secret, access_level, created_at, rsa_public_key";

fn from_row(row: &sqlx::any::AnyRow) -> Result<App> {
    let level: String = row.try_get("access_level")?;
    Ok(App {
        id: row.try_get("id")?,
        owner_id: row.try_get("owner_id")?,
        name: row.try_get("name")?,
        consumer_key: ConsumerKey::new(row.try_get::<String, _>("consumer_key")?),
        consumer_secret: ConsumerSecret::new(row.try_get::<String, _>("consumer_secret")?),
        access_level: AccessLevel::parse(&level)
            .ok_or_else(|| StoreError::Damaged(format!("bad access level {level:?} in apps")))?,
        created_at: row.try_get("created_at")?,
        rsa_public_key: row.try_get("rsa_public_key")?,
    })
}

/// A random credential: 25 (key) or 50 (secret) alphanumeric characters, like Twitter's.
pub fn random_credential(len: usize) -> String {
    use rand::RngExt as _;
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// What to register.
pub struct NewApp<'a> {
    pub owner_id: i64,
    pub name: &'a str,
    pub callbacks: &'a [String],
    pub access_level: AccessLevel,
    /// Fixed credentials, so a demo or a deployment can pre-register a known client.
    /// Registering again with the same key updates that app instead of adding one.
    pub consumer_key: Option<&'a str>,
    pub consumer_secret: Option<&'a str>,
}

/// Checks a callback URL an app wants to register: absolute http(s), no fragment.
pub fn valid_callback(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.has_host() && u.fragment().is_none()
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(db: &Db, new: NewApp<'_>) -> Result<App> {
    if let Some(bad) = new.callbacks.iter().find(|c| !valid_callback(c)) {
        return Err(StoreError::Invalid(format!(
            "callback URL {bad:?} is not an absolute http(s) URL"
        )));
    }
    let existing = match new.consumer_key {
        Some(key) => by_consumer_key(db, key).await?,
        None => None,
    };
    let mut tx = db.begin().await?;
    let app = match existing {
        Some(mut app) => {
            app.name = new.name.to_owned();
            app.access_level = new.access_level;
            if let Some(secret) = new.consumer_secret {
                app.consumer_secret = ConsumerSecret::new(secret);
            }
            sqlx::query(
                "update apps set name = $1, access_level = $2, consumer_secret = $3 where id = $4",
            )
            .bind(&app.name)
            .bind(app.access_level.as_str())
            .bind(app.consumer_secret.secret())
            .bind(app.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("delete from app_callbacks where app_id = $1")
                .bind(app.id)
                .execute(&mut *tx)
                .await?;
            app
        }
        None => {
            let app = App {
                id: db::new_id(),
                owner_id: new.owner_id,
                name: new.name.to_owned(),
                consumer_key: ConsumerKey::new(
                    new.consumer_key
                        .map_or_else(|| random_credential(25), str::to_owned),
                ),
                consumer_secret: ConsumerSecret::new(
                    new.consumer_secret
                        .map_or_else(|| random_credential(50), str::to_owned),
                ),
                access_level: new.access_level,
                created_at: db::now(),
                rsa_public_key: None,
            };
            sqlx::query(&format!(
                "insert into apps ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)"
            ))
            .bind(app.id)
            .bind(app.owner_id)
            .bind(&app.name)
            .bind(app.consumer_key.as_str())
            .bind(app.consumer_secret.secret())
            .bind(app.access_level.as_str())
            .bind(app.created_at)
            .execute(&mut *tx)
            .await?;
            app
        }
    };
    for callback in new.callbacks {
        sqlx::query(
            "insert into app_callbacks (app_id, url) values ($1, $2) on conflict do nothing",
        )
        .bind(app.id)
        .bind(callback)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(app)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_consumer_key(db: &Db, key: &str) -> Result<Option<App>> {
    let row = sqlx::query(&format!(
        "select {READ_COLUMNS} from apps where consumer_key = $1"
    ))
    .bind(key)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The app with this consumer key and its registered callbacks, in one query: the
/// temporary-credentials endpoint needs both on every request.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn with_callbacks(db: &Db, key: &str) -> Result<Option<(App, Vec<String>)>> {
    let rows = sqlx::query(&format!(
        "select {READ_COLUMNS}, c.url from apps left join app_callbacks c on c.app_id = apps.id \
         where consumer_key = $1 order by c.url"
    ))
    .bind(key)
    .fetch_all(db)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let callbacks = rows
        .iter()
        .filter_map(|r| r.try_get::<Option<String>, _>("url").transpose())
        .collect::<std::result::Result<_, _>>()?;
    Ok(Some((from_row(first)?, callbacks)))
}

#[tracing::instrument(level = "debug", skip_all, fields(id = id))]
pub async fn by_id(db: &Db, id: i64) -> Result<Option<App>> {
    let row = sqlx::query(&format!("select {READ_COLUMNS} from apps where id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(from_row).transpose()
}

#[tracing::instrument(level = "debug", skip_all, fields(owner_id = owner_id))]
pub async fn by_owner(db: &Db, owner_id: i64) -> Result<Vec<App>> {
    let rows = sqlx::query(&format!(
        "select {READ_COLUMNS} from apps where owner_id = $1 order by id"
    ))
    .bind(owner_id)
    .fetch_all(db)
    .await?;
    rows.iter().map(from_row).collect()
}

#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn callbacks(db: &Db, app_id: i64) -> Result<Vec<String>> {
    let rows = sqlx::query("select url from app_callbacks where app_id = $1 order by url")
        .bind(app_id)
        .fetch_all(db)
        .await?;
    rows.iter().map(|r| Ok(r.try_get("url")?)).collect()
}

/// Registers (or, with `None`, removes) the app's RSA-SHA1 public key (§3.4.3). A key
/// that does not parse is refused with the reason, and nothing is stored.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn set_rsa_public_key(
    db: &Db,
    app_id: i64,
    pem: Option<&str>,
) -> Result<std::result::Result<(), oauth1::RsaKeyError>> {
    let pem = pem.map(str::trim).filter(|p| !p.is_empty());
    if let Some(pem) = pem
        && let Err(err) = oauth1::RsaSha1PublicKey::from_pem(pem)
    {
        return Ok(Err(err));
    }
    sqlx::query("update apps set rsa_public_key = $1 where id = $2")
        .bind(pem)
        .bind(app_id)
        .execute(db)
        .await?;
    Ok(Ok(()))
}

/// The app's RSA-SHA1 key (§3.4.3), parsed: [`set_rsa_public_key`] stored only keys
/// that parse, so one that does not is a damaged row.
pub fn public_key(row: &sqlx::any::AnyRow) -> Result<Option<ClientPublicKey>> {
    let Some(pem) = row.try_get::<Option<String>, _>("rsa_public_key")? else {
        return Ok(None);
    };
    ClientPublicKey::from_pem(&pem)
        .map(Some)
        .map_err(|err| StoreError::Damaged(format!("stored RSA key: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_callbacks_are_accepted() {
        assert!(valid_callback("http://127.0.0.1:3000/authorize/chirp"));
        assert!(valid_callback("https://example.com/cb?x=1"));
        assert!(!valid_callback("/relative"));
        assert!(!valid_callback("javascript:alert(1)"));
        assert!(!valid_callback("https://example.com/cb#frag"));
        assert!(!valid_callback("oob"));
    }
}
