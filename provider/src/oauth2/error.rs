//! Errors of the token and revocation endpoints, answered as RFC 6749 §5.2 says: a JSON
//! object with `error` and `error_description`, 400, or 401 with a `WWW-Authenticate`
//! challenge for `invalid_client`; never cached.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// RFC 6749 §5.2 error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
        }
    }
}

#[derive(Debug)]
pub enum TokenError {
    /// A refusal the client is told about.
    Protocol {
        code: ErrorCode,
        description: &'static str,
    },
    /// A body over the limit: `invalid_request` with 413, so the client still reads an
    /// RFC 6749 error.
    TooLarge(&'static str),
    /// The database or another fault: logged, answered 500 or 503 as elsewhere.
    Internal(crate::error::Error),
}

pub type TokenResult<T> = Result<T, TokenError>;

impl TokenError {
    pub fn new(code: ErrorCode, description: &'static str) -> Self {
        TokenError::Protocol { code, description }
    }
}

impl<E: Into<crate::error::Error>> From<E> for TokenError {
    fn from(err: E) -> Self {
        TokenError::Internal(err.into())
    }
}

/// RFC 6749 §5.1: credential responses are never stored by caches. The token routes have
/// the `no_store` layer; an error the edge checks answer (before any route) needs it here.
pub fn no_store(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let (code, description, too_large) = match self {
            TokenError::Protocol { code, description } => (code, description, false),
            TokenError::TooLarge(description) => (ErrorCode::InvalidRequest, description, true),
            TokenError::Internal(err) => return err.into_response(),
        };
        tracing::debug!(
            error = code.as_str(),
            description,
            "OAuth 2.0 request refused"
        );
        // §5.2: invalid_client is 401 with a challenge for the scheme the client may use.
        let status = if code == ErrorCode::InvalidClient {
            StatusCode::UNAUTHORIZED
        } else if too_large {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = serde_json::json!({
            "error": code.as_str(),
            "error_description": description,
        });
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"OAuth 2.0 clients\""),
            );
        }
        no_store(&mut response);
        response
    }
}
