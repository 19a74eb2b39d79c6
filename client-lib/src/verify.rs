//! Verifying a signed request on the server (RFC 5849 §3.2).
//!
//! Two steps, because the server must look up secrets in between:
//! 1. [`SignedParams::from_request`] collects the parameters from the one location they
//!    were sent in, checks their shape (present once, known method, version `1.0`) and
//!    builds the base string. Errors here are the client's fault: 400 (§3.2).
//! 2. The server finds the client (and token) by key, then calls
//!    [`SignedParams::verify_signature`]: a mismatch is 401 (§3.2).
//!
//! Timestamp windows and nonce uniqueness (§3.3) need a clock and a store; the server
//! checks them with [`check_timestamp`] and its own nonce store.

use url::Url;

use crate::header::HeaderError;
use crate::signature::{self, SignatureMethod};
use crate::types::{ConsumerKey, ConsumerSecret, Nonce, Timestamp, Token, TokenSecret};

mod collect;

use collect::{Collected, ProtocolFields, check_body_hash};

/// A header's value when it is visible ASCII; any other value is taken as absent.
pub(crate) fn visible_header(parts: &http::request::Parts, name: http::HeaderName) -> Option<&str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The parts of an incoming HTTP request that verification reads.
#[derive(Clone, Copy, Debug)]
pub struct IncomingRequest<'a> {
    pub method: &'a str,
    /// The full URL as the client addressed it. Servers behind a proxy should rebuild it
    /// from their configured public base URL, not from `Host` or `X-Forwarded-*`.
    pub url: &'a Url,
    pub authorization: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

impl<'a> IncomingRequest<'a> {
    /// Reads the method, `Authorization` and `Content-Type` from an `http` request head.
    /// A header that is not visible ASCII is treated as absent.
    pub fn from_parts(parts: &'a http::request::Parts, url: &'a Url, body: &'a [u8]) -> Self {
        Self {
            method: parts.method.as_str(),
            url,
            authorization: visible_header(parts, http::header::AUTHORIZATION),
            content_type: visible_header(parts, http::header::CONTENT_TYPE),
            body,
        }
    }
}

/// Where the protocol parameters were found (§3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    Header,
    Query,
    Body,
}

/// Why a request failed verification. [`Self::is_bad_request`] tells 400 from 401 (§3.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the request carries no OAuth parameters")]
    NotSigned,
    #[error(transparent)]
    MalformedHeader(#[from] HeaderError),
    #[error("missing parameter {0}")]
    MissingParameter(&'static str),
    #[error("parameter {0} appears more than once")]
    DuplicatedParameter(String),
    #[error("OAuth parameters were sent in more than one location ({0:?} and {1:?})")]
    MultipleLocations(Location, Location),
    #[error("unsupported signature method {0:?}")]
    UnsupportedSignatureMethod(String),
    #[error("unsupported oauth_version {0:?}; only 1.0 is")]
    UnsupportedVersion(String),
    #[error("invalid {name}: {reason}")]
    InvalidParameter {
        name: &'static str,
        reason: &'static str,
    },
    #[error("oauth_body_hash does not match the body")]
    BodyHashMismatch,
    #[error("the body is not UTF-8")]
    BodyNotUtf8,
    #[error("invalid signature")]
    InvalidSignature,
    #[error("timestamp outside the accepted window")]
    StaleTimestamp,
    #[error("the request carries more than {MAX_PARAMETERS} parameters")]
    TooManyParameters,
}

/// The most parameters (query, body and header together) a request may carry. Real
/// requests carry a dozen or two; the bound keeps a hostile request from costing more
/// than a few milliseconds to normalize.
pub const MAX_PARAMETERS: usize = 1024;

impl VerifyError {
    /// §3.2: malformed or unsupported requests are 400 Bad Request; a bad signature,
    /// credentials or timestamp are 401 Unauthorized.
    pub fn is_bad_request(&self) -> bool {
        !matches!(
            self,
            Self::InvalidSignature | Self::StaleTimestamp | Self::BodyHashMismatch
        )
    }
}

/// The methods a received request may name: the [`signature::builtin`] ones and, with the `rsa`
/// feature, RSA-SHA1, whose signature only the client's public key checks
/// (`SignedParams::verify_rsa_sha1`). Signing needs a key, so `builtin`, which clients
/// and their configuration use, does not offer it.
pub fn receivable(name: &str) -> Option<&'static dyn SignatureMethod> {
    #[cfg(feature = "rsa")]
    if name == "RSA-SHA1" {
        return Some(&crate::rsa_sha1::RsaSha1Unkeyed);
    }
    signature::builtin(name)
}

/// The protocol parameters of a request, checked for shape, with its base string.
#[derive(Clone)]
pub struct SignedParams {
    pub consumer_key: ConsumerKey,
    pub token: Option<Token>,
    /// Absent only with PLAINTEXT (§3.1).
    pub nonce: Option<Nonce>,
    /// Absent only with PLAINTEXT (§3.1).
    pub timestamp: Option<Timestamp>,
    pub callback: Option<String>,
    /// Kept as a plain string: the server compares it with its stored verifier using
    /// [`constant_time_eq`](crate::signature::constant_time_eq).
    pub verifier: Option<String>,
    pub location: Location,
    /// Every non-`oauth_` parameter of the query and form body, in order.
    pub request_params: Vec<(String, String)>,
    pub base_string: String,
    method: &'static dyn SignatureMethod,
    signature: String,
}

