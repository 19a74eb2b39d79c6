//! Signing a request (RFC 5849 §3.1–§3.5): collect the protocol parameters, build the
//! base string, sign it, and place the parameters in the header, the query or the body.
//!
//! Pure: the nonce and timestamp come in as arguments, so a signature is reproducible
//! and can be checked against published vectors.

use std::fmt;

use url::Url;

use crate::base_string::{EncodedParam, signature_base_string_encoded};
use crate::encode::encode;
use crate::signature::{HmacSha1, SignatureMethod};
use crate::types::{
    ClientCredentials, Nonce, Timestamp, Token, TokenCredentials, TokenSecret, decimal,
};

mod params;
mod write;

use params::{EncodedParams, ProtocolParams, RequestParams};
use write::{header, push_form};

/// Where the protocol parameters travel (§3.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// The `Authorization` header (§3.5.1), the one services prefer.
    #[default]
    Header,
    /// The query of the request URL (§3.5.3).
    Query,
    /// A form-encoded body (§3.5.2); the request must have one.
    Body,
}

/// The body of a request, as far as signing cares.
#[derive(Clone, Copy, Debug, Default)]
pub enum Body<'a> {
    #[default]
    Empty,
    /// An `application/x-www-form-urlencoded` body: its parameters are signed (§3.4.1.3.1).
    Form(&'a str),
    /// Any other body: covered by `oauth_body_hash` instead.
    Other(&'a [u8]),
}

/// The parts of an HTTP request that a signature covers.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    pub body: Body<'a>,
}

/// The request once signed: what to send, and the intermediate values for anyone who
/// wants to see them (the demo site shows them on its teaching page).
#[derive(Clone)]
pub struct SignedRequest {
    /// The URL to send: the original, plus the protocol parameters for [`Placement::Query`].
    pub url: Url,
    /// The `Authorization` header value, for [`Placement::Header`].
    pub authorization: Option<String>,
    /// The new form body, for [`Placement::Body`].
    pub body: Option<String>,
    /// The signature base string (§3.4.1); holds no secret.
    pub base_string: String,
    /// `oauth_signature`. With PLAINTEXT it *is* the secrets, hence no `Debug` of it.
    pub signature: String,
    /// The protocol parameters, `oauth_signature` included, sorted by name.
    pub oauth_params: Vec<(&'static str, String)>,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("url", &self.url.as_str())
            .field("base_string", &self.base_string)
            .field("signature", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error(
        "protocol parameters can only go in the body of a form-encoded request (RFC 5849 §3.5.2)"
    )]
    BodyPlacementNeedsForm,
    #[error("the URL {0:?} cannot be signed: it has no host")]
    NoHost(String),
}

/// Signs requests for one client, optionally with a token. A builder:
///
/// ```
/// # use oauth1::{ClientCredentials, Signer, Request, Body, Nonce, Timestamp, RequestToken};
/// let client = ClientCredentials::new("key", "secret");
/// let token = RequestToken::new("token", "token-secret");
/// let url = "https://api.example.com/oauth/access_token".parse().unwrap();
/// let signed = Signer::new(&client)
///     .token(&token)
///     .verifier("pin")
///     .sign(
///         &Request { method: "POST", url: &url, body: Body::Empty },
///         &Nonce::new("n"),
///         Timestamp::from_secs(1),
///     )
///     .unwrap();
/// assert!(signed.authorization.unwrap().starts_with("OAuth oauth_consumer_key=\"key\""));
/// ```
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    client: &'a ClientCredentials,
    token: Option<(&'a Token, &'a TokenSecret)>,
    method: &'a dyn SignatureMethod,
    placement: Placement,
    realm: Option<&'a str>,
    callback: Option<&'a str>,
    verifier: Option<&'a str>,
    version: bool,
}

