//! What the signed endpoints share: the body limit, reading a request's body within it,
//! and the library's answer as axum's. Every rule of RFC 5849 §3.2 (shape, timestamp,
//! signature, nonce, in that order) is `oauth1::server`'s.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use oauth1::server::ServerError;
use oauth1::{IncomingRequest, SignedParams};

use crate::error::Error;
use crate::state::AppState;

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

/// The library's refusal of a signed request (`ServerError`) as Twitter's error, logged
/// first at debug level on one line: the reason (the typed error), the consumer key the
/// request named and its request id (`X-Request-Id`). Never a secret, the signature, a
/// verifier or a token: the library's errors carry none, and nothing else of the request
/// is logged. A storage failure is not a refusal: it goes on as the server's error.
pub fn refused(state: &AppState, parts: &Parts, body: &[u8], err: ServerError) -> Error {
    if matches!(err, ServerError::Store(_)) {
        return err.into();
    }
    // Refusals are what a stranger can send at will: the request is read again for its
    // consumer key only when the line is written.
    if tracing::enabled!(tracing::Level::DEBUG) {
        log_refusal(state, parts, body, &err);
    }
    Error::from(err).with_debugger(state.config.debugger_url.as_ref())
}

fn log_refusal(state: &AppState, parts: &Parts, body: &[u8], err: &ServerError) {
    let consumer_key = consumer_key(state, parts, body);
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::debug!(
        reason = ?err,
        problem = err.problem(),
        consumer_key = ?consumer_key.as_deref().unwrap_or("-"),
        request_id = ?request_id,
        "signed request refused: {err}"
    );
}

/// `oauth_consumer_key` of a request whose parameters have the shape of a signed one.
fn consumer_key(state: &AppState, parts: &Parts, body: &[u8]) -> Option<String> {
    let url = &state.config.public_url;
    let incoming = IncomingRequest::from_parts(parts, url, body);
    SignedParams::from_request(&incoming)
        .ok()
        .map(|p| p.consumer_key.into_string())
}
