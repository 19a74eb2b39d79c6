//! A small OAuth 1.0a server on port 0 that verifies every signature with this crate's
//! `verify` (RFC 5849 §2 and §3), approving at once as a user clicking would.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request as AxumRequest, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use oauth1::{
    AccessToken, ConsumerSecret, Error, IncomingRequest, RemoteConfig, SignedParams, TokenSecret,
    TokenStore, UserKey, presets,
};
use url::Url;

pub const KEY: &str = "test-key";
pub const SECRET: &str = "test-secret";

#[derive(Clone, Default)]
pub struct Server {
    base: Arc<Mutex<String>>,
    /// request token → (secret, callback, verifier once approved)
    pending: Arc<Mutex<HashMap<String, (String, String)>>>,
    /// access token → secret
    access: Arc<Mutex<HashMap<String, String>>>,
    confirm_callback: bool,
    counter: Arc<Mutex<u32>>,
    /// Every secret handed out or received (token secrets, verifiers, signatures), for
    /// a test to look for where none may be.
    pub secrets: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn next(&self, what: &str) -> String {
        let mut n = self.counter.lock().unwrap();
        *n += 1;
        format!("{what}{n}")
    }

    fn keep_secret(&self, secret: &str) {
        self.secrets.lock().unwrap().push(secret.to_owned());
    }
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        r#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#,
    )
        .into_response()
}

/// Rebuilds the URL as the client addressed it and checks the request's signature.
async fn verified(
    server: &Server,
    request: AxumRequest,
    token_secret: impl Fn(&str) -> Option<String>,
) -> Result<SignedParams, Response> {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .map_err(|_| unauthorized())?;
    let base = server.base.lock().unwrap().clone();
    let url = Url::parse(&base)
        .unwrap()
        .join(&parts.uri.to_string())
        .unwrap();
    let incoming = IncomingRequest::from_parts(&parts, &url, &body);
    let params = SignedParams::from_request(&incoming).map_err(|_| unauthorized())?;
    server.keep_secret(params.signature());
    if let Some(verifier) = &params.verifier {
        server.keep_secret(verifier);
    }
    if params.consumer_key.as_str() != KEY {
        return Err(unauthorized());
    }
    let secret = match &params.token {
        Some(t) => Some(TokenSecret::new(
            token_secret(t.as_str()).ok_or_else(unauthorized)?,
        )),
        None => None,
    };
    params
        .verify_signature(&ConsumerSecret::new(SECRET), secret.as_ref())
        .map_err(|_| unauthorized())?;
    Ok(params)
}

async fn request_token(State(server): State<Server>, request: AxumRequest) -> Response {
    let params = match verified(&server, request, |_| None).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(callback) = params.callback else {
        return unauthorized();
    };
    let token = server.next("rt");
    let secret = server.next("rs");
    server.keep_secret(&secret);
    server
        .pending
        .lock()
        .unwrap()
        .insert(token.clone(), (secret.clone(), callback));
    let confirmed = if server.confirm_callback {
        "&oauth_callback_confirmed=true"
    } else {
        ""
    };
    format!("oauth_token={token}&oauth_token_secret={secret}{confirmed}").into_response()
}

/// Approves at once (or refuses with `?deny=1`), as a user clicking would.
async fn authorize(
    State(server): State<Server>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = q.get("oauth_token").cloned().unwrap_or_default();
    let Some((_, callback)) = server.pending.lock().unwrap().get(&token).cloned() else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut url = Url::parse(&callback).unwrap();
    if q.contains_key("deny") {
        url.query_pairs_mut().append_pair("denied", &token);
    } else {
        url.query_pairs_mut()
            .append_pair("oauth_token", &token)
            .append_pair("oauth_verifier", &format!("v-{token}"));
    }
    Redirect::to(url.as_str()).into_response()
}

async fn access_token(State(server): State<Server>, request: AxumRequest) -> Response {
    let pending = server.pending.clone();
    let params = match verified(&server, request, |t| {
        pending.lock().unwrap().get(t).map(|(s, _)| s.clone())
    })
    .await
    {
        Ok(p) => p,
        Err(r) => return r,
    };
    let token = params.token.unwrap();
    if params.verifier.as_deref() != Some(format!("v-{}", token.as_str()).as_str()) {
        return unauthorized();
    }
    server.pending.lock().unwrap().remove(token.as_str());
    let access = server.next("at");
    let secret = server.next("as");
    server.keep_secret(&secret);
    server
        .access
        .lock()
        .unwrap()
        .insert(access.clone(), secret.clone());
    format!("oauth_token={access}&oauth_token_secret={secret}&user_id=7&screen_name=alice")
        .into_response()
}

/// Answers the non-OAuth parameters it was sent, after checking the signature.
async fn echo(State(server): State<Server>, request: AxumRequest) -> Response {
    let access = server.access.clone();
    match verified(&server, request, |t| access.lock().unwrap().get(t).cloned()).await {
        Ok(p) => axum::Json(p.request_params).into_response(),
        Err(r) => r,
    }
}

pub async fn spawn(confirm_callback: bool) -> (String, Server) {
    let server = Server {
        confirm_callback,
        ..Server::default()
    };
    let app = Router::new()
        .route("/oauth/request_token", post(request_token))
        .route("/oauth/authenticate", get(authorize))
        .route("/oauth/access_token", post(access_token))
        .route("/1.1/echo.json", get(echo).post(echo))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    *server.base.lock().unwrap() = base.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, server)
}

pub fn config(base: &str) -> RemoteConfig {
    RemoteConfig {
        client_id: Some(KEY.into()),
        client_secret: Some(SECRET.into()),
        ..presets::twitter_compatible(base)
    }
}

/// Token credentials by remote and user.
pub struct Tokens(pub Mutex<HashMap<(String, UserKey), AccessToken>>);

#[async_trait]
impl TokenStore for Tokens {
    async fn fetch_token(
        &self,
        remote: &str,
        user: &UserKey,
    ) -> Result<Option<AccessToken>, Error> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(&(remote.to_owned(), user.clone()))
            .cloned())
    }
    async fn update_token(
        &self,
        remote: &str,
        user: &UserKey,
        token: &AccessToken,
    ) -> Result<(), Error> {
        self.0
            .lock()
            .unwrap()
            .insert((remote.to_owned(), user.clone()), token.clone());
        Ok(())
    }
}
