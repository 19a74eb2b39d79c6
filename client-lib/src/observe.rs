//! Watching the protocol: every request the HTTP client (`client::Client`) sends is
//! reported to an [`Observer`] with its secrets removed, which is how the demo site's
//! "how it works" page shows the real base strings and headers of the last sign-in.

use url::Url;

use crate::sign::SignedRequest;

/// Which leg of RFC 5849 §2, or a later API call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Step {
    RequestToken,
    AccessToken,
    ApiCall,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::RequestToken => "request token (RFC 5849 §2.1)",
            Step::AccessToken => "access token (RFC 5849 §2.3)",
            Step::ApiCall => "signed API call (RFC 5849 §3)",
        }
    }
}

/// One request and its answer, safe to show: `oauth_signature` (the secrets themselves
/// under PLAINTEXT), `oauth_verifier` and `oauth_token_secret` are replaced by `[redacted]`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Exchange {
    pub remote: String,
    pub step: Step,
    pub method: String,
    pub url: String,
    /// The signature base string (§3.4.1); it contains no secret.
    pub base_string: String,
    /// The `Authorization` header with the signature redacted (empty for query or body
    /// placement, whose parameters are in `url` or the body).
    pub authorization: String,
    pub status: u16,
    /// The response body with `oauth_token_secret` redacted (empty for API calls, whose
    /// body belongs to the caller).
    pub response: String,
}

pub const REDACTED: &str = "[redacted]";

impl Exchange {
    /// The exchange of `signed`, answered with `status` and `response`: what the HTTP
    /// client reports, and what a client of one's own (in a browser, say) can build.
    pub fn new(
        remote: &str,
        step: Step,
        method: &str,
        signed: &SignedRequest,
        status: u16,
        response: &str,
    ) -> Self {
        // The signature (the secrets themselves under PLAINTEXT) and the verifier (proof
        // of the owner's approval, §2.2) are replaced, in the header and the base string.
        let hidden = |k: &str| k == "oauth_signature" || k == "oauth_verifier";
        let pairs = signed.oauth_params.iter().map(|(k, v)| {
            let v = if hidden(k) { REDACTED } else { v.as_str() };
            (*k, v)
        });
        let mut base_string = signed.base_string.clone();
        if let Some((_, verifier)) = signed
            .oauth_params
            .iter()
            .find(|(k, _)| *k == "oauth_verifier")
        {
            let twice = crate::encode::encode(&crate::encode::encode(verifier)).into_owned();
            base_string = base_string.replace(
                &format!("oauth_verifier%3D{twice}"),
                &format!("oauth_verifier%3D{REDACTED}"),
            );
        }
        Self {
            remote: remote.to_owned(),
            step,
            method: method.to_owned(),
            url: redact_query(&signed.url, &["oauth_signature", "oauth_verifier"]),
            base_string,
            authorization: match signed.authorization {
                Some(_) => crate::header::render(None, pairs),
                None => String::new(),
            },
            status,
            response: redact_form(response),
        }
    }
}

/// `url` with the values of the query parameters `names` replaced by `[redacted]`.
pub fn redact_query(url: &Url, names: &[&str]) -> String {
    let mut url = url.clone();
    let hidden = |k: &str| names.contains(&k);
    if url.query_pairs().any(|(k, _)| hidden(&k)) {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if hidden(&k) { REDACTED.into() } else { v };
                (k.into_owned(), v.into_owned())
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.into()
}

fn redact_form(body: &str) -> String {
    body.split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("oauth_token_secret", _)) => format!("oauth_token_secret={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Receives every [`Exchange`]. Must be quick: it runs on the request path.
pub trait Observer: Send + Sync {
    fn exchange(&self, exchange: Exchange);
}

impl<F: Fn(Exchange) + Send + Sync> Observer for F {
    fn exchange(&self, exchange: Exchange) {
        self(exchange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_secrets_are_redacted_from_responses() {
        assert_eq!(
            redact_form("oauth_token=t&oauth_token_secret=s3cret&oauth_callback_confirmed=true"),
            "oauth_token=t&oauth_token_secret=[redacted]&oauth_callback_confirmed=true"
        );
    }

    #[test]
    fn signatures_are_redacted_from_query_placement_urls() {
        let url = Url::parse("https://x.test/a?b=1&oauth_signature=abc%3D").unwrap();
        let shown = redact_query(&url, &["oauth_signature"]);
        assert!(!shown.contains("abc"), "{shown}");
        assert!(shown.contains("b=1"));
    }
}
