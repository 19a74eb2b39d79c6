//! What operating the site needs besides its pages: its probes' routes, the favicon, the
//! site's static files under `/pkg` as a production site serves them, and the start-up
//! line with the configuration (the shared parts are in `server::plumbing`).
//!
//! `/pkg`: precompressed copies (`.br`, `.gz`, written at build time by `.ci/build-site`)
//! go to browsers that accept them. With content-hashed names (`LEPTOS_HASH_FILES=true`,
//! leptos' `hash-files`: a new build means new names) a file never changes, so it is
//! cached for a year (`immutable`); without hashes (`cargo leptos watch`) it is
//! revalidated each time. Everything else defaults to `no-cache`.

use axum::Router;
use axum::extract::Request;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::prelude::LeptosOptions;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::server::plumbing::logging::redact_passwords;
use crate::server::plumbing::probes::{self, healthz};
use crate::server::plumbing::store_kind::StoreKind;
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

/// Readiness: the database, and Redis when sessions or sign-ins under way live there
/// (`plumbing::probes` checks each within two seconds, 503 naming what failed).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let config = &state.config;
    let redis: Vec<&str> = [&config.pending_sign_ins, &config.sessions]
        .into_iter()
        .filter_map(StoreKind::redis_url)
        .collect();
    probes::readiness(&state.db, &redis).await
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
        pending_sign_ins = %redact_passwords(&format!("{:?}", c.pending_sign_ins)),
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
