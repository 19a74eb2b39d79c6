//! The registry's OAuth 2 remotes (RFC 6749 §4.1 with PKCE, RFC 7636; refresh, §6)
//! against a small authorization server on port 0 that checks the code verifier, the
//! redirect URI and the client's authentication, rotates refresh tokens, counts
//! refreshes and revokes tokens (RFC 7009).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::Form;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use oauth1::{
    AccessToken, ConfigError, Error, OAuth2Token, Registry, Remote, RemoteConfig, RemoteToken,
    Timestamp, TokenStore, UserKey, presets,
};
use serde_json::json;
use sha2::Digest as _;
use url::Url;

const CLIENT_ID: &str = "test-client";
/// With characters that RFC 6749 §2.3.1's form-encoding inside HTTP Basic changes.
const CLIENT_SECRET: &str = "test-secret+/:é";
const CALLBACK: &str = "http://127.0.0.1:3000/authorize/x?keep=1";

/// How the server answers; tests change it between steps.
#[derive(Default)]
struct Behaviour {
    /// `expires_in` of new tokens (default 7200).
    expires_in: Option<u64>,
    /// Sends `expires_in` as a string and no `token_type`, as some services do.
    nonstandard: bool,
    /// The revocation endpoint answers 503 with a body that repeats what it was sent.
    revoke_down: bool,
}

/// One revocation request (RFC 7009 §2.1) as the server saw it.
#[derive(Debug, PartialEq)]
struct Revoked {
    token: String,
    hint: Option<String>,
    client_auth: &'static str,
}

#[derive(Default)]
struct Server {
    /// code → (redirect_uri, code_challenge)
    codes: Mutex<HashMap<String, (String, String)>>,
    /// access token → expiry (Unix seconds)
    access: Mutex<HashMap<String, u64>>,
    /// refresh tokens still good → the access token issued with each
    refresh: Mutex<HashMap<String, String>>,
    refreshes: AtomicUsize,
    counter: AtomicUsize,
    /// How the client authenticated at the token endpoint, per request.
    client_auth: Mutex<Vec<&'static str>>,
    /// Every revocation request, in order.
    revoked: Mutex<Vec<Revoked>>,
    behaviour: Mutex<Behaviour>,
}

impl Server {
    fn next(&self, what: &str) -> String {
        format!("{what}{}", self.counter.fetch_add(1, Ordering::SeqCst))
    }

    fn issue(&self) -> serde_json::Value {
        let (access, refresh) = (self.next("at"), self.next("rt"));
        let behaviour = self.behaviour.lock().unwrap();
        let expires_in = behaviour.expires_in.unwrap_or(7200);
        self.access
            .lock()
            .unwrap()
            .insert(access.clone(), Timestamp::now().as_secs() + expires_in);
        self.refresh
            .lock()
            .unwrap()
            .insert(refresh.clone(), access.clone());
        if behaviour.nonstandard {
            return json!({
                "access_token": access, "refresh_token": refresh,
                "expires_in": expires_in.to_string(), "scope": "tweet.read users.read",
            });
        }
        json!({
            "access_token": access, "token_type": "bearer", "refresh_token": refresh,
            "expires_in": expires_in, "scope": "tweet.read users.read offline.access",
            "user_id": "7",
        })
    }
}

fn oauth_error(error: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({ "error": error })),
    )
        .into_response()
}

/// Approves at once (or refuses with `deny=1`), as a user clicking would.
async fn authorize(
    State(server): State<Arc<Server>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ok = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.contains_key("state");
    let (Some(redirect_uri), Some(challenge), true) =
        (q.get("redirect_uri"), q.get("code_challenge"), ok)
    else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut url = Url::parse(redirect_uri).unwrap();
    if q.contains_key("deny") {
        url.query_pairs_mut().append_pair("error", "access_denied");
    } else {
        let code = server.next("code");
        server
            .codes
            .lock()
            .unwrap()
            .insert(code.clone(), (redirect_uri.clone(), challenge.clone()));
        url.query_pairs_mut().append_pair("code", &code);
    }
    url.query_pairs_mut().append_pair("state", &q["state"]);
    Redirect::to(url.as_str()).into_response()
}

