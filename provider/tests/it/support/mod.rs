//! Test harness: a provider on port 0 with a database of its own, dropped when the test
//! ends.

use provider::{AppState, Config};
#[allow(unused_imports)]
pub use provider_testing::browser::{browser, csrf_of, location};
pub use provider_testing::{Backend, TestDb};

/// A running provider.
pub struct TestProvider {
    pub url: String,
    pub state: AppState,
    /// The database this provider owns (dropped with it); `None` for another instance on
    /// a database that a first one owns.
    pub db: Option<TestDb>,
}

impl TestProvider {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.url, path.trim_start_matches('/'))
    }
}

/// Starts a provider named `brand` on port 0, its public URL being its real address.
pub async fn spawn_provider(backend: Backend, brand: &str) -> TestProvider {
    spawn_provider_with(backend, brand, &[]).await
}

/// [`spawn_provider`] with more configuration in `vars`.
pub async fn spawn_provider_with(
    backend: Backend,
    brand: &str,
    vars: &[(&str, &str)],
) -> TestProvider {
    let db = TestDb::new(backend).await;
    // The first setting of a name wins: `vars` before the defaults.
    let mut all = vars.to_vec();
    all.push(("NONCE_STORE", "memory"));
    let mut provider = spawn_instance(&db.url, brand, &all).await;
    provider.db = Some(db);
    provider
}

/// Starts a provider on an existing database, with more configuration in `vars`
/// (`PROVIDER_PUBLIC_URL` defaults to its own address).
pub async fn spawn_instance(
    database_url: &str,
    brand: &str,
    vars: &[(&str, &str)],
) -> TestProvider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local address");
    let mut all = vec![
        ("PROVIDER_BRAND", brand.to_owned()),
        ("PROVIDER_LISTEN", addr.to_string()),
        ("DATABASE_URL", database_url.to_owned()),
    ];
    all.extend(vars.iter().map(|(k, v)| (*k, (*v).to_owned())));
    let config = Config::from_lookup(|k| all.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
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
        db: None,
    }
}

pub async fn page(http: &reqwest::Client, provider: &TestProvider, path: &str) -> String {
    let response = http.get(provider.url(path)).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK, "GET {path}");
    response.text().await.unwrap()
}

pub async fn sign_in(
    http: &reqwest::Client,
    provider: &TestProvider,
    name: &str,
    password: &str,
) -> reqwest::Response {
    let csrf = csrf_of(&page(http, provider, "/login").await);
    http.post(provider.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("screen_name", name),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// A signed-in browser approves request token `token` on `provider` (RFC 5849 §2.2):
/// the redirect's `oauth_verifier`.
pub async fn approve(http: &reqwest::Client, provider: &TestProvider, token: &str) -> String {
    let consent = page(
        http,
        provider,
        &format!("/oauth/authorize?oauth_token={token}"),
    )
    .await;
    let csrf = csrf_of(&consent);
    let response = http
        .post(provider.url("/oauth/authorize"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("oauth_token", token),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let callback = url::Url::parse(&location(&response)).expect("a redirect to the callback");
    let verifier = callback
        .query_pairs()
        .find(|(k, _)| k == "oauth_verifier")
        .map(|(_, v)| v.into_owned());
    verifier.expect("an oauth_verifier in the callback")
}

/// An app of `owner` with one callback and a random key and secret.
pub async fn register_app(
    db: &provider::plumbing::db::Db,
    owner_id: i64,
    name: &str,
    callback: &str,
    access_level: provider::store::apps::AccessLevel,
) -> provider::store::apps::App {
    provider::store::apps::create(
        db,
        provider::store::apps::NewApp {
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
    verify_credentials_response(base, client, token)
        .await
        .status()
}

/// [`verify_credentials`], the whole response.
pub async fn verify_credentials_response(
    base: &str,
    client: &oauth1::ClientCredentials,
    token: &oauth1::AccessToken,
) -> reqwest::Response {
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
}

/// A person with an app of her own and an access token for it: what most tests sign with.
pub struct Alice {
    pub user_id: i64,
    pub app: provider::store::apps::App,
    pub client: oauth1::ClientCredentials,
    pub token: oauth1::AccessToken,
}

/// Creates alice (password `wonderland`), her app `app_name` with one `callback`, and an
/// access token of `level` for it, through `state` (whose grant cache it keeps right).
pub async fn alice_with_a_token(
    state: &AppState,
    app_name: &str,
    callback: &str,
    level: provider::store::apps::AccessLevel,
) -> Alice {
    let alice = provider::users::create(&state.db, "alice", "Alice", "wonderland")
        .await
        .expect("create alice");
    let app = register_app(&state.db, alice.id, app_name, callback, level).await;
    let (token, secret) = provider::store::tokens::issue_access_token(
        &state.db,
        &state.grants,
        app.id,
        alice.id,
        level,
    )
    .await
    .expect("issue a token");
    Alice {
        user_id: alice.id,
        client: oauth1::ClientCredentials {
            key: app.consumer_key.clone(),
            secret: app.consumer_secret.clone(),
        },
        token: oauth1::AccessToken::new(token.as_str(), secret.secret()),
        app,
    }
}
