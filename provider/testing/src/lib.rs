//! For tests, here and in the demo site: a database that exists for one test (a temporary
//! SQLite file, or a fresh Postgres database at 127.0.0.1:5432), dropped when it ends.
//! Also Redis keys under a prefix of the test's own (`redis`) and a loopback proxy that
//! cuts connections (`proxy`). Not used by the server itself; failures here are test
//! failures, hence the `expect`s.

pub mod browser;
pub mod proxy;
pub mod redis;

use tower_sessions::SessionStore;
use tower_sessions::session::{Id, Record};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The admin URL of the machine's Postgres (trust auth); `TEST_DATABASE_URL` (or its
/// older name `TEST_POSTGRES_URL`) overrides it.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin: String, name: String },
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let name = format!(
            "provider_test_{}",
            provider::store::apps::random_credential(12).to_lowercase()
        );
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{name}.db"));
                TestDb {
                    url: format!("sqlite://{}", path.display()),
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => {
                use sqlx::Connection as _;
                let admin = postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("Postgres at 127.0.0.1:5432 (set TEST_DATABASE_URL to use another)");
                sqlx::query(&format!("create database {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create the test database");
                let (base, _) = admin.rsplit_once('/').expect("a database in the admin URL");
                TestDb {
                    url: format!("{base}/{name}"),
                    cleanup: Cleanup::Postgres { admin, name },
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Postgres { admin, name } => {
                // Drop runs outside async code: a short-lived runtime on its own thread.
                let (admin, name) = (admin.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    rt.block_on(async {
                        use sqlx::Connection as _;
                        let mut conn = sqlx::PgConnection::connect(&admin).await?;
                        sqlx::query(&format!("drop database if exists {name} with (force)"))
                            .execute(&mut conn)
                            .await?;
                        Ok::<_, sqlx::Error>(())
                    })
                    .map_err(std::io::Error::other)
                })
                .join();
            }
        }
    }
}

/// What tower-sessions relies on a store for (the provider's and the site's stores): a created record loads back as it was, a
/// taken id is never overwritten, `save` replaces, an expired record is gone, `delete`
/// deletes.
pub async fn session_store_keeps_its_contract(store: &impl SessionStore) {
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
    let loaded = store.load(&record.id).await.unwrap().unwrap();
    assert_eq!(loaded.data["user_id"], 8);

    clash.expiry_date = in_secs(-10);
    store.save(&clash).await.unwrap();
    assert!(store.load(&clash.id).await.unwrap().is_none(), "expired");

    store.delete(&record.id).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none(), "deleted");
    assert!(store.load(&Id::default()).await.unwrap().is_none());
}
