//! OAuth 1.0a (RFC 5849) for clients and servers.
//!
//! A tour, from the wire up:
//! - [`encode`]: the percent-encoding of §3.6 and form encoding;
//! - [`base_string`]: the signature base string of §3.4.1;
//! - [`signature`]: HMAC-SHA1, HMAC-SHA256 and PLAINTEXT behind [`SignatureMethod`] (§3.4);
//!   with the `rsa` feature, `rsa_sha1`: RSA-SHA1 (§3.4.3), signed with a private key and
//!   verified with the client's public key;
//! - [`header`]: the `Authorization: OAuth ...` header, rendered and parsed (§3.5.1);
//! - [`sign`]: [`Signer`] puts it together; nonce and timestamp are inputs (§3.3);
//!   [`Signer::authorization`] gives the header alone, [`Signer::sign`] also the base
//!   string and parameters;
//! - [`sign_now`]: one call, a fresh nonce and the current time: [`authorization_header`]
//!   for any request, `sign_reqwest` (feature `client`) for a `reqwest::Request` in place;
//! - [`verify`]: the server side, from an incoming request to a checked signature;
//! - [`callback`]: the callback of §2.2, read from its URL;
//! - [`pending`]: a sign-in under way, bound to the browser that began it;
//! - [`observe`]: every exchange, secrets removed, for logs or teaching pages;
//! - [`explain`] (feature `explain`, on by default): every step of a signature with its RFC section, for a playground, and
//!   a debugger that tells which usual mistake a rejected signature was made with.
//!
//! Those are the core: pure functions and types, no I/O, and they build for
//! `wasm32-unknown-unknown` with `default-features = false` (a server that only verifies,
//! like the provider, needs nothing more). The default feature `client` adds the HTTP
//! side, over reqwest and tokio:
//! - `client`: `Client`, the three legs of §2 over HTTP and signing of later calls;
//! - `registry`: many named remotes configured from code or `{NAME}_*` variables
//!   (`config`), tokens in a `TokenStore`;
//! - OAuth 2 remotes (RFC 6749 with PKCE, RFC 7636), registered without a request-token
//!   URL as in Authlib: `authcode` (the grant and refresh over oauth2-rs, revocation per
//!   RFC 7009), `http_client` (oauth2-rs's HTTP trait over the same reqwest client),
//!   `bearer` (`OAuth2Token`), `tokens` (`RemoteToken`, either kind, and the
//!   `TokenStore`); `Remote::revoke_token` revokes a user's token of either kind;
//! - `presets`: Twitter's endpoints, OAuth 1 and OAuth 2 (X);
//! - `error`: the errors of all that.
//!
//! The whole three-legged flow against a Twitter-compatible service:
//!
//! ```no_run
//! # #[cfg(feature = "client")]
//! # mod demo {
//! use oauth1::{Error, Registry, presets};
//!
//! # async fn demo() -> Result<(), Error> {
//! let mut registry = Registry::new();
//! let chirp = registry.register("chirp", oauth1::RemoteConfig {
//!     client_id: Some("demo-key".into()),
//!     client_secret: Some("demo-secret".into()),
//!     ..presets::twitter_compatible("http://127.0.0.1:8001/")
//! })?;
//!
//! // Leg 1 (§2.1) and the redirect of leg 2 (§2.2): send the user's browser to
//! // `go_to.url`, and keep `go_to.pending` in that browser's server-side session.
//! let go_to = chirp
//!     .authorize_redirect::<oauth1::AccessToken>("http://127.0.0.1:3000/authorize/chirp")
//!     .await?;
//! println!("{}", go_to.url);
//!
//! // The service sends the browser back to the callback with a verifier; leg 3 (§2.3),
//! // only with what this same browser kept (a callback URL alone finishes nothing):
//! let callback = "http://127.0.0.1:3000/authorize/chirp?oauth_token=...&oauth_verifier=...";
//! let token = chirp.authorize_access_token(&go_to.pending, callback).await?;
//! println!("signed in as @{}", token.extra("screen_name").unwrap_or("?"));
//!
//! // Any later request, signed with the token credentials (§3):
//! let request = chirp
//!     .client()
//!     .http()
//!     .get(chirp.url("account/verify_credentials.json")?)
//!     .build()?;
//! let me: serde_json::Value = chirp.send(request, &token).await?.json().await?;
//! # let _ = me;
//! # Ok(())
//! # }
//! # }
//! ```
/// The crate's README (`client-lib/README.md`), whose Rust blocks run as doc tests. They
/// use the client, the explainer, the axum server half and RSA-SHA1, so they run when
/// those features are on (`cargo test -p oauth1-rfc5849 --doc --all-features`, or `--workspace`).
#[cfg(all(
    doctest,
    feature = "client",
    feature = "explain",
    feature = "axum",
    feature = "rsa"
))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod base_string;
pub mod callback;
pub mod code_callback;
pub mod encode;
#[cfg(feature = "explain")]
pub mod explain;
pub mod header;
pub mod observe;
pub mod pending;
pub mod sign;
pub mod sign_now;
pub mod signature;
pub mod types;
pub mod verify;

#[cfg(feature = "client")]
pub mod authcode;
#[cfg(feature = "client")]
pub mod bearer;
#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod config;
#[cfg(feature = "client")]
pub mod error;
#[cfg(feature = "client")]
pub mod http_client;
#[cfg(feature = "client")]
pub mod presets;
#[cfg(feature = "client")]
mod refresh;
#[cfg(feature = "client")]
pub mod registry;
#[cfg(feature = "rsa")]
pub mod rsa_sha1;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "client")]
pub mod settings;
#[cfg(feature = "client")]
pub mod tokens;

pub use callback::{Callback, CallbackError};
pub use code_callback::CodeCallback;
pub use observe::{Exchange, Observer, Step};
pub use pending::{AuthorizationRedirect, PendingAuthorization};
pub use sign::{Body, Placement, Request, SignError, SignedRequest, Signer};
pub use sign_now::authorization_header;
pub use signature::{HmacSha1, HmacSha256, Plaintext, SignatureMethod};
pub use types::{
    AccessToken, AuthorizationCode, BearerToken, ClientCredentials, ConsumerKey, ConsumerSecret,
    Nonce, RefreshToken, RequestToken, Timestamp, Token, TokenCredentials, TokenSecret, Verifier,
};
pub use verify::{IncomingRequest, Location, SignedParams, VerifyError, check_timestamp};

#[cfg(feature = "client")]
pub use bearer::OAuth2Token;
#[cfg(feature = "client")]
pub use client::Client;
#[cfg(feature = "client")]
pub use config::RemoteConfig;
#[cfg(feature = "client")]
pub use error::{ConfigError, Error, RemoteError};
#[cfg(feature = "client")]
pub use http_client::TokenResponseCompliance;
#[cfg(feature = "client")]
pub use registry::{Compliance, Hooks, Registry, Remote};
#[cfg(feature = "rsa")]
pub use rsa_sha1::{RsaKeyError, RsaSha1, RsaSha1PublicKey};
#[cfg(feature = "client")]
pub use settings::{Settings, TokenEndpointAuth};
#[cfg(feature = "client")]
pub use sign_now::sign_reqwest;
#[cfg(feature = "client")]
pub use tokens::{RemoteToken, TokenKind, TokenRef, TokenStore, UserKey, any_token_store};
