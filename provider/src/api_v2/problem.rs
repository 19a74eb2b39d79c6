//! API v2 errors as X shapes them: problem objects in the manner of RFC 7807 (`title`,
//! `type`, `status`, `detail`), with `WWW-Authenticate` challenges for both schemes the
//! API takes (RFC 6750 §3 for Bearer).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::oauth2::scope::Scope;

#[derive(Debug)]
pub enum Problem {
    /// No credentials, or bad ones (either scheme).
    Unauthorized,
    /// A Bearer token without the scope the endpoint needs, or an OAuth 1.0a token of a
    /// read-only app writing.
    Forbidden {
        detail: &'static str,
        scope: Option<Scope>,
    },
    /// A malformed request (bad JSON, bad id, text too long).
    Invalid(&'static str),
    NotFound(&'static str),
    /// Another error of the provider, answered as it answers it elsewhere (5xx, 413...).
    Other(Error),
}

impl From<crate::store::StoreError> for Problem {
    fn from(err: crate::store::StoreError) -> Self {
        Error::from(err).into()
    }
}

impl From<Error> for Problem {
    fn from(err: Error) -> Self {
        match err {
            Error::Unauthorized(_) | Error::InvalidToken | Error::StaleTimestamp => {
                Problem::Unauthorized
            }
            // A malformed OAuth 1.0a request: X answers v2 calls with 401 too, but the
            // signature rules (RFC 5849 §3.2) say 400.
            Error::BadRequest(_) => Problem::Invalid("Bad Authentication data."),
            Error::ReadOnlyApplication => Problem::Forbidden {
                detail: "This app is read-only: it cannot post or delete.",
                scope: None,
            },
            Error::Rejected {
                status: StatusCode::NOT_FOUND,
                message,
                ..
            } => Problem::NotFound(message),
            Error::Rejected {
                status: StatusCode::FORBIDDEN,
                message,
                ..
            } => Problem::Forbidden {
                detail: message,
                scope: None,
            },
            other => Problem::Other(other),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let (status, title, kind, detail, challenge) = match self {
            Problem::Other(err) => return err.into_response(),
            Problem::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "about:blank",
                "Unauthorized",
                Some("Bearer realm=\"api\", error=\"invalid_token\"".to_owned()),
            ),
            Problem::Forbidden { detail, scope } => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                "about:blank",
                detail,
                scope.map(|scope| {
                    format!(
                        "Bearer realm=\"api\", error=\"insufficient_scope\", scope=\"{}\"",
                        scope.as_str()
                    )
                }),
            ),
            Problem::Invalid(detail) => (
                StatusCode::BAD_REQUEST,
                "Invalid Request",
                "https://api.twitter.com/2/problems/invalid-request",
                detail,
                None,
            ),
            Problem::NotFound(detail) => (
                StatusCode::NOT_FOUND,
                "Not Found Error",
                "https://api.twitter.com/2/problems/resource-not-found",
                detail,
                None,
            ),
        };
        let body = serde_json::json!({
            "title": title,
            "type": kind,
            "status": status.as_u16(),
            "detail": detail,
        });
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(value) = challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            headers.append(header::WWW_AUTHENTICATE, value);
        }
        // The API takes OAuth 1.0a user context as well (RFC 5849 §3.5.1).
        if status == StatusCode::UNAUTHORIZED {
            headers.append(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("OAuth realm=\"api\""),
            );
        }
        response
    }
}
