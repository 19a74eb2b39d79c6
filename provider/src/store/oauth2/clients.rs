//! OAuth 2.0 clients (RFC 6749 §2): an app of the developer pages with OAuth 2.0 turned on,
//! its client id, its client secret (confidential) or none (public), and its exact
//! redirect URIs.

use sqlx::Row;

use crate::oauth2::digest;
use crate::plumbing::db::{self, Db};
use crate::store::apps::{AccessLevel, random_credential};
use crate::store::{Result, StoreError};

/// RFC 6749 §2.1 client types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKind {
    /// Can keep a secret (a web server): authenticates with it at the token endpoint.
    Confidential,
    /// Cannot (a browser or mobile app): identified by its id, protected by PKCE.
    Public,
}

impl ClientKind {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "confidential" => Some(ClientKind::Confidential),
            "public" => Some(ClientKind::Public),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClientKind::Confidential => "confidential",
            ClientKind::Public => "public",
        }
    }
}

/// A registered OAuth 2.0 client, with what the authorization pages show of its app.
#[derive(Clone, Debug)]
pub struct Client {
    pub app_id: i64,
    pub client_id: String,
    /// SHA-256 of the secret; `None` for a public client.
    secret_digest: Option<String>,
    pub app_name: String,
    pub app_owner: String,
    pub access_level: AccessLevel,
    pub redirect_uris: Vec<String>,
}

impl Client {
    pub fn kind(&self) -> ClientKind {
        match self.secret_digest {
            Some(_) => ClientKind::Confidential,
            None => ClientKind::Public,
        }
    }

    /// Whether `secret` is this confidential client's secret (constant time).
    pub fn secret_matches(&self, secret: &str) -> bool {
        self.secret_digest
            .as_deref()
            .is_some_and(|d| digest::matches(secret, d))
    }

    /// RFC 6749 §3.1.2.3: a registered URI, compared as a simple string (RFC 3986 §6.2.1).
    pub fn redirect_uri_registered(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }
}

/// What to turn on for an app.
pub struct NewClient<'a> {
    pub kind: ClientKind,
    pub redirect_uris: &'a [String],
    /// A fixed client id (a demo or a deployment pre-registers a known client).
    pub client_id: Option<&'a str>,
    /// A fixed secret for a confidential client; otherwise one is drawn.
    pub client_secret: Option<&'a str>,
}

/// The credentials of a client just turned on. The secret exists in clear only here:
/// the database keeps its digest.
pub struct Enabled {
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for Enabled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enabled")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// A redirect URI a client may register: absolute http(s), no fragment (RFC 6749 §3.1.2).
pub fn valid_redirect_uri(uri: &str) -> bool {
    crate::store::apps::valid_callback(uri)
}

/// Turns OAuth 2.0 on for app `app_id`, or updates it: kind, redirect URIs (replaced),
/// and the secret (a new one unless given; none for a public client). The client id is
/// kept unless a new one is given.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn enable(db: &Db, app_id: i64, new: NewClient<'_>) -> Result<Enabled> {
    check_redirect_uris(new.redirect_uris)?;
    let existing: Option<String> =
        sqlx::query_scalar("select client_id from oauth2_clients where app_id = $1")
            .bind(app_id)
            .fetch_optional(db)
            .await?;
    let client_id = new
        .client_id
        .map(str::to_owned)
        .or(existing.clone())
        .unwrap_or_else(|| random_credential(34));
    let taken: Option<i64> =
        sqlx::query_scalar("select app_id from oauth2_clients where client_id = $1")
            .bind(&client_id)
            .fetch_optional(db)
            .await?;
    if taken.is_some_and(|owner| owner != app_id) {
        return Err(StoreError::Invalid(format!(
            "client id {client_id:?} belongs to another app"
        )));
    }
    let client_secret = match new.kind {
        ClientKind::Confidential => Some(
            new.client_secret
                .map_or_else(|| random_credential(50), str::to_owned),
        ),
        ClientKind::Public => None,
    };
    let secret_digest = client_secret.as_deref().map(digest::sha256_hex);
    let row = ClientRow {
        app_id,
        client_id: &client_id,
        secret_digest: secret_digest.as_deref(),
    };
    save(db, &row, existing.is_some(), new.redirect_uris).await?;
    Ok(Enabled {
        client_id,
        client_secret,
    })
}

