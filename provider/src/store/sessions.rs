//! The provider's web sessions (tower-sessions): in its own database
//! (`SESSION_STORE=sql`, the default) or in Redis (`SESSION_STORE=redis`).
//!
//! Written here rather than taken from `tower-sessions-sqlx-store` because that crate has
//! one store per database kind and none for sqlx's `Any` pool, which this provider uses to
//! run the same code on SQLite and Postgres; and rather than `tower-sessions-redis-store`
//! because that one brings a second Redis client (`fred`) beside the `redis` crate the
//! nonce store already uses. Each store is four short commands.

use async_trait::async_trait;
use sqlx::Row;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::plumbing::db::Db;
pub use crate::plumbing::store_kind::StoreKind;

/// The configured store, behind the one type `SessionManagerLayer` needs.
#[derive(Clone, Debug)]
pub enum Sessions {
    Sql(SqlSessionStore),
    Redis(RedisSessionStore),
}

impl Sessions {
    /// Opens the store `kind` names; Redis keys start with `redis_prefix`.
    pub async fn open(
        kind: &StoreKind,
        db: &Db,
        redis_prefix: &str,
    ) -> Result<Self, redis::RedisError> {
        Ok(match kind {
            StoreKind::Sql => Self::Sql(SqlSessionStore::new(db.clone())),
            StoreKind::Redis(url) => {
                Self::Redis(RedisSessionStore::connect(url, redis_prefix).await?)
            }
        })
    }
}

#[async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sql(store) => store.create(record).await,
            Self::Redis(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sql(store) => store.save(record).await,
            Self::Redis(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sql(store) => store.load(id).await,
            Self::Redis(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sql(store) => store.delete(id).await,
            Self::Redis(store) => store.delete(id).await,
        }
    }
}

/// Sessions in the `sessions` table; expired rows go with the service's one sweeper
/// (`plumbing::expiry`).
#[derive(Clone, Debug)]
pub struct SqlSessionStore {
    db: Db,
}

impl SqlSessionStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes expired sessions, in bounded batches, as the sweeper does.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        crate::plumbing::expiry::expired(&self.db, ("sessions", "id"), crate::plumbing::db::now())
            .await
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id can collide only in theory; retry with a new one if it does.
        loop {
            let data = serde_json::to_string(&record.data)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            let inserted = sqlx::query(
                "insert into sessions (id, data, expires_at) values ($1, $2, $3) \
                 on conflict do nothing",
            )
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date.unix_timestamp())
            .execute(&self.db)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query(
            "insert into sessions (id, data, expires_at) values ($1, $2, $3) \
             on conflict (id) do update set data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(record.id.to_string())
        .bind(data)
        .bind(record.expiry_date.unix_timestamp())
        .execute(&self.db)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row =
            sqlx::query("select data, expires_at from sessions where id = $1 and expires_at >= $2")
                .bind(id.to_string())
                .bind(crate::plumbing::db::now())
                .fetch_optional(&self.db)
                .await
                .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data: String = row.try_get("data").map_err(backend)?;
        let expires_at: i64 = row.try_get("expires_at").map_err(backend)?;
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("delete from sessions where id = $1")
            .bind(id.to_string())
            .execute(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

/// Sessions in Redis, one key each (`{prefix}session:{id}`), expiring by themselves.
#[derive(Clone)]
pub struct RedisSessionStore {
    conn: redis::aio::ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// A session as stored: its expiry (Unix seconds), a newline, its data as JSON.
fn encode(record: &Record) -> session_store::Result<String> {
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok(format!("{}\n{data}", record.expiry_date.unix_timestamp()))
}

impl RedisSessionStore {
    /// `prefix` starts every key, so several deployments (or tests) can share a server.
    pub async fn connect(url: &str, prefix: impl Into<String>) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let conn = redis::aio::ConnectionManager::new(client).await?;
        Ok(Self {
            conn,
            prefix: prefix.into(),
        })
    }

    fn key(&self, id: &Id) -> String {
        format!("{}session:{id}", self.prefix)
    }

    /// `SET` the record with its expiry; `NX` only if the id is new. `false` if `NX`
    /// found the id taken. A record already expired is deleted instead.
    async fn set(&self, record: &Record, only_new: bool) -> session_store::Result<bool> {
        let mut conn = self.conn.clone();
        let expires_at = record.expiry_date.unix_timestamp();
        if expires_at <= crate::plumbing::db::now() {
            self.delete(&record.id).await?;
            return Ok(true);
        }
        let mut command = redis::cmd("SET");
        command
            .arg(self.key(&record.id))
            .arg(encode(record)?)
            .arg("EXAT")
            .arg(expires_at);
        if only_new {
            command.arg("NX");
        }
        let reply: Option<String> = command.query_async(&mut conn).await.map_err(backend)?;
        Ok(reply.is_some())
    }
}

#[async_trait]
impl SessionStore for RedisSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // As in SQL: a colliding random id gets a new one.
        while !self.set(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.set(record, false).await.map(drop)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.conn.clone();
        let stored: Option<String> = redis::cmd("GET")
            .arg(self.key(id))
            .query_async(&mut conn)
            .await
            .map_err(backend)?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let decode = |e: String| session_store::Error::Decode(e);
        let (expires_at, data) = stored
            .split_once('\n')
            .ok_or_else(|| decode("no expiry line".into()))?;
        let expires_at: i64 = expires_at.parse().map_err(|e| decode(format!("{e}")))?;
        if expires_at < crate::plumbing::db::now() {
            return Ok(None);
        }
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(data).map_err(|e| decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|e| decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.conn.clone();
        redis::cmd("DEL")
            .arg(self.key(id))
            .query_async::<()>(&mut conn)
            .await
            .map_err(backend)
    }
}
