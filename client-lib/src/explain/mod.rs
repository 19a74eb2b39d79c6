//! Signing explained, and signatures debugged: the crate's own signing code, run step by
//! step for a teaching page or a browser playground (no I/O: this builds for
//! `wasm32-unknown-unknown`).
//!
//! - [`explain`]: every step of signing one request, each with its RFC 5849 section: the
//!   parameters (§3.4.1.3.1) and their encoding (§3.6), the normalized parameters
//!   (§3.4.1.3.2), the base string URI (§3.4.1.2), the base string (§3.4.1.1), the key
//!   (§3.4.2), the signature and what is sent (§3.5). The signature is [`Signer`]'s.
//! - [`presets`]: the published examples (RFC 5849 §1.2 and §3.4.1, Twitter's), with the
//!   signature each one gives.
//! - [`diagnose`]: a signed request as sent and the secrets believed right: the base
//!   string the server builds, and, when the signature does not match, which usual
//!   [`Mistake`] makes it match.
//!
//! ```
//! use oauth1::explain::{explain, preset};
//!
//! let twitter = preset("twitter-statuses-update").unwrap();
//! let steps = explain(&twitter.input).unwrap();
//! assert_eq!(steps.base_string.section, "§3.4.1.1");
//! assert_eq!(steps.base_string.method, "POST");
//! assert_eq!(steps.signature.value, twitter.expected_signature);
//! ```
//!
//! [`Signer`]: crate::Signer

mod diagnose;
mod input;
mod mistakes;
mod presets;
mod raw_request;
mod steps;
mod uri_notes;

pub use diagnose::{DiagnoseInput, Diagnosis, FoundMistake, Verdict, diagnose};
pub use input::SigningInput;
pub use mistakes::Mistake;
pub use presets::{Preset, preset, presets};
pub use steps::{
    BaseStringStep, Explanation, NormalizedStep, OutputStep, Parameter, ParametersStep,
    SignatureStep, SigningKeyStep, Source, UriStep, explain,
};
pub use uri_notes::{Dropped, LowerCased, UriPart};

use crate::sign::SignError;
use crate::verify::VerifyError;

/// Why a request could not be explained or diagnosed; the message is meant for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    #[error("{0:?} is not an HTTP method: use letters, such as GET or POST")]
    BadMethod(String),
    #[error("the URL {url:?} cannot be read: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("the body is not form-encoded (application/x-www-form-urlencoded): {0}")]
    MalformedBody(String),
    #[cfg_attr(
        feature = "rsa",
        error("unknown signature method {0:?}: use HMAC-SHA1, HMAC-SHA256, RSA-SHA1 or PLAINTEXT")
    )]
    #[cfg_attr(
        not(feature = "rsa"),
        error("unknown signature method {0:?}: use HMAC-SHA1, HMAC-SHA256 or PLAINTEXT")
    )]
    UnknownSignatureMethod(String),
    /// RSA-SHA1 signs with a private key (§3.4.3), which was missing or unreadable.
    #[cfg(feature = "rsa")]
    #[error("RSA-SHA1 signs with the client's private key: {0}")]
    RsaKey(#[from] crate::rsa_sha1::RsaKeyError),
    /// The debugger compares signatures made from secrets; an RSA-SHA1 one is checked
    /// with the client's public key instead.
    #[error(
        "an RSA-SHA1 signature is checked with the client's public key, not with secrets: the debugger reads HMAC-SHA1, HMAC-SHA256 and PLAINTEXT requests"
    )]
    NotSharedSecret,
    #[error("a token secret was given without a token")]
    TokenSecretWithoutToken,
    #[error("the request cannot be read: {0}")]
    BadRawRequest(&'static str),
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The request as a provider would refuse it before any signature check (§3.2): a
    /// malformed `Authorization` header, a missing or repeated parameter, and so on.
    #[error("the provider would reject this request: {0}")]
    Rejected(#[from] VerifyError),
}
