//! Watching the protocol: every request the HTTP client (`client::Client`) sends is
//! reported to an [`Observer`] with its secrets removed, which is how the demo site's
//! "how it works" page shows the real base strings and headers of the last sign-in.

use url::Url;

use crate::sign::SignedRequest;

/// Which leg of RFC 5849 §2, or a later API call; or an OAuth 2 token request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Step {
    RequestToken,
    AccessToken,
    ApiCall,
    /// OAuth 2: the code and the PKCE verifier exchanged for a token (RFC 6749 §4.1.3).
    CodeToken,
    /// OAuth 2: a refresh (RFC 6749 §6).
    Refresh,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::RequestToken => "request token (RFC 5849 §2.1)",
            Step::AccessToken => "access token (RFC 5849 §2.3)",
            Step::ApiCall => "signed API call (RFC 5849 §3)",
            Step::CodeToken => "token request (RFC 6749 §4.1.3)",
            Step::Refresh => "refresh (RFC 6749 §6)",
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
    /// body belongs to the caller). For OAuth 2 the JSON with its tokens redacted.
    pub response: String,
    /// OAuth 2 token requests: the form body with the code, the verifier, the refresh
    /// token and any client secret redacted (empty otherwise).
    #[serde(default)]
    pub body: String,
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
            body: String::new(),
        }
    }

    /// An OAuth 2 token request to `url` and its answer, safe to show: the client's
    /// `Authorization: Basic` header, the secrets of the form `body` and the tokens of
    /// the JSON `response` are `[redacted]`. (OAuth 2 is the client's: feature `client`.)
    #[cfg(feature = "client")]
    pub fn token_request(
        remote: &str,
        step: Step,
        url: &str,
        basic_auth: bool,
        body: &[u8],
        status: u16,
        response: &[u8],
    ) -> Self {
        const SECRET_FIELDS: [&str; 5] = [
            "code",
            "code_verifier",
            "client_secret",
            "refresh_token",
            "access_token",
        ];
        let body: Vec<(String, String)> = url::form_urlencoded::parse(body)
            .map(|(k, v)| {
                let v = if SECRET_FIELDS.contains(&k.as_ref()) {
                    REDACTED.into()
                } else {
                    v
                };
                (k.into_owned(), v.into_owned())
            })
            .collect();
        let response = match serde_json::from_slice::<serde_json::Value>(response) {
            Ok(serde_json::Value::Object(mut fields)) => {
                for (k, v) in fields.iter_mut() {
                    if k.ends_with("_token") {
                        *v = REDACTED.into();
                    }
                }
                serde_json::Value::Object(fields).to_string()
            }
            _ => String::new(),
        };
        Self {
            remote: remote.to_owned(),
            step,
            method: "POST".into(),
            url: url.to_owned(),
            base_string: String::new(),
            authorization: if basic_auth {
                format!("Basic {REDACTED}")
            } else {
                String::new()
            },
            status,
            response,
            body: url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(body)
                .finish(),
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
    #[cfg(feature = "client")]
    fn an_oauth2_token_request_shows_no_secret() {
        let e = Exchange::token_request(
            "x",
            Step::CodeToken,
            "https://api.x.com/2/oauth2/token",
            true,
            b"grant_type=authorization_code&code=c0de&code_verifier=v3r&client_secret=s3c&redirect_uri=https%3A%2F%2Fa%2Fcb",
            200,
            br#"{"access_token":"at","refresh_token":"rt","token_type":"bearer","expires_in":7200}"#,
        );
        for secret in ["c0de", "v3r", "s3c", "\"at\"", "\"rt\""] {
            assert!(!format!("{e:?}").contains(secret), "{secret} in {e:?}");
        }
        assert!(e.body.contains("grant_type=authorization_code"));
        assert!(e.body.contains("redirect_uri=https%3A%2F%2Fa%2Fcb"));
        assert_eq!(e.authorization, "Basic [redacted]");
        assert!(e.response.contains("\"expires_in\":7200"));
    }

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