impl<'a> Signer<'a> {
    /// HMAC-SHA1 in the `Authorization` header, with `oauth_version="1.0"`: what Twitter
    /// and most services expect.
    pub fn new(client: &'a ClientCredentials) -> Self {
        Self {
            client,
            token: None,
            method: &HmacSha1,
            placement: Placement::Header,
            realm: None,
            callback: None,
            verifier: None,
            version: true,
        }
    }
    /// Signs with a token: temporary credentials or token credentials (§3.4.2 key).
    pub fn token(mut self, token: &'a dyn TokenCredentials) -> Self {
        self.token = Some((token.token(), token.token_secret()));
        self
    }
    pub fn method(mut self, method: &'a dyn SignatureMethod) -> Self {
        self.method = method;
        self
    }
    pub fn placement(mut self, placement: Placement) -> Self {
        self.placement = placement;
        self
    }
    /// `realm` of the header (§3.5.1); never signed.
    pub fn realm(mut self, realm: &'a str) -> Self {
        self.realm = Some(realm);
        self
    }
    /// `oauth_callback` for the temporary-credentials request (§2.1): a URL or `oob`.
    pub fn callback(mut self, callback: &'a str) -> Self {
        self.callback = Some(callback);
        self
    }
    /// `oauth_verifier` for the token request (§2.3).
    pub fn verifier(mut self, verifier: &'a str) -> Self {
        self.verifier = Some(verifier);
        self
    }
    /// Whether to send `oauth_version="1.0"` (optional, §3.1). On by default.
    pub fn version(mut self, include: bool) -> Self {
        self.version = include;
        self
    }

    /// `oauth_body_hash` of a body that is neither empty nor a form, if the method has one.
    fn body_hash(&self, body: Body<'_>) -> Option<String> {
        match body {
            Body::Other(bytes) => self.method.body_hash(bytes),
            Body::Empty | Body::Form(_) => None,
        }
    }

