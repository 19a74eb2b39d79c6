//! The OAuth 1.0a endpoints, shaped like Twitter's (RFC 5849 §2): temporary credentials,
//! resource owner authorization, token credentials, and revocation.

pub mod access_token;
pub mod authorize;
pub mod caller;
pub mod consent;
pub mod request_token;
pub mod signed;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use caller::ApiCaller;

/// The signed endpoints: no cookies, no session.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/request_token", post(request_token::request_token))
        .route("/oauth/access_token", post(access_token::access_token))
        .route(
            "/1.1/oauth/invalidate_token",
            post(access_token::invalidate_token),
        )
}

/// The resource owner's side (§2.2): pages that need the signed-in user's session.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route(
            "/oauth/authorize",
            get(authorize::authorize).post(authorize::decide),
        )
        .route("/oauth/authenticate", get(authorize::authenticate))
}
