//! What operating the site needs besides its pages: liveness and readiness probes, the
//! favicon, the site's static files under `/pkg` as a production site serves them, and
//! request ids in the logs.
//!
//! `/pkg`: precompressed copies (`.br`, `.gz`, written at build time by `.ci/build-site`)
//! go to browsers that accept them. With content-hashed names (`LEPTOS_HASH_FILES=true`,
//! leptos' `hash-files`: a new build means new names) a file never changes, so it is
//! cached for a year (`immutable`); without hashes (`cargo leptos watch`) it is
//! revalidated each time. Everything else defaults to `no-cache`.

use std::time::Duration;

use crate::server::storage::sessions::SessionStoreKind;
use axum::Router;
use axum::extract::Request;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::LeptosOptions;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::server::state::AppState;

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A small "S" in the site's blue, as an SVG (no 404 for the icon on every page).
pub const FAVICON_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1d4ed8"/><path d="M21 11.5c-1-1.6-2.8-2.5-5-2.5-3 0-5 1.6-5 3.9 0 5.2 10.5 2.9 10.5 8.2 0 2.4-2.2 4-5.4 4-2.4 0-4.4-1-5.4-2.8" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round"/></svg>"##;

/// Probes, favicon and `/pkg`, outside the page guards (no session, no cookie, no
/// canonical-host redirect: a health check inside a container asks for 127.0.0.1).
pub fn routes(options: &LeptosOptions) -> Router<AppState> {
    let pkg = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let hashed = options.hash_files;
    let files = Router::new()
        .nest_service(
            "/pkg",
            ServeDir::new(pkg).precompressed_br().precompressed_gzip(),
        )
        .layer(from_fn(move |request: Request, next: Next| async move {
            let immutable = hashed && is_hashed(request.uri().path());
            let mut response = next.run(request).await;
            let policy = if immutable && response.status().is_success() {
                IMMUTABLE
            } else {
                "no-cache"
            };
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
            // The same URL is sent compressed or not: shared caches must keep both.
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            response
        }));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .merge(files)
}

/// Whether the file name carries a content hash (`app.<hex>.js`): only those are
/// immutable. The unhashed `app.css` stays for pages outside Leptos (the sign-in error
/// pages) and is revalidated.
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| p.len() >= 16 && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Pages, redirects and server functions: the browser revalidates every time.
pub fn no_cache_by_default() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    )
}

async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON_SVG,
    )
        .into_response()
}

/// Liveness: the process answers.
pub async fn healthz() -> Response {
    plain(StatusCode::OK, "ok\n".to_owned())
}

/// Readiness: the database answers `select 1` and Redis (when sessions or temporary
/// credentials live there) answers PING, each within two seconds; else 503 naming what
/// failed.
pub async fn readyz(State(state): State<AppState>) -> Response {
    const LIMIT: Duration = Duration::from_secs(2);
    let mut failed = Vec::new();
    match tokio::time::timeout(LIMIT, sqlx::query("select 1").execute(&state.db)).await {
        Ok(Ok(_)) => {}
        Ok(Err(err)) => failed.push(format!("database: {err}")),
        Err(_) => failed.push("database: no answer in 2s".to_owned()),
    }
    let mut redis: Vec<&str> = state
        .config
        .temp_credentials_in_redis
        .iter()
        .map(String::as_str)
        .collect();
    if let SessionStoreKind::Redis(url) = &state.config.sessions
        && !redis.contains(&url.as_str())
    {
        redis.push(url);
    }
    for url in redis {
        match tokio::time::timeout(LIMIT, ping_redis(url)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => failed.push(format!("redis: {err}")),
            Err(_) => failed.push("redis: no answer in 2s".to_owned()),
        }
    }
    if failed.is_empty() {
        plain(StatusCode::OK, "ready\n".to_owned())
    } else {
        tracing::warn!(?failed, "not ready");
        plain(StatusCode::SERVICE_UNAVAILABLE, failed.join("\n") + "\n")
    }
}

async fn ping_redis(url: &str) -> Result<(), redis::RedisError> {
    let client = redis::Client::open(url)?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    redis::cmd("PING").query_async::<()>(&mut conn).await
}

fn plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// The longest `X-Request-Id` from outside that is kept.
const MAX_REQUEST_ID: usize = 64;

