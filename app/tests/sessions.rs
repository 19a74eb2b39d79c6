//! The site's session store keeps tower-sessions' contract, in SQL (SQLite, Postgres) and
//! in Redis: a created record loads back as it was, a taken id is never overwritten,
//! `save` replaces, an expired record is gone, `delete` deletes.

use app::server::sessions::{SessionStoreKind, Sessions};
use provider::testing::redis as test_redis;
use provider::testing::{Backend, TestDb};
use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};

async fn keeps_the_contract(store: &Sessions) {
    let in_secs = |s| time::OffsetDateTime::now_utc() + time::Duration::seconds(s);
    let mut record = Record {
        id: Id::default(),
        data: [("user_id".to_owned(), serde_json::json!(7))].into(),
        expiry_date: in_secs(3600),
    };
    store.create(&mut record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().unwrap();
    assert_eq!(loaded.data, record.data);
    assert_eq!(
        loaded.expiry_date.unix_timestamp(),
        record.expiry_date.unix_timestamp()
    );

    let mut clash = Record {
        id: record.id,
        data: Default::default(),
        expiry_date: in_secs(60),
    };
    store.create(&mut clash).await.unwrap();
    assert_ne!(clash.id, record.id, "a taken id gets a new one");
    assert_eq!(
        store.load(&record.id).await.unwrap().unwrap().data,
        record.data
    );

    record.data.insert("user_id".into(), serde_json::json!(8));
    store.save(&record).await.unwrap();
    assert_eq!(
        store.load(&record.id).await.unwrap().unwrap().data["user_id"],
        8
    );

    clash.expiry_date = in_secs(-10);
    store.save(&clash).await.unwrap();
    assert!(store.load(&clash.id).await.unwrap().is_none(), "expired");

    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none(), "deleted");
    assert!(store.load(&Id::default()).await.unwrap().is_none());
}

async fn sql(backend: Backend) {
    let db = TestDb::new(backend).await;
    let pool = app::server::db::open(&db.url).await.unwrap();
    let store = Sessions::open(&SessionStoreKind::Sql, &pool, "")
        .await
        .unwrap();
    keeps_the_contract(&store).await;
    assert_eq!(
        store.sweep().await.unwrap(),
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
    let pool = app::server::db::open(&db.url).await.unwrap();
    let kind = SessionStoreKind::Redis(test_redis::url());
    let store = Sessions::open(&kind, &pool, &prefix).await.unwrap();
    keeps_the_contract(&store).await;
    assert_eq!(
        test_redis::delete_all(&prefix).await,
        0,
        "nothing left behind"
    );
}
