//! The signature debugger of `oauth1::explain`: each usual mistake, made by a test the
//! way a buggy client makes it on a request signed by `Signer`, is named, and only it.
//! The request is Twitter's "Creating a signature" example, from the presets.

use oauth1::base_string::{base_string_uri, normalize_encoded_parameters};
use oauth1::encode::{decode_form, encode, encode_form};
use oauth1::explain::{
    DiagnoseInput, Diagnosis, ExplainError, Mistake, SigningInput, Verdict, diagnose, preset,
};
use oauth1::header::HeaderError;
use oauth1::{
    AccessToken, Body, ClientCredentials, HmacSha1, HmacSha256, Nonce, Placement, Request,
    SignatureMethod, SignedRequest, Signer, Timestamp, VerifyError,
};
use url::Url;

fn twitter() -> SigningInput {
    preset("twitter-statuses-update").unwrap().input
}

/// Signs the preset's request with `Signer`, as a correct client does; `url` and `body`
/// replace the preset's, `token_secret` its token secret, `method` its method.
fn sign_with(
    url: &str,
    body: Body<'_>,
    token_secret: &str,
    method: &'static dyn SignatureMethod,
) -> SignedRequest {
    let input = twitter();
    let client = ClientCredentials::new(input.consumer_key, input.consumer_secret);
    let token = AccessToken::new(input.token.unwrap(), token_secret);
    let url = Url::parse(url).unwrap();
    Signer::new(&client)
        .token(&token)
        .method(method)
        .sign(
            &Request {
                method: &input.method,
                url: &url,
                body,
            },
            &Nonce::new(input.nonce),
            Timestamp::from_secs(input.timestamp),
        )
        .unwrap()
}

fn sign() -> SignedRequest {
    let input = twitter();
    let token_secret = input.token_secret.unwrap();
    sign_with(
        &input.url,
        Body::Form(&input.body),
        &token_secret,
        &HmacSha1,
    )
}

/// The header of `signed` with another signature in it.
fn header_with(signed: &SignedRequest, signature: &str) -> String {
    oauth1::header::render(
        None,
        signed.oauth_params.iter().map(|(k, v)| match *k {
            "oauth_signature" => (*k, signature),
            _ => (*k, v.as_str()),
        }),
    )
}

/// The preset's request as sent, with this header, checked with the right secrets.
fn diagnose_sent(authorization: &str) -> Result<Diagnosis, ExplainError> {
    let input = twitter();
    diagnose(&DiagnoseInput {
        method: input.method,
        url: input.url,
        body: input.body,
        content_type: None,
        authorization: Some(authorization.to_owned()),
        consumer_secret: input.consumer_secret,
        token_secret: input.token_secret,
    })
}

fn assert_only(diagnosis: &Diagnosis, mistake: Mistake) {
    assert_eq!(diagnosis.verdict, Verdict::Mistake, "{diagnosis:?}");
    let named: Vec<Mistake> = diagnosis.mistakes.iter().map(|m| m.mistake).collect();
    assert_eq!(named, [mistake], "{diagnosis:?}");
    let found = &diagnosis.mistakes[0];
    assert_eq!(found.section, mistake.section());
    assert!(found.section.starts_with('§'));
    assert!(found.explanation.ends_with('.'));
    assert_eq!(diagnosis.server_base_string, sign().base_string);
}

/// The client's base string (`client`) signed with the preset's secrets.
fn signed_by_buggy_client(client: &str, method: &dyn SignatureMethod) -> String {
    let input = twitter();
    method.sign(
        client,
        &input.consumer_secret,
        input.token_secret.as_deref().unwrap(),
    )
}

#[test]
fn a_correct_request_matches() {
    let signed = sign();
    let diagnosis = diagnose_sent(signed.authorization.as_deref().unwrap()).unwrap();
    assert_eq!(diagnosis.verdict, Verdict::Match);
    assert!(diagnosis.mistakes.is_empty());
    assert_eq!(diagnosis.received_signature, signed.signature);
    assert_eq!(diagnosis.expected_signature, signed.signature);
    assert_eq!(diagnosis.server_base_string, signed.base_string);
}

#[test]
fn a_correct_request_with_its_parameters_in_the_query_matches() {
    let input = twitter();
    let client = ClientCredentials::new(&input.consumer_key, &input.consumer_secret);
    let token = AccessToken::new(input.token.unwrap(), input.token_secret.clone().unwrap());
    let url = Url::parse(&input.url).unwrap();
    let signed = Signer::new(&client)
        .token(&token)
        .placement(Placement::Query)
        .sign(
            &Request {
                method: "POST",
                url: &url,
                body: Body::Form(&input.body),
            },
            &Nonce::new("n"),
            Timestamp::from_secs(1),
        )
        .unwrap();
    let diagnosis = diagnose(&DiagnoseInput {
        method: "POST".into(),
        url: signed.url.to_string(),
        body: input.body,
        content_type: None,
        authorization: None,
        consumer_secret: input.consumer_secret,
        token_secret: input.token_secret,
    })
    .unwrap();
    assert_eq!(diagnosis.verdict, Verdict::Match);
    assert_eq!(diagnosis.location, oauth1::Location::Query);
}

