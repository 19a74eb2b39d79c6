//! Which browser is this? A random `site_browser` cookie, set on the first response to a
//! browser that has none, names it; sign-ins under way are filed under its SHA-256
//! ([`BrowserKey`]) so a callback is finished only by the browser that began it.
//!
//! Why a cookie of its own, not the session's: the session record is read at the start
//! of a request and written whole at its end, so two requests at once (two tabs, a double
//! click) could write an older copy over a newer one and drop a sign-in. This cookie is
//! written once and names rows of their own (`pending.rs`), which no session write
//! touches. It costs no stored row for a visitor who never signs in.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use tower_sessions::cookie::{Cookie, SameSite};

use crate::server::state::AppState;

pub const COOKIE: &str = "site_browser";
const LEN: usize = 43;

/// The SHA-256 of this browser's cookie, in hex: what the stores keep, so a copy of the
/// database does not hold the cookies themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserKey(String);

impl BrowserKey {
    fn of(cookie: &str) -> Self {
        let digest = Sha256::digest(cookie.as_bytes());
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn fresh_value() -> String {
    use rand::RngExt as _;
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(LEN)
        .map(char::from)
        .collect()
}

fn from_request(request: &Request) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == LEN && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The layer: gives every request a [`BrowserKey`], and a browser without the cookie
/// gets one with the response.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let existing = from_request(&request);
    let value = existing.clone().unwrap_or_else(fresh_value);
    request.extensions_mut().insert(BrowserKey::of(&value));
    let mut response = next.run(request).await;
    if existing.is_none() {
        let cookie = Cookie::build((COOKIE, value))
            .path("/")
            .http_only(true)
            // Lax: it must come along on the top-level GET back from the service.
            .same_site(SameSite::Lax)
            .secure(state.config.public_url.scheme() == "https")
            .max_age(tower_sessions::cookie::time::Duration::days(30))
            .build();
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for BrowserKey {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<BrowserKey>()
            .cloned()
            .ok_or_else(|| {
                tracing::error!("the browser layer is not installed on this route");
                StatusCode::INTERNAL_SERVER_ERROR
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_the_hash_not_the_cookie() {
        let value = fresh_value();
        assert_eq!(value.len(), LEN);
        let key = BrowserKey::of(&value);
        assert_eq!(key.as_str().len(), 64);
        assert!(!key.as_str().contains(&value));
        assert_eq!(key, BrowserKey::of(&value));
        assert_ne!(key, BrowserKey::of(&fresh_value()));
    }
}
