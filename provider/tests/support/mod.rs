//! Test harness: a provider on port 0 with a database of its own, dropped when the test
//! ends.
#![allow(dead_code)]

pub use provider::testing::{Backend, TestDb};
use provider::{AppState, Config};

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

/// An app of `owner` with one callback and a random key and secret.
pub async fn register_app(
    db: &provider::db::Db,
    owner_id: i64,
    name: &str,
    callback: &str,
    access_level: provider::apps::AccessLevel,
) -> provider::apps::App {
    provider::apps::create(
        db,
        provider::apps::NewApp {
            owner_id,
            name,
            callbacks: &[callback.to_owned()],
            access_level,
            consumer_key: None,
            consumer_secret: None,
        },
    )
    .await
    .expect("register the test app")
}

/// `GET /1.1/account/verify_credentials.json` on the provider at `base` (ending in `/`),
/// signed with a fresh nonce: its status.
pub async fn verify_credentials(
    base: &str,
    client: &oauth1::ClientCredentials,
    token: &oauth1::AccessToken,
) -> reqwest::StatusCode {
    let url = url::Url::parse(&format!("{base}1.1/account/verify_credentials.json"))
        .expect("a provider URL");
    let header = oauth1::Signer::new(client)
        .token(token)
        .authorization(
            &oauth1::Request {
                method: "GET",
                url: &url,
                body: oauth1::Body::Empty,
            },
            &oauth1::Nonce::generate(),
            oauth1::Timestamp::now(),
        )
        .expect("sign");
    reqwest::Client::new()
        .get(url)
        .header("authorization", header)
        .send()
        .await
        .expect("send")
        .status()
}
