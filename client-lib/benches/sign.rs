//! Signing Twitter's "creating a signature" example request, end to end: parameter
//! collection, base string, HMAC-SHA1 and the `Authorization` header, side by side with
//! the oauth1-request crate on the same request, so the README's figure is a ratio
//! measured in one run. Also verification, the provider's per-request cost.
//!
//! `cargo bench -p oauth1-rfc5849 --bench sign`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use oauth1::{
    AccessToken, Body, ClientCredentials, IncomingRequest, Nonce, Request, SignatureMethod as _,
    SignedParams, Signer, Timestamp,
};
use url::Url;

/// The signature Twitter publishes for its example ("Creating a signature").
const SIGNATURE: &str = "hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D";

/// The example's parameters for oauth1-request, which signs typed requests (its derive
/// writes them sorted, as the base string needs them).
#[derive(oauth1_request::Request)]
struct StatusesUpdate<'a> {
    include_entities: bool,
    status: &'a str,
}

const BODY: &str = "status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21";

/// Twitter's example: the client, the token, the request and the nonce it signs with.
struct Example {
    client: ClientCredentials,
    token: AccessToken,
    url: Url,
    nonce: Nonce,
}

/// The example's timestamp.
const TIMESTAMP: Timestamp = Timestamp::from_secs(1318622958);

impl Example {
    fn new() -> Self {
        Self {
            client: ClientCredentials::new(
                "xvz1evFS4wEEPTGEFPHBog",
                "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            ),
            token: AccessToken::new(
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
            ),
            url: Url::parse(
                "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
            )
            .expect("the example URL"),
            nonce: Nonce::new("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
        }
    }

    fn request(&self) -> Request<'_> {
        Request {
            method: "POST",
            url: &self.url,
            body: Body::Form(BODY),
        }
    }

    fn signer(&self) -> Signer<'_> {
        Signer::new(&self.client).token(&self.token)
    }
}

/// The goal figure: what a client does per request, the `Authorization` header, next to
/// oauth1-request doing the same. Both are checked against Twitter's signature first.
fn authorization_header(c: &mut Criterion) {
    let example = Example::new();
    let (request, signer) = (example.request(), example.signer());
    let ours = signer
        .authorization(&request, &example.nonce, TIMESTAMP)
        .expect("signs");
    assert!(
        ours.contains(&format!("oauth_signature=\"{SIGNATURE}\"")),
        "{ours}"
    );

    let mut theirs = oauth1_request::Builder::<_, _>::new(
        oauth1_request::Credentials::new(
            example.client.key.as_str(),
            example.client.secret.secret(),
        ),
        oauth1_request::HmacSha1::new(),
    );
    theirs
        .token(oauth1_request::Credentials::new(
            example.token.token.as_str(),
            example.token.secret.secret(),
        ))
        .nonce(example.nonce.as_str())
        .timestamp(std::num::NonZeroU64::new(TIMESTAMP.as_secs()))
        .version(true);
    let update = StatusesUpdate {
        include_entities: true,
        status: "Hello Ladies + Gentlemen, a signed OAuth request!",
    };
    let update_url = "https://api.twitter.com/1.1/statuses/update.json";
    let header = theirs.post(update_url, &update);
    assert!(
        header.contains(&format!("oauth_signature=\"{SIGNATURE}\"")),
        "{header}"
    );

    let mut group = c.benchmark_group("sign twitter example: Authorization header (HMAC-SHA1)");
    group.bench_function("oauth1 Signer::authorization", |b| {
        b.iter(|| {
            signer
                .authorization(black_box(&request), &example.nonce, TIMESTAMP)
                .expect("signs")
        })
    });
    group.bench_function("oauth1-request 0.6 Builder::post", |b| {
        b.iter(|| theirs.post(black_box(update_url), black_box(&update)))
    });
    group.finish();
}

/// The same, also keeping the base string and parameters (for observers and teaching),
/// and the share of the cryptography alone in that figure.
fn signed_request(c: &mut Criterion) {
    let example = Example::new();
    let (request, signer) = (example.request(), example.signer());
    c.bench_function(
        "sign twitter example: SignedRequest with intermediates",
        |b| {
            b.iter(|| {
                signer
                    .sign(black_box(&request), &example.nonce, TIMESTAMP)
                    .expect("signs")
            })
        },
    );

    let signed = signer
        .sign(&request, &example.nonce, TIMESTAMP)
        .expect("signs");
    c.bench_function("HMAC-SHA1 of that base string alone", |b| {
        b.iter(|| {
            oauth1::HmacSha1.sign(
                black_box(&signed.base_string),
                example.client.secret.secret(),
                example.token.secret.secret(),
            )
        })
    });
}

/// Verification, the provider's cost per request: parsing the header, then HMAC-SHA1.
fn verify(c: &mut Criterion) {
    let example = Example::new();
    let signed = example
        .signer()
        .sign(&example.request(), &example.nonce, TIMESTAMP)
        .expect("signs");
    let authorization = signed.authorization.expect("a header");
    c.bench_function("verify twitter example (parse + HMAC-SHA1)", |b| {
        b.iter(|| {
            let incoming = IncomingRequest {
                method: "POST",
                url: &example.url,
                authorization: Some(black_box(&authorization)),
                content_type: Some("application/x-www-form-urlencoded"),
                body: BODY.as_bytes(),
            };
            let params = SignedParams::from_request(&incoming).expect("parses");
            params
                .verify_signature(&example.client.secret, Some(&example.token.secret))
                .expect("verifies")
        })
    });
}

criterion_group!(benches, authorization_header, signed_request, verify);
criterion_main!(benches);
