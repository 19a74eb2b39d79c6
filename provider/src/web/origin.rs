//! One origin check for every state-changing request to the provider's pages (a layer on
//! the page router, not per handler). Browsers say where a request came from: `Origin` on
//! a cross-origin POST (and on most same-origin ones), `Sec-Fetch-Site` on every request
//! of recent browsers. Another port of the same host is another origin but the same
//! *site*, so `SameSite` cookies go along; this check refuses it.
//!
//! - `GET`, `HEAD` and `OPTIONS` change nothing and pass.
//! - `Origin`, when present, must be the public URL's origin.
//! - Else `Sec-Fetch-Site`, when present, must be `same-origin` or `none` (typed by the
//!   person).
//! - Else a `Referer` of the provider's origin (an older browser).
//! - Else the request is refused: current browsers send `Origin` on every form post, so
//!   a request with none of the three is not one a person's page made.
//!
//! The signed OAuth endpoints and the API are not behind it: a signature authenticates
//! them, not a cookie.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Config;
use crate::error::{Error, PageError};

const FOREIGN: Error = Error::Rejected {
    status: StatusCode::FORBIDDEN,
    code: 353,
    message: "This form was sent from another site, so it was refused. Open this site's own \
              page and try again.",
};

/// The middleware: refuses a state-changing request that a browser says came from
/// another origin, with a 403 page.
pub async fn same_origin(
    State(config): State<Arc<Config>>,
    request: Request,
    next: Next,
) -> Response {
    let safe = [Method::GET, Method::HEAD, Method::OPTIONS].contains(request.method());
    if safe || from_here(&config.public_url, request.headers()) {
        next.run(request).await
    } else {
        tracing::info!(
            method = %request.method(),
            path = request.uri().path(),
            "refused a cross-origin request"
        );
        PageError(FOREIGN).into_response()
    }
}

/// Whether the browser's headers allow this request to have come from `public_url`'s own
/// pages (see the module documentation).
pub fn from_here(public_url: &url::Url, headers: &HeaderMap) -> bool {
    let ours = public_url.origin().ascii_serialization();
    let mut origins = headers.get_all(header::ORIGIN).iter().peekable();
    if origins.peek().is_some() {
        return origins.all(|o| o.to_str().is_ok_and(|o| o.eq_ignore_ascii_case(&ours)));
    }
    let mut sites = headers.get_all("sec-fetch-site").iter().peekable();
    if sites.peek().is_some() {
        return sites.all(|s| {
            s.to_str().is_ok_and(|s| {
                s.eq_ignore_ascii_case("same-origin") || s.eq_ignore_ascii_case("none")
            })
        });
    }
    headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .is_some_and(|r| r.origin().ascii_serialization() == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(pairs: &[(&'static str, &'static str)]) -> bool {
        let url = url::Url::parse("http://127.0.0.1:8001/").unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        from_here(&url, &headers)
    }

    #[test]
    fn a_post_with_no_origin_fetch_metadata_or_referer_is_refused() {
        assert!(!judge(&[]));
        assert!(judge(&[(
            "referer",
            "http://127.0.0.1:8001/login?next=%2F"
        )]));
        assert!(!judge(&[("referer", "http://127.0.0.1:3000/")]));
        assert!(!judge(&[("referer", "not a url")]));
    }

    #[test]
    fn only_this_origin_passes() {
        assert!(judge(&[("origin", "http://127.0.0.1:8001")]));
        assert!(judge(&[("sec-fetch-site", "same-origin")]));
        assert!(judge(&[("sec-fetch-site", "none")]));
        for refused in [
            &[("origin", "http://127.0.0.1:3000")][..],
            &[("origin", "null")],
            &[("origin", "https://127.0.0.1:8001")],
            &[("origin", "http://localhost:8001")],
            &[("sec-fetch-site", "same-site")],
            &[("sec-fetch-site", "cross-site")],
            &[
                ("origin", "http://127.0.0.1:8001"),
                ("origin", "http://127.0.0.1:3000"),
            ],
            // Origin decides when both are sent.
            &[
                ("origin", "http://127.0.0.1:3000"),
                ("sec-fetch-site", "same-origin"),
            ],
        ] {
            assert!(!judge(refused), "{refused:?}");
        }
    }
}
