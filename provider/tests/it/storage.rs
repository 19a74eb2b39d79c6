//! Storage runs the same on SQLite and Postgres: migrations, users, apps, nonce stores,
//! session stores (and those two on Redis).

use crate::support;

use oauth1::server::{MemoryNonceStore, NonceKey, NonceStore, RedisNonceStore, SqlNonceStore};
use provider::hashing::Hashing;
use provider::store::apps::{self, AccessLevel, NewApp};
use provider::store::sessions::{Sessions, SqlSessionStore, StoreKind};
use provider::users;
use provider_testing::redis as test_redis;
use support::{Backend, TestDb};

async fn users_and_apps_round_trip(backend: Backend) {
    let db = TestDb::new(backend).await;
    let pool = provider::store::connect(&db.url).await.unwrap();
    let alice = users::create(&pool, "Alice", "Alice A.", "wonderland")
        .await
        .unwrap();
    assert!(matches!(
        users::create(&pool, "alice", "", "wonderland").await,
        Err(users::SignUpError::Taken)
    ));
    assert_eq!(
        users::by_screen_name(&pool, "ALICE")
            .await
            .unwrap()
            .unwrap()
            .id,
        alice.id
    );
    assert!(
        users::authenticate(&pool, Hashing::shared(), "alice", "wonderland")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        users::authenticate(&pool, Hashing::shared(), "alice", "wrong-pass")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        users::authenticate(&pool, Hashing::shared(), "nobody", "wonderland")
            .await
            .unwrap()
            .is_none()
    );

    let callbacks = vec!["http://127.0.0.1:3000/cb".to_owned()];
    let new = |secret| NewApp {
        owner_id: alice.id,
        name: "Demo",
        callbacks: &callbacks,
        access_level: AccessLevel::Write,
        consumer_key: Some("fixed-key"),
        consumer_secret: Some(secret),
    };
    let first = apps::create(&pool, new("s1")).await.unwrap();
    let again = apps::create(&pool, new("s2")).await.unwrap();
    assert_eq!(
        first.id, again.id,
        "registering a known key again updates that app"
    );
    let stored = apps::by_consumer_key(&pool, "fixed-key")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.consumer_secret.secret(), "s2");
    assert_eq!(apps::callbacks(&pool, stored.id).await.unwrap(), callbacks);

    // The app and its callbacks in one query: none, one, or several.
    let (app, registered) = apps::with_callbacks(&pool, "fixed-key")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((app.id, &registered), (stored.id, &callbacks));
    let two = vec![
        "http://127.0.0.1:3000/b".to_owned(),
        "http://127.0.0.1:3000/a".to_owned(),
    ];
    for (key, urls) in [("none-key", vec![]), ("two-key", two.clone())] {
        apps::create(
            &pool,
            NewApp {
                callbacks: &urls,
                consumer_key: Some(key),
                ..new("s3")
            },
        )
        .await
        .unwrap();
    }
    let (app, registered) = apps::with_callbacks(&pool, "none-key")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (app.consumer_key.as_str(), registered),
        ("none-key", vec![])
    );
    let (_, registered) = apps::with_callbacks(&pool, "two-key")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(registered, vec![two[1].clone(), two[0].clone()], "sorted");
    assert!(
        apps::with_callbacks(&pool, "no-such-key")
            .await
            .unwrap()
            .is_none()
    );
    pool.close().await;
}

#[tokio::test]
async fn users_and_apps_round_trip_on_sqlite() {
    users_and_apps_round_trip(Backend::Sqlite).await;
}

#[tokio::test]
async fn users_and_apps_round_trip_on_postgres() {
    users_and_apps_round_trip(Backend::Postgres).await;
}

/// Of 50 concurrent inserts of one nonce exactly one succeeds; other keys are independent.
async fn exactly_one_of_many_concurrent_inserts_wins(store: std::sync::Arc<dyn NonceStore>) {
    let now = provider::plumbing::db::now() as u64;
    let expires = now + 600;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let key = NonceKey {
                consumer_key: "ck",
                token: "tok",
                timestamp: 1000,
                nonce: "n:1",
            };
            store.insert_once(key, now, expires).await.unwrap()
        }));
    }
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1);
    // The same nonce with another token, timestamp or client is a different nonce.
    for key in [
        NonceKey {
            consumer_key: "ck",
            token: "",
            timestamp: 1000,
            nonce: "n:1",
        },
        NonceKey {
            consumer_key: "ck",
            token: "tok",
            timestamp: 1001,
            nonce: "n:1",
        },
        NonceKey {
            consumer_key: "ck2",
            token: "tok",
            timestamp: 1000,
            nonce: "n:1",
        },
        // `:` inside parts cannot make two keys collide.
        NonceKey {
            consumer_key: "ck:tok",
            token: "",
            timestamp: 1000,
            nonce: "n:1",
        },
    ] {
        assert!(
            store.insert_once(key, now, expires).await.unwrap(),
            "{key:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_nonce_store_is_atomic() {
    exactly_one_of_many_concurrent_inserts_wins(std::sync::Arc::new(MemoryNonceStore::default()))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sql_nonce_store_is_atomic_on_sqlite() {
    let db = TestDb::new(Backend::Sqlite).await;
    let pool = provider::store::connect(&db.url).await.unwrap();
    exactly_one_of_many_concurrent_inserts_wins(std::sync::Arc::new(SqlNonceStore::new(
        pool.clone(),
    )))
    .await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sql_nonce_store_is_atomic_on_postgres() {
    let db = TestDb::new(Backend::Postgres).await;
    let pool = provider::store::connect(&db.url).await.unwrap();
    exactly_one_of_many_concurrent_inserts_wins(std::sync::Arc::new(SqlNonceStore::new(
        pool.clone(),
    )))
    .await;
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_redis_nonce_store_is_atomic() {
    let prefix = test_redis::prefix("nonces");
    let store = RedisNonceStore::connect(&test_redis::url(), prefix.clone())
        .await
        .unwrap();
    exactly_one_of_many_concurrent_inserts_wins(std::sync::Arc::new(store)).await;
    assert_eq!(test_redis::delete_all(&prefix).await, 5);
}

async fn sql_sessions(backend: Backend) {
    let db = TestDb::new(backend).await;
    let pool = provider::store::connect(&db.url).await.unwrap();
    let store = Sessions::open(&StoreKind::Sql, &pool, "").await.unwrap();
    provider_testing::session_store_keeps_its_contract(&store).await;
    use sqlx::Row;
    let count = || async {
        sqlx::query("select count(*) as n from sessions")
            .fetch_one(&pool)
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap()
    };
    assert_eq!(count().await, 1, "the expired record, until swept");
    let swept = SqlSessionStore::new(pool.clone())
        .delete_expired()
        .await
        .unwrap();
    assert_eq!((swept, count().await), (1, 0));
    pool.close().await;
}

#[tokio::test]
async fn the_sql_session_store_keeps_the_contract_on_sqlite() {
    sql_sessions(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_sql_session_store_keeps_the_contract_on_postgres() {
    sql_sessions(Backend::Postgres).await;
}

#[tokio::test]
async fn the_redis_session_store_keeps_the_contract() {
    let prefix = test_redis::prefix("sessions");
    let db = TestDb::new(Backend::Sqlite).await;
    let pool = provider::store::connect(&db.url).await.unwrap();
    let kind = StoreKind::Redis(test_redis::url());
    let store = Sessions::open(&kind, &pool, &prefix).await.unwrap();
    provider_testing::session_store_keeps_its_contract(&store).await;
    assert_eq!(
        test_redis::delete_all(&prefix).await,
        0,
        "nothing left behind"
    );
}
