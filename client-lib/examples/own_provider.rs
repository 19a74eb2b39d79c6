//! An axum app that is not this project's, made an OAuth 1.0a provider with
//! `oauth1::server`: it keeps its own users (SQLite through sqlx), its own sign-in form
//! and its own consent page. Its OAuth code is the part between the two `----` lines:
//! two storage hooks and four routes; the library does every rule of RFC 5849.
//!
//! ```sh
//! cargo run -p oauth1-rfc5849 --all-features --example own_provider
//! ```
//!
//! Settings: `EXAMPLE_LISTEN` (127.0.0.1:8400), `EXAMPLE_PUBLIC_URL`
//! (http://127.0.0.1:8400/), `EXAMPLE_DATABASE_URL` (sqlite::memory:), and the seeded
//! client and user: `EXAMPLE_CONSUMER_KEY`, `EXAMPLE_CONSUMER_SECRET`, `EXAMPLE_CALLBACK`,
//! `EXAMPLE_USER`, `EXAMPLE_PASSWORD`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use askama::Template;
use async_trait::async_trait;
use axum::extract::{FromRef, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use oauth1::server::axum::{Signed, access_token, request_token};
use oauth1::server::{
    Authorized, ClientRecord, ClientStore, Server, ServerConfig, ServerError, StoreResult,
    TemporaryCredentials, TokenRecord, TokenStore,
};
use oauth1::{ConsumerKey, Token, TokenSecret};
use serde::Deserialize;
use sqlx::{Row, SqlitePool};

// ---- OAuth 1.0a: the app's clients and tokens, as the library asks for them --------

/// The app's database, which is also its OAuth store. `()`: the app attaches nothing to
/// a client; `i64`: a user is their row id.
#[derive(Clone)]
pub struct Db(SqlitePool);

#[async_trait]
impl ClientStore<()> for Db {
    async fn client(&self, key: &str) -> StoreResult<Option<ClientRecord<()>>> {
        let row = sqlx::query("select secret, callback from clients where key = ?")
            .bind(key)
            .fetch_optional(&self.0)
            .await?;
        Ok(row.map(|row| {
            ClientRecord::new(
                key,
                row.get::<String, _>("secret"),
                vec![row.get("callback")],
                (),
            )
        }))
    }
}

#[async_trait]
impl TokenStore<(), i64> for Db {
    async fn save(
        &self,
        _: &ClientRecord<()>,
        _: &TemporaryCredentials<i64>,
        token: &TokenRecord<i64>,
    ) -> StoreResult<Vec<(String, String)>> {
        sqlx::query(
            "insert into tokens (token, secret, consumer_key, user_id) values (?, ?, ?, ?)",
        )
        .bind(token.token.as_str())
        .bind(token.secret.secret())
        .bind(token.consumer_key.as_str())
        .bind(token.user)
        .execute(&self.0)
        .await?;
        Ok(vec![("user_id".into(), token.user.to_string())])
    }

    async fn get(&self, token: &str) -> StoreResult<Option<(ClientRecord<()>, TokenRecord<i64>)>> {
        let row = sqlx::query("select secret, consumer_key, user_id from tokens where token = ?")
            .bind(token)
            .fetch_optional(&self.0)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let key: String = row.get("consumer_key");
        let token = TokenRecord {
            token: Token::new(token),
            secret: TokenSecret::new(row.get::<String, _>("secret")),
            consumer_key: ConsumerKey::new(&key),
            user: row.get("user_id"),
            grant: (),
        };
        Ok(self.client(&key).await?.map(|client| (client, token)))
    }
}

type OAuth = Arc<Server<(), i64>>;

fn oauth_routes() -> Router<App> {
    Router::new()
        .route("/oauth/request_token", post(request_token::<(), i64, ()>))
        .route("/oauth/authorize", get(authorize).post(decide))
        .route("/oauth/access_token", post(access_token::<(), i64, ()>))
        .route("/api/me", get(me))
}

/// `GET /oauth/authorize`: the sign-in form, or the consent page for a signed-in person.
async fn authorize(
    State(app): State<App>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Response {
    let Some(session) = app.session(&headers) else {
        return page(&LoginPage {
            oauth_token: &q.oauth_token,
            error: false,
        });
    };
    match app.oauth.pending(&q.oauth_token).await {
        Ok(pending) => page(&ConsentPage {
            client: pending.client.key.as_str(),
            callback: &pending.temporary.callback,
            oauth_token: &q.oauth_token,
            csrf: &session.csrf,
        }),
        Err(error) => refused(error),
    }
}

/// `POST /oauth/authorize`: the person's answer, from the consent form of their session.
async fn decide(
    State(app): State<App>,
    headers: HeaderMap,
    Form(form): Form<Decision>,
) -> Response {
    let Some(session) = app
        .session(&headers)
        .filter(|_| app.posted_from_here(&headers))
        .filter(|s| oauth1::signature::constant_time_eq(s.csrf.as_bytes(), form.csrf.as_bytes()))
    else {
        return (
            StatusCode::FORBIDDEN,
            "This form has expired: reload the page.",
        )
            .into_response();
    };
    let answer = if form.decision == "allow" {
        app.oauth.approve(&form.oauth_token, session.user_id).await
    } else {
        app.oauth.deny(&form.oauth_token).await
    };
    match answer {
        Ok(Authorized::Redirect(url)) => Redirect::to(url.as_str()).into_response(),
        Ok(Authorized::Oob(Some(pin))) => page(&PinPage { pin: pin.secret() }),
        Ok(Authorized::Oob(None)) => "You denied the application.".into_response(),
        Err(error) => refused(error),
    }
}

/// `GET /api/me`, protected: the user the token acts for.
async fn me(State(app): State<App>, signed: Signed<(), i64>) -> Response {
    let name = sqlx::query_scalar::<_, String>("select name from users where id = ?")
        .bind(signed.token.user)
        .fetch_one(&app.db.0)
        .await;
    match name {
        Ok(name) => {
            Json(serde_json::json!({ "id": signed.token.user, "name": name })).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn refused(error: ServerError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    if let ServerError::Store(_) = error {
        // The cause is for the log, not for the visitor.
        eprintln!("storage failed: {error}");
        return (status, "Something went wrong here. Try again in a moment.").into_response();
    }
    (status, format!("This request cannot go on: {error}.")).into_response()
}

// ---- The app: settings, its tables, sessions, sign-in, pages ------------------------

pub struct Settings {
    pub listen: String,
    pub public_url: String,
    pub database_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub callback: String,
    pub user: String,
    pub password: String,
}

impl Settings {
    pub fn from_env() -> Self {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
        Self {
            listen: var("EXAMPLE_LISTEN", "127.0.0.1:8400"),
            public_url: var("EXAMPLE_PUBLIC_URL", "http://127.0.0.1:8400/"),
            database_url: var("EXAMPLE_DATABASE_URL", "sqlite::memory:"),
            consumer_key: var("EXAMPLE_CONSUMER_KEY", "example-key"),
            consumer_secret: var("EXAMPLE_CONSUMER_SECRET", "example-secret"),
            callback: var("EXAMPLE_CALLBACK", "http://127.0.0.1:3000/callback"),
            user: var("EXAMPLE_USER", "alice"),
            password: var("EXAMPLE_PASSWORD", "wonderland"),
        }
    }
}

struct Session {
    user_id: i64,
    csrf: String,
}

#[derive(Clone)]
pub struct App {
    db: Db,
    oauth: OAuth,
    sessions: Arc<Mutex<HashMap<String, Arc<Session>>>>,
    /// `scheme://host[:port]` of the public URL: posts must come from it.
    origin: String,
    /// Checked for unknown names too, so timing does not tell which names exist.
    dummy_hash: String,
}

impl FromRef<App> for OAuth {
    fn from_ref(app: &App) -> Self {
        app.oauth.clone()
    }
}

impl App {
    /// Whether a post comes from this app's own pages, as a browser says (`Origin`, or
    /// Fetch Metadata): a page elsewhere cannot sign a visitor in or answer for them.
    fn posted_from_here(&self, headers: &HeaderMap) -> bool {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        match header("origin") {
            Some(origin) => origin == self.origin,
            None => header("sec-fetch-site") == Some("same-origin"),
        }
    }

    /// The session named by the `session` cookie.
    fn session(&self, headers: &HeaderMap) -> Option<Arc<Session>> {
        let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
        let id = cookies
            .split(';')
            .find_map(|c| c.trim().strip_prefix("session="))?;
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.get(id).cloned()
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    oauth_token: String,
}

#[derive(Deserialize)]
struct Decision {
    oauth_token: String,
    csrf: String,
    decision: String,
}

#[derive(Deserialize)]
struct Login {
    oauth_token: String,
    name: String,
    password: String,
}

/// `POST /login`: checks the password, opens a session, and goes back to the request.
async fn login(State(app): State<App>, headers: HeaderMap, Form(form): Form<Login>) -> Response {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    if !app.posted_from_here(&headers) {
        return (StatusCode::FORBIDDEN, "Sign in from this site's own page.").into_response();
    }
    let row = sqlx::query("select id, password_hash from users where name = ?")
        .bind(&form.name)
        .fetch_optional(&app.db.0)
        .await
        .ok()
        .flatten();
    let (id, hash) = match &row {
        Some(row) => (
            Some(row.get::<i64, _>("id")),
            row.get::<String, _>("password_hash"),
        ),
        None => (None, app.dummy_hash.clone()),
    };
    let matches = PasswordHash::new(&hash).is_ok_and(|hash| {
        argon2::Argon2::default()
            .verify_password(form.password.as_bytes(), &hash)
            .is_ok()
    });
    let user_id = id.filter(|_| matches);
    let Some(user_id) = user_id else {
        let page = LoginPage {
            oauth_token: &form.oauth_token,
            error: true,
        };
        return (StatusCode::UNAUTHORIZED, page_html(&page)).into_response();
    };
    let id = random();
    let session = Session {
        user_id,
        csrf: random(),
    };
    app.sessions
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone(), Arc::new(session));
    let back = format!(
        "/oauth/authorize?oauth_token={}",
        oauth1::encode::encode(&form.oauth_token)
    );
    let cookie = format!("session={id}; Path=/; HttpOnly; SameSite=Lax");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}

/// 32 random letters and digits from the operating system's CSPRNG.
fn random() -> String {
    oauth1::Nonce::generate().into_string()
}

#[derive(Template)]
#[template(
    ext = "html",
    source = "<!doctype html><title>Sign in</title><h1>Sign in</h1>\
{% if error %}<p role=alert>That name and password do not match.</p>{% endif %}\
<form method=post action=/login><input type=\"hidden\" name=\"oauth_token\" value=\"{{ oauth_token }}\">\
<label>Name <input name=name autocomplete=username></label>\
<label>Password <input name=password type=password autocomplete=current-password></label>\
<button>Sign in</button></form>"
)]
struct LoginPage<'a> {
    oauth_token: &'a str,
    error: bool,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = "<!doctype html><title>Allow access?</title><h1>Allow {{ client }} to use your account?</h1>\
<p>Your answer goes to {{ callback }}.</p>\
<form method=post action=/oauth/authorize><input type=\"hidden\" name=\"oauth_token\" value=\"{{ oauth_token }}\">\
<input type=\"hidden\" name=\"csrf\" value=\"{{ csrf }}\">\
<button name=decision value=allow>Allow</button> <button name=decision value=deny>Deny</button></form>"
)]
struct ConsentPage<'a> {
    client: &'a str,
    callback: &'a str,
    oauth_token: &'a str,
    csrf: &'a str,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = "<!doctype html><title>Your PIN</title><p>Type this PIN into the application: <b>{{ pin }}</b></p>"
)]
struct PinPage<'a> {
    pin: &'a str,
}

