//! The callback of RFC 5849 §2.2: what the service sends the resource owner's browser
//! back with, read from its URL. Pure, so it builds without the HTTP client.

use url::Url;

use crate::encode::decode_form;
use crate::types::{RequestToken, Token, Verifier};

/// Why a callback does not finish a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    #[error("not a callback from the service: {0}")]
    BadCallback(&'static str),
    #[error("the callback names a request token this client did not issue, or one already used")]
    TokenMismatch,
    #[error(
        "the callback is not for a sign-in this browser began (it was started in another browser, or already finished)"
    )]
    NotThisBrowser,
    #[error("the user declined to authorize the application")]
    Denied,
}

/// What the service sent back to the callback (§2.2), read by [`Callback::parse`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callback {
    /// The owner approved: exchange the verifier for token credentials.
    Approved { token: Token, verifier: Verifier },
    /// The owner refused (Twitter's `denied=<request token>`; the RFC leaves it open).
    Denied { token: Token },
}

impl Callback {
    /// Reads a callback from its full URL or just its query (with or without `?`).
    pub fn parse(url_or_query: &str) -> Result<Callback, CallbackError> {
        let query = match Url::parse(url_or_query) {
            Ok(url) => url.query().unwrap_or("").to_owned(),
            Err(_) => url_or_query.trim_start_matches('?').to_owned(),
        };
        let params = decode_form(&query);
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
        };
        if let Some(token) = get("denied") {
            return Ok(Callback::Denied {
                token: Token::new(token),
            });
        }
        match (get("oauth_token"), get("oauth_verifier")) {
            (Some(token), Some(verifier)) => Ok(Callback::Approved {
                token: Token::new(token),
                verifier: Verifier::new(verifier),
            }),
            (None, _) => Err(CallbackError::BadCallback("no oauth_token in the callback")),
            (_, None) => Err(CallbackError::BadCallback(
                "no oauth_verifier in the callback",
            )),
        }
    }

    /// The request token the callback names.
    pub fn token(&self) -> &Token {
        match self {
            Callback::Approved { token, .. } | Callback::Denied { token } => token,
        }
    }

    /// The verifier, after checking that the callback is for `issued` (a callback that
    /// names another token is someone else's, or stale) and that the owner approved.
    pub fn verifier_for(&self, issued: &RequestToken) -> Result<&Verifier, CallbackError> {
        if self.token() != &issued.token {
            return Err(CallbackError::TokenMismatch);
        }
        match self {
            Callback::Approved { verifier, .. } => Ok(verifier),
            Callback::Denied { .. } => Err(CallbackError::Denied),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_url_with_token_and_verifier_is_approved() {
        let cb =
            Callback::parse("http://127.0.0.1:3000/authorize/chirp?oauth_token=t&oauth_verifier=v")
                .unwrap();
        assert_eq!(
            cb,
            Callback::Approved {
                token: Token::new("t"),
                verifier: Verifier::new("v")
            }
        );
    }

    #[test]
    fn a_bare_query_and_denied_are_read() {
        assert_eq!(
            Callback::parse("?denied=t").unwrap(),
            Callback::Denied {
                token: Token::new("t")
            }
        );
        assert!(matches!(
            Callback::parse("oauth_token=t"),
            Err(CallbackError::BadCallback(_))
        ));
        assert!(matches!(
            Callback::parse(""),
            Err(CallbackError::BadCallback(_))
        ));
    }

    #[test]
    fn a_callback_for_another_token_is_refused() {
        let issued = RequestToken::new("mine", "s");
        let cb = Callback::parse("oauth_token=theirs&oauth_verifier=v").unwrap();
        assert_eq!(cb.verifier_for(&issued), Err(CallbackError::TokenMismatch));
        let denied = Callback::parse("denied=mine").unwrap();
        assert_eq!(denied.verifier_for(&issued), Err(CallbackError::Denied));
        let ok = Callback::parse("oauth_token=mine&oauth_verifier=v").unwrap();
        assert_eq!(ok.verifier_for(&issued).unwrap().secret(), "v");
    }
}
