//! Test harness: a provider on port 0 with a database of its own (a temporary SQLite
//! file, or a fresh Postgres database at 127.0.0.1:5432), dropped when the test ends.
#![allow(dead_code)]

use provider::{AppState, Config};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The admin URL of the machine's Postgres (trust auth); `TEST_POSTGRES_URL` overrides it.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
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
            provider::apps::random_credential(12).to_lowercase()
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
                    .expect("Postgres at 127.0.0.1:5432 (set TEST_POSTGRES_URL to use another)");
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

/// A running provider.
pub struct TestProvider {
    pub url: String,
    pub state: AppState,
    pub db: TestDb,
}

impl TestProvider {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.url, path.trim_start_matches('/'))
    }
}

/// Starts a provider named `brand` on port 0, its public URL being its real address.
pub async fn spawn_provider(backend: Backend, brand: &str) -> TestProvider {
    let db = TestDb::new(backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local address");
    let vars = [
        ("PROVIDER_BRAND", brand.to_owned()),
        ("PROVIDER_LISTEN", addr.to_string()),
        ("DATABASE_URL", db.url.clone()),
        ("NONCE_STORE", "memory".to_owned()),
    ];
    let config =
        Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
            .expect("test configuration");
    let state = AppState::connect(config)
        .await
        .expect("connect the test provider");
    provider::spawn(state.clone(), listener)
        .await
        .expect("serve");
    TestProvider {
        url: format!("http://{addr}/"),
        state,
        db,
    }
}

/// An HTTP client that keeps cookies and does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}