fn page_html(page: &impl Template) -> Html<String> {
    Html(
        page.render()
            .unwrap_or_else(|_| "This page could not be shown.".into()),
    )
}

/// Every page answer: never cached (they carry request tokens and PINs), never framed.
fn page(page: &impl Template) -> Response {
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    (headers, page_html(page)).into_response()
}

/// The app's tables, and the seeded client and user.
/// Also returns a hash of the seeded password, to check unknown names against.
async fn open(settings: &Settings) -> Result<(Db, String), Box<dyn std::error::Error>> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let options: sqlx::sqlite::SqliteConnectOptions = settings.database_url.parse()?;
    // One connection: an in-memory database lives as long as its connection.
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.create_if_missing(true))
        .await?;
    for statement in [
        "create table if not exists users (id integer primary key, name text not null unique, \
         password_hash text not null)",
        "create table if not exists clients (key text primary key, secret text not null, \
         callback text not null)",
        "create table if not exists tokens (token text primary key, secret text not null, \
         consumer_key text not null references clients (key), \
         user_id integer not null references users (id))",
    ] {
        sqlx::query(statement).execute(&pool).await?;
    }
    sqlx::query("insert or replace into clients (key, secret, callback) values (?, ?, ?)")
        .bind(&settings.consumer_key)
        .bind(&settings.consumer_secret)
        .bind(&settings.callback)
        .execute(&pool)
        .await?;
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let hash = argon2::Argon2::default()
        .hash_password(settings.password.as_bytes(), &salt)
        .map_err(|e| e.to_string())?
        .to_string();
    sqlx::query("insert or replace into users (id, name, password_hash) values (1, ?, ?)")
        .bind(&settings.user)
        .bind(&hash)
        .execute(&pool)
        .await?;
    Ok((Db(pool), hash))
}

/// The whole app on `listener`; returns once it is serving.
pub async fn start(
    settings: &Settings,
    listener: tokio::net::TcpListener,
) -> Result<std::net::SocketAddr, Box<dyn std::error::Error>> {
    let (db, dummy_hash) = open(settings).await?;
    let public_url = url::Url::parse(&settings.public_url)?;
    let app = App {
        origin: public_url.origin().ascii_serialization(),
        oauth: Arc::new(Server::new(
            ServerConfig::new(public_url),
            db.clone(),
            db.clone(),
        )),
        db,
        sessions: Arc::default(),
        dummy_hash,
    };
    let router = oauth_routes().route("/login", post(login)).with_state(app);
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_env();
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .map_err(|e| format!("EXAMPLE_LISTEN={}: {e}", settings.listen))?;
    let addr = start(&settings, listener).await?;
    println!(
        "own_provider listening on http://{addr}/ (public URL {})",
        settings.public_url
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
