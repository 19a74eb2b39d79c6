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

use crate::base_string::signature_base_string;
use crate::encode::decode_form;
use crate::header::{self, HeaderError};
use crate::signature::{self, SignatureMethod, constant_time_eq};
use crate::types::{ConsumerKey, ConsumerSecret, Nonce, Timestamp, Token, TokenSecret};

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
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &http::HeaderValue| v.to_str().ok())
        };
        Self {
            method: parts.method.as_str(),
            url,
            authorization: header(http::header::AUTHORIZATION),
            content_type: header(http::header::CONTENT_TYPE),
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
    /// [`constant_time_eq`].
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

fn is_form(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

fn is_protocol(name: &str) -> bool {
    name.starts_with("oauth_")
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

/// The parameters of a request, decoded, by where they were sent (§3.5).
struct Collected {
    /// From an `Authorization` header of the OAuth scheme, `realm` dropped (it is not
    /// signed, §3.4.1.3.1).
    header: Option<Vec<(String, String)>>,
    query: Vec<(String, String)>,
    /// From a form-encoded body only.
    form: Vec<(String, String)>,
}

impl Collected {
    /// Reads the header, the query and a form body, refusing more than
    /// [`MAX_PARAMETERS`] in all before any further work.
    fn from_request(request: &IncomingRequest<'_>) -> Result<Self, VerifyError> {
        let header = match request.authorization {
            Some(value)
                if value
                    .trim_start()
                    .get(..5)
                    .is_some_and(|s| s.eq_ignore_ascii_case("oauth")) =>
            {
                let mut params = header::parse(value)?;
                params.retain(|(k, _)| k != "realm");
                Some(params)
            }
            _ => None,
        };
        let query = request.url.query().map(decode_form).unwrap_or_default();
        let form = if is_form(request.content_type) {
            let body = std::str::from_utf8(request.body).map_err(|_| VerifyError::BodyNotUtf8)?;
            decode_form(body)
        } else {
            Vec::new()
        };
        let header_count = header.as_ref().map_or(0, Vec::len);
        if query.len() + form.len() + header_count > MAX_PARAMETERS {
            return Err(VerifyError::TooManyParameters);
        }
        Ok(Self {
            header,
            query,
            form,
        })
    }

    /// §3.5: the protocol parameters come from exactly one location.
    fn location(&self) -> Result<Location, VerifyError> {
        let mut location = None;
        for (here, present) in [
            (
                Location::Header,
                self.header.as_ref().is_some_and(|p| !p.is_empty()),
            ),
            (
                Location::Query,
                self.query.iter().any(|(k, _)| is_protocol(k)),
            ),
            (
                Location::Body,
                self.form.iter().any(|(k, _)| is_protocol(k)),
            ),
        ] {
            if present {
                if let Some(first) = location {
                    return Err(VerifyError::MultipleLocations(first, here));
                }
                location = Some(here);
            }
        }
        location.ok_or(VerifyError::NotSigned)
    }

    /// The protocol parameters of `location` (the header's are taken, not copied).
    fn protocol_params(&mut self, location: Location) -> Result<ProtocolParams, VerifyError> {
        let protocol = |params: &[(String, String)]| {
            params
                .iter()
                .filter(|(k, _)| is_protocol(k))
                .cloned()
                .collect()
        };
        ProtocolParams::new(match location {
            Location::Header => self.header.take().unwrap_or_default(),
            Location::Query => protocol(&self.query),
            Location::Body => protocol(&self.form),
        })
    }

    /// §3.4.1: the base string over the query, the form body and the protocol parameters
    /// (those of `location` counted once), all but `oauth_signature` (§3.4.1.3.1).
    fn base_string(
        &self,
        request: &IncomingRequest<'_>,
        location: Location,
        oauth: &ProtocolParams,
    ) -> String {
        let signed = self
            .query
            .iter()
            .filter(|(k, _)| location != Location::Query || !is_protocol(k))
            .chain(
                self.form
                    .iter()
                    .filter(|(k, _)| location != Location::Body || !is_protocol(k)),
            )
            .chain(oauth.0.iter())
            .filter(|(k, _)| k != "oauth_signature")
            .map(|(k, v)| (k.as_str(), v.as_str()));
        signature_base_string(request.method, request.url, signed)
    }

    /// Every non-`oauth_` parameter of the query and the form body, in order.
    fn request_params(self) -> Vec<(String, String)> {
        self.query
            .into_iter()
            .chain(self.form)
            .filter(|(k, _)| !is_protocol(k))
            .collect()
    }
}

/// The protocol parameters of one location, sorted by name, each present once.
struct ProtocolParams(Vec<(String, String)>);

impl ProtocolParams {
    fn new(mut params: Vec<(String, String)>) -> Result<Self, VerifyError> {
        params.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        if let Some(dup) = params.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(VerifyError::DuplicatedParameter(dup[0].0.clone()));
        }
        Ok(Self(params))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }
}

/// The protocol fields every request must get right (§3.1), checked for shape.
struct ProtocolFields<'a> {
    consumer_key: &'a str,
    signature: &'a str,
    method: &'static dyn SignatureMethod,
    /// Absent only with PLAINTEXT.
    timestamp: Option<Timestamp>,
    /// Absent only with PLAINTEXT; never empty.
    nonce: Option<&'a str>,
}

impl<'a> ProtocolFields<'a> {
    fn read(
        oauth: &'a ProtocolParams,
        methods: impl Fn(&str) -> Option<&'static dyn SignatureMethod>,
    ) -> Result<Self, VerifyError> {
        let need = |name: &'static str| oauth.get(name).ok_or(VerifyError::MissingParameter(name));
        let consumer_key = need("oauth_consumer_key")?;
        let signature = need("oauth_signature")?;
        let method_name = need("oauth_signature_method")?;
        let method = methods(method_name)
            .ok_or_else(|| VerifyError::UnsupportedSignatureMethod(method_name.to_owned()))?;
        if let Some(version) = oauth.get("oauth_version")
            && version != "1.0"
        {
            return Err(VerifyError::UnsupportedVersion(version.to_owned()));
        }
        // §3.1: nonce and timestamp MAY be omitted with PLAINTEXT only.
        let plaintext = method.name() == "PLAINTEXT";
        let timestamp = match oauth.get("oauth_timestamp") {
            Some(ts) => Some(parse_timestamp(ts)?),
            None if plaintext => None,
            None => return Err(VerifyError::MissingParameter("oauth_timestamp")),
        };
        let nonce = match oauth.get("oauth_nonce") {
            Some("") => {
                return Err(VerifyError::InvalidParameter {
                    name: "oauth_nonce",
                    reason: "empty",
                });
            }
            Some(n) => Some(n),
            None if plaintext => None,
            None => return Err(VerifyError::MissingParameter("oauth_nonce")),
        };
        Ok(Self {
            consumer_key,
            signature,
            method,
            timestamp,
            nonce,
        })
    }
}

/// `oauth_body_hash` covers bodies that are not form-encoded, and only those; when sent,
/// it must be the body's digest under the request's signature method.
fn check_body_hash(
    request: &IncomingRequest<'_>,
    method: &'static dyn SignatureMethod,
    hash: Option<&str>,
) -> Result<(), VerifyError> {
    let Some(hash) = hash else {
        return Ok(());
    };
    if is_form(request.content_type) {
        return Err(VerifyError::InvalidParameter {
            name: "oauth_body_hash",
            reason: "not allowed with a form-encoded body",
        });
    }
    let expected = method.body_hash(request.body).unwrap_or_default();
    if constant_time_eq(expected.as_bytes(), hash.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::BodyHashMismatch)
    }
}

fn parse_timestamp(value: &str) -> Result<Timestamp, VerifyError> {
    // Digits only: `u64::from_str` alone would accept a leading `+`.
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::InvalidParameter {
            name: "oauth_timestamp",
            reason: "not a positive integer",
        });
    }
    value
        .parse()
        .map(Timestamp::from_secs)
        .map_err(|_| VerifyError::InvalidParameter {
            name: "oauth_timestamp",
            reason: "out of range",
        })
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
