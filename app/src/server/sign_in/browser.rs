//! Which browser is this? A random `site_browser` cookie, set on the first response to a
//! browser that has none, names it; sign-ins under way are filed under its SHA-256
//! ([`BrowserKey`]) so a callback is finished only by the browser that began it.
//!
//! Why a cookie of its own, not the session's: the session record is read at the start
//! of a request and written whole at its end, so two requests at once (two tabs, a double
//! click) could write an older copy over a newer one and drop a sign-in. This cookie is
//! written once and names rows of their own (`storage/pending_sign_ins.rs`), which no session write
//! touches. It costs no stored row for a visitor who never signs in.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use sha2::{Digest, Sha256};
use tower_sessions::cookie::{Cookie, SameSite};

pub const COOKIE: &str = "site_browser";
/// Over https the cookie is `__Host-` prefixed: a browser then accepts it only from this
/// host, over https, for the whole site, so no other service on a sibling host name or
/// port can plant one. (Over plain http, as in the demo, a service on another port of
/// the same host can; `storage/pending_sign_ins.rs` records who was signed in to blunt that.)
pub const SECURE_COOKIE: &str = "__Host-site_browser";
const LEN: usize = 43;

/// The SHA-256 of this browser's cookie, in hex: what the stores keep, so a copy of the
/// database does not hold the cookies themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserKey(String);

impl BrowserKey {
    /// The key of a browser that sends `cookie` as its `site_browser` value.
    pub fn for_cookie(cookie: &str) -> Self {
        Self::of(cookie)
    }

    fn of(cookie: &str) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = Sha256::digest(cookie.as_bytes());
        let mut hex = String::with_capacity(64);
        for b in digest {
            hex.push(char::from(HEX[usize::from(b >> 4)]));
            hex.push(char::from(HEX[usize::from(b & 15)]));
        }
        Self(hex)
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

/// What the request says about the cookie.
enum Sent {
    None,
    One(String),
    /// Two or more: one was planted next to the real one (a cookie set for a narrower
    /// path is sent first). Neither is trusted.
    Several,
}

fn from_request(request: &Request, name: &str) -> Sent {
    let mut values = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|c| c.name() == name)
        .map(|c| c.value().to_owned());
    match (values.next(), values.next()) {
        (None, _) => Sent::None,
        (Some(_), Some(_)) => Sent::Several,
        (Some(v), None) if v.len() == LEN && v.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Sent::One(v)
        }
        (Some(_), None) => Sent::None,
    }
}

/// Gives the request a [`BrowserKey`] (a step of `guard::checks`, which runs on every
/// page request). A browser without the cookie gets one: the cookie to send back with
/// the response is returned.
/// `https`: whether the site is served over https (its public URL), for the cookie's
/// `__Host-` name and `Secure`.
pub fn identify(https: bool, request: &mut Request) -> Option<HeaderValue> {
    let name = if https { SECURE_COOKIE } else { COOKIE };
    let (value, set) = match from_request(request, name) {
        Sent::One(value) => (value, false),
        Sent::None => (fresh_value(), true),
        // A key that matches no sign-in; the cookies are left as they are.
        Sent::Several => (fresh_value(), false),
    };
    request.extensions_mut().insert(BrowserKey::of(&value));
    if !set {
        return None;
    }
    let cookie = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        // Lax: it must come along on the top-level GET back from the service.
        .same_site(SameSite::Lax)
        .secure(https)
        .max_age(tower_sessions::cookie::time::Duration::days(30))
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
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