impl std::fmt::Debug for SignedParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedParams")
            .field("consumer_key", &self.consumer_key)
            .field("token", &self.token)
            .field("method", &self.method.name())
            .field("location", &self.location)
            // Not the base string: it holds `oauth_verifier` on a token request.
            .finish_non_exhaustive()
    }
}

impl SignedParams {
    /// Step 1: collect and check the parameters (§3.4.1.3.1, §3.5), using the built-in
    /// signature methods.
    pub fn from_request(request: &IncomingRequest<'_>) -> Result<Self, VerifyError> {
        Self::from_request_with(request, receivable)
    }

    /// Step 1 with a custom look-up of signature methods by name.
    pub fn from_request_with(
        request: &IncomingRequest<'_>,
        methods: impl Fn(&str) -> Option<&'static dyn SignatureMethod>,
    ) -> Result<Self, VerifyError> {
        let mut collected = Collected::from_request(request)?;
        let location = collected.location()?;
        let oauth = collected.protocol_params(location)?;
        let fields = ProtocolFields::read(&oauth, methods)?;
        check_body_hash(request, fields.method, oauth.get("oauth_body_hash"))?;
        let base_string = collected.base_string(request, location, &oauth);
        Ok(Self {
            consumer_key: ConsumerKey::new(fields.consumer_key),
            token: oauth.get("oauth_token").map(Token::new),
            nonce: fields.nonce.map(Nonce::new),
            timestamp: fields.timestamp,
            callback: oauth.get("oauth_callback").map(str::to_owned),
            verifier: oauth.get("oauth_verifier").map(str::to_owned),
            location,
            request_params: collected.request_params(),
            base_string,
            method: fields.method,
            signature: fields.signature.to_owned(),
        })
    }

    /// The signature method the client used.
    pub fn signature_method(&self) -> &'static dyn SignatureMethod {
        self.method
    }

    /// `oauth_signature` as received (decoded): what a debugger compares with the
    /// signatures of the usual mistakes (`explain::diagnose`).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// Step 2: checks `oauth_signature` in constant time against the client's secret and,
    /// when the request names a token, that token's secret.
    pub fn verify_signature(
        &self,
        consumer_secret: &ConsumerSecret,
        token_secret: Option<&TokenSecret>,
    ) -> Result<(), VerifyError> {
        let token_secret = token_secret.map(TokenSecret::secret).unwrap_or("");
        if self.method.verify(
            &self.base_string,
            consumer_secret.secret(),
            token_secret,
            &self.signature,
        ) {
            Ok(())
        } else {
            Err(VerifyError::InvalidSignature)
        }
    }

    /// Step 2 for RSA-SHA1 (§3.4.3): checks `oauth_signature` with the client's public
    /// key. A request signed with any other method is refused here, so a key registered
    /// for RSA never lets an HMAC signature through, nor the other way round.
    #[cfg(feature = "rsa")]
    pub fn verify_rsa_sha1(
        &self,
        public_key: &crate::rsa_sha1::RsaSha1PublicKey,
    ) -> Result<(), VerifyError> {
        if self.method.name() == "RSA-SHA1" && public_key.verify(&self.base_string, &self.signature)
        {
            Ok(())
        } else {
            Err(VerifyError::InvalidSignature)
        }
    }
}

/// §3.3: a server may reject requests whose timestamp is too far from its clock. Rejects
/// timestamps more than `window_secs` in the past *or* the future.
pub fn check_timestamp(
    timestamp: Timestamp,
    now: Timestamp,
    window_secs: u64,
) -> Result<(), VerifyError> {
    if timestamp.as_secs().abs_diff(now.as_secs()) > window_secs {
        Err(VerifyError::StaleTimestamp)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_query(count: usize) -> Result<SignedParams, VerifyError> {
        let query: Vec<String> = (0..count).map(|i| format!("p{i}=v")).collect();
        let url = Url::parse(&format!("http://example.com/r?{}", query.join("&"))).unwrap();
        SignedParams::from_request(&IncomingRequest {
            method: "GET",
            url: &url,
            authorization: Some("OAuth oauth_consumer_key=\"k\""),
            content_type: None,
            body: b"",
        })
    }

    #[test]
    fn rsa_sha1_is_read_from_a_request_with_the_rsa_feature_only() {
        assert_eq!(receivable("RSA-SHA1").is_some(), cfg!(feature = "rsa"));
        assert_eq!(receivable("HMAC-SHA1").map(|m| m.name()), Some("HMAC-SHA1"));
        assert!(receivable("RSA-SHA512").is_none());
    }

    #[test]
    fn more_than_the_maximum_of_parameters_is_refused_before_anything_else() {
        assert!(matches!(
            with_query(MAX_PARAMETERS),
            Err(VerifyError::TooManyParameters)
        ));
        // One fewer (the header brings one) gets as far as the missing parameters.
        assert!(matches!(
            with_query(MAX_PARAMETERS - 1),
            Err(VerifyError::MissingParameter(_))
        ));
        assert!(VerifyError::TooManyParameters.is_bad_request());
    }
}
