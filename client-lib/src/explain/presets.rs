//! The published examples, ready to load into a playground, each with the signature its
//! source prints. `tests/it/vectors.rs` checks them against its own copy of the vectors.

use super::input::SigningInput;
use crate::sign::Placement;

/// A published example: the request, its secrets, and the signature it must give.
#[derive(Clone, serde::Serialize)]
pub struct Preset {
    /// What `preset` and the example's `--preset` take.
    pub name: &'static str,
    pub title: &'static str,
    /// Where it is published.
    pub source: &'static str,
    pub input: SigningInput,
    pub expected_signature: &'static str,
}

/// The client of RFC 5849 §1.2, printer.example.com at photos.example.net.
const PRINTER_KEY: &str = "dpf43f3p2l4k3l03";
const PRINTER_SECRET: &str = "kd94hf93k423kf44";

#[allow(clippy::too_many_arguments)]
fn input(
    method: &str,
    url: &str,
    body: &str,
    (consumer_key, consumer_secret): (&str, &str),
    token: Option<(&str, &str)>,
    realm: Option<&str>,
    (nonce, timestamp): (&str, u64),
    version: bool,
) -> SigningInput {
    SigningInput {
        method: method.to_owned(),
        url: url.to_owned(),
        body: body.to_owned(),
        consumer_key: consumer_key.to_owned(),
        consumer_secret: consumer_secret.to_owned(),
        token: token.map(|(token, _)| token.to_owned()),
        token_secret: token.map(|(_, secret)| secret.to_owned()),
        signature_method: "HMAC-SHA1".to_owned(),
        rsa_private_key: None,
        placement: Placement::Header,
        realm: realm.map(str::to_owned),
        callback: None,
        verifier: None,
        version,
        nonce: nonce.to_owned(),
        timestamp,
    }
}

/// Every preset: RFC 5849 §1.2's three legs and its resource call, the normalization
/// example of §3.4.1, and Twitter's "Creating a signature".
pub fn presets() -> Vec<Preset> {
    let mut all = rfc5849_example_flow();
    all.push(rfc5849_normalization());
    all.push(twitter_statuses_update());
    #[cfg(feature = "rsa")]
    all.push(rsa_normalization());
    all
}

/// RFC 5849 §1.2: the printer's three legs at photos.example.net, and the photo.
fn rfc5849_example_flow() -> Vec<Preset> {
    let printer = (PRINTER_KEY, PRINTER_SECRET);
    vec![
        Preset {
            name: "rfc5849-temporary-credentials",
            title: "Temporary credentials: the printer asks photos.example.net for a request token",
            source: "RFC 5849 §1.2",
            input: SigningInput {
                callback: Some("http://printer.example.com/ready".to_owned()),
                ..input(
                    "POST",
                    "https://photos.example.net/initiate",
                    "",
                    printer,
                    None,
                    Some("Photos"),
                    ("wIjqoS", 137131200),
                    false,
                )
            },
            expected_signature: "74KNZJeDHnMBp0EMJ9ZHt/XKycU=",
        },
        Preset {
            name: "rfc5849-token-credentials",
            title: "Token credentials: the request token and its verifier for an access token",
            source: "RFC 5849 §1.2",
            input: SigningInput {
                verifier: Some("hfdp7dh39dks9884".to_owned()),
                ..input(
                    "POST",
                    "https://photos.example.net/token",
                    "",
                    printer,
                    Some(("hh5s93j4hdidpola", "hdhd0244k9j7ao03")),
                    Some("Photos"),
                    ("walatlh", 137131201),
                    false,
                )
            },
            expected_signature: "gKgrFCywp7rO0OXSjdot/IHF7IU=",
        },
        Preset {
            name: "rfc5849-protected-resource",
            title: "A protected resource: the photo, over http as the RFC's signature was computed",
            source: "RFC 5849 §1.2",
            input: input(
                "GET",
                "http://photos.example.net/photos?file=vacation.jpg&size=original",
                "",
                printer,
                Some(("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")),
                Some("Photos"),
                ("chapoH", 137131202),
                false,
            ),
            expected_signature: "MdpQcU8iPSUjWoN/UDMsK2sui9I=",
        },
    ]
}

/// RFC 5849 §3.4.1: repeated, empty and encoded parameters, with erratum 2550's signature.
fn rfc5849_normalization() -> Preset {
    Preset {
        name: "rfc5849-normalization",
        title: "Normalization: repeated, empty and encoded parameters from query and body",
        source: "RFC 5849 §3.4.1 (the signature as corrected by erratum 2550)",
        input: input(
            "POST",
            "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
            "c2&a3=2+q",
            ("9djdj82h48djs9d2", "j49sk3j29djd"),
            Some(("kkk9d7dh3k39sjv7", "dh893hdasih9")),
            Some("Example"),
            ("7d8f3e4a", 137131201),
            false,
        ),
        expected_signature: "r6/TJjbCOr97/+UU0NsvSne7s5g=",
    }
}

/// Twitter's "Creating a signature": a status update with a query and a form body.
fn twitter_statuses_update() -> Preset {
    Preset {
        name: "twitter-statuses-update",
        title: "Twitter: posting a status, with a query and a form body",
        source: "Twitter (X) developer documentation, \"Creating a signature\"",
        input: input(
            "POST",
            "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
            "status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21",
            (
                "xvz1evFS4wEEPTGEFPHBog",
                "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            ),
            Some((
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
            )),
            None,
            ("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", 1318622958),
            true,
        ),
        expected_signature: "hCtSmYh+iHYCEqBWrE7C7hYmtUk=",
    }
}

/// §3.4.1's request signed with RSA-SHA1 (§3.4.3) by the 1024-bit key of oauthlib's
/// tests. The signature is OpenSSL's over this base string (`openssl dgst -sha1 -sign`),
/// the way oauthlib computed its own vector.
#[cfg(feature = "rsa")]
fn rsa_normalization() -> Preset {
    let base = input(
        "POST",
        "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        "c2&a3=2+q",
        ("9djdj82h48djs9d2", ""),
        Some(("kkk9d7dh3k39sjv7", "")),
        Some("Example"),
        ("7d8f3e4a", 137131201),
        false,
    );
    Preset {
        name: "rsa-sha1-normalization",
        title: "RSA-SHA1: the normalization example signed with a private key instead of secrets",
        source: "RFC 5849 §3.4.3, with oauthlib's test key and OpenSSL's signature",
        input: SigningInput {
            signature_method: "RSA-SHA1".to_owned(),
            rsa_private_key: Some(OAUTHLIB_TEST_KEY.to_owned()),
            token_secret: None,
            ..base
        },
        expected_signature: "3/p38uARbzckLjITD5O7QtBRhvRuQsgM622bgUqVGhtbgPIeiDMKnwPS3IgAX46H6V5gGrmkAZHDnmBb0bIqNqgBEaEnHtKS5e0rfIY3F31pMNB2sOQ/0fXE6c3jCNy/Vv3QDPii1exQH4ydKXjg6cPt52kMxBspX8ROc92DnAk=",
    }
}

/// The private key of oauthlib's RSA tests (tests/oauth1/rfc5849/test_signatures.py):
/// published, so for examples only.
#[cfg(feature = "rsa")]
const OAUTHLIB_TEST_KEY: &str = include_str!("../../tests/keys/oauthlib-private.pem");

/// The preset of that name.
pub fn preset(name: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.name == name)
}
