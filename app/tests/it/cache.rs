//! The stores of sign-ins under way: SQL (the default) and Redis. Each sign-in holds its
//! temporary credentials, is taken once and only by the browser that began it, and
//! expires. Redis at 127.0.0.1:6379, under a key prefix of this test's own.

use std::time::Duration;

use app::server::storage::pending_sign_ins::{PendingSignIn, PendingSignIns};
use app::server::storage::pending_sign_ins::{RedisPendingSignIns, SqlPendingSignIns};
use provider_testing::{Backend, TestDb};

/// A sign-in as the registry returns it, read back as a store reads it.
fn sign_in(token: &str) -> PendingSignIn {
    serde_json::from_str(&format!(
        r#"{{"remote":"chirp","token":"{token}","secret":"secret-of-{token}"}}"#
    ))
    .unwrap()
}

fn browser(name: &str) -> app::server::sign_in::browser::BrowserKey {
    app::server::sign_in::browser::BrowserKey::for_cookie(name)
}

async fn exercise(store: &dyn PendingSignIns) {
    let (mine, other) = (browser("mine"), browser("other"));
    let t1 = sign_in("t1");
    store
        .add(&mine, &t1, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(
        store.take(&other, "chirp", "t1").await.unwrap(),
        None,
        "another browser's"
    );
    assert_eq!(store.take(&mine, "warble", "t1").await.unwrap(), None);
    let taken = store.take(&mine, "chirp", "t1").await.unwrap().unwrap();
    assert_eq!(taken, t1, "with its temporary credentials");
    assert_eq!(
        store.take(&mine, "chirp", "t1").await.unwrap(),
        None,
        "taken once"
    );

    store
        .add(&mine, &sign_in("t2"), Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        store.take(&mine, "chirp", "t2").await.unwrap(),
        None,
        "expired"
    );
}

#[tokio::test]
async fn the_sql_store_takes_once_for_its_browser_and_expires() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend).await;
        let pool = app::server::storage::open(&db.url).await.unwrap();
        exercise(&SqlPendingSignIns::new(pool)).await;
    }
}

#[tokio::test]
async fn the_redis_store_takes_once_for_its_browser_and_expires() {
    let client = redis::Client::open("redis://127.0.0.1:6379/").unwrap();
    let conn = redis::aio::ConnectionManager::new(client).await.unwrap();
    let prefix = format!(
        "site-test-{}:",
        provider::store::apps::random_credential(10)
    );
    let store = RedisPendingSignIns {
        conn: conn.clone(),
        prefix: prefix.clone(),
    };
    exercise(&store).await;
    let mut conn = conn;
    let left: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(left.is_empty(), "nothing left behind: {left:?}");
}

/// Abandoned sign-ins are swept by the site's one sweeper (`storage::EXPIRING`), through
/// the expiry index in bounded batches, so one statement never holds the table for long
/// whatever piled up; adding sign-ins never sweeps, and live rows stay.
#[tokio::test]
async fn abandoned_sign_ins_are_swept_in_bounded_batches() {
    use app::server::plumbing::expiry::{BATCH, expired, sweep_once};
    use app::server::storage::EXPIRING;
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend).await;
        let pool = app::server::storage::open(&db.url).await.unwrap();
        let store = SqlPendingSignIns::new(pool.clone());
        for i in 0..2500 {
            sqlx::query(
                "insert into pending_sign_ins (browser, remote, token, data, expires_at) \
                 values ($1, 'chirp', 't', '{}', 0)",
            )
            .bind(format!("browser{i}"))
            .execute(&pool)
            .await
            .unwrap();
        }
        let count = || async {
            sqlx::query_scalar::<_, i64>("select count(*) from pending_sign_ins")
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        // Adding one leaves the expired rows to the sweeper, and the live one stays.
        let live = browser("live");
        store
            .add(&live, &sign_in("live"), Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(count().await, 2501, "{backend:?}: inserts never sweep");
        let now = app::server::plumbing::db::now();
        let table = EXPIRING
            .iter()
            .find(|(t, _)| *t == "pending_sign_ins")
            .unwrap();
        const { assert!(BATCH < 2500, "the backlog takes several statements") };
        assert_eq!(
            expired(&pool, *table, now).await.unwrap(),
            2500,
            "{backend:?}"
        );
        sweep_once(&pool, &EXPIRING).await;
        assert_eq!(count().await, 1, "{backend:?}");
        assert!(store.take(&live, "chirp", "live").await.unwrap().is_some());
    }
}
