//! Published vectors, asserted byte for byte: RFC 5849 §1.2 and §3.4.1, and Twitter's
//! "Creating a signature" page.

use oauth1::base_string::normalize_parameters;
use oauth1::encode::decode_form;
use oauth1::{
    AccessToken, Body, ClientCredentials, IncomingRequest, Nonce, Request, RequestToken,
    SignedParams, Signer, Timestamp,
};
use url::Url;

fn photos_client() -> ClientCredentials {
    ClientCredentials::new("dpf43f3p2l4k3l03", "kd94hf93k423kf44")
}

#[test]
fn rfc5849_1_2_temporary_credentials_request() {
    let url = Url::parse("https://photos.example.net/initiate").unwrap();
    let client = photos_client();
    let signed = Signer::new(&client)
        .version(false)
        .realm("Photos")
        .callback("http://printer.example.com/ready")
        .sign(
            &Request {
                method: "POST",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::new("wIjqoS"),
            Timestamp::from_secs(137131200),
        )
        .unwrap();
    assert_eq!(signed.signature, RFC_1_2_TEMPORARY_SIGNATURE);
    assert_eq!(signed.base_string, RFC_1_2_TEMPORARY_BASE_STRING);
    assert_eq!(
        signed.authorization.unwrap(),
        RFC_1_2_TEMPORARY_AUTHORIZATION
    );
}

/// RFC 5849 §1.2, the temporary-credentials request.
const RFC_1_2_TEMPORARY_SIGNATURE: &str = "74KNZJeDHnMBp0EMJ9ZHt/XKycU=";
const RFC_1_2_TEMPORARY_BASE_STRING: &str = "POST&https%3A%2F%2Fphotos.example.net%2Finitiate&\
    oauth_callback%3Dhttp%253A%252F%252Fprinter.example.com%252Fready%26oauth_consumer_key%3D\
    dpf43f3p2l4k3l03%26oauth_nonce%3DwIjqoS%26oauth_signature_method%3DHMAC-SHA1%26\
    oauth_timestamp%3D137131200";
const RFC_1_2_TEMPORARY_AUTHORIZATION: &str = "OAuth realm=\"Photos\", \
    oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\", \
    oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_nonce=\"wIjqoS\", \
    oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\", \
    oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131200\"";
/// RFC 5849 §1.2, the token request.
const RFC_1_2_TOKEN_SIGNATURE: &str = "gKgrFCywp7rO0OXSjdot/IHF7IU=";
/// RFC 5849 §1.2, the protected resource (signed over http).
const RFC_1_2_RESOURCE_SIGNATURE: &str = "MdpQcU8iPSUjWoN/UDMsK2sui9I=";

#[test]
fn rfc5849_1_2_token_request() {
    let url = Url::parse("https://photos.example.net/token").unwrap();
    let client = photos_client();
    let temporary = RequestToken::new("hh5s93j4hdidpola", "hdhd0244k9j7ao03");
    let signed = Signer::new(&client)
        .version(false)
        .token(&temporary)
        .verifier("hfdp7dh39dks9884")
        .sign(
            &Request {
                method: "POST",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::new("walatlh"),
            Timestamp::from_secs(137131201),
        )
        .unwrap();
    assert_eq!(signed.signature, RFC_1_2_TOKEN_SIGNATURE);
}

#[test]
fn rfc5849_1_2_protected_resource_request() {
    // The RFC prints https in the example request, but the signature it gives was
    // computed over http://photos.example.net/photos.
    let url =
        Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original").unwrap();
    let client = photos_client();
    let token = AccessToken::new("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00");
    let signed = Signer::new(&client)
        .version(false)
        .token(&token)
        .sign(
            &Request {
                method: "GET",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::new("chapoH"),
            Timestamp::from_secs(137131202),
        )
        .unwrap();
    assert_eq!(signed.signature, RFC_1_2_RESOURCE_SIGNATURE);
}

/// The request of RFC 5849 §3.4.1, as received by a server.
const RFC_3_4_1_AUTHORIZATION: &str = "OAuth realm=\"Example\", \
    oauth_consumer_key=\"9djdj82h48djs9d2\", oauth_token=\"kkk9d7dh3k39sjv7\", \
    oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131201\", \
    oauth_nonce=\"7d8f3e4a\", oauth_signature=\"r6%2FTJjbCOr97%2F%2BUU0NsvSne7s5g%3D\"";
/// The signature of RFC 5849 §3.4.1 with its secrets, as erratum 2550 corrects it.
const RFC_3_4_1_SIGNATURE: &str = "r6/TJjbCOr97/+UU0NsvSne7s5g=";
/// The normalized parameters of RFC 5849 §3.4.1.3.2.
const RFC_3_4_1_NORMALIZED: &str = "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&\
    oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&\
    oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7";

#[test]
fn rfc5849_3_4_1_normalized_parameters_and_signature_with_the_erratum() {
    let url = Url::parse("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
    let request = IncomingRequest {
        method: "POST",
        url: &url,
        authorization: Some(RFC_3_4_1_AUTHORIZATION),
        content_type: Some("application/x-www-form-urlencoded"),
        body: b"c2&a3=2+q",
    };
    let params = SignedParams::from_request(&request).unwrap();
    let normalized = RFC_3_4_1_NORMALIZED;
    assert_eq!(params.signature(), RFC_3_4_1_SIGNATURE);
    assert_eq!(
        params.base_string,
        format!(
            "POST&http%3A%2F%2Fexample.com%2Frequest&{}",
            oauth1::encode::encode(normalized)
        )
    );
    // The same normalization from the raw pairs of §3.4.1.3.1.
    let mut pairs = decode_form("b5=%3D%253D&a3=a&c%40=&a2=r%20b");
    pairs.extend(decode_form("c2&a3=2+q"));
    pairs.extend(
        [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    assert_eq!(
        normalize_parameters(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        normalized
    );
    // Erratum 2550: the example's secrets give r6/TJjbCOr97/+UU0NsvSne7s5g=.
    let consumer_secret = oauth1::ConsumerSecret::new("j49sk3j29djd");
    let token_secret = oauth1::TokenSecret::new("dh893hdasih9");
    params
        .verify_signature(&consumer_secret, Some(&token_secret))
        .unwrap();
    let wrong = oauth1::TokenSecret::new("dh893hdasih8");
    assert!(
        params
            .verify_signature(&consumer_secret, Some(&wrong))
            .is_err()
    );
}

fn twitter_client() -> ClientCredentials {
    ClientCredentials::new(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    )
}

fn twitter_token() -> AccessToken {
    AccessToken::new(
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    )
}

pub const TWITTER_BODY: &str =
    "status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21";

#[test]
fn twitter_creating_a_signature_example() {
    let url = Url::parse("https://api.twitter.com/1.1/statuses/update.json?include_entities=true")
        .unwrap();
    let (client, token) = (twitter_client(), twitter_token());
    let signed = Signer::new(&client)
        .token(&token)
        .sign(
            &Request {
                method: "POST",
                url: &url,
                body: Body::Form(TWITTER_BODY),
            },
            &Nonce::new("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
            Timestamp::from_secs(1318622958),
        )
        .unwrap();
    assert_eq!(signed.base_string, TWITTER_BASE_STRING);
    assert_eq!(signed.signature, TWITTER_SIGNATURE);
    assert_eq!(signed.authorization.unwrap(), TWITTER_AUTHORIZATION);
}

/// Twitter's "Creating a signature".
const TWITTER_SIGNATURE: &str = "hCtSmYh+iHYCEqBWrE7C7hYmtUk=";
const TWITTER_BASE_STRING: &str = "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2F\
    update.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26\
    oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3D\
    HMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFs\
    MKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520\
    Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521";
const TWITTER_AUTHORIZATION: &str = "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", \
    oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", \
    oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", \
    oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1318622958\", \
    oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", \
    oauth_version=\"1.0\"";

#[test]
fn the_header_alone_is_the_header_of_the_full_signature() {
    let url = Url::parse("https://api.twitter.com/1.1/statuses/update.json?include_entities=true")
        .unwrap();
    let (client, token) = (twitter_client(), twitter_token());
    let request = Request {
        method: "POST",
        url: &url,
        body: Body::Form(TWITTER_BODY),
    };
    let nonce = Nonce::new("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg");
    let at = Timestamp::from_secs(1318622958);
    let signer = Signer::new(&client).token(&token).realm("Twitter API");
    let header = signer.authorization(&request, &nonce, at).unwrap();
    assert_eq!(
        Some(header.clone()),
        signer.sign(&request, &nonce, at).unwrap().authorization
    );
    assert!(header.starts_with("OAuth realm=\"Twitter API\", oauth_consumer_key="));
    assert!(header.contains(&format!(
        "oauth_signature=\"{}\"",
        oauth1::encode::encode(TWITTER_SIGNATURE)
    )));
    // Whatever the placement, `authorization` gives the header.
    let in_query = signer.placement(oauth1::Placement::Query);
    assert_eq!(
        in_query.authorization(&request, &nonce, at).unwrap(),
        header
    );
}

/// The presets of `oauth1::explain` are these vectors: each one's expected signature is
/// the published one, and explaining it gives that signature (and base string, header or
/// normalized parameters, where the source publishes them).
#[test]
fn the_explain_presets_are_the_published_vectors() {
    use oauth1::explain::{explain, preset, presets};
    #[allow(unused_mut)]
    let mut published = vec![
        ("rfc5849-temporary-credentials", RFC_1_2_TEMPORARY_SIGNATURE),
        ("rfc5849-token-credentials", RFC_1_2_TOKEN_SIGNATURE),
        ("rfc5849-protected-resource", RFC_1_2_RESOURCE_SIGNATURE),
        ("rfc5849-normalization", RFC_3_4_1_SIGNATURE),
        ("twitter-statuses-update", TWITTER_SIGNATURE),
    ];
    #[cfg(feature = "rsa")]
    published.push(("rsa-sha1-normalization", rsa_sha1::NORMALIZATION_SIGNATURE));
    let names: Vec<_> = presets().iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        published.iter().map(|(name, _)| *name).collect::<Vec<_>>()
    );
    for (name, signature) in published {
        let preset = preset(name).unwrap();
        assert_eq!(preset.expected_signature, signature, "{name}");
        assert_eq!(
            explain(&preset.input).unwrap().signature.value,
            signature,
            "{name}"
        );
    }
    let temporary = explain(&preset("rfc5849-temporary-credentials").unwrap().input).unwrap();
    assert_eq!(temporary.base_string.value, RFC_1_2_TEMPORARY_BASE_STRING);
    assert_eq!(
        temporary.output.authorization.as_deref(),
        Some(RFC_1_2_TEMPORARY_AUTHORIZATION)
    );
    let normalization = explain(&preset("rfc5849-normalization").unwrap().input).unwrap();
    assert_eq!(normalization.normalized.value, RFC_3_4_1_NORMALIZED);
    let twitter = explain(&preset("twitter-statuses-update").unwrap().input).unwrap();
    assert_eq!(twitter.base_string.value, TWITTER_BASE_STRING);
    assert_eq!(
        twitter.output.authorization.as_deref(),
        Some(TWITTER_AUTHORIZATION)
    );
}

/// RSA-SHA1 (§3.4.3), with oauthlib's test vectors (tests/oauth1/rfc5849/test_signatures.py):
/// its 1024-bit key, the base string of RFC 5849 §3.4.1.1, and the signature OpenSSL gave.
#[cfg(feature = "rsa")]
mod rsa_sha1 {
    use oauth1::{
        AccessToken, Body, ClientCredentials, ConsumerSecret, IncomingRequest, Nonce, Request,
        RsaKeyError, RsaSha1, RsaSha1PublicKey, SignatureMethod, SignedParams, Signer, Timestamp,
        VerifyError,
    };
    use url::Url;

    const PRIVATE: &str = include_str!("../keys/oauthlib-private.pem");
    const PRIVATE_PKCS8: &str = include_str!("../keys/oauthlib-private-pkcs8.pem");
    const PUBLIC: &str = include_str!("../keys/oauthlib-public.pem");
    const PUBLIC_SPKI: &str = include_str!("../keys/oauthlib-public-spki.pem");
    const ANOTHER_PRIVATE: &str = include_str!("../keys/oauthlib-another-private.pem");

    /// RFC 5849 §3.4.1.1's base string, as oauthlib's `eg_signature_base_string`.
    const BASE_STRING: &str = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7";

    /// §3.4.1's request signed with RSA-SHA1 by oauthlib's key, as OpenSSL signs it:
    /// `printf %s "$BASE" | openssl dgst -sha1 -sign oauthlib-private.pem | base64 -w0`,
    /// `$BASE` being [`BASE_STRING`] with `RSA-SHA1` for the method.
    pub const NORMALIZATION_SIGNATURE: &str = "3/p38uARbzckLjITD5O7QtBRhvRuQsgM622bgUqVGhtbgPIeiDMKnwPS3IgAX46H6V5gGrmkAZHDnmBb0bIqNqgBEaEnHtKS5e0rfIY3F31pMNB2sOQ/0fXE6c3jCNy/Vv3QDPii1exQH4ydKXjg6cPt52kMxBspX8ROc92DnAk=";

    #[test]
    fn the_rsa_preset_signs_the_rfc_base_string_with_its_method_named() {
        let preset = oauth1::explain::preset("rsa-sha1-normalization").unwrap();
        let steps = oauth1::explain::explain(&preset.input).unwrap();
        assert_eq!(
            steps.base_string.value,
            BASE_STRING.replace("HMAC-SHA1", "RSA-SHA1")
        );
        assert_eq!(steps.signature.value, NORMALIZATION_SIGNATURE);
    }

    /// oauthlib's `expected_signature_rsa_sha1`.
    const SIGNATURE: &str = "mFY2KOEnlYWsTvUA+5kxuBIcvBYXu+ljw9ttVJQxKduMueGSVPCB1tK1PlqVLK738HK0t19ecBJfb6rMxUwrriw+MlBO+jpojkZIWccw1J4cAb4qu4M81DbpUAq4j/1w/QyTR4TWCODlEfN7Zfgy8+pf+TjiXfIwRC1jEWbuL1E=";

    #[test]
    fn oauthlib_rsa_sha1_vector_signs_and_verifies() {
        for private in [PRIVATE, PRIVATE_PKCS8] {
            let method = RsaSha1::from_pem(private).unwrap();
            assert_eq!(method.sign(BASE_STRING, "ignored", "ignored"), SIGNATURE);
        }
        for public in [PUBLIC, PUBLIC_SPKI] {
            let key = RsaSha1PublicKey::from_pem(public).unwrap();
            assert!(key.verify(BASE_STRING, SIGNATURE));
        }
    }

    #[test]
    fn oauthlib_rsa_false_positives_are_refused() {
        let key = RsaSha1PublicKey::from_pem(PUBLIC).unwrap();
        let other_value = RsaSha1::from_pem(PRIVATE)
            .unwrap()
            .sign_base_string("wrong value signed");
        let other_key = RsaSha1::from_pem(ANOTHER_PRIVATE)
            .unwrap()
            .sign_base_string(BASE_STRING);
        assert_ne!(other_key, SIGNATURE);
        for bad in [
            "",
            "ZG9uJ3QgdHJ1c3QgbWUK",
            "altérer",
            &other_value,
            &other_key,
        ] {
            assert!(!key.verify(BASE_STRING, bad), "{bad:?}");
        }
        // One bit off in the base string.
        assert!(!key.verify(&BASE_STRING.replace("POST", "GET"), SIGNATURE));
    }

    #[test]
    fn bad_keys_are_named_as_such() {
        for bad in ["", "foobar", PUBLIC] {
            assert_eq!(
                RsaSha1::from_pem(bad).unwrap_err(),
                RsaKeyError::NotPem("private")
            );
        }
        // A server holds public keys only: a private key pasted there is refused.
        for bad in ["", "foobar", PRIVATE] {
            assert_eq!(
                RsaSha1PublicKey::from_pem(bad).unwrap_err(),
                RsaKeyError::NotPem("public")
            );
        }
        let message = RsaSha1::from_pem("x").unwrap_err().to_string();
        assert!(message.contains("-----BEGIN"), "{message}");
    }

    /// Keys come from forms, and an RSA operation costs the cube of the key's size: a key
    /// under 1,024 or over 4,096 bits, or PEM text past 8 KiB, is refused before any
    /// arithmetic (a huge private key pasted into the playground would pin a core).
    #[test]
    fn a_key_too_small_or_too_large_is_refused_before_any_work() {
        let small = include_str!("../keys/small-512-private.pem");
        assert_eq!(RsaSha1::from_pem(small).unwrap_err(), RsaKeyError::Size);
        let large = include_str!("../keys/large-8192-public.pem");
        assert_eq!(
            RsaSha1PublicKey::from_pem(large).unwrap_err(),
            RsaKeyError::Size
        );
        let padded = format!("{}{}", " ".repeat(9 * 1024), PRIVATE);
        assert_eq!(RsaSha1::from_pem(&padded).unwrap_err(), RsaKeyError::Size);
        let started = std::time::Instant::now();
        let huge = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            "A".repeat(2_000_000)
        );
        assert_eq!(RsaSha1::from_pem(&huge).unwrap_err(), RsaKeyError::Size);
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
        assert!(
            RsaSha1::from_pem(PRIVATE).is_ok(),
            "1,024 bits is in bounds"
        );
    }

    fn signed_request(method: &dyn SignatureMethod) -> (Url, String) {
        let url = Url::parse("https://api.example.com/1.1/statuses/update.json?x=1").unwrap();
        let client = ClientCredentials::new("rsa-client", "unused-secret");
        let token = AccessToken::new("token", "token-secret");
        let header = Signer::new(&client)
            .method(method)
            .token(&token)
            .authorization(
                &Request {
                    method: "POST",
                    url: &url,
                    body: Body::Form("status=hi%20there"),
                },
                &Nonce::new("n1"),
                Timestamp::from_secs(1_700_000_000),
            )
            .unwrap();
        (url, header)
    }

    fn received(url: &Url, header: &str) -> SignedParams {
        SignedParams::from_request(&IncomingRequest {
            method: "POST",
            url,
            authorization: Some(header),
            content_type: Some("application/x-www-form-urlencoded"),
            body: b"status=hi%20there",
        })
        .unwrap()
    }

    #[test]
    fn a_request_signed_with_rsa_sha1_verifies_with_the_public_key_only() {
        let signer = RsaSha1::from_pem(PRIVATE).unwrap();
        let (url, header) = signed_request(&signer);
        assert!(header.contains("oauth_signature_method=\"RSA-SHA1\""));
        let params = received(&url, &header);
        assert_eq!(params.signature_method().name(), "RSA-SHA1");
        let public = RsaSha1PublicKey::from_pem(PUBLIC_SPKI).unwrap();
        assert_eq!(params.verify_rsa_sha1(&public), Ok(()));
        // Another client's key, and the shared-secret path, both refuse it.
        let other = RsaSha1::from_pem(ANOTHER_PRIVATE).unwrap().public_key();
        assert_eq!(
            params.verify_rsa_sha1(&other),
            Err(VerifyError::InvalidSignature)
        );
        assert_eq!(
            params.verify_signature(&ConsumerSecret::new("unused-secret"), None),
            Err(VerifyError::InvalidSignature)
        );
    }

    #[test]
    fn an_hmac_signature_does_not_pass_as_rsa() {
        let (url, header) = signed_request(&oauth1::HmacSha1);
        let params = received(&url, &header);
        let public = RsaSha1PublicKey::from_pem(PUBLIC).unwrap();
        assert_eq!(
            params.verify_rsa_sha1(&public),
            Err(VerifyError::InvalidSignature)
        );
    }
}