#[test]
fn wrong_secrets_are_unexplained() {
    let signed = sign();
    let mut input = twitter();
    input.consumer_secret.push('x');
    let diagnosis = diagnose(&DiagnoseInput {
        method: input.method,
        url: input.url,
        body: input.body,
        content_type: None,
        authorization: signed.authorization,
        consumer_secret: input.consumer_secret,
        token_secret: input.token_secret,
    })
    .unwrap();
    assert_eq!(diagnosis.verdict, Verdict::Unexplained);
    assert!(diagnosis.mistakes.is_empty());
}

/// (a) The client encoded the body's values itself, then signed them with a library
/// that encodes them again, and sent the body encoded once.
#[test]
fn parameters_encoded_twice() {
    let input = twitter();
    let pairs: Vec<(String, String)> = decode_form(&input.body)
        .into_iter()
        .map(|(k, v)| (encode(&k).into_owned(), encode(&v).into_owned()))
        .collect();
    let double = encode_form(&pairs);
    let buggy = sign_with(
        &input.url,
        Body::Form(&double),
        input.token_secret.as_deref().unwrap(),
        &HmacSha1,
    );
    let diagnosis = diagnose_sent(&header_with(&sign(), &buggy.signature)).unwrap();
    assert_only(&diagnosis, Mistake::DoubleEncoding);
    assert_eq!(diagnosis.mistakes[0].client_base_string, buggy.base_string);
}

/// (a) The client encoded the whole base string once more before signing it.
#[test]
fn base_string_encoded_twice() {
    let signed = sign();
    let client = encode(&signed.base_string).into_owned();
    let signature = signed_by_buggy_client(&client, &HmacSha1);
    let diagnosis = diagnose_sent(&header_with(&signed, &signature)).unwrap();
    assert_only(&diagnosis, Mistake::DoubleEncoding);
    assert_eq!(diagnosis.mistakes[0].client_base_string, client);
}

/// (b) The client normalized with the form encoding, `+` for a space.
#[test]
fn plus_for_space() {
    let input = twitter();
    let signed = sign();
    let url = Url::parse(&input.url).unwrap();
    let mut params = decode_form(url.query().unwrap());
    params.extend(decode_form(&input.body));
    params.extend(
        (signed.oauth_params.iter())
            .filter(|(k, _)| *k != "oauth_signature")
            .map(|(k, v)| (k.to_string(), v.clone())),
    );
    let form_encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
    let normalized = normalize_encoded_parameters(
        (params.iter()).map(|(k, v)| (form_encode(k), form_encode(v))),
    );
    let client = format!(
        "POST&{}&{}",
        encode(&base_string_uri(&url)),
        encode(&normalized)
    );
    assert!(client.contains("Hello%2BLadies"));
    let signature = signed_by_buggy_client(&client, &HmacSha1);
    let diagnosis = diagnose_sent(&header_with(&signed, &signature)).unwrap();
    assert_only(&diagnosis, Mistake::PlusForSpace);
    assert_eq!(diagnosis.mistakes[0].client_base_string, client);
}

/// (c) The client signed the request as if it had no body.
#[test]
fn body_parameters_left_out() {
    let input = twitter();
    let buggy = sign_with(
        &input.url,
        Body::Empty,
        input.token_secret.as_deref().unwrap(),
        &HmacSha1,
    );
    let diagnosis = diagnose_sent(buggy.authorization.as_deref().unwrap()).unwrap();
    assert_only(&diagnosis, Mistake::BodyParametersLeftOut);
    assert_eq!(diagnosis.mistakes[0].client_base_string, buggy.base_string);
}

/// (d) The client built the base string URI with `:443`.
#[test]
fn default_port_included() {
    let signed = sign();
    let mut parts = signed.base_string.splitn(3, '&');
    let (method, _, params) = (parts.next(), parts.next(), parts.next());
    let client = format!(
        "{}&{}&{}",
        method.unwrap(),
        encode("https://api.twitter.com:443/1.1/statuses/update.json"),
        params.unwrap()
    );
    let signature = signed_by_buggy_client(&client, &HmacSha1);
    let diagnosis = diagnose_sent(&header_with(&signed, &signature)).unwrap();
    assert_only(&diagnosis, Mistake::PortIncluded);
    let found = &diagnosis.mistakes[0];
    assert_eq!(found.client_base_string, client);
    // The first byte to differ: `%3A` (the `:` of `:443`) against `%2F` (the path's `/`).
    assert_eq!(
        found.first_difference,
        Some("POST&https%3A%2F%2Fapi.twitter.com%".len())
    );
}

/// (e) The client signed the http URL of a request sent over https.
#[test]
fn other_scheme() {
    let input = twitter();
    let http = input.url.replacen("https:", "http:", 1);
    let buggy = sign_with(
        &http,
        Body::Form(&input.body),
        input.token_secret.as_deref().unwrap(),
        &HmacSha1,
    );
    let diagnosis = diagnose_sent(buggy.authorization.as_deref().unwrap()).unwrap();
    assert_only(&diagnosis, Mistake::OtherScheme);
    assert_eq!(diagnosis.mistakes[0].client_base_string, buggy.base_string);
}

