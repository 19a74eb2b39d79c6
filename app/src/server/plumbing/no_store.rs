//! Responses that hold credentials (tokens, secrets, verifiers, codes, and the pages and
//! redirects that carry them) are never kept by a cache: RFC 6749 §5.1, RFC 5849 §4.4.
//!
//! One layer on the routes that hand them out, so no handler can forget it.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// `Cache-Control: no-store`, and `Pragma: no-cache` for HTTP/1.0 caches (§5.1).
pub async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
