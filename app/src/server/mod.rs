//! The server half of the site (feature `ssr`): its configuration and shared state, and
//! the router that puts the sign-in flow, storage, HTTP plumbing and server functions together.

pub mod config;
pub mod http;
pub mod plumbing;
pub mod remote_api;
pub mod server_fns;
pub mod sign_in;
pub mod state;
pub mod storage;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use oauth1::Registry;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::components::{App, shell};
use crate::model::RemoteInfo;
use config::SiteConfig;
use http::{api_errors, browser_half, guard, headers, ops};
use plumbing::store_kind::StoreKind;
use sign_in::{account_posts, callback, flows, login, throttle};
use state::AppState;
use storage::{accounts, pending_sign_ins};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Database(#[from] plumbing::db::OpenError),
    #[error("{setting}=redis at REDIS_URL={url}: cannot connect: {source}")]
    Redis {
        setting: &'static str,
        url: String,
        source: redis::RedisError,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A setting read before the others (`LOG_FORMAT`).
    #[error("{0}")]
    Setting(String),
}

/// Builds the state from configuration looked up with `lookup` (the environment in
/// `run`; a fixed list in tests). Every setting, each remote's included, is checked before
/// anything is opened or created on disk.
pub async fn build_state(
    lookup: &dyn Fn(&str) -> Option<String>,
    site_root: &str,
) -> Result<AppState, StartError> {
    let config = SiteConfig::from_lookup(lookup)?;
    register_remotes(&mut Registry::new(), &config, lookup)?;
    let db = storage::open(&config.database_url).await?;
    let pending = pending_sign_ins(&config, &db).await?;
    let flows = Arc::new(flows::FlowRecorder::default());
    let mut registry = Registry::new()
        .http_client(oauth1::registry::http_client_with_timeout(
            config.outbound_timeout,
        ))
        .token_store(Arc::new(accounts::DbTokenStore { db: db.clone() }))
        .observer(flows.clone());
    let remotes = register_remotes(&mut registry, &config, lookup)?;
    let sessions = storage::sessions::Sessions::open(&config.sessions, &db, &config.redis_prefix)
        .await
        .map_err(redis_error("SESSION_STORE", &config.sessions))?;
    let sign_ins = Arc::new(throttle::SignInLimits::new(
        config.sign_ins_per_address,
        config.sign_in_window,
    ));
    Ok(AppState::new(state::Shared {
        sign_ins,
        sessions,
        db,
        pending,
        registry: Arc::new(registry),
        remotes: Arc::new(remotes),
        flows,
        config: Arc::new(config),
        leptos_options: leptos_options(lookup, site_root),
    }))
}

/// Registers each of `SITE_REMOTES`: its `{NAME}_*` variables first, the built-in
/// defaults for what they leave unset.
fn register_remotes(
    registry: &mut Registry,
    config: &SiteConfig,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<RemoteInfo>, config::ConfigError> {
    let mut remotes = Vec::new();
    for name in &config.remotes {
        let remote_error = |source: oauth1::Error| config::ConfigError::Remote {
            remote: name.clone(),
            source,
        };
        let remote = oauth1::RemoteConfig::default()
            .from_lookup(name, lookup)
            .map_err(|e| remote_error(e.into()))?
            .or(config::remote_defaults(name));
        registry
            .register_from(name, remote, lookup)
            .map_err(remote_error)?;
        remotes.push(RemoteInfo {
            name: name.clone(),
            brand: config::brand(name, lookup),
        });
    }
    Ok(remotes)
}

/// The sign-ins under way, each holding its temporary credentials.
async fn pending_sign_ins(
    config: &SiteConfig,
    db: &plumbing::db::Db,
) -> Result<Arc<dyn pending_sign_ins::PendingSignIns>, StartError> {
    Ok(match &config.pending_sign_ins {
        StoreKind::Sql => Arc::new(pending_sign_ins::SqlPendingSignIns::new(db.clone())),
        kind @ StoreKind::Redis(url) => {
            let failed = redis_error("PENDING_SIGN_IN_STORE", kind);
            let client = redis::Client::open(url.as_str()).map_err(&failed)?;
            Arc::new(pending_sign_ins::RedisPendingSignIns {
                conn: redis::aio::ConnectionManager::new(client)
                    .await
                    .map_err(&failed)?,
                prefix: format!("{}tc:", config.redis_prefix),
            })
        }
    })
}

/// A Redis that could not be reached, named by the setting that chose it and its URL
/// (password redacted).
fn redis_error(
    setting: &'static str,
    kind: &StoreKind,
) -> impl Fn(redis::RedisError) -> StartError {
    let url = plumbing::logging::redact_passwords(kind.redis_url().unwrap_or_default());
    move |source| StartError::Redis {
        setting,
        url: url.clone(),
        source,
    }
}

/// Where the site's files are, and how cargo-leptos' watch mode reaches the page.
fn leptos_options(lookup: &dyn Fn(&str) -> Option<String>, site_root: &str) -> LeptosOptions {
    let mut options = LeptosOptions::builder()
        .output_name("app")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        // Content-hashed file names, as cargo-leptos' `hash-files` writes them: .ci/build-site
        // writes `hash.txt` next to the binary and the stack sets this.
        .hash_files(lookup("LEPTOS_HASH_FILES").is_some_and(|v| v.trim() == "true"))
        .build();
    // `cargo leptos watch` sets LEPTOS_WATCH and its reload port: `<AutoReload>` in the
    // shell then reloads the page after each rebuild.
    if let Some(port) = lookup("LEPTOS_RELOAD_PORT").and_then(|p| p.trim().parse().ok()) {
        options.reload_port = port;
    }
    options
}

/// The whole site: Leptos pages, server functions, sign-in routes, static files.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let sessions = session_layer(&state);
    let context = state.clone();
    let options = state.leptos_options.clone();
    let [frame_options, no_sniff, referrer] = headers::security_headers();
    let router = Router::new()
        .route(
            "/login/{name}",
            get(login::login).route_layer(from_fn_with_state(
                throttle::SignInGuard {
                    limits: state.sign_ins.clone(),
                    trusted_proxy: state.config.trusted_proxy,
                },
                throttle::sign_ins,
            )),
        )
        .route("/authorize/{name}", get(callback::authorize))
        // Sign-in redirects carry request tokens, states and verifiers: never cached.
        .route_layer(from_fn(plumbing::no_store::no_store))
        .route("/accounts/unlink", post(account_posts::unlink))
        .route("/logout", post(account_posts::logout))
        // The signing pages without JavaScript; their GET is the Leptos route below.
        // The signing forms' posts: a few KB of fields (a 4,096-bit PEM key is 3.3 KB),
        // never the 2 MB axum allows by default.
        .route(
            "/playground",
            post(crate::signing::posts::playground)
                .layer(DefaultBodyLimit::max(crate::signing::posts::MAX_FORM))
                // The answer echoes the secrets posted: never cached.
                .layer(from_fn(plumbing::no_store::no_store)),
        )
        .route(
            "/debugger",
            post(crate::signing::posts::debugger)
                .layer(DefaultBodyLimit::max(crate::signing::posts::MAX_FORM))
                // The answer echoes the secrets posted: never cached.
                .layer(from_fn(plumbing::no_store::no_store)),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context.clone());
                headers::provide_nonce();
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let state = state.clone();
                move || {
                    provide_context(state.clone());
                    headers::provide_nonce();
                }
            },
            shell,
        ))
        .layer(from_fn(api_errors::bad_arguments_are_400))
        .layer(sessions)
        .layer(from_fn_with_state(state.clone(), guard::checks))
        .merge(ops::routes(&state.leptos_options))
        // Every response from here on, the probes, the favicon and `/pkg` included.
        .layer(from_fn(headers::content_security_policy))
        .layer(frame_options)
        .layer(no_sniff)
        .layer(referrer)
        .layer(ops::no_cache_by_default());
    plumbing::request_ids::with_request_ids(router.with_state(state))
}

