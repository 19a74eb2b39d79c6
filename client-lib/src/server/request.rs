//! The incoming request as the server reads it, and its shape checks (RFC 5849 §3.2,
//! the 400 class): parameters from one location, present once, a known method, and this
//! server's bounds on nonce, callback, body and parameter count.

use url::Url;

use super::config::ServerConfig;
use super::error::ServerError;
use crate::verify::{IncomingRequest, SignedParams, VerifyError, visible_header};

/// What the server reads of a request. The URL is not taken from it: the server rebuilds
/// it from its public URL and `path_and_query`.
#[derive(Clone, Copy)]
pub struct ServerRequest<'a> {
    pub method: &'a str,
    /// As received: `/oauth/request_token?x=1`.
    pub path_and_query: &'a str,
    pub authorization: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// Without the `Authorization` header and the body: with PLAINTEXT the signature is
/// both secrets, and a body may hold a verifier.
impl std::fmt::Debug for ServerRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerRequest")
            .field("method", &self.method)
            .field("path", &self.path_and_query.split('?').next())
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl<'a> ServerRequest<'a> {
    /// From an `http` request head and its body. A header that is not visible ASCII is
    /// taken as absent.
    pub fn from_parts(parts: &'a http::request::Parts, body: &'a [u8]) -> Self {
        Self {
            method: parts.method.as_str(),
            path_and_query: parts.uri.path_and_query().map_or("/", |pq| pq.as_str()),
            authorization: visible_header(parts, http::header::AUTHORIZATION),
            content_type: visible_header(parts, http::header::CONTENT_TYPE),
            body,
        }
    }
}

/// The URL the client addressed: the public URL's scheme, host, port and path prefix,
/// then the request's path and query (§3.4.1.2).
pub(crate) fn public_request_url(public: &Url, path_and_query: &str) -> Url {
    let prefix = public.path().trim_end_matches('/');
    let mut url = public.clone();
    url.set_fragment(None);
    let (path, query) = path_and_query
        .split_once('?')
        .map_or((path_and_query, None), |(p, q)| (p, Some(q)));
    url.set_path(&format!("{prefix}{path}"));
    url.set_query(query);
    url
}

fn invalid(name: &'static str, reason: &'static str) -> ServerError {
    ServerError::BadRequest(VerifyError::InvalidParameter { name, reason })
}

/// Parses and shape-checks a signed request: everything that is the client's fault and
/// needs no secret (400), and the PLAINTEXT policy.
pub(crate) fn parse(
    config: &ServerConfig,
    request: &ServerRequest<'_>,
) -> Result<SignedParams, ServerError> {
    if request.body.len() > config.max_body {
        return Err(invalid("body", "larger than this server accepts"));
    }
    let url = public_request_url(&config.public_url, request.path_and_query);
    let params = SignedParams::from_request(&IncomingRequest {
        method: request.method,
        url: &url,
        authorization: request.authorization,
        content_type: request.content_type,
        body: request.body,
    })?;
    if params.request_params.len() > config.max_params {
        return Err(ServerError::BadRequest(VerifyError::TooManyParameters));
    }
    if let Some(nonce) = &params.nonce {
        let unreserved =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if nonce.as_str().len() > config.max_nonce_len {
            return Err(invalid("oauth_nonce", "longer than this server accepts"));
        }
        if !nonce.as_str().bytes().all(unreserved) {
            return Err(invalid(
                "oauth_nonce",
                "only letters, digits and - . _ ~ are allowed",
            ));
        }
    }
    if params
        .callback
        .as_ref()
        .is_some_and(|c| c.len() > config.max_callback_len)
    {
        return Err(invalid("oauth_callback", "longer than this server accepts"));
    }
    // §3.4.4: PLAINTEXT "MUST be used with a transport-layer mechanism such as TLS".
    if params.signature_method().name() == "PLAINTEXT"
        && config.public_url.scheme() != "https"
        && !config.allow_plaintext_over_http
    {
        return Err(ServerError::PlaintextOverHttp);
    }
    Ok(params)
}

/// Whether `callback` may be used by a client that registered `registered`: `oob`
/// (when allowed), or a registered URL, to which the request may add its own query
/// (scheme, host, port and path must match exactly; no fragment).
pub fn callback_allowed(callback: &str, registered: &[String], allow_oob: bool) -> bool {
    if callback == "oob" {
        return allow_oob;
    }
    let Ok(mut asked) = Url::parse(callback) else {
        return false;
    };
    if asked.fragment().is_some() {
        return false;
    }
    asked.set_query(None);
    registered.iter().any(|r| {
        Url::parse(r).is_ok_and(|mut r| {
            r.set_query(None);
            r == asked
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_must_be_registered_or_oob() {
        let registered = vec!["http://127.0.0.1:3000/authorize/chirp".to_owned()];
        assert!(callback_allowed("oob", &registered, true));
        assert!(!callback_allowed("oob", &registered, false));
        for (callback, allowed) in [
            ("http://127.0.0.1:3000/authorize/chirp", true),
            ("http://127.0.0.1:3000/authorize/chirp?next=/x", true),
            ("http://127.0.0.1:3000/authorize/warble", false),
            ("http://127.0.0.1:3001/authorize/chirp", false),
            ("https://127.0.0.1:3000/authorize/chirp", false),
            ("http://127.0.0.1:3000/authorize/chirp#x", false),
            ("not a url", false),
        ] {
            assert_eq!(
                callback_allowed(callback, &registered, true),
                allowed,
                "{callback}"
            );
        }
    }

    #[test]
    fn the_request_url_comes_from_the_public_url_never_the_request() {
        let public = Url::parse("https://example.com/chirp/").unwrap();
        assert_eq!(
            public_request_url(&public, "/oauth/request_token?a=1").as_str(),
            "https://example.com/chirp/oauth/request_token?a=1"
        );
    }
}
