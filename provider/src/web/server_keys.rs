//! The HMAC keys the provider's cookies are signed with (CSRF tokens, known devices): one
//! row per key in `server_keys`, created by the first instance, shared by all on `db`.

use crate::plumbing::db::{self, Db};

/// The key called `name`, created with 64 random characters if no instance made it yet.
pub async fn shared(db: &Db, name: &str) -> Result<Vec<u8>, sqlx::Error> {
    sqlx::query(
        "insert into server_keys (name, secret, created_at) values ($1, $2, $3) \
         on conflict do nothing",
    )
    .bind(name)
    .bind(crate::store::apps::random_credential(64))
    .bind(db::now())
    .execute(db)
    .await?;
    let key: String = sqlx::query_scalar("select secret from server_keys where name = $1")
        .bind(name)
        .fetch_one(db)
        .await?;
    Ok(key.into_bytes())
}

/// The cookie `{brand}_{what}`, `__Host-` prefixed when `secure` (so that only this host,
/// over https, may set it).
pub fn cookie_name(brand: &str, what: &str, secure: bool) -> String {
    let name = format!("{}_{what}", brand.to_ascii_lowercase().replace(' ', "_"));
    if secure {
        format!("__Host-{name}")
    } else {
        name
    }
}