/// Who is signed in: a cookie of the site's own, `__Host-` over https (only this host may
/// set it, see `sign_in/browser.rs`), for 14 days of inactivity.
fn session_layer(state: &AppState) -> SessionManagerLayer<storage::sessions::Sessions> {
    SessionManagerLayer::new(state.sessions.clone())
        .with_name(if state.config.public_url.scheme() == "https" {
            "__Host-site_session"
        } else {
            "site_session"
        })
        .with_secure(state.config.public_url.scheme() == "https")
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(14),
        ))
}

/// Serves on `listener` in the background (tests use port 0).
pub async fn spawn(state: AppState, listener: tokio::net::TcpListener) {
    start_sweeper(&state);
    // With each connection's peer address: the sign-in quota is per client address.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(%err, "the site stopped");
        }
    });
}

/// `app`: reads the environment (with `env_file`, the `.env` that `main` loaded), opens
/// the database, serves until Ctrl-C.
pub async fn run(env_file: Option<std::path::PathBuf>) -> Result<(), StartError> {
    plumbing::logging::init_logging().map_err(StartError::Setting)?;
    if let Some(file) = env_file {
        tracing::info!(file = %file.display(), "settings read from a .env file");
    }
    let lookup = |k: &str| std::env::var(k).ok();
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let state = build_state(&lookup, &site_root).await?;
    let listener = tokio::net::TcpListener::bind(&state.config.listen).await?;
    ops::log_configuration(&state);
    browser_half::log_if_missing(&state.leptos_options);
    start_sweeper(&state);
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(plumbing::shutdown::shutdown_signal())
        .await?;
    tracing::info!("the site stopped");
    Ok(())
}

/// The site's one sweeper of expired rows (`storage::EXPIRING`).
fn start_sweeper(state: &AppState) {
    plumbing::expiry::start(
        state.db.clone(),
        &storage::EXPIRING,
        state.config.sweep_interval,
        || {},
    );
}
