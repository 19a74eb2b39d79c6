//! A signature debugger: a request as sent and the secrets believed right, checked as
//! the provider checks it (§3.2), and when the signature does not match, the usual
//! [`Mistake`] that makes it match.

use std::fmt;

use super::ExplainError;
use super::input::{check_method, parse_url};
use super::mistakes::{Mistake, Param, Seen};
use crate::encode::decode_form;
use crate::header;
use crate::verify::{IncomingRequest, Location, SignedParams, VerifyError};

const FORM: &str = "application/x-www-form-urlencoded";

/// A signed request as it was sent, and the secrets the person believes are right.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct DiagnoseInput {
    pub method: String,
    /// The full URL the request was sent to, query included.
    pub url: String,
    #[serde(default)]
    pub body: String,
    /// The body's `Content-Type`; when absent, a body that is not empty is taken as
    /// `application/x-www-form-urlencoded`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The `Authorization` header as sent; absent when the protocol parameters travel
    /// in the query or the body (§3.5).
    #[serde(default)]
    pub authorization: Option<String>,
    pub consumer_secret: String,
    #[serde(default)]
    pub token_secret: Option<String>,
}

/// The outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The signature is the one the server computes: the provider accepts it.
    Match,
    /// It is not, and a usual mistake explains it (see [`Diagnosis::mistakes`]).
    Mistake,
    /// It is not, and no usual mistake explains it: the secrets given may not be the
    /// ones the client used, or the client changed the request after signing it.
    Unexplained,
}

/// A mistake that reproduces the signature received.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FoundMistake {
    pub mistake: Mistake,
    pub title: &'static str,
    pub section: &'static str,
    pub explanation: &'static str,
    /// What exactly the client did, for this request.
    pub detail: String,
    /// The base string the client apparently signed.
    pub client_base_string: String,
    /// The method the client apparently signed with.
    pub client_signature_method: &'static str,
    /// The byte offset of the first difference from the server's base string, if any.
    pub first_difference: Option<usize>,
}

/// What the server makes of the request, and why the signature does not match.
#[derive(Clone, serde::Serialize)]
pub struct Diagnosis {
    pub verdict: Verdict,
    /// Where the protocol parameters were found (§3.5).
    pub location: Location,
    /// `oauth_signature_method` as sent.
    pub signature_method: &'static str,
    pub received_signature: String,
    /// What the server computes with the secrets given (with PLAINTEXT, the secrets).
    pub expected_signature: String,
    /// The base string the server builds (§3.4.1).
    pub server_base_string: String,
    /// Each mistake that reproduces the received signature; empty unless the verdict
    /// is [`Verdict::Mistake`].
    pub mistakes: Vec<FoundMistake>,
}

impl fmt::Debug for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Diagnosis")
            .field("verdict", &self.verdict)
            .field("server_base_string", &self.server_base_string)
            .field("mistakes", &self.mistakes)
            .finish_non_exhaustive()
    }
}

fn is_form(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(FORM))
}

