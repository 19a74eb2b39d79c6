//! OAuth 2.0 as X offers it (RFC 6749 Authorization Code with RFC 7636 PKCE, RFC 7009
//! revocation), next to the OAuth 1.0a endpoints of [`crate::oauth`]: an app turns it on
//! as a confidential or a public client; its tokens are Bearer tokens (RFC 6750) for
//! API v2 ([`crate::api_v2`]).

pub mod authorize;
pub mod base64;
pub mod client_auth;
pub mod digest;
pub mod error;
pub mod params;
pub mod pkce;
pub mod request;
pub mod revoke;
pub mod scope;
pub mod token;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The client's endpoints: authenticated by client credentials, no cookies.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/2/oauth2/token", post(token::token))
        .route("/2/oauth2/revoke", post(revoke::revoke))
}

/// The person's side: pages with the session.
pub fn pages() -> Router<AppState> {
    Router::new().route(
        "/i/oauth2/authorize",
        get(authorize::authorize).post(authorize::decide),
    )
}
