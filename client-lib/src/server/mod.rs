//! The server half of OAuth 1.0a (feature `server`), in the manner of Authlib's
//! `AuthorizationServer` and `ResourceProtector`: the library owns every rule of RFC 5849
//! §2 and §3, and the application only stores.
//!
//! - [`store`]: what the application writes: a [`ClientStore`] and a [`TokenStore`]
//!   over its own tables, and optionally a [`TemporaryStore`] ([`MemoryTemporaries`] by
//!   default) and a [`NonceStore`] ([`MemoryNonceStore`] by default; `SqlNonceStore`
//!   with feature `nonce-sql`, `RedisNonceStore` with `nonce-redis`, for several
//!   instances);
//! - [`Server`]: the three endpoints of §2 and the protection of §3, each taking the
//!   incoming [`ServerRequest`] and giving an `http::Response` to send, or a typed
//!   [`ServerError`] that has a response of its own;
//! - [`ServerConfig`]: the public URL (the base string's URL comes from it, never from
//!   `Host`), the timestamp window, lifetimes and bounds, the PLAINTEXT policy, a clock;
//! - `axum` (feature `axum`): an extractor for protected routes and ready handlers;
//! - RSA-SHA1 (feature `rsa`, RFC 5849 §3.4.3): a client whose record carries a
//!   [`ClientPublicKey`] may sign with its private key; the others cannot use it.
//!
//! The order of the checks is the library's, so no application gets it wrong: the
//! request's shape (400), then the client, the timestamp in both directions, the
//! signature in constant time, and only then the nonce, recorded per (client, token,
//! timestamp, nonce) until the window has passed (401 for each).
//!
//! Protecting one route: the application's two hooks, a server, and a signed request
//! checked (with the `axum` feature the `Signed` extractor does the last step).
//!
//! ```
//! use async_trait::async_trait;
//! use oauth1::server::*;
//! use oauth1::{AccessToken, ClientCredentials, ConsumerKey, Token, TokenSecret};
//!
//! /// One client and one token, where an application would read its tables.
//! struct Tables;
//!
//! fn client() -> ClientRecord<()> {
//!     ClientRecord::new("key", "client-secret", vec!["https://app.example/cb".into()], ())
//! }
//!
//! #[async_trait]
//! impl ClientStore<()> for Tables {
//!     async fn client(&self, key: &str) -> StoreResult<Option<ClientRecord<()>>> {
//!         Ok((key == "key").then(client))
//!     }
//! }
//!
//! #[async_trait]
//! impl TokenStore<(), &'static str> for Tables {
//!     async fn save(
//!         &self,
//!         _: &ClientRecord<()>,
//!         _: &TemporaryCredentials<&'static str>,
//!         _: &TokenRecord<&'static str>,
//!     ) -> StoreResult<Vec<(String, String)>> {
//!         Ok(Vec::new())
//!     }
//!     async fn get(
//!         &self,
//!         token: &str,
//!     ) -> StoreResult<Option<(ClientRecord<()>, TokenRecord<&'static str>)>> {
//!         Ok((token == "token").then(|| {
//!             let record = TokenRecord {
//!                 token: Token::new("token"),
//!                 secret: TokenSecret::new("token-secret"),
//!                 consumer_key: ConsumerKey::new("key"),
//!                 user: "alice",
//!                 grant: (),
//!             };
//!             (client(), record)
//!         }))
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let public_url = url::Url::parse("https://api.example/").unwrap();
//! let server = Server::new(ServerConfig::new(public_url), Tables, Tables);
//!
//! // A client signs `GET /me` with its token (here, with this crate's signer).
//! let url = url::Url::parse("https://api.example/me").unwrap();
//! let authorization = oauth1::Signer::new(&ClientCredentials::new("key", "client-secret"))
//!     .token(&AccessToken::new("token", "token-secret"))
//!     .authorization(
//!         &oauth1::Request { method: "GET", url: &url, body: oauth1::Body::Empty },
//!         &oauth1::Nonce::generate(),
//!         oauth1::Timestamp::now(),
//!     )
//!     .unwrap();
//! let request = ServerRequest {
//!     method: "GET",
//!     path_and_query: "/me",
//!     authorization: Some(&authorization),
//!     content_type: None,
//!     body: b"",
//! };
//! let protected = server.protect(&request).await.unwrap();
//! assert_eq!(protected.token.user, "alice");
//! // The same request again is a replay.
//! assert!(matches!(server.protect(&request).await, Err(ServerError::NonceReused)));
//! # });
//! ```

pub mod config;
pub mod error;
pub mod nonce;
#[cfg(feature = "nonce-redis")]
pub mod nonce_redis;
#[cfg(feature = "nonce-sql")]
pub mod nonce_sql;
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
#[cfg(feature = "nonce-redis")]
pub use nonce_redis::RedisNonceStore;
#[cfg(feature = "nonce-sql")]
pub use nonce_sql::SqlNonceStore;
pub use protect::{Protected, TwoLegged};
pub use request::{ServerRequest, callback_allowed};
pub use store::{
    Approval, ClientPublicKey, ClientRecord, ClientStore, Data, MemoryTemporaries, StoreError,
    StoreResult, TemporaryCredentials, TemporaryStore, TokenRecord, TokenStore,
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
    C: Data,
    U: Data,
    G: Data,
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
