//! The site's web sessions (tower-sessions): who is signed in. In the site's database
//! (`SESSION_STORE=sql`, the default) or in Redis (`SESSION_STORE=redis`).
//!
//! A small store of the site's own rather than `tower-sessions-sqlx-store` (one store per
//! database kind, none for the `Any` pool that runs this code on SQLite and Postgres, and
//! built on an older `tower-sessions-core` than the `tower-sessions` here) or
//! `tower-sessions-redis-store` (a second Redis client, `fred`, beside `redis`).

use async_trait::async_trait;
use sqlx::Row;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::server::plumbing::db::{self, Db};
pub use crate::server::plumbing::store_kind::StoreKind;

/// The configured store.
#[derive(Clone)]
pub enum Sessions {
    /// The `sessions` table: id, data as JSON, expiry in Unix seconds.
    Sql(Db),
    /// One key per session, `{prefix}session:{id}`: expiry, a newline, data as JSON.
    Redis(redis::aio::ConnectionManager, String),
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sql(_) => "Sessions::Sql",
            Self::Redis(..) => "Sessions::Redis",
        })
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn decode(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Decode(err.to_string())
}

fn record(id: &Id, data: &str, expires_at: i64) -> session_store::Result<Option<Record>> {
    if expires_at < db::now() {
        return Ok(None);
    }
    Ok(Some(Record {
        id: *id,
        data: serde_json::from_str(data).map_err(decode)?,
        expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at).map_err(decode)?,
    }))
}

impl Sessions {
    pub async fn open(kind: &StoreKind, db: &Db, prefix: &str) -> Result<Self, redis::RedisError> {
        Ok(match kind {
            StoreKind::Sql => Self::Sql(db.clone()),
            StoreKind::Redis(url) => Self::Redis(
                redis::aio::ConnectionManager::new(redis::Client::open(url.as_str())?).await?,
                prefix.to_owned(),
            ),
        })
    }

    /// Writes `record`; with `only_new`, not over a taken id (then `false`).
    async fn write(&self, record: &Record, only_new: bool) -> session_store::Result<bool> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let expires_at = record.expiry_date.unix_timestamp();
        match self {
            Self::Sql(db) => {
                let statement = if only_new {
                    "insert into sessions (id, data, expires_at) values ($1, $2, $3) \
                     on conflict do nothing"
                } else {
                    "insert into sessions (id, data, expires_at) values ($1, $2, $3) \
                     on conflict (id) do update set data = excluded.data, \
                     expires_at = excluded.expires_at"
                };
                let done = sqlx::query(statement)
                    .bind(record.id.to_string())
                    .bind(data)
                    .bind(expires_at)
                    .execute(db)
                    .await
                    .map_err(backend)?;
                Ok(done.rows_affected() == 1)
            }
            Self::Redis(..) if expires_at <= db::now() => {
                self.delete(&record.id).await?;
                Ok(true)
            }
            Self::Redis(conn, prefix) => {
                let mut command = redis::cmd("SET");
                command
                    .arg(format!("{prefix}session:{}", record.id))
                    .arg(format!("{expires_at}\n{data}"))
                    .arg("EXAT")
                    .arg(expires_at);
                if only_new {
                    command.arg("NX");
                }
                let reply: Option<String> = command
                    .query_async(&mut conn.clone())
                    .await
                    .map_err(backend)?;
                Ok(reply.is_some())
            }
        }
    }
}

#[async_trait]
impl SessionStore for Sessions {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A random 128-bit id collides only in theory; draw again if it does.
        while !self.write(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, false).await.map(drop)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sql(db) => {
                let row = sqlx::query("select data, expires_at from sessions where id = $1")
                    .bind(id.to_string())
                    .fetch_optional(db)
                    .await
                    .map_err(backend)?;
                let Some(row) = row else { return Ok(None) };
                let data: String = row.try_get("data").map_err(backend)?;
                record(id, &data, row.try_get("expires_at").map_err(backend)?)
            }
            Self::Redis(conn, prefix) => {
                let stored: Option<String> = redis::cmd("GET")
                    .arg(format!("{prefix}session:{id}"))
                    .query_async(&mut conn.clone())
                    .await
                    .map_err(backend)?;
                let Some((expires_at, data)) = stored.as_deref().and_then(|s| s.split_once('\n'))
                else {
                    return Ok(None);
                };
                record(id, data, expires_at.parse().map_err(decode)?)
            }
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sql(db) => sqlx::query("delete from sessions where id = $1")
                .bind(id.to_string())
                .execute(db)
                .await
                .map(drop)
                .map_err(backend),
            Self::Redis(conn, prefix) => redis::cmd("DEL")
                .arg(format!("{prefix}session:{id}"))
                .query_async::<()>(&mut conn.clone())
                .await
                .map_err(backend),
        }
    }
}
