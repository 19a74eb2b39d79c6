//! A small OAuth 2 authorization server on port 0 (RFC 6749 §4.1 with PKCE, RFC 7636)
//! that checks the code verifier, the redirect URI and the client's authentication,
//! rotates refresh tokens, counts refreshes and revokes tokens (RFC 7009).

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
use oauth1::{Error, RemoteConfig, RemoteToken, Timestamp, TokenStore, UserKey, presets};
use serde_json::json;
use sha2::Digest as _;
use url::Url;

pub const CLIENT_ID: &str = "test-client";
/// With characters that RFC 6749 §2.3.1's form-encoding inside HTTP Basic changes.
pub const CLIENT_SECRET: &str = "test-secret+/:é";

/// How the server answers; tests change it between steps.
#[derive(Default)]
pub struct Behaviour {
    /// `expires_in` of new tokens (default 7200).
    pub expires_in: Option<u64>,
    /// Sends `expires_in` as a string and no `token_type`, as some services do.
    pub nonstandard: bool,
    /// The revocation endpoint answers 503 with a body that repeats what it was sent.
    pub revoke_down: bool,
}

/// One revocation request (RFC 7009 §2.1) as the server saw it.
#[derive(Debug, PartialEq)]
pub struct Revoked {
    pub token: String,
    pub hint: Option<String>,
    pub client_auth: &'static str,
}

#[derive(Default)]
pub struct Server {
    /// code → (redirect_uri, code_challenge)
    codes: Mutex<HashMap<String, (String, String)>>,
    /// access token → expiry (Unix seconds)
    pub access: Mutex<HashMap<String, u64>>,
    /// refresh tokens still good → the access token issued with each
    pub refresh: Mutex<HashMap<String, String>>,
    pub refreshes: AtomicUsize,
    counter: AtomicUsize,
    /// How the client authenticated at the token endpoint, per request.
    pub client_auth: Mutex<Vec<&'static str>>,
    /// Every revocation request, in order.
    pub revoked: Mutex<Vec<Revoked>>,
    pub behaviour: Mutex<Behaviour>,
    /// Every secret handed out or received (codes, code verifiers, access and refresh
    /// tokens), for a test to look for where none may be.
    pub secrets: Mutex<Vec<String>>,
}

impl Server {
    fn next(&self, what: &str) -> String {
        format!("{what}{}", self.counter.fetch_add(1, Ordering::SeqCst))
    }

    fn keep_secret(&self, secret: &str) {
        self.secrets.lock().unwrap().push(secret.to_owned());
    }

    fn issue(&self) -> serde_json::Value {
        let (access, refresh) = (self.next("at"), self.next("rt"));
        self.keep_secret(&access);
        self.keep_secret(&refresh);
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
        server.keep_secret(&code);
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
            server.keep_secret(&verifier);
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

pub async fn spawn() -> (String, Arc<Server>) {
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

pub fn config(base: &str) -> RemoteConfig {
    RemoteConfig {
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(CLIENT_SECRET.into()),
        ..presets::x_compatible_oauth2(base)
    }
}

/// Tokens of both kinds, counting the saves.
#[derive(Default)]
pub struct Tokens {
    tokens: Mutex<HashMap<(String, UserKey), RemoteToken>>,
    pub updates: AtomicUsize,
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
