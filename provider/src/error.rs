//! The provider's one error type. OAuth and API errors are answered as Twitter answers
//! them: a status and `{"errors":[{"code":N,"message":"..."}]}`. Internal errors are
//! logged with their context and the client gets an opaque message.
//!
//! Web pages wrap the same errors in [`PageError`] to answer with HTML instead.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use oauth1::VerifyError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// RFC 5849 §3.2: malformed, missing or duplicated parameters, unsupported method or
    /// version. Twitter code 215.
    #[error("bad authentication data: {0}")]
    BadRequest(VerifyError),
    /// Unknown client, bad signature, reused nonce. Twitter code 32.
    #[error("could not authenticate: {0}")]
    Unauthorized(Refusal),
    /// Unknown, expired, used or revoked token. Twitter code 89.
    #[error("invalid or expired token")]
    InvalidToken,
    /// `oauth_timestamp` outside the window, past or future. Twitter code 135.
    #[error("timestamp out of bounds")]
    StaleTimestamp,
    /// `oauth_callback` not registered for the app. Twitter code 415.
    #[error("callback URL not approved")]
    CallbackNotApproved,
    /// A read-only token tried to write. Twitter code 261.
    #[error("application cannot perform write actions")]
    ReadOnlyApplication,
    /// A request that is well signed but asks for something invalid (Twitter code and
    /// status given).
    #[error("{message}")]
    Rejected {
        status: StatusCode,
        code: u32,
        message: &'static str,
    },
    #[error("not found")]
    NotFound,
    /// Too many sign-in attempts for an account or from an address. Twitter code 88.
    #[error("too many attempts; retry after {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many sign-ups from an address. Twitter code 88.
    #[error("too many sign-ups; retry after {retry_after_secs} s")]
    TooManySignUps { retry_after_secs: u64 },
    /// Work this server does a bounded amount of at once (password hashing) has a full
    /// line: 503 with `Retry-After`, logged quietly (it is load, not a fault).
    #[error("busy: {0}")]
    Busy(&'static str),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The nonce store (SQL or Redis) failed.
    #[error("nonce store: {0}")]
    Nonce(oauth1::server::StoreError),
    /// A store this request needs (the session store) could not be reached.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

/// Why a request could not be authenticated (Twitter code 32), and where its answer
/// points the client for help: `PROVIDER_DEBUGGER_URL`, set by the signed endpoints
/// (`oauth::signed::refused`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub reason: &'static str,
    pub debugger: Option<String>,
}

impl From<&'static str> for Refusal {
    fn from(reason: &'static str) -> Self {
        Self {
            reason,
            debugger: None,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason)
    }
}

impl Error {
    /// A code-32 refusal for `reason`.
    pub fn unauthorized(reason: &'static str) -> Self {
        Error::Unauthorized(reason.into())
    }

    /// This error, whose answer names `debugger` if it is a refused signature (code 32).
    pub fn with_debugger(self, debugger: Option<&url::Url>) -> Self {
        match (self, debugger) {
            (Error::Unauthorized(refusal), Some(url)) => Error::Unauthorized(Refusal {
                debugger: Some(url.to_string()),
                ..refusal
            }),
            (other, _) => other,
        }
    }
}

