//! Serving: the router with its layers, graceful shutdown, and a port-0 spawn for tests.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::plumbing::logging::redact_passwords;
use crate::plumbing::no_store::no_store;
use crate::plumbing::request_ids::with_request_ids;
use crate::plumbing::shutdown::shutdown_signal;
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
    // The routes whose responses hold or lead to credentials: never cached.
    let credential_pages = Router::new()
        .merge(web::developer())
        .merge(crate::oauth::pages())
        .merge(crate::oauth2::pages())
        .layer(from_fn(no_store));
    let credential_endpoints = Router::new()
        .merge(crate::oauth::router())
        .merge(crate::oauth2::router())
        .layer(from_fn(no_store));
    let pages = Router::new()
        .merge(web::router())
        .merge(credential_pages)
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::origin::same_origin,
        ));
    let router = Router::new()
        .merge(pages)
        .merge(credential_endpoints)
        .merge(crate::api::router())
        .merge(crate::api_v2::router())
        .route("/static/provider.css", get(stylesheet))
        .route("/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .route("/healthz", get(crate::plumbing::probes::healthz))
        .route("/readyz", get(crate::health::readyz));
    with_edge_layers(router, state)
}

/// The layers every route of the provider is behind: request ids, the security headers,
/// the edge checks, the 401 challenge and the body limit, outermost first. Applied once
/// around the whole router, as `with_request_ids` explains. Public for the load example,
/// which measures them alone around a bare handler.
pub fn with_edge_layers(routes: Router<AppState>, state: AppState) -> Router {
    let header =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    let service = tower::ServiceBuilder::new()
        // Headers every response carries: see `CONTENT_SECURITY_POLICY` and below.
        .layer(header(header::REFERRER_POLICY, "same-origin"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // RFC 7034's `X-Frame-Options`, for browsers without `frame-ancestors`.
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(axum::middleware::from_fn(crate::edge::checks))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            challenge,
        ))
        // Every body, page forms included: a status or a form fits many times over.
        .layer(DefaultBodyLimit::max(crate::oauth::signed::MAX_BODY))
        .service(routes.with_state(state));
    with_request_ids(Router::new().fallback_service(service))
}

/// The provider's pages run no script at all and load only their own stylesheet and
/// icon: a script that some page bug let in would not run. No framing (CSP Level 2
/// `frame-ancestors`). No `form-action`: browsers apply it to the redirect after the
/// consent form, which goes to the app's callback on another origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; \
     object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// Headers every response carries, pages and API alike, set once in `with_edge_layers` so
// that no page can forget them: no framing anywhere (clickjacking turns a click on a
// framed consent page into consent), no script, no MIME sniffing, and no `Referer` to
// other origins (the consent page's URL holds the request token). `same-origin`, not
// `no-referrer`: under `no-referrer` browsers send `Origin: null` on the provider's own
// form posts (Fetch, "append a request `Origin` header"), which the origin check must
// refuse.

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

/// The one sweeper of expired rows (`plumbing::expiry`), which also forgets idle throttle
/// entries.
fn start_sweeper(state: &AppState) {
    let limits = state.login_limits.clone();
    crate::plumbing::expiry::start(
        state.db.clone(),
        &crate::store::EXPIRING,
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
