//! The `Signed` extractor: an OAuth-signed request, parsed and shape-checked by `oauth1`
//! (RFC 5849 §3.2 400-class rules), not yet verified; and [`verify`], the 401-class checks
//! each endpoint runs once it has found the secrets.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use oauth1::{ConsumerSecret, IncomingRequest, SignedParams, TokenSecret, VerifyError};
use url::Url;

use crate::error::Error;
use crate::state::AppState;
use oauth1::server::NonceKey;

/// Bodies of signed requests are form posts of a status or so: 64 KiB is plenty.
pub const MAX_BODY: usize = 64 * 1024;

/// The longest `oauth_nonce` accepted. RFC 5849 §3.3 sets no length; clients send 32 to
/// 43 characters (a UUID, 32 random bytes in base 64 stripped of symbols), and a bound
/// keeps what a stranger's request costs the nonce store small.
pub const MAX_NONCE_LEN: usize = 64;

/// §3.3 leaves the nonce's form to the server: this one takes RFC 3986 §2.3 unreserved
/// characters only, at most [`MAX_NONCE_LEN`] of them.
fn check_nonce(nonce: &str) -> Result<(), Error> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if nonce.len() > MAX_NONCE_LEN {
        return Err(Error::BadRequest(VerifyError::InvalidParameter {
            name: "oauth_nonce",
            reason: "longer than 64 characters",
        }));
    }
    if !nonce.bytes().all(unreserved) {
        return Err(Error::BadRequest(VerifyError::InvalidParameter {
            name: "oauth_nonce",
            reason: "only letters, digits and - . _ ~ are allowed",
        }));
    }
    Ok(())
}

/// RFC 5849 §3.4.4: PLAINTEXT "MUST be used with a transport-layer mechanism such as TLS":
/// its signature is the two secrets themselves. Refused unless the provider's public URL
/// is https, or `ALLOW_PLAINTEXT_OVER_HTTP` allows it for a local demo.
fn check_transport(state: &AppState, params: &SignedParams) -> Result<(), Error> {
    let config = &state.config;
    if params.signature_method().name() == "PLAINTEXT"
        && config.public_url.scheme() != "https"
        && !config.allow_plaintext_over_http
    {
        return Err(Error::Unauthorized("PLAINTEXT over plain http"));
    }
    Ok(())
}

pub struct Signed {
    pub params: SignedParams,
}

/// The URL the client addressed, rebuilt from the configured public base URL and the
/// request's path and query (RFC 5849 §3.4.1.2). `Host` and `X-Forwarded-*` are not
/// trusted: a client could otherwise pick the URL the signature is checked against.
pub fn public_request_url(public: &Url, path_and_query: &str) -> Result<Url, Error> {
    let prefix = public.path().trim_end_matches('/');
    let mut url = public.clone();
    url.set_query(None);
    url.set_fragment(None);
    let (path, query) = path_and_query
        .split_once('?')
        .map_or((path_and_query, None), |(p, q)| (p, Some(q)));
    url.set_path(&format!("{prefix}{path}"));
    url.set_query(query);
    Ok(url)
}

impl FromRequest<AppState> for Signed {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| Error::Rejected {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: 413,
                message: "Request entity too large.",
            })?;
        let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let url = public_request_url(&state.config.public_url, path_and_query)?;
        let incoming = IncomingRequest::from_parts(&parts, &url, &body);
        let params = SignedParams::from_request(&incoming)?;
        if let Some(nonce) = &params.nonce {
            check_nonce(nonce.as_str())?;
        }
        check_transport(state, &params)?;
        Ok(Signed { params })
    }
}

/// RFC 5849 §3.2, the checks that need secrets and state, cheapest first: the timestamp
/// window (§3.3, both directions), the signature, then the nonce. The nonce is recorded
/// only for a request whose signature is valid, so unauthenticated traffic cannot fill
/// the store or burn a legitimate client's nonces.
pub async fn verify(
    state: &AppState,
    params: &SignedParams,
    consumer_secret: &ConsumerSecret,
    token_secret: Option<&TokenSecret>,
) -> Result<(), Error> {
    // Twitter requires both even with PLAINTEXT, and so does this provider: without them
    // a captured request could be replayed.
    let timestamp = params
        .timestamp
        .ok_or(Error::BadRequest(VerifyError::MissingParameter(
            "oauth_timestamp",
        )))?;
    let nonce = params
        .nonce
        .as_ref()
        .ok_or(Error::BadRequest(VerifyError::MissingParameter(
            "oauth_nonce",
        )))?;
    let window = state.config.timestamp_window_secs;
    let now = oauth1::Timestamp::now();
    oauth1::check_timestamp(timestamp, now, window)?;
    params.verify_signature(consumer_secret, token_secret)?;
    let key = NonceKey {
        consumer_key: params.consumer_key.as_str(),
        token: params.token.as_ref().map_or("", |t| t.as_str()),
        timestamp: timestamp.as_secs(),
        nonce: nonce.as_str(),
    };
    // Remember the nonce as long as its timestamp could still be accepted.
    let expires_at = timestamp.as_secs() + window + 1;
    if state
        .nonces
        .insert_once(key, now.as_secs(), expires_at)
        .await?
    {
        Ok(())
    } else {
        Err(Error::Unauthorized("nonce already used"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_short_and_unreserved() {
        assert!(check_nonce("kllo9940pd9333jh").is_ok());
        assert!(check_nonce("0b8f6c0e-6a4b-4c4e-9c59-2f1d7a3a9e01").is_ok());
        assert!(check_nonce("a.b_c~d").is_ok());
        assert!(check_nonce(&"n".repeat(64)).is_ok());
        for bad in ["n".repeat(65), "a b".into(), "a+b/c=".into(), "é".into()] {
            assert!(
                matches!(check_nonce(&bad), Err(Error::BadRequest(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_request_url_comes_from_the_public_base_url() {
        let public = Url::parse("https://chirp.example/").unwrap();
        let url = public_request_url(&public, "/1.1/x.json?a=1").unwrap();
        assert_eq!(url.as_str(), "https://chirp.example/1.1/x.json?a=1");
        let behind_prefix = Url::parse("https://example.com/chirp/").unwrap();
        let url = public_request_url(&behind_prefix, "/oauth/request_token").unwrap();
        assert_eq!(
            url.as_str(),
            "https://example.com/chirp/oauth/request_token"
        );
    }
}
