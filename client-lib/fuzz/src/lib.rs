//! What the fuzz targets check, one function per target. The regression test
//! `client-lib/tests/it/fuzz_corpus.rs` runs the same functions over every saved input
//! (`corpus/` and any crash in `artifacts/`) on stable, in the normal test suite.
//!
//! Each function takes arbitrary bytes and panics only when a property fails.

use oauth1::base_string::normalize_parameters;
use oauth1::encode::{decode_form, encode, reencode_form};
use oauth1::verify::MAX_PARAMETERS;
use oauth1::{
    Body, ClientCredentials, ConsumerSecret, IncomingRequest, Nonce, Request, RequestToken,
    SignedParams, Signer, Timestamp, TokenSecret, VerifyError, header,
};
use url::Url;

/// The `Authorization` parser (RFC 5849 §3.5.1) is total, and whatever it reads renders
/// back into a header that reads the same (realm first, as rendering puts it).
pub fn header(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(params) = header::parse(text) else {
        return;
    };
    let realms = params.iter().filter(|(k, _)| k == "realm").count();
    if realms > 1 {
        return;
    }
    let realm = params
        .iter()
        .find(|(k, _)| k == "realm")
        .map(|(_, v)| v.as_str());
    let rest: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "realm")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let rendered = header::render(realm, rest.iter().copied());
    let again = header::parse(&rendered)
        .unwrap_or_else(|e| panic!("the rendered header {rendered:?} does not parse: {e}"));
    let mut expected: Vec<(String, String)> = Vec::new();
    if let Some(realm) = realm {
        expected.push(("realm".to_owned(), realm.to_owned()));
    }
    expected.extend(rest.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    assert_eq!(again, expected, "round trip of {text:?}");
}

/// Form text re-encoded in one pass (§3.4.1.3.1, §3.6) equals decoding then encoding,
/// and the normalized parameters (§3.4.1.3.2) come out sorted.
pub fn normalize(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let decoded = decode_form(text);
    let expected: Vec<(String, String)> = decoded
        .iter()
        .map(|(k, v)| (encode(k).into_owned(), encode(v).into_owned()))
        .collect();
    let got: Vec<(String, String)> = reencode_form(text)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(got, expected, "re-encoding {text:?}");

    let normalized = normalize_parameters(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let mut sorted = expected;
    sorted.sort();
    let joined: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(normalized, joined.join("&"), "normalizing {text:?}");
}

/// The verify entry point is total over method, URL, header, content type and body; and a
/// request this crate signs, whatever its query and form body, verifies.
///
/// Input layout: URL path and query, `0xFF`, header, `0xFF`, body, `0xFF`, flags
/// (bit 0: form content type, bit 1: POST).
pub fn verify(data: &[u8]) {
    let mut parts = data.splitn(4, |b| *b == 0xff);
    let (path, header, body, flags) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let flags = flags.first().copied().unwrap_or(0);
    let Ok(url) = Url::parse(&format!(
        "http://example.com/{}",
        String::from_utf8_lossy(path)
    )) else {
        return;
    };
    let form = flags & 1 == 1;
    let method = if flags & 2 == 2 { "POST" } else { "GET" };
    let content_type = form.then_some("application/x-www-form-urlencoded");

    // Anything at all: an answer, never a panic.
    let incoming = IncomingRequest {
        method,
        url: &url,
        authorization: std::str::from_utf8(header).ok(),
        content_type,
        body,
    };
    if let Ok(params) = SignedParams::from_request(&incoming) {
        let _ = params.verify_signature(
            &ConsumerSecret::new("consumer secret"),
            Some(&TokenSecret::new("token secret")),
        );
    }
    if let Ok(body_text) = std::str::from_utf8(body) {
        signed_here_verifies(incoming, form, body_text);
    }
}

/// Signed here, verified here: `incoming` (its method, URL and body) signed with this
/// crate's signer verifies, or is refused only for a reason of its own shape.
fn signed_here_verifies(incoming: IncomingRequest<'_>, form: bool, body_text: &str) {
    let (method, url, body) = (incoming.method, incoming.url, incoming.body);
    let client = ClientCredentials::new("key", "consumer secret");
    let token = RequestToken::new("token", "token secret");
    let signed_body = if form {
        Body::Form(body_text)
    } else {
        Body::Other(body)
    };
    let Ok(authorization) = Signer::new(&client).token(&token).authorization(
        &Request {
            method,
            url,
            body: signed_body,
        },
        &Nonce::new("nonce"),
        Timestamp::from_secs(1),
    ) else {
        return;
    };
    let incoming = IncomingRequest {
        authorization: Some(&authorization),
        ..incoming
    };
    let result = SignedParams::from_request(&incoming)
        .and_then(|params| params.verify_signature(&client.secret, Some(&token.secret)));
    match result {
        Ok(()) => {}
        // Protocol parameters also in the query or body, or too many parameters: refused
        // before any signature is checked, as they must be.
        Err(
            VerifyError::MultipleLocations(..)
            | VerifyError::DuplicatedParameter(_)
            | VerifyError::TooManyParameters,
        ) => {
            let extra = url.query_pairs().count()
                + if form {
                    decode_form(body_text).len()
                } else {
                    0
                };
            let oauth_elsewhere = url.query_pairs().any(|(k, _)| k.starts_with("oauth_"))
                || (form
                    && decode_form(body_text)
                        .iter()
                        .any(|(k, _)| k.starts_with("oauth_")));
            assert!(
                oauth_elsewhere || extra + 8 > MAX_PARAMETERS,
                "refused without cause: {url} {body_text:?}"
            );
        }
        Err(e) => panic!("a request signed here does not verify: {e} ({url}, {body_text:?})"),
    }
}
