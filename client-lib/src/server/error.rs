//! Why a server step refused a request: fine enough that a Twitter-compatible provider
//! keeps its own error codes (215, 32, 135, 89, 415), and never saying which secret was
//! wrong. Each has a plain response of its own ([`ServerError::response`]).

use crate::verify::VerifyError;

use super::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Malformed, missing, repeated or unsupported parameters (RFC 5849 §3.2): 400.
    #[error("bad request: {0}")]
    BadRequest(VerifyError),
    /// No client has this consumer key: 401.
    #[error("unknown client")]
    UnknownClient,
    /// The signature (or `oauth_body_hash`) does not match: 401.
    #[error("invalid signature")]
    InvalidSignature,
    /// `oauth_timestamp` outside the window, past or future (§3.3): 401.
    #[error("timestamp outside the accepted window")]
    StaleTimestamp,
    /// This nonce was used before with this client, token and timestamp (§3.3): 401.
    #[error("nonce already used")]
    NonceReused,
    /// PLAINTEXT over plain http (§3.4.4): 401.
    #[error("PLAINTEXT is refused over plain http")]
    PlaintextOverHttp,
    /// The token is unknown, expired, used, or another client's: 401.
    #[error("invalid or expired token")]
    InvalidToken,
    /// The verifier is not the one the owner's approval gave; the temporary credentials
    /// are void now (§2.3): 401.
    #[error("invalid verifier")]
    InvalidVerifier,
    /// `oauth_callback` is neither `oob` nor registered for the client: 403.
    #[error("callback not registered for this client")]
    CallbackNotRegistered,
    /// At the authorization step: the temporary credentials are unknown, expired, or
    /// already answered. Shown to the person, who should go back to the application.
    #[error("the authorization request expired or was already answered")]
    RequestExpired,
    /// The application's storage failed: 500 (or 503, as the application judges).
    #[error("storage: {0}")]
    Store(StoreError),
}

impl From<StoreError> for ServerError {
    fn from(err: StoreError) -> Self {
        Self::Store(err)
    }
}

impl From<VerifyError> for ServerError {
    fn from(err: VerifyError) -> Self {
        match err {
            VerifyError::StaleTimestamp => Self::StaleTimestamp,
            e if e.is_bad_request() => Self::BadRequest(e),
            _ => Self::InvalidSignature,
        }
    }
}

impl ServerError {
    /// The HTTP status §3.2 gives it.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) | Self::RequestExpired => 400,
            Self::CallbackNotRegistered => 403,
            Self::Store(_) => 500,
            _ => 401,
        }
    }

    /// The OAuth Problem Reporting name (`oauth_problem`) of the refusal.
    pub fn problem(&self) -> &'static str {
        match self {
            Self::BadRequest(VerifyError::MissingParameter(_)) => "parameter_absent",
            Self::BadRequest(VerifyError::UnsupportedSignatureMethod(_)) => {
                "signature_method_rejected"
            }
            Self::BadRequest(VerifyError::UnsupportedVersion(_)) => "version_rejected",
            Self::BadRequest(_) => "parameter_rejected",
            Self::UnknownClient => "consumer_key_unknown",
            Self::InvalidSignature | Self::PlaintextOverHttp => "signature_invalid",
            Self::StaleTimestamp => "timestamp_refused",
            Self::NonceReused => "nonce_used",
            Self::InvalidToken | Self::RequestExpired => "token_rejected",
            Self::InvalidVerifier => "verifier_invalid",
            Self::CallbackNotRegistered => "permission_denied",
            Self::Store(_) => "temporarily_unavailable",
        }
    }

    /// A plain answer: the status, `oauth_problem=...` as a form body, and on 401 a
    /// `WWW-Authenticate: OAuth realm="..."` challenge (§3.5.1 via RFC 2617). A storage
    /// failure says nothing of its cause.
    pub fn response(&self, realm: &str) -> http::Response<String> {
        let mut response = super::response::form(&[("oauth_problem", self.problem())]);
        *response.status_mut() =
            http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::BAD_REQUEST);
        if self.status() == 401
            && let Ok(value) = http::HeaderValue::from_str(&format!("OAuth realm=\"{realm}\""))
        {
            response
                .headers_mut()
                .insert(http::header::WWW_AUTHENTICATE, value);
        }
        response
    }
}
