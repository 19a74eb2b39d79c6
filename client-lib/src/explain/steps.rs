//! The steps of signing one request (RFC 5849 §3.4 and §3.5), each computed by the
//! function of this crate that does it when [`Signer`] signs, and the signature and
//! output [`Signer`]'s own.

use std::fmt;

use super::ExplainError;
use super::input::{SigningInput, check_form, check_method, parse_url};
use super::uri_notes::{Dropped, LowerCased, uri_notes};
use crate::base_string::{base_string_uri, normalize_parameters};
use crate::encode::{decode_form, encode};
use crate::sign::{Body, Placement, Request, SignedRequest, Signer};
use crate::signature::{self, SignatureMethod, signing_key};
use crate::types::{ClientCredentials, Nonce, RequestToken, Timestamp};

/// Where a parameter came from (§3.4.1.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Query,
    Body,
    Protocol,
}

/// One signed parameter, decoded as received and encoded as signed (§3.6).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Parameter {
    pub source: Source,
    pub name: String,
    pub value: String,
    pub encoded_name: String,
    pub encoded_value: String,
}

/// §3.4.1.3.1: the query, the form body and the protocol parameters, `realm` and
/// `oauth_signature` aside; names and values then encoded as §3.6 says.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ParametersStep {
    pub section: &'static str,
    pub encoding_section: &'static str,
    pub parameters: Vec<Parameter>,
}

/// §3.4.1.3.2: the encoded pairs sorted by name then value, joined by `=` and `&`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NormalizedStep {
    pub section: &'static str,
    pub value: String,
}

/// §3.4.1.2: the URL without query or fragment, scheme and host lower-cased, the default
/// port dropped.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UriStep {
    pub section: &'static str,
    pub value: String,
    pub dropped: Vec<Dropped>,
    pub lower_cased: Vec<LowerCased>,
}

/// §3.4.1.1: three parts joined by `&`, kept apart so a page can colour them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BaseStringStep {
    pub section: &'static str,
    /// The method in upper case.
    pub method: String,
    /// The base string URI, encoded (§3.6).
    pub uri: String,
    /// The normalized parameters, encoded (§3.6): every name and value encoded twice.
    pub parameters: String,
    /// The whole base string, as [`Signer`] signed it.
    pub value: String,
}

/// §3.4.2 (§3.4.4 for PLAINTEXT): both secrets encoded, joined by `&`. A secret: a page
/// should mask it.
#[derive(Clone, serde::Serialize)]
pub struct SigningKeyStep {
    pub section: &'static str,
    pub value: String,
}

/// The signature, in base64 for the HMAC methods and the key itself for PLAINTEXT.
#[derive(Clone, serde::Serialize)]
pub struct SignatureStep {
    pub section: &'static str,
    pub method: &'static str,
    pub value: String,
    /// As the header and forms carry it (§3.6).
    pub encoded: String,
}

/// What is sent (§3.5): the `Authorization` header, the URL with the parameters in its
/// query, or the form body with them.
#[derive(Clone, serde::Serialize)]
pub struct OutputStep {
    pub section: &'static str,
    pub placement: Placement,
    pub authorization: Option<String>,
    /// The URL to send (with the protocol parameters for the query placement).
    pub url: String,
    pub body: Option<String>,
}

/// Every step of signing one request. Its `Debug` shows the base string only: the key,
/// and with PLAINTEXT the signature and the output, are the secrets.
#[derive(Clone, serde::Serialize)]
pub struct Explanation {
    pub parameters: ParametersStep,
    pub normalized: NormalizedStep,
    pub uri: UriStep,
    pub base_string: BaseStringStep,
    pub signing_key: SigningKeyStep,
    pub signature: SignatureStep,
    pub output: OutputStep,
}

impl fmt::Debug for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Explanation")
            .field("base_string", &self.base_string.value)
            .finish_non_exhaustive()
    }
}

/// RSA-SHA1 (§3.4.3) with the input's private key; `None` for the methods that sign with
/// the secrets.
#[cfg(feature = "rsa")]
fn signing_method(input: &SigningInput) -> Result<Option<crate::rsa_sha1::RsaSha1>, ExplainError> {
    if input.signature_method != "RSA-SHA1" {
        return Ok(None);
    }
    let pem = input.rsa_private_key.as_deref().unwrap_or_default();
    Ok(Some(crate::rsa_sha1::RsaSha1::from_pem(pem)?))
}

/// Without the `rsa` feature, every method signs with the secrets.
#[cfg(not(feature = "rsa"))]
fn signing_method(_: &SigningInput) -> Result<Option<signature::Plaintext>, ExplainError> {
    Ok(None)
}

/// What signs (§3.4.2, §3.4.4), or with RSA-SHA1 (§3.4.3) the private key itself: the
/// secrets play no part then.
fn key_value(input: &SigningInput, rsa: bool, token_secret: &str) -> String {
    if rsa {
        let pem = input.rsa_private_key.as_deref().unwrap_or_default();
        pem.trim().to_owned()
    } else {
        signing_key(&input.consumer_secret, token_secret)
    }
}

