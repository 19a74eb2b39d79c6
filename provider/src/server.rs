//! Serving: the router with its layers, graceful shutdown, and a port-0 spawn for tests.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::state::AppState;
use crate::{Config, web};

/// The whole HTTP surface of the provider, with sessions and the 401 challenge.
pub fn router(state: AppState) -> Router {
    let config = &state.config;
    // Providers and the site may share a host (127.0.0.1) on different ports, and cookies
    // ignore ports: each brand gets its own cookie name.
    let cookie = format!(
        "{}_session",
        config.brand.to_ascii_lowercase().replace(' ', "_")
    );
    let sessions = SessionManagerLayer::new(state.sessions.clone())
        .with_name(cookie)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(14)));
    // Only the pages a person uses carry a session; signed requests (the OAuth endpoints
    // and the API) are authenticated by their signature alone and skip the session work.
    // The pages' posts are refused first when a browser says they came from elsewhere.
    let pages = Router::new()
        .merge(web::router())
        .merge(crate::oauth::pages())
        .merge(crate::oauth2::pages())
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::origin::same_origin,
        ));
    let router = Router::new()
        .merge(pages)
        .merge(crate::oauth::router())
        .merge(crate::oauth2::router())
        .merge(crate::api::router())
        .merge(crate::api_v2::router())
        .route("/static/provider.css", get(stylesheet))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/healthz", get(crate::health::healthz))
        .route("/readyz", get(crate::health::readyz))
        // Every body, page forms included: a status or a form fits many times over.
        .layer(DefaultBodyLimit::max(crate::oauth::signed::MAX_BODY))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            challenge,
        ))
        .layer(axum::middleware::from_fn(crate::edge::checks));
    with_request_ids(with_security_headers(router)).with_state(state)
}

/// The provider's pages run no script at all and load only their own stylesheet and
/// icon: a script that some page bug let in would not run. No framing (CSP Level 2
/// `frame-ancestors`). No `form-action`: browsers apply it to the redirect after the
/// consent form, which goes to the app's callback on another origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Headers every response carries, pages and API alike, set here once so that no page
/// can forget them: no framing anywhere (clickjacking turns a click on a framed consent
/// page into consent), no script, no MIME sniffing, and no `Referer` to other origins
/// (the consent page's URL holds the request token). `same-origin`, not `no-referrer`:
/// under `no-referrer` browsers send `Origin: null` on the provider's own form posts
/// (Fetch, "append a request `Origin` header"), which the origin check must refuse.
fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let header =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    router
        // RFC 7034's `X-Frame-Options` below, for browsers without `frame-ancestors`.
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "same-origin"))
}

/// A request id on every request (the caller's `X-Request-Id` if short and plain, else a
/// new UUID), echoed on the response, and a `request` span carrying it, so every log line
/// a request causes names it. The span has the path only: query strings may carry tokens
/// and verifiers.
fn with_request_ids<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    fn span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
    }
    router
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(span as fn(&_) -> _))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn(crate::edge::cap_request_id))
}

/// A URL (or any text holding URLs) with the password of each `scheme://user:password@`
/// replaced, for logs.
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

/// RFC 5849 §3.2 via RFC 2617: a 401 names the OAuth scheme and this provider's realm.
async fn challenge(State(state): State<AppState>, mut response: Response) -> Response {
    if response.status() == StatusCode::UNAUTHORIZED
        && !response.headers().contains_key(header::WWW_AUTHENTICATE)
    {
        let realm = state.config.public_url.as_str().replace('"', "");
        if let Ok(value) = HeaderValue::from_str(&format!("OAuth realm=\"{realm}\"")) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/provider.css"),
    )
}

/// Each brand's own icon (its initial on the accent colour), so no page load asks for a
/// favicon that does not exist.
async fn favicon(State(state): State<AppState>) -> impl IntoResponse {
    let initial = state
        .config
        .brand
        .chars()
        .find(|c| c.is_ascii_alphanumeric())
        .map_or('P', |c| c.to_ascii_uppercase());
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">\
             <rect width=\"32\" height=\"32\" rx=\"16\" fill=\"#1565c0\"/>\
             <text x=\"16\" y=\"22\" font-family=\"system-ui,sans-serif\" font-size=\"18\" \
             font-weight=\"700\" text-anchor=\"middle\" fill=\"#fff\">{initial}</text></svg>"
        ),
    )
}

/// Migrates, serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let listen = config.listen;
    let state = AppState::connect(config).await?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    // One line with the effective configuration; passwords in URLs redacted (the
    // configuration holds no other secret).
    let c = &state.config;
    tracing::info!(
        brand = %c.brand,
        %listen,
        public_url = %c.public_url,
        database = %redact_passwords(&c.database_url),
        nonce_store = %redact_passwords(&format!("{:?}", c.nonce_store)),
        session_store = %redact_passwords(&format!("{:?}", c.session_store)),
        redis_prefix = %c.redis_prefix,
        timestamp_window_secs = c.timestamp_window_secs,
        request_token_ttl_secs = c.request_token_ttl_secs,
        oauth2_access_token_ttl_secs = c.oauth2_access_token_ttl_secs,
        secure_cookies = c.secure_cookies,
        allow_plaintext_over_http = c.allow_plaintext_over_http,
        sweep_interval_secs = c.sweep_interval_secs,
        login_attempts = %format!(
            "{} per account and address, {} per account, {} per address, per {}s",
            c.login_attempts_per_account_and_address,
            c.login_attempts_per_account,
            c.login_attempts_per_address,
            c.login_window_secs
        ),
        signups_per_address = c.signups_per_address,
        trusted_proxy = ?c.trusted_proxy,
        "provider listening on {listen}"
    );
    start_sweeper(&state);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("provider stopped");
    Ok(())
}

/// Logging: `RUST_LOG` filters (default `info,sqlx=warn`); `LOG_FORMAT=json` writes one
/// JSON object per line (with the request span and its id), for log collectors.
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
/// stops the provider at start, naming the variable (a typo is never taken as text).
pub fn log_format_is_json(value: Option<&str>) -> Result<bool, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(false),
        Some(f) if f.eq_ignore_ascii_case("text") => Ok(false),
        Some(f) if f.eq_ignore_ascii_case("json") => Ok(true),
        Some(other) => Err(format!("LOG_FORMAT = {other:?}: use text or json")),
    }
}

/// Starts a provider on an already-connected state and a bound listener (port 0 in
/// tests), returning its address.
pub async fn spawn(
    state: AppState,
    listener: tokio::net::TcpListener,
) -> std::io::Result<SocketAddr> {
    let addr = listener.local_addr()?;
    start_sweeper(&state);
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app(state)).await {
            tracing::error!(error = %err, "test provider stopped");
        }
    });
    Ok(addr)
}

/// The one sweeper of expired rows (`store::expiry`), which also forgets idle throttle
/// entries.
fn start_sweeper(state: &AppState) {
    let limits = state.login_limits.clone();
    crate::store::expiry::start(
        state.db.clone(),
        std::time::Duration::from_secs(state.config.sweep_interval_secs),
        move || limits.forget_idle(),
    );
}

/// The router as served: each request knows the address it came from (sign-in
/// throttling counts attempts per address).
fn app(
    state: AppState,
) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
    router(state).into_make_service_with_connect_info::<SocketAddr>()
}

async fn shutdown_signal() {
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
