//! Storage that stays bounded (issue 13): abandoned flows are swept after their lifetime.

use crate::support;

use std::time::{Duration, Instant};

use provider::store::apps::AccessLevel;
use provider::store::tokens;
use support::{Backend, register_app, spawn_provider_with};

async fn request_tokens(db: &provider::plumbing::db::Db) -> i64 {
    sqlx::query_scalar("select count(*) from request_tokens")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn abandoned_flows_leave_nothing(backend: Backend) {
    let provider = spawn_provider_with(backend, "Chirp", &[("SWEEP_INTERVAL_SECS", "1")]).await;
    let db = provider.state.db.clone();
    let alice = provider::users::create(&db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let app = register_app(
        &db,
        alice.id,
        "App",
        "http://127.0.0.1:3000/cb",
        AccessLevel::Read,
    )
    .await;
    // One flow still under way, which the sweep must keep.
    let (live, _) = tokens::create_request_token(&db, app.id, "oob", AccessLevel::Read, 600)
        .await
        .unwrap();
    // 10,000 flows begun and abandoned, each with a 2-second lifetime.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let db = db.clone();
        tasks.spawn(async move {
            for _ in 0..1250 {
                tokens::create_request_token(
                    &db,
                    app.id,
                    "http://127.0.0.1:3000/cb",
                    AccessLevel::Read,
                    2,
                )
                .await
                .unwrap();
            }
        });
    }
    tasks.join_all().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while request_tokens(&db).await > 1 {
        assert!(
            Instant::now() < deadline,
            "{} rows left",
            request_tokens(&db).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(tokens::pending(&db, live.as_str()).await.unwrap().is_some());
}

#[tokio::test]
async fn ten_thousand_abandoned_flows_leave_nothing_after_their_lifetime_on_sqlite() {
    abandoned_flows_leave_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn ten_thousand_abandoned_flows_leave_nothing_after_their_lifetime_on_postgres() {
    abandoned_flows_leave_nothing(Backend::Postgres).await;
}

#[tokio::test]
async fn a_sweep_deletes_in_batches_until_nothing_expired_is_left() {
    let provider =
        spawn_provider_with(Backend::Sqlite, "Chirp", &[("SWEEP_INTERVAL_SECS", "3600")]).await;
    let db = provider.state.db.clone();
    let alice = provider::users::create(&db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let app = register_app(
        &db,
        alice.id,
        "App",
        "http://127.0.0.1:3000/cb",
        AccessLevel::Read,
    )
    .await;
    for _ in 0..1234 {
        tokens::create_request_token(&db, app.id, "oob", AccessLevel::Read, 0)
            .await
            .unwrap();
    }
    let later = provider::plumbing::db::now() + 5;
    assert_eq!(
        tokens::delete_expired_request_tokens(&db, later)
            .await
            .unwrap(),
        1234
    );
    assert_eq!(request_tokens(&db).await, 0);
}

/// One sweeper for every table that expires (`plumbing::expiry`): each table it names takes
/// its statement, and nonces, which the SQL nonce store leaves to it, go with the rest.
async fn the_one_sweeper_covers_every_table(backend: Backend) {
    use oauth1::server::{NonceKey, NonceStore, SqlNonceStore};
    let db = support::TestDb::new(backend).await;
    let pool = provider::store::connect(&db.url).await.unwrap();
    let now = provider::plumbing::db::now();
    for (table, key) in provider::store::EXPIRING {
        provider::plumbing::expiry::expired(&pool, (table, key), now)
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    let nonces = SqlNonceStore::new(pool.clone()).swept_elsewhere();
    let past = (now - 10) as u64;
    for i in 0..1100 {
        let nonce = format!("n{i}");
        let key = NonceKey {
            consumer_key: "app",
            token: "",
            timestamp: past - 300,
            nonce: &nonce,
        };
        assert!(nonces.insert_once(key, now as u64, past).await.unwrap());
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from nonces")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 1100, "inserts leave sweeping to the sweeper");
    provider::plumbing::expiry::sweep_once(&pool, &provider::store::EXPIRING).await;
    assert_eq!(count().await, 0);
    pool.close().await;
}

#[tokio::test]
async fn the_one_sweeper_covers_every_table_on_sqlite() {
    the_one_sweeper_covers_every_table(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_one_sweeper_covers_every_table_on_postgres() {
    the_one_sweeper_covers_every_table(Backend::Postgres).await;
}