/// An `X-Request-Id` from outside is copied into every log line of the request and onto
/// the response: it is kept only if short and plain (at most 64 of `A-Z a-z 0-9 . _ -`),
/// else dropped here, before [`set_request_id`], which then makes one.
pub async fn refuse_unfit_request_ids(mut request: Request, next: Next) -> Response {
    let ids = request.headers().get_all("x-request-id");
    let mut given = ids.iter();
    let fit = match (given.next(), given.next()) {
        (Some(id), None) => {
            id.len() <= MAX_REQUEST_ID
                && id
                    .as_bytes()
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b))
        }
        _ => false,
    };
    if !fit {
        request.headers_mut().remove("x-request-id");
    }
    next.run(request).await
}

/// Takes the caller's `X-Request-Id` or makes a new UUID.
pub fn set_request_id() -> SetRequestIdLayer<MakeRequestUuid> {
    SetRequestIdLayer::x_request_id(MakeRequestUuid)
}

/// Echoes the request id on the response.
pub fn propagate_request_id() -> PropagateRequestIdLayer {
    PropagateRequestIdLayer::x_request_id()
}

type MakeSpan = fn(&axum::http::Request<axum::body::Body>) -> tracing::Span;

/// A `request` span around each request with its id, so every log line the request
/// causes names it. The path only: query strings may carry tokens and verifiers.
pub fn trace() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan> {
    fn span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
    }
    TraceLayer::new_for_http().make_span_with(span as MakeSpan)
}

/// Text holding URLs with the password of each `scheme://user:password@` replaced, for
/// logs.
pub fn redact_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '"' || c == ')' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(userinfo_end), Some(colon)) if colon < userinfo_end => {
                out.push_str(&authority[..=colon]);
                out.push_str("[redacted]");
                out.push_str(&authority[userinfo_end..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

/// Logging as configured: `RUST_LOG` filters (default `info,sqlx=warn`);
/// `LOG_FORMAT=json` writes one JSON object per line, with the request span and its id.
///
/// Text from outside (a request's fields, a remote's answer, an error holding either) is
/// logged with `Debug` (`err = ?e.to_string()`): quoted, its newlines escaped, so it
/// cannot start a line that reads like one of the site's own (log forging).
pub fn init_logging() -> Result<(), String> {
    let json = log_format_is_json(std::env::var("LOG_FORMAT").ok().as_deref())?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    if json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    Ok(())
}

/// `LOG_FORMAT`: unset, empty or `text` for lines of text, `json` for JSON; anything else
/// stops the site at start, naming the variable (a typo is never taken as text).
pub fn log_format_is_json(value: Option<&str>) -> Result<bool, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(false),
        Some(f) if f.eq_ignore_ascii_case("text") => Ok(false),
        Some(f) if f.eq_ignore_ascii_case("json") => Ok(true),
        Some(other) => Err(format!("LOG_FORMAT = {other:?}: use text or json")),
    }
}

/// One line with the effective configuration at startup; passwords in URLs redacted (the
/// client secrets are not part of it).
pub fn log_configuration(state: &AppState) {
    let c = &state.config;
    let remotes: Vec<String> = state
        .remotes
        .iter()
        .map(|r| format!("{} ({})", r.name, r.brand))
        .collect();
    tracing::info!(
        listen = %c.listen,
        public_url = %c.public_url,
        database = %redact_passwords(&c.database_url),
        remotes = %remotes.join(", "),
        temporary_credentials = %c.temp_credentials_in_redis.as_deref().map_or("sql".to_owned(), |u| format!("redis {}", redact_passwords(u))),
        sessions = %redact_passwords(&format!("{:?}", c.sessions)),
        redis_prefix = %c.redis_prefix,
        outbound_timeout_secs = c.outbound_timeout.as_secs(),
        sign_ins_per_address = c.sign_ins_per_address,
        sign_in_window_secs = c.sign_in_window.as_secs(),
        trusted_proxy = ?c.trusted_proxy,
        site_root = %state.leptos_options.site_root,
        hashed_files = state.leptos_options.hash_files,
        "the site is up at {}",
        c.public_url
    );
}

/// Ctrl-C or SIGTERM (`docker stop`): finish the requests under way, then stop.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::log_format_is_json;

    #[test]
    fn a_log_format_that_is_neither_text_nor_json_names_the_variable() {
        assert_eq!(log_format_is_json(None), Ok(false));
        assert_eq!(log_format_is_json(Some("text")), Ok(false));
        assert_eq!(log_format_is_json(Some(" JSON ")), Ok(true));
        let err = log_format_is_json(Some("jsn")).unwrap_err();
        assert!(
            err.starts_with("LOG_FORMAT") && err.contains("json"),
            "{err}"
        );
    }
}