    /// The protocol parameters of §3.1 for this request, without the signature, sorted
    /// by name, with their values as given (not encoded).
    fn oauth_params<'b>(
        &'b self,
        body_hash: Option<&'b str>,
        nonce: &'b Nonce,
        timestamp: &'b str,
    ) -> ProtocolParams<'b> {
        let mut params = ProtocolParams::default();
        if let Some(hash) = body_hash {
            params.push("oauth_body_hash", hash);
        }
        if let Some(callback) = self.callback {
            params.push("oauth_callback", callback);
        }
        params.push("oauth_consumer_key", self.client.key.as_str());
        params.push("oauth_nonce", nonce.as_str());
        params.push("oauth_signature_method", self.method.name());
        params.push("oauth_timestamp", timestamp);
        if let Some((token, _)) = self.token {
            params.push("oauth_token", token.as_str());
        }
        if let Some(verifier) = self.verifier {
            params.push("oauth_verifier", verifier);
        }
        if self.version {
            params.push("oauth_version", "1.0");
        }
        params
    }

    /// The signature base string (§3.4.1) over the query, the form body and the protocol
    /// parameters `oauth` (encoded, §3.6).
    fn base_string(
        &self,
        request: &Request<'_>,
        oauth: &[EncodedParam<'_>],
    ) -> Result<String, SignError> {
        if request.url.host_str().is_none() {
            return Err(SignError::NoHost(request.url.as_str().to_owned()));
        }
        let form = match (self.placement, request.body) {
            (_, Body::Form(form)) => form,
            (Placement::Body, _) => return Err(SignError::BodyPlacementNeedsForm),
            _ => "",
        };
        let query = request.url.query().unwrap_or("");
        // §3.4.1.3.1: query, protocol parameters and form body, all together. The
        // protocol parameters are sorted already; the others are merged in.
        let mut others = RequestParams::collect(query, form);
        Ok(signature_base_string_encoded(
            request.method,
            request.url,
            oauth,
            others.as_mut_slice(),
        ))
    }

    fn token_secret(&self) -> &str {
        self.token.map(|(_, s)| s.secret()).unwrap_or("")
    }

    /// Signs `request` with the given nonce and timestamp, and keeps the intermediate
    /// values (base string, parameters) along with what to send.
    pub fn sign(
        &self,
        request: &Request<'_>,
        nonce: &Nonce,
        timestamp: Timestamp,
    ) -> Result<SignedRequest, SignError> {
        self.with_base_string(request, nonce, timestamp, |oauth, encoded, base_string| {
            self.finish_signed(request, oauth, encoded, base_string)
        })
    }

    /// The steps every signature starts with (§3.1–§3.4.1): the protocol parameters
    /// (borrowing the timestamp's digits and the body hash from this frame), their
    /// encoding, and the base string, handed to `then`.
    fn with_base_string<R>(
        &self,
        request: &Request<'_>,
        nonce: &Nonce,
        timestamp: Timestamp,
        then: impl FnOnce(&ProtocolParams<'_>, &EncodedParams<'_>, String) -> R,
    ) -> Result<R, SignError> {
        let mut digits = [0; 20];
        let timestamp = decimal(timestamp.as_secs(), &mut digits);
        let body_hash = self.body_hash(request.body);
        let oauth = self.oauth_params(body_hash.as_deref(), nonce, timestamp);
        let encoded = oauth.encoded();
        let base_string = self.base_string(request, &encoded)?;
        Ok(then(&oauth, &encoded, base_string))
    }

    /// [`Self::sign`] past the base string: the signature, placed, with what led to it.
    fn finish_signed(
        &self,
        request: &Request<'_>,
        oauth: &ProtocolParams<'_>,
        encoded: &EncodedParams<'_>,
        base_string: String,
    ) -> SignedRequest {
        let signature = self.method.sign(
            &base_string,
            self.client.secret.secret(),
            self.token_secret(),
        );
        let encoded_signature = encode(&signature);
        let write_signature = |out: &mut String| out.push_str(&encoded_signature);

        let mut signed = SignedRequest {
            url: request.url.clone(),
            authorization: None,
            body: None,
            base_string: String::new(),
            signature: String::new(),
            oauth_params: Vec::new(),
        };
        match self.placement {
            Placement::Header => {
                signed.authorization = Some(header(self.realm, encoded, write_signature));
            }
            Placement::Query => {
                let mut query = signed.url.query().unwrap_or("").to_owned();
                if !query.is_empty() {
                    query.push('&');
                }
                push_form(&mut query, encoded, write_signature);
                signed.url.set_query(Some(&query));
            }
            Placement::Body => {
                let mut body = match request.body {
                    Body::Form(form) => form.to_owned(),
                    _ => String::new(),
                };
                if !body.is_empty() {
                    body.push('&');
                }
                push_form(&mut body, encoded, write_signature);
                signed.body = Some(body);
            }
        }
        let mut oauth_params: Vec<(&'static str, String)> = oauth
            .as_slice()
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect();
        let at = oauth_params.partition_point(|(k, _)| *k < "oauth_signature");
        oauth_params.insert(at, ("oauth_signature", signature.clone()));
        signed.oauth_params = oauth_params;
        signed.base_string = base_string;
        signed.signature = signature;
        signed
    }

    /// Signs `request` and returns only the `Authorization` header value (§3.5.1),
    /// whatever the placement: the common case of a client, without the intermediate
    /// values [`Signer::sign`] keeps. The signature is written into the header straight
    /// from the MAC, so the base string and the header are all it allocates, with the
    /// request's own parameters.
    pub fn authorization(
        &self,
        request: &Request<'_>,
        nonce: &Nonce,
        timestamp: Timestamp,
    ) -> Result<String, SignError> {
        self.with_base_string(request, nonce, timestamp, |_, encoded, base_string| {
            header(self.realm, encoded, |out| {
                self.method.sign_encoded_into(
                    &base_string,
                    self.client.secret.secret(),
                    self.token_secret(),
                    out,
                )
            })
        })
    }
}

#[cfg(test)]
mod tests;
