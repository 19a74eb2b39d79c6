//! The state every handler can reach; handlers take the narrowest part they need.

use std::sync::Arc;

use axum::extract::FromRef;
use oauth1::server::{MemoryNonceStore, NonceStore, RedisNonceStore, SqlNonceStore};

use crate::config::{Config, NonceStoreKind};
use crate::hashing::Hashing;
use crate::plumbing::db::Db;
use crate::store::apps::AccessLevel;
use crate::store::grant_cache::{BearerGrants, Grants};
use crate::store::oauth1::{AppInfo, Tables};
use crate::store::sessions::Sessions;
use crate::users::User;
use crate::web::csrf::CsrfKey;
use crate::web::device::DeviceKey;
use crate::web::throttle::LoginLimits;

/// Cloned for each request, once per extractor and per layer that takes state: one
/// reference count, where a struct of eleven shared handles cost eleven (12% of a signed
/// API request's CPU in a profile of the load example). Fields are reached through
/// `Deref`; each one's type is also a `FromRef` part, so handlers take the narrowest.
#[derive(Clone)]
pub struct AppState(Arc<StateParts>);

impl std::ops::Deref for AppState {
    type Target = StateParts;
    fn deref(&self) -> &StateParts {
        &self.0
    }
}

/// `State<Db>`, `State<Arc<Config>>` and the like, as `#[derive(FromRef)]` gives a
/// plain struct.
macro_rules! state_parts {
    ($($field:ident: $ty:ty),* $(,)?) => {
        $(impl FromRef<AppState> for $ty {
            fn from_ref(state: &AppState) -> Self {
                state.0.$field.clone()
            }
        })*
    };
}

state_parts!(
    config: Arc<Config>,
    db: Db,
    nonces: Arc<dyn NonceStore>,
    sessions: Sessions,
    grants: Grants,
    bearer_grants: BearerGrants,
    login_limits: Arc<LoginLimits>,
    csrf: Arc<CsrfKey>,
    devices: Arc<DeviceKey>,
    hashing: Arc<Hashing>,
    oauth1: Arc<OAuth1Server>,
);

/// What the state holds.
pub struct StateParts {
    pub config: Arc<Config>,
    pub db: Db,
    pub nonces: Arc<dyn NonceStore>,
    /// Web sessions, for the pages a person uses.
    pub sessions: Sessions,
    /// Cached access-token grants: only on SQLite, where this process is alone.
    pub grants: Grants,
    /// The same for OAuth 2.0 Bearer tokens.
    pub bearer_grants: BearerGrants,
    /// Sign-in attempts left per account and per client address; sign-ups per address.
    pub login_limits: Arc<LoginLimits>,
    /// Signs the CSRF tokens of forms (shared by the instances on this database).
    pub csrf: Arc<CsrfKey>,
    /// Signs the cookie of browsers that signed in before (sign-in throttling).
    pub devices: Arc<DeviceKey>,
    /// Password hashing: a few at once, a short line, 503 past it.
    pub hashing: Arc<Hashing>,
    /// The OAuth 1.0a server (`oauth1::server`) over the provider's tables.
    pub oauth1: Arc<OAuth1Server>,
}

/// `oauth1::server` with the provider's clients (apps), users and access levels.
pub type OAuth1Server = oauth1::server::Server<AppInfo, User, AccessLevel>;

impl AppState {
    /// Connects to the database (running migrations) and to the configured nonce store.
    pub async fn connect(config: Config) -> Result<Self, crate::error::Error> {
        let db = crate::store::connect(&config.database_url)
            .await
            .map_err(|e| crate::error::Error::Internal(e.to_string()))?;
        let nonces: Arc<dyn NonceStore> = match &config.nonce_store {
            NonceStoreKind::Memory => Arc::new(MemoryNonceStore::default()),
            // Swept with the other tables by `plumbing::expiry`.
            NonceStoreKind::Sql => Arc::new(SqlNonceStore::new(db.clone()).swept_elsewhere()),
            NonceStoreKind::Redis(url) => {
                let store = RedisNonceStore::connect(url, config.redis_prefix.clone())
                    .await
                    .map_err(oauth1::server::StoreError::from)?;
                Arc::new(store)
            }
        };
        let sessions = Sessions::open(&config.session_store, &db, &config.redis_prefix)
            .await
            .map_err(|e| crate::error::Error::Internal(format!("session store (redis): {e}")))?;
        let (grants, bearer_grants) = if config.database_url.starts_with("sqlite:") {
            (Grants::cached(), BearerGrants::cached())
        } else {
            (Grants::none(), BearerGrants::none())
        };
        let csrf = CsrfKey::load(&db, &config.brand, config.secure_cookies).await?;
        let devices = DeviceKey::load(&db, &config.brand, config.secure_cookies).await?;
        let mut server_config = oauth1::server::ServerConfig::new(config.public_url.clone());
        server_config.timestamp_window_secs = config.timestamp_window_secs;
        server_config.temporary_ttl_secs = config.request_token_ttl_secs;
        server_config.allow_plaintext_over_http = config.allow_plaintext_over_http;
        server_config.max_body = crate::oauth::signed::MAX_BODY;
        let tables = Tables {
            db: db.clone(),
            grants: grants.clone(),
        };
        let oauth1 = OAuth1Server::new(server_config, tables.clone(), tables.clone())
            .temporaries(tables)
            .nonces(nonces.clone());
        Ok(Self(Arc::new(StateParts {
            oauth1: Arc::new(oauth1),
            csrf: Arc::new(csrf),
            devices: Arc::new(devices),
            login_limits: Arc::new(LoginLimits::new(&config)),
            hashing: Arc::new(Hashing::for_this_machine()),
            config: Arc::new(config),
            db,
            nonces,
            sessions,
            grants,
            bearer_grants,
        })))
    }
}
