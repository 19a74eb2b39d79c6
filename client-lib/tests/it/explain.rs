//! The steps of `oauth1::explain::explain`, checked against one another and against the
//! functions they come from: each step is the next one's input, the signature is the one
//! the base string and key give, and what is sent verifies as the provider checks it.

use oauth1::base_string::join_base_string;
use oauth1::encode::encode;
use oauth1::explain::{ExplainError, SigningInput, Source, UriPart, explain, preset, presets};
use oauth1::signature::{self, signing_key};
use oauth1::{IncomingRequest, Placement, SignedParams};

#[test]
fn each_step_of_every_preset_is_the_next_one_s_input() {
    for preset in presets() {
        let input = &preset.input;
        let steps = explain(input).unwrap();
        let name = preset.name;
        for p in &steps.parameters.parameters {
            assert_eq!(p.encoded_name, encode(&p.name), "{name}");
            assert_eq!(p.encoded_value, encode(&p.value), "{name}");
        }
        let base = &steps.base_string;
        assert_eq!(base.method, input.method.to_ascii_uppercase(), "{name}");
        assert_eq!(base.uri, encode(&steps.uri.value), "{name}");
        assert_eq!(base.parameters, encode(&steps.normalized.value), "{name}");
        assert_eq!(
            join_base_string(&input.method, &steps.uri.value, &steps.normalized.value),
            base.value,
            "{name}"
        );
        let token_secret = input.token_secret.as_deref().unwrap_or("");
        if steps.signature.method == "RSA-SHA1" {
            rsa_signature_is_the_keys(input, &steps);
        } else {
            assert_eq!(
                steps.signing_key.value,
                signing_key(&input.consumer_secret, token_secret)
            );
            let method = signature::builtin(steps.signature.method).unwrap();
            assert_eq!(
                method.sign(&base.value, &input.consumer_secret, token_secret),
                steps.signature.value,
                "{name}"
            );
        }
        assert_eq!(steps.signature.value, preset.expected_signature, "{name}");
        let header = steps.output.authorization.unwrap();
        assert!(header.contains(&steps.signature.encoded), "{name}");
    }
}

/// §3.4.3: the key step shows the private key, and the signature is that key's over the
/// base string (checked with its public half, not by signing again).
#[cfg(feature = "rsa")]
fn rsa_signature_is_the_keys(input: &SigningInput, steps: &oauth1::explain::Explanation) {
    let pem = input.rsa_private_key.as_deref().unwrap();
    assert_eq!(steps.signing_key.value, pem.trim());
    assert_eq!(steps.signing_key.section, "§3.4.3");
    let public = oauth1::RsaSha1::from_pem(pem).unwrap().public_key();
    assert!(public.verify(&steps.base_string.value, &steps.signature.value));
}

#[cfg(not(feature = "rsa"))]
fn rsa_signature_is_the_keys(_: &SigningInput, _: &oauth1::explain::Explanation) {
    panic!("an RSA-SHA1 preset without the rsa feature");
}

/// Whatever the method and placement, what is sent verifies as the provider checks
/// it, with the signature the explanation shows.
#[test]
fn every_method_and_placement_gives_a_request_the_provider_accepts() {
    let preset = preset("twitter-statuses-update").unwrap();
    for method in ["HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"] {
        for placement in [Placement::Header, Placement::Query, Placement::Body] {
            let input = SigningInput {
                signature_method: method.into(),
                placement,
                ..preset.input.clone()
            };
            let steps = explain(&input).unwrap();
            assert_eq!(steps.signature.method, method);
            let url = url::Url::parse(&steps.output.url).unwrap();
            let body = steps.output.body.clone().unwrap_or(input.body.clone());
            let signed = SignedParams::from_request(&IncomingRequest {
                method: &input.method,
                url: &url,
                authorization: steps.output.authorization.as_deref(),
                content_type: Some("application/x-www-form-urlencoded"),
                body: body.as_bytes(),
            })
            .unwrap();
            assert_eq!(signed.signature(), steps.signature.value);
            assert_eq!(signed.base_string, steps.base_string.value);
            let secret = oauth1::ConsumerSecret::new(&input.consumer_secret);
            let token_secret = oauth1::TokenSecret::new(input.token_secret.clone().unwrap());
            signed
                .verify_signature(&secret, Some(&token_secret))
                .unwrap();
            let section = match placement {
                Placement::Header => "§3.5.1",
                Placement::Body => "§3.5.2",
                Placement::Query => "§3.5.3",
            };
            assert_eq!(steps.output.section, section);
        }
    }
}

