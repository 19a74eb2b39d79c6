//! What the signed endpoints share: the body limit, reading a request's body within it,
//! and the library's answer as axum's. Every rule of RFC 5849 §3.2 (shape, timestamp,
//! signature, nonce, in that order) is `oauth1::server`'s.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;

use crate::error::Error;

/// Bodies of signed requests are form posts of a status or so: 64 KiB is plenty.
pub const MAX_BODY: usize = 64 * 1024;

/// The longest `oauth_nonce` accepted (the library's default bound): clients send 32 to
/// 43 characters, and a bound keeps what a stranger's request costs the nonce store small.
pub const MAX_NONCE_LEN: usize = 64;

/// The request's body, read whole within [`MAX_BODY`] (413 past it).
pub async fn body(body: Body) -> Result<Bytes, Error> {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| Error::Rejected {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: 413,
            message: "Request entity too large.",
        })
}

/// A credentials response of the library (form-encoded, `no-store`) as axum's.
pub fn into_response(response: http::Response<String>) -> Response {
    let (parts, body) = response.into_parts();
    Response::from_parts(parts, Body::from(body))
}