/// (e) RFC 5849 §1.2 prints its protected-resource request over https with a
/// signature computed over http (RFC errata): the debugger says so.
#[test]
fn the_rfc_resource_request_as_printed_is_signed_over_the_other_scheme() {
    let diagnosis = diagnose(&DiagnoseInput {
        method: "GET".into(),
        url: "https://photos.example.net/photos?file=vacation.jpg&size=original".into(),
        body: String::new(),
        content_type: None,
        authorization: Some(
            "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", \
             oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"HMAC-SHA1\", \
             oauth_timestamp=\"137131202\", oauth_nonce=\"chapoH\", \
             oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\""
                .into(),
        ),
        consumer_secret: "kd94hf93k423kf44".into(),
        token_secret: Some("pfkkdhi9sl3r4s00".into()),
    })
    .unwrap();
    assert_eq!(diagnosis.verdict, Verdict::Mistake);
    let named: Vec<Mistake> = diagnosis.mistakes.iter().map(|m| m.mistake).collect();
    assert_eq!(named, [Mistake::OtherScheme]);
    assert!(
        diagnosis.mistakes[0]
            .client_base_string
            .starts_with("GET&http%3A%2F%2Fphotos.example.net%2Fphotos&")
    );
}

/// (f) The client left the token secret out of the key.
#[test]
fn empty_token_secret() {
    let input = twitter();
    let buggy = sign_with(&input.url, Body::Form(&input.body), "", &HmacSha1);
    let diagnosis = diagnose_sent(buggy.authorization.as_deref().unwrap()).unwrap();
    assert_only(&diagnosis, Mistake::EmptyTokenSecret);
}

/// (g) The header says HMAC-SHA1; the client computed HMAC-SHA256.
#[test]
fn sha256_signed_but_sha1_sent() {
    let signed = sign();
    let signature = signed_by_buggy_client(&signed.base_string, &HmacSha256);
    let diagnosis = diagnose_sent(&header_with(&signed, &signature)).unwrap();
    assert_only(&diagnosis, Mistake::WrongSignatureMethod);
    assert_eq!(diagnosis.mistakes[0].client_signature_method, "HMAC-SHA256");
}

/// (g) The header says HMAC-SHA256; the client computed HMAC-SHA1.
#[test]
fn sha1_signed_but_sha256_sent() {
    let input = twitter();
    let token_secret = input.token_secret.clone().unwrap();
    let signed = sign_with(
        &input.url,
        Body::Form(&input.body),
        &token_secret,
        &HmacSha256,
    );
    let signature = signed_by_buggy_client(&signed.base_string, &HmacSha1);
    let diagnosis = diagnose_sent(&header_with(&signed, &signature)).unwrap();
    assert_only_with_base(
        &diagnosis,
        Mistake::WrongSignatureMethod,
        &signed.base_string,
    );
    assert_eq!(diagnosis.signature_method, "HMAC-SHA256");
    assert_eq!(diagnosis.mistakes[0].client_signature_method, "HMAC-SHA1");
}

fn assert_only_with_base(diagnosis: &Diagnosis, mistake: Mistake, server_base_string: &str) {
    let named: Vec<Mistake> = diagnosis.mistakes.iter().map(|m| m.mistake).collect();
    assert_eq!(named, [mistake], "{diagnosis:?}");
    assert_eq!(diagnosis.server_base_string, server_base_string);
}

/// Malformed requests are refused as the provider refuses them, with its errors.
#[test]
fn malformed_headers_are_the_provider_s_errors() {
    let signed = sign();
    let without_signature = oauth1::header::render(
        None,
        (signed.oauth_params.iter())
            .filter(|(k, _)| *k != "oauth_signature")
            .map(|(k, v)| (*k, v.as_str())),
    );
    let twice = format!(
        "{}, oauth_nonce=\"again\"",
        signed.authorization.as_deref().unwrap()
    );
    let cases = [
        (
            "OAuth oauth_consumer_key=abc",
            VerifyError::MalformedHeader(HeaderError::UnquotedValue { index: 0 }),
        ),
        (
            "Basic dXNlcjpwYXNz",
            VerifyError::MalformedHeader(HeaderError::NotOAuth),
        ),
        (
            "OAuth oauth_consumer_key=\"%zz\"",
            VerifyError::MalformedHeader(HeaderError::BadEncoding { index: 0 }),
        ),
        (
            without_signature.as_str(),
            VerifyError::MissingParameter("oauth_signature"),
        ),
        (
            twice.as_str(),
            VerifyError::DuplicatedParameter("oauth_nonce".into()),
        ),
    ];
    for (header, expected) in cases {
        let message = expected.to_string();
        match diagnose_sent(header) {
            Err(ExplainError::Rejected(error)) => {
                assert_eq!(error, expected, "{header}");
                assert!(
                    ExplainError::Rejected(error)
                        .to_string()
                        .ends_with(&message),
                    "{header}"
                );
            }
            other => panic!("{header}: {:?}", other.map(|d| d.verdict)),
        }
    }
}
