//! The site's database: SQLite by default, Postgres when `DATABASE_URL` says so, through
//! sqlx's `Any` driver so the same queries (`$1` placeholders) and migrations serve both.

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

pub type Db = AnyPool;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/app");

/// Connects (creating a SQLite file and its folder if missing) and migrates.
pub async fn open(url: &str) -> Result<Db, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    let url = if sqlite {
        sqlite_url(url)?
    } else {
        url.to_owned()
    };
    let pool = AnyPoolOptions::new()
        .max_connections(if sqlite { 8 } else { 16 })
        // sqlx pings a connection as it goes back to the pool already.
        .test_before_acquire(false)
        // While the database is down a request waits this long, then gets a 503.
        .acquire_timeout(std::time::Duration::from_secs(3))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    // WAL: readers beside the writer; a writer waits for the lock.
                    conn.execute(
                        "pragma journal_mode = wal; pragma synchronous = normal; \
                         pragma busy_timeout = 5000; pragma foreign_keys = on;",
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .connect_with(AnyConnectOptions::from_str(&url)?.disable_statement_logging())
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// A `sqlite:` URL with `mode=rwc` (create the file), its folder created.
fn sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    if let Some(dir) = std::path::Path::new(file).parent()
        && file != ":memory:"
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    }
    Ok(match (query.contains("mode="), query.is_empty()) {
        (true, _) => url.to_owned(),
        (false, true) => format!("{url}?mode=rwc"),
        (false, false) => format!("{url}&mode=rwc"),
    })
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    oauth1::Timestamp::now().as_secs() as i64
}

/// A new 64-bit id ordered by time (milliseconds since 2020 above 22 random bits), so
/// site instances need no coordination.
pub fn new_id() -> i64 {
    use rand::RngExt as _;
    const EPOCH_MS: u128 = 1_577_836_800_000;
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis().saturating_sub(EPOCH_MS))
        .unwrap_or(0) as i64;
    (ms << 22) | rand::rng().random_range(0..1 << 22)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        assert_eq!(
            sqlite_url("sqlite::memory:").unwrap(),
            "sqlite::memory:?mode=rwc"
        );
        assert_eq!(
            sqlite_url("sqlite://x.db?a=b").unwrap(),
            "sqlite://x.db?a=b&mode=rwc"
        );
    }

    #[test]
    fn ids_grow_with_time() {
        let a = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(new_id() > a && a > 0);
    }
}
