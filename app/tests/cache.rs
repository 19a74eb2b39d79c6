//! The temporary-credential caches: SQL (the default) and Redis, each taken once and
//! expiring. Redis at 127.0.0.1:6379, under a key prefix of this test's own.

use std::time::Duration;

use app::server::temp_store::{RedisCache, SqlCache};
use oauth1::{RequestToken, TemporaryCredentialCache};
use provider::testing::{Backend, TestDb};

async fn exercise(cache: &dyn TemporaryCredentialCache) {
    let token = RequestToken::new("t1", "s1");
    cache
        .set("chirp:t1", &token, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(cache.get("chirp:t1").await.unwrap(), Some(token.clone()));
    assert_eq!(cache.take("chirp:t1").await.unwrap(), Some(token));
    assert_eq!(cache.take("chirp:t1").await.unwrap(), None, "taken once");

    cache
        .set(
            "chirp:t2",
            &RequestToken::new("t2", "s2"),
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(cache.get("chirp:t2").await.unwrap(), None, "expired");
    assert_eq!(cache.take("chirp:t2").await.unwrap(), None, "expired");
}

#[tokio::test]
async fn the_sql_cache_takes_once_and_expires() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend).await;
        let pool = app::server::db::open(&db.url).await.unwrap();
        exercise(&SqlCache::new(pool)).await;
    }
}

#[tokio::test]
async fn the_redis_cache_takes_once_and_expires() {
    let client = redis::Client::open("redis://127.0.0.1:6379/").unwrap();
    let conn = redis::aio::ConnectionManager::new(client).await.unwrap();
    let prefix = format!("site-test-{}:", provider::apps::random_credential(10));
    let cache = RedisCache {
        conn: conn.clone(),
        prefix: prefix.clone(),
    };
    exercise(&cache).await;
    let mut conn = conn;
    let left: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}

/// Abandoned sign-ins are swept through the expiry index in bounded batches, so one
/// sweep never holds the table for long whatever piled up, and live rows stay.
#[tokio::test]
async fn abandoned_temporary_credentials_are_swept_in_bounded_batches() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend).await;
        let pool = app::server::db::open(&db.url).await.unwrap();
        let cache = SqlCache::new(pool.clone());
        for i in 0..2500 {
            sqlx::query(
                "insert into temporary_credentials (key, token, secret, expires_at) \
                 values ($1, 't', 's', 0)",
            )
            .bind(format!("chirp:old{i}"))
            .execute(&pool)
            .await
            .unwrap();
        }
        let now = app::server::db::now();
        assert_eq!(cache.sweep_batch(now).await.unwrap(), 1000, "{backend:?}");
        assert_eq!(cache.sweep_now(now).await.unwrap(), 1500, "{backend:?}");
        assert_eq!(cache.sweep_now(now).await.unwrap(), 0, "{backend:?}");
        // A `set` sweeps too (at most once a minute), and live rows stay.
        cache
            .set(
                "chirp:live",
                &RequestToken::new("live", "s"),
                Duration::from_secs(60),
            )
            .await
            .unwrap();
        assert!(cache.get("chirp:live").await.unwrap().is_some());
    }
}
