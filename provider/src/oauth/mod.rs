//! The OAuth 1.0a endpoints, shaped like Twitter's (RFC 5849 §2): temporary credentials,
//! resource owner authorization, token credentials, and revocation.

pub mod access_token;
pub mod authorize;
pub mod caller;
pub mod consent;
pub mod request_token;
pub mod signed;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::state::AppState;

pub use caller::ApiCaller;
pub use signed::Signed;

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

/// A form-encoded credentials response (RFC 5849 §2.1, §2.3), never cached (§2).
pub fn credentials_response(pairs: &[(&str, &str)]) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "application/x-www-form-urlencoded")],
        oauth1::encode::encode_form(pairs),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
