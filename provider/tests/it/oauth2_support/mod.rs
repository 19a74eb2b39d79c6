//! OAuth 2.0 test helpers: a provider with alice, her app with OAuth 2.0 on, a browser
//! signed in as her, and the requests of the flow.

use provider::oauth2::pkce;
use provider::store::apps::AccessLevel;
use provider::store::oauth2::clients::{self, ClientKind, NewClient};
use reqwest::StatusCode;
use url::Url;

use crate::support::{self, Backend, TestProvider};

pub const REDIRECT: &str = "http://127.0.0.1:3000/authorize/chirp2";
pub const OTHER_REDIRECT: &str = "http://127.0.0.1:3000/other";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const ALL_SCOPES: &str = "tweet.read tweet.write users.read offline.access";

/// An OAuth 2.0 client as its owner received it.
#[derive(Clone)]
pub struct TestClient {
    pub id: String,
    pub secret: Option<String>,
}

pub struct Fixture {
    pub provider: TestProvider,
    pub user_id: i64,
    pub confidential: TestClient,
    pub public: TestClient,
    /// A browser signed in as alice.
    pub browser: reqwest::Client,
    pub http: reqwest::Client,
}

/// Registers an app of `owner` with OAuth 2.0 on.
pub async fn oauth2_app(
    provider: &TestProvider,
    owner: i64,
    name: &str,
    kind: ClientKind,
    level: AccessLevel,
) -> TestClient {
    let app = support::register_app(
        &provider.state.db,
        owner,
        name,
        "http://127.0.0.1:3000/cb",
        level,
    )
    .await;
    let enabled = clients::enable(
        &provider.state.db,
        app.id,
        NewClient {
            kind,
            redirect_uris: &[REDIRECT.to_owned(), OTHER_REDIRECT.to_owned()],
            client_id: None,
            client_secret: None,
        },
    )
    .await
    .expect("turn OAuth 2.0 on");
    TestClient {
        id: enabled.client_id,
        secret: enabled.client_secret,
    }
}

pub async fn fixture(backend: Backend) -> Fixture {
    fixture_with(backend, &[]).await
}

/// [`fixture`] with more provider configuration in `vars`.
pub async fn fixture_with(backend: Backend, vars: &[(&str, &str)]) -> Fixture {
    let provider = support::spawn_provider_with(backend, "Chirp", vars).await;
    let alice = provider::users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .expect("create alice");
    let confidential = oauth2_app(
        &provider,
        alice.id,
        "Server app",
        ClientKind::Confidential,
        AccessLevel::Write,
    )
    .await;
    let public = oauth2_app(
        &provider,
        alice.id,
        "Phone app",
        ClientKind::Public,
        AccessLevel::Write,
    )
    .await;
    let browser = support::browser();
    let signed_in = support::sign_in(&browser, &provider, "alice", "wonderland").await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    Fixture {
        provider,
        user_id: alice.id,
        confidential,
        public,
        browser,
        http: support::browser(),
    }
}

/// The query of an authorization request (RFC 6749 §4.1.1).
pub fn authorize_params(client: &TestClient, scope: &str, state: &str) -> Vec<(String, String)> {
    [
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", state),
        ("code_challenge", &pkce::s256(VERIFIER)),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

pub fn query(params: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

/// The parameters of a redirect to the client.
pub fn redirect_params(response: &reqwest::Response) -> Vec<(String, String)> {
    let location = support::location(response);
    let url = Url::parse(&location).expect("an absolute redirect");
    assert!(location.starts_with(REDIRECT), "{location}");
    url.query_pairs().into_owned().collect()
}

pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Fixture {
    pub fn url(&self, path: &str) -> String {
        self.provider.url(path)
    }

    /// GET the authorization endpoint in alice's browser.
    pub async fn ask(&self, params: &[(String, String)]) -> reqwest::Response {
        self.browser
            .get(format!(
                "{}?{}",
                self.url("/i/oauth2/authorize"),
                query(params)
            ))
            .send()
            .await
            .unwrap()
    }

    /// Alice answers the consent page of `params` with `decision`.
    pub async fn answer(&self, params: &[(String, String)], decision: &str) -> reqwest::Response {
        let consent = self.ask(params).await;
        assert_eq!(consent.status(), StatusCode::OK);
        let csrf = support::csrf_of(&consent.text().await.unwrap());
        let mut form = params.to_vec();
        form.push(("csrf".into(), csrf));
        form.push(("decision".into(), decision.into()));
        self.browser
            .post(self.url("/i/oauth2/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// A code for `client` with `scope`, approved by alice.
    pub async fn code(&self, client: &TestClient, scope: &str) -> String {
        let response = self
            .answer(&authorize_params(client, scope, "xyz"), "allow")
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let params = redirect_params(&response);
        assert_eq!(param(&params, "state"), Some("xyz"));
        param(&params, "code").expect("a code").to_owned()
    }

    /// A token request: Basic auth with the client's secret if it has one, else
    /// `client_id` in the body.
    pub async fn token(&self, client: &TestClient, params: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.http.post(self.url("/2/oauth2/token"));
        let mut form: Vec<(&str, &str)> = params.to_vec();
        match &client.secret {
            Some(secret) => request = request.basic_auth(&client.id, Some(secret)),
            None => form.push(("client_id", &client.id)),
        }
        request.form(&form).send().await.unwrap()
    }

    /// Exchanges `code` with the right verifier and redirect URI.
    pub async fn exchange(&self, client: &TestClient, code: &str) -> reqwest::Response {
        self.token(
            client,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await
    }

    /// The whole flow: the token response's JSON.
    pub async fn tokens(&self, client: &TestClient, scope: &str) -> serde_json::Value {
        let code = self.code(client, scope).await;
        let response = self.exchange(client, &code).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn refresh(&self, client: &TestClient, refresh_token: &str) -> reqwest::Response {
        self.token(
            client,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    /// `GET /2/users/me` with a Bearer token: its status.
    pub async fn me(&self, access_token: &str) -> StatusCode {
        self.http
            .get(self.url("/2/users/me"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
            .status()
    }
}

/// `{"error": ...}` of an RFC 6749 §5.2 response.
pub async fn error_of(response: reqwest::Response) -> String {
    let json: serde_json::Value = response.json().await.unwrap();
    json["error"].as_str().unwrap_or_default().to_owned()
}
