//! Server functions (`/api/*`) called with arguments that are missing or malformed.
//! server_fn answers every error with 500, `Args|missing field …` in the body, which
//! reads as the site failing (and alerts whoever watches 5xx); it is the caller's
//! mistake, so the answer is a 400 with a plain sentence. A layer on the router, so that
//! no server function can be left out.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

/// A server function's error body is a sentence; one longer than this is not read.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// How server_fn's error bodies begin when reading the arguments failed: on the server,
/// `Deserialization` is only ever the request's (what the server sends is serialized).
const BAD_ARGUMENTS: [&[u8]; 3] = [b"Args|", b"MissingArg|", b"Deserialization|"];

pub async fn bad_arguments_are_400(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if BAD_ARGUMENTS.iter().any(|prefix| bytes.starts_with(prefix)) {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "This request's arguments are missing or malformed: \
             send them as the site's own pages do.\n",
        )
            .into_response();
    }
    Response::from_parts(parts, Body::from(bytes))
}
