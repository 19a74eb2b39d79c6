//! The `Signed` extractor: an OAuth-signed request, parsed and shape-checked by `oauth1`
//! (RFC 5849 §3.2 400-class rules), not yet verified; and [`verify`], the 401-class checks
//! each endpoint runs once it has found the secrets.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use oauth1::{ConsumerSecret, IncomingRequest, SignedParams, TokenSecret, VerifyError};
use url::Url;

use crate::error::Error;
use crate::nonce::NonceKey;
use crate::state::AppState;

/// Bodies of signed requests are form posts of a status or so: 64 KiB is plenty.
pub const MAX_BODY: usize = 64 * 1024;

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
    oauth1::check_timestamp(timestamp, oauth1::Timestamp::now(), window)?;
    params.verify_signature(consumer_secret, token_secret)?;
    let key = NonceKey {
        consumer_key: params.consumer_key.as_str(),
        token: params.token.as_ref().map_or("", |t| t.as_str()),
        timestamp: timestamp.as_secs(),
        nonce: nonce.as_str(),
    };
    // Remember the nonce as long as its timestamp could still be accepted.
    let expires_at = (timestamp.as_secs() + window) as i64 + 1;
    if state.nonces.insert_once(key, expires_at).await? {
        Ok(())
    } else {
        Err(Error::Unauthorized("nonce already used"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
