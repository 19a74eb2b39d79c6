//! The errors of the HTTP client and the registry (the `client` feature). The core's
//! own errors live with their code: [`SignError`], [`CallbackError`],
//! [`VerifyError`](crate::VerifyError), [`HeaderError`](crate::header::HeaderError).

use crate::callback::CallbackError;
use crate::sign::SignError;

/// A remote's configuration that cannot be used; the message names the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set: give it in code or in the environment")]
    Missing(String),
    #[error("{key} = {value:?} is not an absolute URL: {reason}")]
    BadUrl {
        key: String,
        value: String,
        reason: String,
    },
    #[error("{key}: {reason}")]
    Bad { key: String, reason: String },
}

/// A service's error answer, with Twitter's `{"errors":[{"code":..,"message":..}]}` read
/// when the body has that shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteError {
    pub status: u16,
    pub body: String,
    /// `(code, message)` pairs of a Twitter-style JSON error body.
    pub errors: Vec<(i64, String)>,
}

impl RemoteError {
    pub fn new(status: u16, body: String) -> Self {
        let errors = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("errors").and_then(|e| e.as_array()).cloned())
            .map(|list| {
                list.iter()
                    .filter_map(|e| {
                        Some((
                            e.get("code")?.as_i64()?,
                            e.get("message")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            status,
            body,
            errors,
        }
    }

    /// The first Twitter error code, if the body had one.
    pub fn code(&self) -> Option<i64> {
        self.errors.first().map(|(c, _)| *c)
    }
}

impl std::fmt::Display for RemoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.errors.first() {
            Some((code, message)) => write!(f, "HTTP {} (code {code}: {message})", self.status),
            None => {
                let body: String = self.body.chars().take(200).collect();
                write!(f, "HTTP {}: {body}", self.status)
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the service answered {0}")]
    Remote(RemoteError),
    /// Without its URL: with query placement the URL carries the signature and the
    /// verifier, and an error's text ends up in logs.
    #[error("could not reach the service: {0}")]
    Http(reqwest::Error),
    #[error(transparent)]
    Sign(#[from] SignError),
    #[error(
        "the service did not confirm the callback (oauth_callback_confirmed=true is required by RFC 5849 §2.1)"
    )]
    CallbackNotConfirmed,
    #[error("the service's answer has no {0}")]
    MissingField(&'static str),
    /// The callback itself: not one, not this browser's, not the token issued, or denied.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    #[error("a streaming body cannot be signed")]
    StreamingBody,
    #[error("a form body must be UTF-8 to be signed")]
    FormNotUtf8,
    #[error("the Authorization header would not be ASCII")]
    HeaderNotAscii,
    #[error("no remote named {0:?} is registered")]
    UnknownRemote(String),
    #[error("no token for this user on {0:?}: sign in first")]
    NoToken(String),
    #[error("{0:?} cannot be joined to the API base URL")]
    BadPath(String),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("the temporary credential store failed: {0}")]
    Store(String),
    /// An OAuth 2 error answer (RFC 6749 §5.2 from the token endpoint, §4.1.2.1 in a
    /// callback), such as `invalid_client`.
    #[error("the service answered {error}{}", description.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth2 {
        error: String,
        description: Option<String>,
    },
    /// The refresh token was refused (RFC 6749 §5.2 `invalid_grant`: expired, revoked, or
    /// already used), or the token expired with none to refresh it: the user must sign
    /// in to the remote again.
    #[error("the sign-in at {remote:?} has expired: sign in again ({reason})")]
    ReauthorizationNeeded { remote: String, reason: String },
    /// A token response that is not RFC 6749 §5.1 JSON; names the field, never the body.
    #[error("the service's token response is not valid: {0}")]
    BadTokenResponse(String),
    #[error("{0} was asked for, but this remote's token is of the other kind")]
    WrongTokenKind(&'static str),
    #[error("token type {0:?} is not supported (only Bearer, RFC 6750)")]
    UnsupportedTokenType(String),
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Http(e.without_url())
    }
}

impl From<RemoteError> for Error {
    fn from(e: RemoteError) -> Self {
        Error::Remote(e)
    }
}
