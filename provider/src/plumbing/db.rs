//! The database: SQLite by default (a file, nothing to install), Postgres when
//! `DATABASE_URL` says so, through sqlx's `Any` driver so the same queries (`$1`
//! placeholders, which both understand) and migrations serve both.

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use super::logging::redact_passwords;

pub type Db = AnyPool;

/// A database that could not be opened, named by its variable and its URL (password
/// redacted), with sqlx's cause: "pool timed out" alone does not say which database.
#[derive(Debug, thiserror::Error)]
#[error("DATABASE_URL={url}: {what}: {source}")]
pub struct OpenError {
    pub url: String,
    pub what: &'static str,
    #[source]
    pub source: sqlx::Error,
}

/// Connects to `url` (creating a SQLite file and its folder if missing) and runs
/// `migrator`.
pub async fn open(url: &str, migrator: &sqlx::migrate::Migrator) -> Result<Db, OpenError> {
    let failed = |what| {
        move |source| OpenError {
            url: redact_passwords(url),
            what,
            source,
        }
    };
    sqlx::any::install_default_drivers();
    let prepared = prepare_sqlite_url(url).map_err(failed("cannot create its folder"))?;
    let sqlite = prepared.starts_with("sqlite:");
    let options = AnyConnectOptions::from_str(&prepared)
        .map_err(failed("not a database URL"))?
        .disable_statement_logging();
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 8 } else { 16 })
        // sqlx already pings each connection when it goes back to the pool; a second ping
        // on the way out would add a round trip to every query. A connection that died in
        // between (the database restarted) fails its next query, which is answered 503,
        // and is replaced.
        .test_before_acquire(false)
        // While the database is down, a request waits this long for a connection, then
        // is answered 503 with a retry hint instead of hanging.
        .acquire_timeout(std::time::Duration::from_secs(3))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    // WAL lets readers run beside the writer; the busy timeout makes a
                    // writer wait for the lock instead of failing at once.
                    conn.execute(
                        "pragma journal_mode = wal; pragma synchronous = normal; \
                         pragma busy_timeout = 5000; pragma foreign_keys = on;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(failed("cannot connect"))?;
    migrator
        .run(&pool)
        .await
        .map_err(|e| failed("cannot migrate")(e.into()))?;
    Ok(pool)
}

/// A `sqlite:` URL gets `mode=rwc` (create the file) and its folder is created.
fn prepare_sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Ok(url.to_owned());
    };
    let path = rest.trim_start_matches("//");
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    if file != ":memory:"
        && let Some(dir) = std::path::Path::new(file).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    }
    if query.contains("mode=") {
        return Ok(url.to_owned());
    }
    let sep = if query.is_empty() { "?" } else { "&" };
    Ok(format!("{url}{sep}mode=rwc"))
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    oauth1::Timestamp::now().as_secs() as i64
}

/// A new 64-bit id, ordered by time like Twitter's: milliseconds since 2020 in the high
/// bits, 22 random bits below, so instances need no coordination.
pub fn new_id() -> i64 {
    use rand::RngExt as _;
    const EPOCH_MS: u128 = 1_577_836_800_000;
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis().saturating_sub(EPOCH_MS))
        .unwrap_or(0) as i64;
    let random: i64 = rand::rng().random_range(0..1 << 22);
    (ms << 22) | random
}

/// Whether an error is a unique-constraint violation (a duplicate name, key or nonce).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            prepare_sqlite_url("sqlite::memory:").unwrap(),
            "sqlite::memory:?mode=rwc"
        );
        assert_eq!(
            prepare_sqlite_url("sqlite://x.db?a=b").unwrap(),
            "sqlite://x.db?a=b&mode=rwc"
        );
        assert_eq!(
            prepare_sqlite_url("postgres://h/db").unwrap(),
            "postgres://h/db"
        );
    }

    #[test]
    fn ids_grow_with_time_and_differ() {
        let a = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_id();
        assert!(b > a && a > 0);
    }

    /// A database that cannot be reached is named by its variable and host, never with
    /// its password.
    #[tokio::test]
    async fn a_database_that_cannot_be_reached_names_its_variable_and_host_not_its_password() {
        static NONE: sqlx::migrate::Migrator = sqlx::migrate::Migrator::DEFAULT;
        // Port 1 on this machine: refused at once.
        let err = open("postgres://chirp:hunter2@127.0.0.1:1/chirp", &NONE)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("DATABASE_URL=postgres://chirp:"), "{err}");
        assert!(err.contains("@127.0.0.1:1/chirp"), "{err}");
        assert!(err.contains("cannot connect"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
}
