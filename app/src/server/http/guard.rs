//! Checks every page request passes, in one layer on the router ([`checks`]) so no
//! handler can forget them:
//!
//! - [`canonical_redirect`]: a request for another host name than `SITE_PUBLIC_URL`'s is
//!   sent there first. Cookies belong to a host name, so a sign-in begun on `localhost`
//!   whose callback comes back to `127.0.0.1` would arrive without the browser's cookie
//!   and be refused; sending everyone to one host name first avoids that.
//! - `browser::identify`: which browser this is, for the sign-ins it began;
//! - [`from_our_pages`]: every state-changing request (any method but GET, HEAD, OPTIONS:
//!   server functions, unlink, sign out) must come from the site's own pages. `SameSite`
//!   cookies are not enough: to a browser `127.0.0.1:3000` and `127.0.0.1:8001` are the
//!   same site, so a page of another service on the same host could post here.
//!
//! (The headers every response carries are `headers.rs`'.)

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::server::http::error::SiteError;
use crate::server::sign_in::browser;
use crate::server::state::AppState;

/// The host name a request was made for, from `Host` (HTTP/1.1) or the URI (HTTP/2).
fn requested_host(request: &Request) -> Option<String> {
    let authority = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))?;
    let host = authority
        .parse::<axum::http::uri::Authority>()
        .ok()?
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    Some(host)
}

/// The layer: the checks above in order, then the page. One layer rather than three:
/// it runs on every request, and each layer costs a clone of the state and a boxed call.
pub async fn checks(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if let Some(redirect) = canonical_redirect(&state, &request) {
        return redirect;
    }
    let https = state.config.public_url.scheme() == "https";
    let new_cookie = browser::identify(https, &mut request);
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !from_our_pages(&state, &request) {
        tracing::warn!(method = ?request.method(), path = ?request.uri().path(), "cross-origin request refused");
        return SiteError::CrossOrigin.into_response();
    }
    let mut response = next.run(request).await;
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The same path on the public URL's host, for a request made to another host name.
pub fn canonical_redirect(state: &AppState, request: &Request) -> Option<Response> {
    let public = &state.config.public_url;
    let ours = public
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let host = requested_host(request)?;
    if host == ours {
        return None;
    }
    // The path and query replace the public URL's own, so nothing in the path
    // (`/https://elsewhere/`) can name another origin.
    let mut there = public.clone();
    there.set_path(request.uri().path());
    there.set_query(request.uri().query());
    // 308 keeps the method and body.
    Some(Redirect::permanent(there.as_str()).into_response())
}

/// Whether a state-changing request comes from this site's own pages: `Origin` when the
/// browser sends one; else Fetch Metadata's `Sec-Fetch-Site`; else (older browsers) a
/// `Referer` of this origin. A request with none of them is refused: every current
/// browser sends `Origin` on a form post and a fetch, so it is a script's, which may
/// hold a cookie it was handed; an old browser that sent nothing can reload and retry.
pub fn from_our_pages(state: &AppState, request: &Request) -> bool {
    let ours = state.config.public_url.origin();
    let headers = request.headers();
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin
            .to_str()
            .is_ok_and(|o| o == ours.ascii_serialization());
    }
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    header("referer")
        .is_some_and(|referer| url::Url::parse(referer).is_ok_and(|r| r.origin() == ours))
}