/// Reads the request as the provider does ([`SignedParams::from_request`], the header
/// with the strict parser of [`header::parse`]): what it would refuse with 400 is an
/// [`ExplainError::Rejected`]. Then compares the signature with the server's and, when
/// they differ, with those of the usual mistakes.
pub fn diagnose(input: &DiagnoseInput) -> Result<Diagnosis, ExplainError> {
    check_method(&input.method)?;
    let url = parse_url(&input.url)?;
    let authorization = input.authorization.as_deref().filter(|h| !h.is_empty());
    let header_params = match authorization {
        Some(value) => header::parse(value).map_err(VerifyError::from)?,
        None => Vec::new(),
    };
    let content_type = content_type(input);
    let request = IncomingRequest {
        method: &input.method,
        url: &url,
        authorization,
        content_type,
        body: input.body.as_bytes(),
    };
    let signed = SignedParams::from_request(&request)?;
    if signed.signature_method().name() == "RSA-SHA1" {
        return Err(ExplainError::NotSharedSecret);
    }
    let form = content_type
        .is_some_and(is_form)
        .then_some(input.body.as_str());
    let params = signed_parameters(header_params, &url, form);

    let method = signed.signature_method();
    let received = signed.signature();
    let consumer_secret = input.consumer_secret.as_str();
    let token_secret = input.token_secret.as_deref().unwrap_or("");
    let expected = method.sign(&signed.base_string, consumer_secret, token_secret);
    let mut diagnosis = Diagnosis {
        verdict: Verdict::Match,
        location: signed.location,
        signature_method: method.name(),
        received_signature: received.to_owned(),
        expected_signature: expected,
        server_base_string: signed.base_string.clone(),
        mistakes: Vec::new(),
    };
    if method.verify(&signed.base_string, consumer_secret, token_secret, received) {
        return Ok(diagnosis);
    }
    let seen = Seen {
        method: &input.method,
        url: &url,
        params: &params,
        server_base_string: &signed.base_string,
        signature_method: method,
        token_secret_given: signed.token.is_some() && !token_secret.is_empty(),
    };
    diagnosis.mistakes = found_mistakes(&seen, consumer_secret, token_secret, received);
    diagnosis.verdict = if diagnosis.mistakes.is_empty() {
        Verdict::Unexplained
    } else {
        Verdict::Mistake
    };
    Ok(diagnosis)
}

/// The body's `Content-Type`, a body that is not empty being a form when none is given.
fn content_type(input: &DiagnoseInput) -> Option<&str> {
    match &input.content_type {
        Some(content_type) => Some(content_type.as_str()),
        None if !input.body.is_empty() => Some(FORM),
        None => None,
    }
}

/// §3.4.1.3.1: the header's parameters but `realm`, the query's, the form body's; all
/// but `oauth_signature`.
fn signed_parameters(
    header_params: Vec<(String, String)>,
    url: &url::Url,
    form: Option<&str>,
) -> Vec<Param> {
    let param = |from_body| {
        move |(name, value)| Param {
            name,
            value,
            from_body,
        }
    };
    (header_params.into_iter().filter(|(k, _)| k != "realm"))
        .chain(url.query().map(decode_form).unwrap_or_default())
        .map(param(false))
        .chain(
            form.map(decode_form)
                .unwrap_or_default()
                .into_iter()
                .map(param(true)),
        )
        .filter(|p| p.name != "oauth_signature")
        .collect()
}

/// Each usual mistake whose signature is the one received, once, in the order of
/// [`Mistake::ALL`].
fn found_mistakes(
    seen: &Seen<'_>,
    consumer_secret: &str,
    token_secret: &str,
    received: &str,
) -> Vec<FoundMistake> {
    let mut found: Vec<FoundMistake> = Vec::new();
    for attempt in seen.attempts() {
        if found.iter().any(|m| m.mistake == attempt.mistake) {
            continue;
        }
        let key_token_secret = if attempt.empty_token_secret {
            ""
        } else {
            token_secret
        };
        if attempt.method.verify(
            &attempt.base_string,
            consumer_secret,
            key_token_secret,
            received,
        ) {
            found.push(FoundMistake {
                mistake: attempt.mistake,
                title: attempt.mistake.title(),
                section: attempt.mistake.section(),
                explanation: attempt.mistake.explanation(),
                detail: attempt.detail,
                first_difference: first_difference(seen.server_base_string, &attempt.base_string),
                client_base_string: attempt.base_string,
                client_signature_method: attempt.method.name(),
            });
        }
    }
    found
}

/// The byte offset where two strings first differ; `None` when they are equal.
fn first_difference(a: &str, b: &str) -> Option<usize> {
    let common = a.bytes().zip(b.bytes()).position(|(x, y)| x != y);
    common.or((a.len() != b.len()).then(|| a.len().min(b.len())))
}
