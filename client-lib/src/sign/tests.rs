//! The signer's own check: its fast base string (parameters encoded once, sorted on the
//! stack) against the plain definition of RFC 5849 §3.4.1.

use super::*;
use crate::base_string::signature_base_string;
use crate::encode::decode_form;
use crate::types::AccessToken;

/// The signer's base string against the plain definition (§3.4.1): every parameter
/// decoded, then encoded, sorted and joined, for requests with few parameters of
/// their own and with more than fit on the stack.
#[test]
fn the_base_string_is_the_plain_one_whatever_the_number_of_parameters() {
    let client = ClientCredentials::new("key", "secret");
    let token = AccessToken::new("token", "token secret");
    for count in [0, 1, 7, 8, 9, 30] {
        let query: Vec<String> = (0..count)
            .map(|i| format!("q{}={}", i % 3, 30 - i))
            .collect();
        let url = Url::parse(&format!("https://example.com/r?{}", query.join("&"))).unwrap();
        let form = "b=2&oauth_z=%2B&a=1+1";
        let request = Request {
            method: "post",
            url: &url,
            body: Body::Form(form),
        };
        let signer = Signer::new(&client).token(&token);
        let nonce = Nonce::new("n o");
        let signed = signer
            .sign(&request, &nonce, Timestamp::from_secs(7))
            .unwrap();
        let mut params = decode_form(url.query().unwrap_or(""));
        params.extend(decode_form(form));
        params.extend(
            signed
                .oauth_params
                .iter()
                .filter(|(k, _)| *k != "oauth_signature")
                .map(|(k, v)| (k.to_string(), v.clone())),
        );
        let plain = signature_base_string(
            "POST",
            &url,
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        assert_eq!(signed.base_string, plain, "{count} parameters");
        assert_eq!(
            signer
                .authorization(&request, &nonce, Timestamp::from_secs(7))
                .ok(),
            signed.authorization
        );
    }
}
