//! CSRF protection for every form, with nothing stored per visitor: a signed double-submit
//! cookie. The browser holds a random value in an HttpOnly cookie; each form carries
//! HMAC-SHA256(server key, value), which only this server can compute, and a post is
//! accepted when the two match (compared in constant time). A sibling site on the same
//! host (cookies ignore ports) could plant a cookie, but not the token that goes with it.
//!
//! Anonymous visitors therefore cost no session row. Signing in, signing up and signing
//! out draw a new value, so a token seen before any of them is refused after it.
//! Session cookies are `SameSite=Lax` as well.

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;
use tower_cookies::Cookies;
use tower_sessions::cookie::{Cookie, SameSite};

use crate::db::{self, Db};
use crate::error::{Error, PageError};

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
        sqlx::query(
            "insert into server_keys (name, secret, created_at) values ('csrf', $1, $2) \
             on conflict do nothing",
        )
        .bind(crate::apps::random_credential(64))
        .bind(db::now())
        .execute(db)
        .await?;
        let key: String = sqlx::query_scalar("select secret from server_keys where name = 'csrf'")
            .fetch_one(db)
            .await?;
        let name = format!("{}_csrf", brand.to_ascii_lowercase().replace(' ', "_"));
        Ok(Self {
            key: key.into_bytes(),
            cookie: if secure {
                format!("__Host-{name}")
            } else {
                name
            },
            secure,
        })
    }

    /// The form token for a cookie value: hex of HMAC-SHA256(key, value).
    fn token_for(&self, value: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            // HMAC takes keys of any length.
            return String::new();
        };
        mac.update(b"csrf\0");
        mac.update(value.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// This request's CSRF state: the cookie jar, and the value in use (read from the cookie,
/// or drawn and set when there was none).
pub struct Csrf {
    key: Arc<CsrfKey>,
    cookies: Cookies,
    value: Mutex<Option<String>>,
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
        let key = Arc::<CsrfKey>::from_ref(state);
        let value = cookies
            .get(&key.cookie)
            .map(|c| c.value().to_owned())
            .filter(|v| v.len() == VALUE_LEN && v.bytes().all(|b| b.is_ascii_alphanumeric()));
        Ok(Self {
            key,
            cookies,
            value: Mutex::new(value),
        })
    }
}

impl Csrf {
    /// The token for this page's forms; draws the cookie value on a first visit.
    pub fn token(&self) -> String {
        let mut value = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        let value = value.get_or_insert_with(|| self.set_new_value());
        self.key.token_for(value)
    }

    /// A new cookie value: every token shown before is void. Called when the person
    /// signed in, up or out.
    pub fn rotate(&self) {
        let new = self.set_new_value();
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(new);
    }

    fn set_new_value(&self) -> String {
        let value = crate::apps::random_credential(VALUE_LEN);
        let cookie = Cookie::build((self.key.cookie.clone(), value.clone()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.key.secure)
            .build();
        self.cookies.add(cookie);
        value
    }

    /// Refuses the request unless `submitted` is the token of this browser's cookie.
    pub fn check(&self, submitted: &str) -> Result<(), PageError> {
        let value = self
            .value
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match value {
            Some(value)
                if bool::from(
                    self.key
                        .token_for(&value)
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

/// A session that could not be read or written: 503 (retry) when its store could not be
/// reached, 500 otherwise.
pub fn session_error(err: tower_sessions::session::Error) -> PageError {
    use tower_sessions::session::Error as SessionError;
    use tower_sessions::session_store::Error as StoreError;
    PageError(match err {
        SessionError::Store(StoreError::Backend(e)) => {
            Error::Unavailable(format!("session store: {e}"))
        }
        other => Error::Internal(format!("session: {other}")),
    })
}
