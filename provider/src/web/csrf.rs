//! CSRF protection for every form, with nothing stored per anonymous visitor: a signed
//! double-submit cookie. The browser holds a random value in an HttpOnly cookie; each form
//! carries HMAC-SHA256(server key, value), and, once someone is signed in, the user id too.
//! A post is accepted when the token matches (compared in constant time).
//!
//! The cookie alone does not prove much: cookies ignore ports, so a page on another port
//! of the same host can plant one (cookie tossing), and anyone gets a valid cookie and
//! token pair from an anonymous visit of their own. Planting that pair in a victim's
//! browser would pass a cookie-only check. So a signed-in browser's tokens are bound to
//! its user: a pair drawn anonymously, or by another account, does not match. Anonymous
//! forms (sign in, sign up) keep the cookie-only binding; for every form, the origin
//! check in [`super::origin`] refuses posts that a browser says came from elsewhere.
//!
//! Signing in, signing up and signing out draw a new value, so a token seen before any
//! of them is refused after it. Session cookies are `SameSite=Lax` as well, which does
//! not help against a sibling port: it is the same *site*.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use tower_cookies::Cookies;
use tower_sessions::Session;
use tower_sessions::cookie::{Cookie, SameSite};

use crate::error::{Error, PageError};
use crate::plumbing::db::Db;

/// Characters of the random cookie value.
const VALUE_LEN: usize = 32;

/// The server's CSRF key and cookie settings, shared by every request.
pub struct CsrfKey {
    key: Vec<u8>,
    cookie: String,
    secure: bool,
}

impl CsrfKey {
    /// The key every instance on `db` shares (created by the first one), and the cookie
    /// `{brand}_csrf` (`__Host-` prefixed when `secure`, so that only this host over
    /// https may set it).
    pub async fn load(db: &Db, brand: &str, secure: bool) -> Result<Self, sqlx::Error> {
        Ok(Self {
            key: super::server_keys::shared(db, "csrf").await?,
            cookie: super::server_keys::cookie_name(brand, "csrf", secure),
            secure,
        })
    }

    /// The form token for a cookie value, and the signed-in user if any: hex of
    /// HMAC-SHA256(key, label, user, value). The labels keep an anonymous token from ever
    /// equalling a signed-in one.
    fn token_for(&self, value: &str, user: Option<i64>) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC takes keys of any length.
            return String::new();
        };
        match user {
            None => mac.update(b"csrf\0"),
            Some(id) => {
                mac.update(b"csrf-user\0");
                mac.update(id.to_string().as_bytes());
                mac.update(b"\0");
            }
        }
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// This request's CSRF state: the cookie jar, the value in use (read from the cookie, or
/// drawn and set when there was none), and the signed-in user its tokens are bound to.
pub struct Csrf {
    key: Arc<CsrfKey>,
    cookies: Cookies,
    state: Mutex<Binding>,
}

struct Binding {
    value: Option<String>,
    user: Option<i64>,
}

impl<S> FromRequestParts<S> for Csrf
where
    Arc<CsrfKey>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The session layer installs the cookie jar on every page route.
        let cookies = parts
            .extensions
            .get::<Cookies>()
            .cloned()
            .ok_or_else(|| PageError(Error::Internal("no cookie jar on this route".into())))?;
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| PageError(Error::Internal("no session on this route".into())))?;
        let user = crate::web::session::user_id(&session).await?;
        let key = Arc::<CsrfKey>::from_ref(state);
        let value = cookies
            .get(&key.cookie)
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() == VALUE_LEN && v.bytes().all(|b| b.is_ascii_alphanumeric()));
        Ok(Self {
            key,
            cookies,
            state: Mutex::new(Binding { value, user }),
        })
    }
}

impl Csrf {
    /// The token for this page's forms; draws the cookie value on a first visit.
    pub fn token(&self) -> String {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let user = state.user;
        let value = state.value.get_or_insert_with(|| self.set_new_value());
        self.key.token_for(value, user)
    }

    /// A new cookie value, bound to `user` from now on: every token shown before is void.
    /// Called when the person signed in or up (`Some`), or out (`None`).
    pub fn rotate(&self, user: Option<i64>) {
        let value = Some(self.set_new_value());
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = Binding { value, user };
    }

    fn set_new_value(&self) -> String {
        let value = crate::store::apps::random_credential(VALUE_LEN);
        let cookie = Cookie::build((self.key.cookie.clone(), value.clone()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.key.secure)
            .build();
        self.cookies.add(cookie);
        value
    }

    /// Refuses the request unless `submitted` is the token of this browser's cookie and
    /// of the user signed in to it (if any).
    pub fn check(&self, submitted: &str) -> Result<(), PageError> {
        let (value, user) = {
            let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            (state.value.clone(), state.user)
        };
        match value {
            Some(value)
                if bool::from(
                    self.key
                        .token_for(&value, user)
                        .as_bytes()
                        .ct_eq(submitted.as_bytes()),
                ) =>
            {
                Ok(())
            }
            _ => Err(PageError(Error::Rejected {
                status: axum::http::StatusCode::FORBIDDEN,
                code: 353,
                message: "This form has expired or did not come from this site. Go back, reload the page and try again.",
            })),
        }
    }
}