/// At least one redirect URI, each absolute http(s) without a fragment (RFC 6749 §3.1.2).
fn check_redirect_uris(uris: &[String]) -> Result<()> {
    if uris.is_empty() {
        return Err(StoreError::Invalid(
            "an OAuth 2.0 client needs at least one redirect URI".into(),
        ));
    }
    if let Some(bad) = uris.iter().find(|u| !valid_redirect_uri(u)) {
        return Err(StoreError::Invalid(format!(
            "redirect URI {bad:?} is not an absolute http(s) URL without a fragment"
        )));
    }
    Ok(())
}

/// An `oauth2_clients` row as written.
struct ClientRow<'a> {
    app_id: i64,
    client_id: &'a str,
    secret_digest: Option<&'a str>,
}

/// Writes the client row (updated if `exists`) and replaces its redirect URIs, in one
/// transaction.
async fn save(db: &Db, row: &ClientRow<'_>, exists: bool, uris: &[String]) -> Result<()> {
    let ClientRow {
        app_id,
        client_id,
        secret_digest,
    } = *row;
    let mut tx = db.begin().await?;
    if exists {
        sqlx::query(
            "update oauth2_clients set client_id = $1, secret_digest = $2 where app_id = $3",
        )
        .bind(client_id)
        .bind(secret_digest)
        .bind(app_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from oauth2_redirect_uris where app_id = $1")
            .bind(app_id)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query(
            "insert into oauth2_clients (app_id, client_id, secret_digest, created_at) \
             values ($1, $2, $3, $4)",
        )
        .bind(app_id)
        .bind(client_id)
        .bind(secret_digest)
        .bind(db::now())
        .execute(&mut *tx)
        .await?;
    }
    for uri in uris {
        sqlx::query(
            "insert into oauth2_redirect_uris (app_id, uri) values ($1, $2) \
             on conflict do nothing",
        )
        .bind(app_id)
        .bind(uri)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

const SELECT: &str = "select c.app_id, c.client_id, c.secret_digest, a.name, a.access_level, \
                             o.screen_name as owner, r.uri \
                      from oauth2_clients c join apps a on a.id = c.app_id \
                      join users o on o.id = a.owner_id \
                      left join oauth2_redirect_uris r on r.app_id = c.app_id";

fn from_rows(rows: &[sqlx::any::AnyRow]) -> Result<Option<Client>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let level: String = first.try_get("access_level")?;
    Ok(Some(Client {
        app_id: first.try_get("app_id")?,
        client_id: first.try_get("client_id")?,
        secret_digest: first.try_get("secret_digest")?,
        app_name: first.try_get("name")?,
        app_owner: first.try_get("owner")?,
        access_level: AccessLevel::parse(&level)
            .ok_or_else(|| StoreError::Damaged(format!("bad access level {level:?} in apps")))?,
        redirect_uris: rows
            .iter()
            .filter_map(|r| r.try_get::<Option<String>, _>("uri").transpose())
            .collect::<std::result::Result<_, _>>()?,
    }))
}

/// The client with this id, with its redirect URIs, in one query.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn by_client_id(db: &Db, client_id: &str) -> Result<Option<Client>> {
    let rows = sqlx::query(&format!("{SELECT} where c.client_id = $1 order by r.uri"))
        .bind(client_id)
        .fetch_all(db)
        .await?;
    from_rows(&rows)
}

/// The OAuth 2.0 side of app `app_id`, if it has one.
#[tracing::instrument(level = "debug", skip_all, fields(app_id = app_id))]
pub async fn by_app(db: &Db, app_id: i64) -> Result<Option<Client>> {
    let rows = sqlx::query(&format!("{SELECT} where c.app_id = $1 order by r.uri"))
        .bind(app_id)
        .fetch_all(db)
        .await?;
    from_rows(&rows)
}
