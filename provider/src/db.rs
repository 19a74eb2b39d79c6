//! The database: SQLite by default (a file, nothing to install), Postgres when
//! `DATABASE_URL` says so. One pool through sqlx's `Any` driver, so the same queries and
//! migrations serve both; queries use `$1` placeholders, which both understand.

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

pub type Db = AnyPool;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/provider");

/// Connects (creating a SQLite file and its folder if missing) and runs the provider's
/// migrations.
pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
    open(url, &MIGRATOR).await
}

/// Connects to `url` and runs `migrator`: the demo site opens its own database this way.
pub async fn open(url: &str, migrator: &sqlx::migrate::Migrator) -> Result<Db, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let url = prepare_sqlite_url(url)?;
    let sqlite = url.starts_with("sqlite:");
    let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
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
        .await?;
    migrator.run(&pool).await?;
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
}
