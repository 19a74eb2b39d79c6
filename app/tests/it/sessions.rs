//! The site's session store keeps tower-sessions' contract, in SQL (SQLite, Postgres) and
//! in Redis: a created record loads back as it was, a taken id is never overwritten,
//! `save` replaces, an expired record is gone, `delete` deletes.

use app::server::storage::sessions::{Sessions, StoreKind};
use provider_testing::redis as test_redis;
use provider_testing::{Backend, TestDb};

async fn sql(backend: Backend) {
    let db = TestDb::new(backend).await;
    let pool = app::server::storage::open(&db.url).await.unwrap();
    let store = Sessions::open(&StoreKind::Sql, &pool, "").await.unwrap();
    provider_testing::session_store_keeps_its_contract(&store).await;
    // The site's one sweeper deletes the expired record the contract left behind.
    let now = app::server::plumbing::db::now();
    assert_eq!(
        app::server::plumbing::expiry::expired(&pool, app::server::storage::EXPIRING[0], now)
            .await
            .unwrap(),
        1,
        "the expired record is swept"
    );
    pool.close().await;
}

#[tokio::test]
async fn the_site_session_store_keeps_the_contract_on_sqlite() {
    sql(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_site_session_store_keeps_the_contract_on_postgres() {
    sql(Backend::Postgres).await;
}

#[tokio::test]
async fn the_site_session_store_keeps_the_contract_in_redis() {
    let prefix = test_redis::prefix("site-sessions");
    let db = TestDb::new(Backend::Sqlite).await;
    let pool = app::server::storage::open(&db.url).await.unwrap();
    let kind = StoreKind::Redis(test_redis::url());
    let store = Sessions::open(&kind, &pool, &prefix).await.unwrap();
    provider_testing::session_store_keeps_its_contract(&store).await;
    assert_eq!(
        test_redis::delete_all(&prefix).await,
        0,
        "nothing left behind"
    );
}
