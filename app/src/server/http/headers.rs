//! The headers every response of the site carries, pages, redirects, server functions,
//! the probes and `/pkg` alike (layers outside every route, so none can go without):
//!
//! - no framing (clickjacking), no type sniffing, and no URL of ours in the `Referer`
//!   another site receives ([`security_headers`]);
//! - a `Content-Security-Policy` whose `script-src` allows the site's own files and the
//!   inline scripts bearing this response's nonce ([`content_security_policy`]): defence
//!   in depth, so markup that gets into a page (a reflected field) runs no script.

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use tower_http::set_header::SetResponseHeaderLayer;

/// No framing (RFC 7034's header; the policy's `frame-ancestors` for newer browsers), no
/// type sniffing, and no `Referer` to other origins. `same-origin`, not `no-referrer`:
/// under `no-referrer` browsers send `Origin: null` on the site's own form posts, which
/// the origin check (`guard.rs`) must refuse.
pub fn security_headers() -> [SetResponseHeaderLayer<HeaderValue>; 3] {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    [
        header(header::X_FRAME_OPTIONS, "DENY"),
        header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        header(header::REFERRER_POLICY, "same-origin"),
    ]
}

/// The policy for a response whose inline scripts carry `nonce`: scripts from the site
/// (`/pkg/app.js`) or with the nonce (Leptos' hydration and data scripts), the wasm
/// compiled (`'wasm-unsafe-eval'`), no plugins, no `<base>` that would move relative
/// URLs, no framing, and forms posted only here.
pub fn policy(nonce: &str) -> String {
    format!(
        "script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// The layer: a fresh nonce for each request, in its extensions for the page's render
/// ([`provide_nonce`]), and the policy naming it on the response.
pub async fn content_security_policy(mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    // A nonce is URL-safe base64: always a valid header value.
    if let Ok(value) = HeaderValue::from_str(&policy(&nonce)) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// In a Leptos render's context: the nonce of this request's policy, which the
/// hydration scripts then carry (`leptos::nonce::use_nonce`). Leptos draws one of its
/// own for each render; this one replaces it, so page and header agree.
pub fn provide_nonce() {
    if let Some(nonce) =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}