#[test]
fn a_url_typed_in_capitals_with_its_default_port_signs_the_same() {
    let preset = preset("twitter-statuses-update").unwrap();
    let input = SigningInput {
        url: "HTTPS://API.Twitter.com:443/1.1/statuses/update.json?include_entities=true#x".into(),
        ..preset.input
    };
    let steps = explain(&input).unwrap();
    assert_eq!(steps.signature.value, preset.expected_signature);
    assert_eq!(
        steps.uri.value,
        "https://api.twitter.com/1.1/statuses/update.json"
    );
    let dropped: Vec<_> = steps.uri.dropped.iter().map(|d| d.part).collect();
    assert_eq!(dropped, [UriPart::Port, UriPart::Query, UriPart::Fragment]);
    assert_eq!(steps.uri.lower_cased.len(), 2);
    assert_eq!(steps.parameters.parameters[0].source, Source::Query);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let good = preset("twitter-statuses-update").unwrap().input;
    let cases = [
        SigningInput {
            url: "api.twitter.com/1.1".into(),
            ..good.clone()
        },
        SigningInput {
            body: "status=100%".into(),
            ..good.clone()
        },
        SigningInput {
            method: "PO ST".into(),
            ..good.clone()
        },
        SigningInput {
            signature_method: "RSA-SHA256".into(),
            ..good.clone()
        },
        SigningInput {
            token: None,
            ..good.clone()
        },
    ];
    let errors: Vec<_> = cases.iter().map(|i| explain(i).err()).collect();
    assert!(matches!(errors[0], Some(ExplainError::BadUrl { .. })));
    assert!(matches!(errors[1], Some(ExplainError::MalformedBody(_))));
    assert!(matches!(errors[2], Some(ExplainError::BadMethod(_))));
    assert!(matches!(
        errors[3],
        Some(ExplainError::UnknownSignatureMethod(_))
    ));
    assert!(matches!(
        errors[4],
        Some(ExplainError::TokenSecretWithoutToken)
    ));
    for error in errors.into_iter().flatten() {
        assert!(!error.to_string().is_empty());
    }
    // An empty body may still carry the parameters (§3.5.2).
    let in_body = SigningInput {
        body: String::new(),
        placement: Placement::Body,
        ..good
    };
    assert!(
        explain(&in_body)
            .unwrap()
            .output
            .body
            .unwrap()
            .starts_with("oauth_")
    );
}

#[test]
fn the_explanation_serializes_with_its_sections() {
    let steps = explain(&preset("rfc5849-temporary-credentials").unwrap().input).unwrap();
    let json = serde_json::to_value(&steps).unwrap();
    assert_eq!(json["parameters"]["section"], "§3.4.1.3.1");
    assert_eq!(json["parameters"]["parameters"][0]["source"], "protocol");
    assert_eq!(json["normalized"]["section"], "§3.4.1.3.2");
    assert_eq!(json["uri"]["section"], "§3.4.1.2");
    assert_eq!(json["base_string"]["method"], "POST");
    assert_eq!(json["signing_key"]["section"], "§3.4.2");
    assert_eq!(json["output"]["placement"], "header");
    assert!(!format!("{steps:?}").contains("kd94hf93k423kf44"));
}

/// RSA-SHA1 without a private key, or with the public half, says what to paste.
#[cfg(feature = "rsa")]
#[test]
fn rsa_sha1_without_a_usable_private_key_is_an_error_that_says_so() {
    let good = preset("rsa-sha1-normalization").unwrap().input;
    for key in [
        None,
        Some("not a key"),
        Some(include_str!("../keys/oauthlib-public.pem")),
    ] {
        let input = SigningInput {
            rsa_private_key: key.map(str::to_owned),
            ..good.clone()
        };
        let error = explain(&input).err().unwrap();
        assert!(matches!(error, ExplainError::RsaKey(_)), "{error:?}");
        assert!(error.to_string().contains("private key"), "{error}");
    }
    assert!(explain(&good).is_ok());
}