/// Storage failures are the server's: 500, or 503 when the database cannot be reached
/// (`Database`'s own mapping).
impl From<crate::store::StoreError> for Error {
    fn from(err: crate::store::StoreError) -> Self {
        use crate::store::StoreError as S;
        match err {
            S::Database(e) => Error::Database(e),
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<oauth1::server::StoreError> for Error {
    fn from(err: oauth1::server::StoreError) -> Self {
        Error::Nonce(err)
    }
}

/// The library's refusals in Twitter's codes: 215 (400) for a malformed request, 32 for
/// a client, signature, nonce or PLAINTEXT problem, 135 for a stale timestamp, 89 for a
/// token or verifier, 415 for an unregistered callback.
impl From<oauth1::server::ServerError> for Error {
    fn from(err: oauth1::server::ServerError) -> Self {
        use oauth1::server::ServerError as S;
        match err {
            S::BadRequest(e) => Error::BadRequest(e),
            S::UnknownClient => Error::unauthorized("unknown consumer key"),
            S::InvalidSignature => Error::unauthorized("invalid signature"),
            S::StaleTimestamp => Error::StaleTimestamp,
            S::NonceReused => Error::unauthorized("nonce already used"),
            S::PlaintextOverHttp => Error::unauthorized("PLAINTEXT over plain http"),
            S::InvalidToken | S::InvalidVerifier => Error::InvalidToken,
            S::CallbackNotRegistered => Error::CallbackNotApproved,
            S::RequestExpired => Error::Rejected {
                status: StatusCode::BAD_REQUEST,
                code: 89,
                message: "This authorization request has expired or was already used. Go \
                          back to the application and sign in again.",
            },
            // The provider's stores fail with `store::StoreError`, the library's nonce
            // stores with sqlx's or Redis's: take each back.
            S::Store(e) => {
                let e = match e.into_inner().downcast::<crate::store::StoreError>() {
                    Ok(own) => return (*own).into(),
                    Err(e) => e,
                };
                let e = match e.downcast::<sqlx::Error>() {
                    Ok(db) => return Error::Database(*db),
                    Err(e) => e,
                };
                match e.downcast::<redis::RedisError>() {
                    Ok(redis) => Error::Nonce(oauth1::server::StoreError::from(*redis)),
                    Err(other) => Error::Internal(format!("store: {other}")),
                }
            }
        }
    }
}

impl From<VerifyError> for Error {
    fn from(err: VerifyError) -> Self {
        match err {
            VerifyError::StaleTimestamp => Error::StaleTimestamp,
            e if e.is_bad_request() => Error::BadRequest(e),
            VerifyError::BodyHashMismatch => Error::unauthorized("body hash mismatch"),
            _ => Error::unauthorized("invalid signature"),
        }
    }
}

impl Error {
    /// Status, Twitter error code and the message the client sees.
    pub fn parts(&self) -> (StatusCode, u32, &'static str) {
        match self {
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, 215, "Bad Authentication data."),
            Error::Unauthorized(_) => (StatusCode::UNAUTHORIZED, 32, "Could not authenticate you."),
            Error::InvalidToken => (StatusCode::UNAUTHORIZED, 89, "Invalid or expired token."),
            Error::StaleTimestamp => (StatusCode::UNAUTHORIZED, 135, "Timestamp out of bounds."),
            Error::CallbackNotApproved => (
                StatusCode::FORBIDDEN,
                415,
                "Callback URL not approved for this client application. Approved callback \
                 URLs can be adjusted in your application settings",
            ),
            Error::ReadOnlyApplication => (
                StatusCode::FORBIDDEN,
                261,
                "Application cannot perform write actions.",
            ),
            Error::Rejected {
                status,
                code,
                message,
            } => (*status, *code, message),
            Error::NotFound => (
                StatusCode::NOT_FOUND,
                34,
                "Sorry, that page does not exist.",
            ),
            Error::TooManyAttempts { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                88,
                "Too many sign-in attempts. Wait a little, then try again.",
            ),
            Error::TooManySignUps { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                88,
                "Too many accounts were created from your network. Wait a little, then try \
                 again.",
            ),
            e if e.is_unavailable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                130,
                "Over capacity. Please try again shortly.",
            ),
            Error::Database(_)
            | Error::Nonce(_)
            | Error::Unavailable(_)
            | Error::Busy(_)
            | Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, 131, "Internal error."),
        }
    }

    /// Whether the database or the nonce store could not be reached (down, restarting,
    /// no free connection in time): worth retrying, so answered 503 with `Retry-After`.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Database(e) => database_unavailable(e),
            Error::Unavailable(_) | Error::Busy(_) => true,
            Error::Nonce(e) => {
                let inner = e.inner();
                if let Some(e) = inner.downcast_ref::<sqlx::Error>() {
                    database_unavailable(e)
                } else if let Some(e) = inner.downcast_ref::<redis::RedisError>() {
                    e.is_io_error()
                        || e.is_connection_dropped()
                        || e.is_connection_refusal()
                        || e.is_timeout()
                } else {
                    false
                }
            }
            _ => false,
        }
    }

    fn log(&self) {
        match self {
            Error::Database(_) | Error::Nonce(_) | Error::Unavailable(_) | Error::Internal(_) => {
                tracing::error!(error = %self, "request failed");
            }
            _ => tracing::debug!(error = %self, "request refused"),
        }
    }
}

/// Lost or refused connections, an exhausted pool, and Postgres shutting down or
/// starting up (SQLSTATE classes 08 and 57P).
fn database_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// How long a client should wait before trying again after a 503.
const RETRY_AFTER_SECS: u64 = 1;

impl Error {
    /// `Retry-After` (RFC 9110 §10.2.3) for the answers worth retrying later.
    fn retry_after(&self) -> Option<u64> {
        match self {
            Error::TooManyAttempts { retry_after_secs }
            | Error::TooManySignUps { retry_after_secs } => Some((*retry_after_secs).max(1)),
            e if e.is_unavailable() => Some(RETRY_AFTER_SECS),
            _ => None,
        }
    }
}

fn set_retry_after(response: &mut Response, secs: Option<u64>) {
    if let Some(secs) = secs {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
}

/// `{"errors":[{"code":N,"message":"..."}]}` as Twitter writes it, in this order; a
/// refused signature's may end with `"debugger":"<PROVIDER_DEBUGGER_URL>"`.
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    errors: [ErrorItem<'a>; 1],
}

#[derive(serde::Serialize)]
struct ErrorItem<'a> {
    code: u32,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    debugger: Option<&'a str>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log();
        let (status, code, message) = self.parts();
        let debugger = match &self {
            Error::Unauthorized(refusal) => refusal.debugger.as_deref(),
            _ => None,
        };
        let body = ErrorBody {
            errors: [ErrorItem {
                code,
                message,
                debugger,
            }],
        };
        let mut response = (status, Json(body)).into_response();
        // Error bodies of the OAuth endpoints concern credentials too (RFC 5849 §2).
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        set_retry_after(&mut response, self.retry_after());
        response
    }
}

/// An [`Error`] met while rendering a web page: answered with an HTML page.
#[derive(Debug)]
pub struct PageError(pub Error);

impl<E: Into<Error>> From<E> for PageError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let (status, _, message) = self.0.parts();
        let page = crate::web::templates::ErrorPage {
            status: status.as_u16(),
            message,
        };
        let mut response = (status, crate::web::templates::render(&page)).into_response();
        set_retry_after(&mut response, self.0.retry_after());
        response
    }
}
