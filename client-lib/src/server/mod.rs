//! The server half of OAuth 1.0a (feature `server`), in the manner of Authlib's
//! `AuthorizationServer` and `ResourceProtector`: the library owns every rule of RFC 5849
//! §2 and §3, and the application only stores.
//!
//! - [`store`]: what the application writes: a [`ClientStore`] and a [`TokenStore`]
//!   over its own tables, and optionally a [`TemporaryStore`] ([`MemoryTemporaries`] by
//!   default) and a [`NonceStore`] ([`MemoryNonceStore`] by default);
//! - [`Server`]: the three endpoints of §2 and the protection of §3, each taking the
//!   incoming [`ServerRequest`] and giving an `http::Response` to send, or a typed
//!   [`ServerError`] that has a response of its own;
//! - [`ServerConfig`]: the public URL (the base string's URL comes from it, never from
//!   `Host`), the timestamp window, lifetimes and bounds, the PLAINTEXT policy, a clock;
//! - `axum` (feature `axum`): an extractor for protected routes and ready handlers.
//!
//! The order of the checks is the library's, so no application gets it wrong: the
//! request's shape (400), then the client, the timestamp in both directions, the
//! signature in constant time, and only then the nonce, recorded per (client, token,
//! timestamp, nonce) until the window has passed (401 for each).

pub mod config;
pub mod error;
pub mod nonce;
pub mod store;

mod authorize;
mod check;
mod credentials;
mod protect;
mod request;
mod response;

#[cfg(feature = "axum")]
pub mod axum;

pub use authorize::{Authorized, PendingRequest};
pub use config::{Clock, ServerConfig, SystemClock};
pub use error::ServerError;
pub use nonce::{MemoryNonceStore, NonceKey, NonceStore};
pub use protect::{Protected, TwoLegged};
pub use request::{ServerRequest, callback_allowed};
pub use store::{
    Approval, ClientRecord, ClientStore, MemoryTemporaries, StoreError, StoreResult,
    TemporaryCredentials, TemporaryStore, TokenRecord, TokenStore,
};

use std::sync::Arc;

/// An OAuth 1.0a authorization server and resource protector over the application's
/// stores. `C` is what the application attaches to a client, `U` what identifies the
/// person who approves (their user id, say), `G` what a client is granted (`()` unless
/// the application has access levels or scopes). Share it behind an `Arc`.
pub struct Server<C, U, G = ()> {
    config: ServerConfig,
    clients: Arc<dyn ClientStore<C>>,
    temporaries: Arc<dyn TemporaryStore<U, G>>,
    tokens: Arc<dyn TokenStore<C, U, G>>,
    nonces: Arc<dyn NonceStore>,
}

impl<C, U, G> Server<C, U, G>
where
    C: Clone + Send + Sync + 'static,
    U: Clone + Send + Sync + 'static,
    G: Clone + Send + Sync + 'static,
{
    /// A server over `clients` and `tokens`, keeping temporary credentials and nonces in
    /// this process's memory until [`Self::temporaries`] or [`Self::nonces`] say
    /// otherwise (several instances need shared ones).
    pub fn new(
        config: ServerConfig,
        clients: impl ClientStore<C> + 'static,
        tokens: impl TokenStore<C, U, G> + 'static,
    ) -> Self {
        Self {
            config,
            clients: Arc::new(clients),
            temporaries: Arc::new(MemoryTemporaries::default()),
            tokens: Arc::new(tokens),
            nonces: Arc::new(MemoryNonceStore::default()),
        }
    }

    /// Keeps temporary credentials in `store` instead of in memory.
    pub fn temporaries(mut self, store: impl TemporaryStore<U, G> + 'static) -> Self {
        self.temporaries = Arc::new(store);
        self
    }

    /// Records nonces in `store` instead of in memory.
    pub fn nonces(mut self, store: impl NonceStore + 'static) -> Self {
        self.nonces = Arc::new(store);
        self
    }

    pub fn config(&self) -> &ServerConfig {
        &self.config
    }
}