/// The request of `input` signed with `method` by [`Signer`], as a client would send it.
fn sign(
    input: &SigningInput,
    url: &url::Url,
    method: &dyn SignatureMethod,
) -> Result<SignedRequest, ExplainError> {
    let token_secret = input.token_secret.as_deref().unwrap_or("");
    let token = match &input.token {
        Some(token) => Some(RequestToken::new(token, token_secret)),
        None if !token_secret.is_empty() => return Err(ExplainError::TokenSecretWithoutToken),
        None => None,
    };
    let client = ClientCredentials::new(&input.consumer_key, &input.consumer_secret);
    let mut signer = Signer::new(&client)
        .method(method)
        .placement(input.placement)
        .version(input.version);
    if let Some(token) = &token {
        signer = signer.token(token);
    }
    if let Some(realm) = &input.realm {
        signer = signer.realm(realm);
    }
    if let Some(callback) = &input.callback {
        signer = signer.callback(callback);
    }
    if let Some(verifier) = &input.verifier {
        signer = signer.verifier(verifier);
    }
    let body = if input.body.is_empty() && input.placement != Placement::Body {
        Body::Empty
    } else {
        Body::Form(&input.body)
    };
    let request = Request {
        method: &input.method,
        url,
        body,
    };
    let nonce = Nonce::new(input.nonce.as_str());
    Ok(signer.sign(&request, &nonce, Timestamp::from_secs(input.timestamp))?)
}

/// Signs `input` with [`Signer`] and shows each step on the way.
pub fn explain(input: &SigningInput) -> Result<Explanation, ExplainError> {
    check_method(&input.method)?;
    let url = parse_url(&input.url)?;
    check_form(&input.body)?;
    let keyed = signing_method(input)?;
    let method: &dyn SignatureMethod = match &keyed {
        Some(method) => method,
        None => signature::builtin(&input.signature_method)
            .ok_or_else(|| ExplainError::UnknownSignatureMethod(input.signature_method.clone()))?,
    };
    let token_secret = input.token_secret.as_deref().unwrap_or("");
    let signed = sign(input, &url, method)?;
    let parameters = parameters(&url, &input.body, &signed);
    let normalized = normalize_parameters(
        parameters
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str())),
    );
    let (dropped, lower_cased) = uri_notes(&input.url, &url);
    let section = key_section(method);
    Ok(Explanation {
        parameters: ParametersStep {
            section: "§3.4.1.3.1",
            encoding_section: "§3.6",
            parameters,
        },
        normalized: NormalizedStep {
            section: "§3.4.1.3.2",
            value: normalized,
        },
        uri: UriStep {
            section: "§3.4.1.2",
            value: base_string_uri(&url),
            dropped,
            lower_cased,
        },
        base_string: base_string_step(&signed.base_string),
        signing_key: SigningKeyStep {
            section,
            value: key_value(input, keyed.is_some(), token_secret),
        },
        signature: SignatureStep {
            section,
            method: method.name(),
            encoded: encode(&signed.signature).into_owned(),
            value: signed.signature.clone(),
        },
        output: output_step(input.placement, signed),
    })
}

/// §3.4.1.3.1: query, body, then the protocol parameters the signer sent.
fn parameters(url: &url::Url, body: &str, signed: &SignedRequest) -> Vec<Parameter> {
    let query = url.query().map(decode_form).unwrap_or_default();
    let form = decode_form(body);
    let protocol = signed
        .oauth_params
        .iter()
        .filter(|(name, _)| *name != "oauth_signature")
        .map(|(name, value)| ((*name).to_owned(), value.clone()));
    (query.into_iter().map(|p| (Source::Query, p)))
        .chain(form.into_iter().map(|p| (Source::Body, p)))
        .chain(protocol.map(|p| (Source::Protocol, p)))
        .map(|(source, (name, value))| Parameter {
            source,
            encoded_name: encode(&name).into_owned(),
            encoded_value: encode(&value).into_owned(),
            name,
            value,
        })
        .collect()
}

/// §3.4.1.1: the method holds no `&` (checked) and the encoded parts none either.
fn base_string_step(base_string: &str) -> BaseStringStep {
    let mut parts = base_string.splitn(3, '&');
    let mut part = || parts.next().unwrap_or_default().to_owned();
    BaseStringStep {
        section: "§3.4.1.1",
        method: part(),
        uri: part(),
        parameters: part(),
        value: base_string.to_owned(),
    }
}

/// The section that says how `method` makes its key and signature.
fn key_section(method: &dyn SignatureMethod) -> &'static str {
    match method.name() {
        "PLAINTEXT" => "§3.4.4",
        "RSA-SHA1" => "§3.4.3",
        _ => "§3.4.2",
    }
}

/// §3.5: what the signer made to send, where `placement` puts it.
fn output_step(placement: Placement, signed: SignedRequest) -> OutputStep {
    OutputStep {
        section: match placement {
            Placement::Header => "§3.5.1",
            Placement::Body => "§3.5.2",
            Placement::Query => "§3.5.3",
        },
        placement,
        authorization: signed.authorization,
        url: signed.url.to_string(),
        body: signed.body,
    }
}