/// RFC 6749 §2.3.1: Basic with the id and secret each form-encoded, or the credentials
/// in the body; a public client sends only its id.
fn client_auth(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<&'static str> {
    let basic = |value: &str| -> Option<(String, String)> {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value.strip_prefix("Basic ")?)
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        Some((decode(id)?, decode(secret)?))
    };
    match headers.get("authorization").and_then(|v| v.to_str().ok()) {
        Some(v) if basic(v) == Some((CLIENT_ID.into(), CLIENT_SECRET.into())) => {
            Some("client_secret_basic")
        }
        Some(_) => None,
        None => match (
            form.get("client_id").map(String::as_str),
            form.get("client_secret").map(String::as_str),
        ) {
            (Some(CLIENT_ID), Some(CLIENT_SECRET)) => Some("client_secret_post"),
            (Some(CLIENT_ID), None) => Some("none"),
            _ => None,
        },
    }
}

async fn token(
    State(server): State<Arc<Server>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(auth) = client_auth(&headers, &form) else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    };
    server.client_auth.lock().unwrap().push(auth);
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some((redirect_uri, challenge)) = server.codes.lock().unwrap().remove(&code) else {
                return oauth_error("invalid_grant");
            };
            // RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) == code_challenge.
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(sha2::Sha256::digest(verifier.as_bytes()));
            if computed != challenge || form.get("redirect_uri") != Some(&redirect_uri) {
                return oauth_error("invalid_grant");
            }
            axum::Json(server.issue()).into_response()
        }
        Some("refresh_token") => {
            server.refreshes.fetch_add(1, Ordering::SeqCst);
            // Slow enough that concurrent callers pile up behind the first refresh.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let presented = form.get("refresh_token").cloned().unwrap_or_default();
            // Rotation: a refresh token is good once.
            if server.refresh.lock().unwrap().remove(&presented).is_none() {
                return oauth_error("invalid_grant");
            }
            axum::Json(server.issue()).into_response()
        }
        _ => oauth_error("unsupported_grant_type"),
    }
}

/// RFC 7009 §2.1: the client authenticates as at the token endpoint; a refresh token
/// takes the access token issued with it along. §2.2: 200 for an unknown token too.
async fn revoke(
    State(server): State<Arc<Server>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(client_auth) = client_auth(&headers, &form) else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client", "error_description": "who are you?"})),
        )
            .into_response();
    };
    let Some(token) = form.get("token").cloned() else {
        return oauth_error("invalid_request");
    };
    if server.behaviour.lock().unwrap().revoke_down {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("cannot revoke {token} now"),
        )
            .into_response();
    }
    if let Some(access) = server.refresh.lock().unwrap().remove(&token) {
        server.access.lock().unwrap().remove(&access);
    }
    server.access.lock().unwrap().remove(&token);
    server.revoked.lock().unwrap().push(Revoked {
        token,
        hint: form.get("token_type_hint").cloned(),
        client_auth,
    });
    StatusCode::OK.into_response()
}

async fn me(State(server): State<Arc<Server>>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match server.access.lock().unwrap().get(bearer) {
        Some(expires) if *expires > Timestamp::now().as_secs() => {
            axum::Json(json!({"data": {"id": "7", "username": "alice"}})).into_response()
        }
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn spawn() -> (String, Arc<Server>) {
    let server = Arc::new(Server::default());
    let app = Router::new()
        .route("/i/oauth2/authorize", get(authorize))
        .route("/2/oauth2/token", post(token))
        .route("/2/oauth2/revoke", post(revoke))
        .route("/2/users/me", get(me))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, server)
}

fn config(base: &str) -> RemoteConfig {
    RemoteConfig {
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(CLIENT_SECRET.into()),
        ..presets::x_compatible_oauth2(base)
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

/// Tokens of both kinds, counting the saves.
#[derive(Default)]
struct Tokens {
    tokens: Mutex<HashMap<(String, UserKey), RemoteToken>>,
    updates: AtomicUsize,
}

#[async_trait]
impl TokenStore<RemoteToken> for Tokens {
    async fn fetch_token(
        &self,
        remote: &str,
        user: &UserKey,
    ) -> Result<Option<RemoteToken>, Error> {
        let key = (remote.to_owned(), user.clone());
        Ok(self.tokens.lock().unwrap().get(&key).cloned())
    }

    async fn update_token(
        &self,
        remote: &str,
        user: &UserKey,
        token: &RemoteToken,
    ) -> Result<(), Error> {
        self.updates.fetch_add(1, Ordering::SeqCst);
        let key = (remote.to_owned(), user.clone());
        self.tokens.lock().unwrap().insert(key, token.clone());
        Ok(())
    }
}

/// Follows the authorization URL the way a browser would, returning the callback URL.
async fn visit(url: &Url) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(url.as_str()).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A signed-in user: the whole flow, its token saved for `user`.
async fn sign_in(remote: &Remote, user: &UserKey) -> OAuth2Token {
    let go_to = remote
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let callback = visit(&go_to.url).await;
    let token = remote
        .authorize_access_token(&go_to.pending, &callback)
        .await
        .unwrap();
    remote.save_token(user, &token).await.unwrap();
    token
}

fn registry_with(store: Arc<Tokens>) -> Registry {
    Registry::new().token_store(store)
}

#[tokio::test]
async fn an_oauth2_sign_in_completes_with_pkce_and_calls_the_api_with_a_bearer_token() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    assert!(remote.is_oauth2());

    let go_to = remote
        .authorize_redirect::<RemoteToken>(CALLBACK)
        .await
        .unwrap();
    let query: HashMap<String, String> = go_to.url.query_pairs().into_owned().collect();
    assert!(
        go_to
            .url
            .as_str()
            .starts_with(&format!("{base}i/oauth2/authorize?"))
    );
    assert_eq!(query["scope"], "tweet.read users.read offline.access");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["redirect_uri"], CALLBACK);
    assert_eq!(query["state"], go_to.pending.callback_key());
    assert!(go_to.pending.is_oauth2());
    assert!(!format!("{:?}", go_to.pending).contains("binding\": \""));

    let callback = visit(&go_to.url).await;
    assert!(callback.starts_with("http://127.0.0.1:3000/authorize/x?keep=1&code="));
    // What the site files the sign-in under, read back from the callback.
    assert_eq!(
        remote.callback_key(&callback).as_deref(),
        Some(go_to.pending.callback_key())
    );
    // It survives the site's JSON storage.
    let stored = serde_json::to_string(&go_to.pending).unwrap();
    let pending: oauth1::PendingAuthorization<RemoteToken> = serde_json::from_str(&stored).unwrap();

    let token = remote
        .authorize_access_token(&pending, &callback)
        .await
        .unwrap();
    let RemoteToken::OAuth2(token) = token else {
        panic!("{token:?}")
    };
    assert!(token.is_bearer());
    assert!(token.refresh_token.is_some());
    assert_eq!(token.extra_str("user_id"), Some("7"));
    assert_eq!(
        token.scope.as_deref(),
        Some("tweet.read users.read offline.access")
    );
    let expires_at = token.expires_at.unwrap();
    let now = Timestamp::now().as_secs();
    assert!((now + 7190..=now + 7200).contains(&expires_at));
    assert_eq!(*server.client_auth.lock().unwrap(), ["client_secret_basic"]);
    let printed = format!("{token:?}");
    assert!(!printed.contains(token.access_token.secret()), "{printed}");

    // The same pending sign-in and callback again (a caller that forgot to take it out
    // of its store): the service refuses the spent code (RFC 6749 §4.1.2).
    match remote.authorize_access_token(&pending, &callback).await {
        Err(Error::OAuth2 { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("a second exchange: {other:?}"),
    }

    let alice = UserKey::Id(1);
    remote.save_token(&alice, &token).await.unwrap();
    let me: serde_json::Value = remote
        .get("users/me", &alice)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["username"], "alice");
    assert!(matches!(
        remote.get("users/me", &UserKey::Id(2)).await,
        Err(Error::NoToken(_))
    ));
    // OAuth 1-only code asking this remote for token credentials gets a typed error.
    assert!(matches!(
        remote.token(&alice).await,
        Err(Error::WrongTokenKind(_))
    ));
    assert!(matches!(
        remote.authorize_redirect::<AccessToken>(CALLBACK).await,
        Err(Error::WrongTokenKind(_))
    ));
}

/// RFC 6749 §10.12 at the crate's level: an attacker's callback opened in a victim's
/// browser carries the attacker's state; the victim's flow refuses it, and the attacker's
/// verifier is not spent.
#[tokio::test]
async fn a_callback_with_another_state_is_refused_and_spends_nothing() {
    let (base, _server) = spawn().await;
    let mut registry = Registry::new();
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let attacker = remote
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let attackers_callback = visit(&attacker.url).await;
    let victim = remote
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    assert!(matches!(
        remote
            .authorize_access_token(&victim.pending, &attackers_callback)
            .await,
        Err(Error::NotThisBrowser)
    ));
    let without_state = attackers_callback
        .split("&state=")
        .next()
        .unwrap()
        .to_owned();
    assert!(matches!(
        remote
            .authorize_access_token(&attacker.pending, &without_state)
            .await,
        Err(Error::BadCallback(_))
    ));
    remote
        .authorize_access_token(&attacker.pending, &attackers_callback)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refusal_at_the_service_is_denied() {
    let (base, _server) = spawn().await;
    let mut registry = Registry::new();
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let go_to = remote
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let mut deny = go_to.url.clone();
    deny.query_pairs_mut().append_pair("deny", "1");
    let callback = visit(&deny).await;
    assert!(matches!(
        remote
            .authorize_access_token(&go_to.pending, &callback)
            .await,
        Err(Error::Denied)
    ));
}

#[tokio::test]
async fn fifty_concurrent_calls_with_an_expiring_token_refresh_once() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let alice = UserKey::Id(1);
    // Within the minute's margin: refreshed before use.
    server.behaviour.lock().unwrap().expires_in = Some(30);
    let first = sign_in(&remote, &alice).await;
    server.behaviour.lock().unwrap().expires_in = None;
    let updates_before = store.updates.load(Ordering::SeqCst);

    let calls = (0..50).map(|_| {
        let (remote, alice) = (remote.clone(), alice.clone());
        tokio::spawn(async move { remote.get("users/me", &alice).await.map(|r| r.status()) })
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap().unwrap(), 200);
    }
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(store.updates.load(Ordering::SeqCst), updates_before + 1);
    let saved: OAuth2Token = remote.fetch_token(&alice).await.unwrap();
    assert_ne!(saved.access_token, first.access_token);
    assert_ne!(saved.refresh_token, first.refresh_token, "rotated");
    assert!(!saved.needs_refresh());
}

#[tokio::test]
async fn a_refused_refresh_asks_the_user_to_sign_in_again() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let alice = UserKey::Id(1);
    let mut token = sign_in(&remote, &alice).await;
    // Expired, and its refresh token revoked at the service.
    token.expires_at = Some(Timestamp::now().as_secs() - 1);
    server.refresh.lock().unwrap().clear();
    remote.save_token(&alice, &token).await.unwrap();
    match remote.get("users/me", &alice).await {
        Err(Error::ReauthorizationNeeded { remote, .. }) => assert_eq!(remote, "x"),
        other => panic!("{other:?}"),
    }
    // Expired with no refresh token at all: the same.
    token.refresh_token = None;
    remote.save_token(&alice, &token).await.unwrap();
    assert!(matches!(
        remote.get("users/me", &alice).await,
        Err(Error::ReauthorizationNeeded { .. })
    ));
}

#[tokio::test]
async fn the_token_response_hook_mends_a_nonstandard_answer() {
    let (base, server) = spawn().await;
    server.behaviour.lock().unwrap().nonstandard = true;
    let mut registry = Registry::new();
    let plain = registry.register_from("x", config(&base), no_env).unwrap();
    let go_to = plain
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let callback = visit(&go_to.url).await;
    match plain
        .authorize_access_token(&go_to.pending, &callback)
        .await
    {
        Err(Error::BadTokenResponse(reason)) => {
            let issued = server.access.lock().unwrap();
            assert!(
                issued.keys().all(|t| !reason.contains(t.as_str())),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }

    let mended = registry
        .register_with(
            "x2",
            config(&base),
            oauth1::Hooks {
                token_response_compliance: Some(Arc::new(|json: &mut serde_json::Value| {
                    let Some(obj) = json.as_object_mut() else {
                        return;
                    };
                    obj.entry("token_type").or_insert(json!("bearer"));
                    if let Some(s) = obj.get("expires_in").and_then(|v| v.as_str()) {
                        let n: u64 = s.parse().unwrap_or(0);
                        obj.insert("expires_in".into(), json!(n));
                    }
                })),
                ..oauth1::Hooks::default()
            },
            no_env,
        )
        .unwrap();
    let go_to = mended
        .authorize_redirect::<OAuth2Token>(CALLBACK)
        .await
        .unwrap();
    let callback = visit(&go_to.url).await;
    let token = mended
        .authorize_access_token(&go_to.pending, &callback)
        .await
        .unwrap();
    assert!(token.is_bearer() && token.expires_at.is_some());
}

#[tokio::test]
async fn each_token_endpoint_auth_method_is_used_as_configured() {
    let (base, server) = spawn().await;
    let mut registry = Registry::new();
    for (name, method) in [("post", "client_secret_post"), ("public", "none")] {
        let remote = registry
            .register_from(
                name,
                RemoteConfig {
                    client_secret: (method != "none").then(|| CLIENT_SECRET.into()),
                    client_kwargs: vec![("token_endpoint_auth_method".into(), method.into())],
                    ..config(&base)
                },
                no_env,
            )
            .unwrap();
        sign_in(&remote, &UserKey::Id(1)).await;
        assert_eq!(server.client_auth.lock().unwrap().pop(), Some(method));
    }
}

/// Unlinking at a site (RFC 7009 §2.1): the refresh token goes, with its hint and the
/// client authentication of the token endpoint, and takes the access token with it.
#[tokio::test]
async fn revoking_sends_the_refresh_token_with_the_token_endpoints_client_auth() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    for (name, method) in [
        ("basic", "client_secret_basic"),
        ("post", "client_secret_post"),
        ("public", "none"),
    ] {
        let remote = registry
            .register_from(
                name,
                RemoteConfig {
                    client_secret: (method != "none").then(|| CLIENT_SECRET.into()),
                    client_kwargs: vec![("token_endpoint_auth_method".into(), method.into())],
                    ..config(&base)
                },
                no_env,
            )
            .unwrap();
        let alice = UserKey::Id(1);
        let token = sign_in(&remote, &alice).await;
        remote.get("users/me", &alice).await.unwrap();

        // A site's handler runs it on a multi-threaded runtime: the future must be Send.
        fn send<F: std::future::Future + Send>(f: F) -> F {
            f
        }
        send(remote.revoke_token(&alice)).await.unwrap();
        let revoked = server.revoked.lock().unwrap().pop().unwrap();
        assert_eq!(
            revoked,
            Revoked {
                token: token.refresh_token.as_ref().unwrap().secret().to_owned(),
                hint: Some("refresh_token".into()),
                client_auth: method,
            },
            "{name}"
        );
        // The grant is gone at the service: its access token no longer works.
        match remote.get("users/me", &alice).await {
            Err(Error::Remote(e)) => assert_eq!(e.status, 401, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
        // §2.2: revoking again (the service no longer knows the token) is still done.
        remote.revoke_token(&alice).await.unwrap();
    }
}

/// Without a refresh token the access token itself is revoked, hinted as such.
#[tokio::test]
async fn a_token_without_a_refresh_token_is_revoked_as_an_access_token() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let alice = UserKey::Id(1);
    let mut token = sign_in(&remote, &alice).await;
    token.refresh_token = None;
    // Expired too: it is revoked as it is, not refreshed first.
    token.expires_at = Some(Timestamp::now().as_secs() - 1);
    remote.save_token(&alice, &token).await.unwrap();
    remote.revoke_token(&alice).await.unwrap();
    assert_eq!(
        *server.revoked.lock().unwrap(),
        [Revoked {
            token: token.access_token.secret().to_owned(),
            hint: Some("access_token".into()),
            client_auth: "client_secret_basic",
        }]
    );
    assert_eq!(server.refreshes.load(Ordering::SeqCst), 0);
    assert!(matches!(
        remote.revoke_token(&UserKey::Id(2)).await,
        Err(Error::NoToken(_))
    ));
}

#[tokio::test]
async fn a_remote_without_a_revocation_url_says_which_setting_is_missing() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let mut without = config(&base);
    without.revoke_url = None;
    let remote = registry.register_from("chirp2", without, no_env).unwrap();
    let alice = UserKey::Id(1);
    sign_in(&remote, &alice).await;
    match remote.revoke_token(&alice).await {
        Err(Error::Config(e)) => {
            assert_eq!(e, ConfigError::Missing("CHIRP2_REVOKE_URL".into()));
            assert!(e.to_string().contains("CHIRP2_REVOKE_URL"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(server.revoked.lock().unwrap().is_empty());
}

/// A refusal (RFC 7009 §2.2.1, RFC 6749 §5.2) is `Error::OAuth2`; any other failure
/// `Error::Remote`. Neither carries the token or the client secret.
#[tokio::test]
async fn a_failed_revocation_is_an_error_without_the_token() {
    let (base, server) = spawn().await;
    let store = Arc::new(Tokens::default());
    let mut registry = registry_with(store.clone());
    let remote = registry.register_from("x", config(&base), no_env).unwrap();
    let alice = UserKey::Id(1);
    let token = sign_in(&remote, &alice).await;
    let refresh = token.refresh_token.as_ref().unwrap().secret().to_owned();

    let wrong = registry
        .register_from(
            "wrong",
            RemoteConfig {
                client_secret: Some("not-the-secret".into()),
                ..config(&base)
            },
            no_env,
        )
        .unwrap();
    wrong.save_token(&alice, &token).await.unwrap();
    match wrong.revoke_token(&alice).await {
        Err(Error::OAuth2 { error, description }) => {
            assert_eq!(error, "invalid_client");
            assert_eq!(description.as_deref(), Some("who are you?"));
        }
        other => panic!("{other:?}"),
    }

    server.behaviour.lock().unwrap().revoke_down = true;
    let err = remote.revoke_token(&alice).await.unwrap_err();
    match &err {
        Error::Remote(e) => assert_eq!(e.status, 503),
        other => panic!("{other:?}"),
    }
    let text = format!("{err} {err:?}");
    assert!(!text.contains(&refresh), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
    assert!(server.revoked.lock().unwrap().is_empty());
}

#[test]
fn unknown_keys_and_bad_values_stop_registration_naming_them() {
    let bad = |name: &str, vars: &[(&str, &str)], base: RemoteConfig| {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match Registry::new().register_from(name, base, |k| vars.get(k).cloned()) {
            Err(Error::Config(e)) => e,
            other => panic!("{other:?}"),
        }
    };
    let oauth2 = || config("http://127.0.0.1:9/");
    // The preset sets these in code, which wins over the environment.
    let kwargs = |k: &str| RemoteConfig {
        client_kwargs: vec![(
            k.split('=').next().unwrap().into(),
            k.split('=').nth(1).unwrap().into(),
        )],
        ..oauth2()
    };
    let oauth1 = || RemoteConfig {
        client_id: Some("k".into()),
        client_secret: Some("s".into()),
        ..presets::twitter_compatible("http://127.0.0.1:9/")
    };

    let e = bad("x", &[], kwargs("colour=red"));
    assert!(
        matches!(&e, ConfigError::Bad { key, reason } if key == "X_CLIENT_KWARGS" && reason.contains("colour")),
        "{e}"
    );
    let e = bad(
        "chirp",
        &[(
            "CHIRP_CLIENT_KWARGS",
            "signature_method=HMAC-SHA1&sig_type=query",
        )],
        oauth1(),
    );
    assert!(e.to_string().contains("CHIRP_CLIENT_KWARGS") && e.to_string().contains("sig_type"));
    let e = bad(
        "chirp",
        &[("CHIRP_REFRESH_TOKEN_URL", "http://127.0.0.1:9/r")],
        oauth1(),
    );
    assert!(
        matches!(&e, ConfigError::Bad { key, .. } if key == "CHIRP_REFRESH_TOKEN_URL"),
        "{e}"
    );
    let e = bad("x", &[], kwargs("code_challenge_method=plain"));
    assert!(e.to_string().contains("S256"), "{e}");
    let e = bad(
        "x",
        &[],
        kwargs("token_endpoint_auth_method=private_key_jwt"),
    );
    assert!(e.to_string().contains("private_key_jwt"), "{e}");
    let e = bad(
        "x",
        &[("X_REVOKE_URL", "/relative")],
        RemoteConfig {
            revoke_url: None,
            ..oauth2()
        },
    );
    assert!(
        matches!(&e, ConfigError::BadUrl { key, .. } if key == "X_REVOKE_URL"),
        "{e}"
    );
    let e = bad(
        "x",
        &[],
        RemoteConfig {
            client_secret: None,
            ..oauth2()
        },
    );
    assert_eq!(e, ConfigError::Missing("X_CLIENT_SECRET".into()));
}

#[test]
fn the_x_preset_has_x_endpoints_and_scopes() {
    let mut registry = Registry::new();
    let x = registry
        .register_from(
            "x",
            RemoteConfig {
                client_id: Some("id".into()),
                client_secret: Some("secret".into()),
                ..presets::x_oauth2()
            },
            no_env,
        )
        .unwrap();
    let oauth1::Settings::OAuth2(s) = x.settings() else {
        panic!()
    };
    assert_eq!(
        s.common.authorize_url.as_str(),
        "https://x.com/i/oauth2/authorize"
    );
    assert_eq!(
        s.access_token_url.as_str(),
        "https://api.x.com/2/oauth2/token"
    );
    assert_eq!(
        s.refresh_token_url.as_str(),
        "https://api.x.com/2/oauth2/token"
    );
    assert_eq!(
        s.revoke_url.as_ref().unwrap().as_str(),
        "https://api.x.com/2/oauth2/revoke"
    );
    assert_eq!(s.scope, ["tweet.read", "users.read", "offline.access"]);
    assert_eq!(
        x.url("users/me").unwrap().as_str(),
        "https://api.x.com/2/users/me"
    );
}

/// A token-response hook is OAuth 2's: given to an OAuth 1 remote it is refused at
/// registration, naming it, and nothing is registered.
#[test]
fn a_token_response_hook_on_an_oauth1_remote_is_refused_by_name() {
    let mut registry = Registry::new();
    let refused = registry.register_with(
        "chirp",
        RemoteConfig {
            client_id: Some("k".into()),
            client_secret: Some("s".into()),
            ..oauth1::presets::twitter_compatible("http://127.0.0.1:1/")
        },
        oauth1::Hooks {
            token_response_compliance: Some(Arc::new(|_: &mut serde_json::Value| {})),
            ..oauth1::Hooks::default()
        },
        |_| None,
    );
    let err = refused.unwrap_err().to_string();
    assert!(err.contains("chirp: token_response_compliance"), "{err}");
    assert!(registry.remote("chirp").is_err());
}
