//! Signs Twitter's documented example request ("Creating a signature": `POST
//! statuses/update.json`) and checks the result against the published signature. No
//! network; the nonce and timestamp are the documentation's, so the signature is too.
//!
//! ```sh
//! cargo run -p oauth1-rfc5849 --example sign_request
//! ```

use std::process::ExitCode;

use oauth1::{AccessToken, Body, ClientCredentials, Nonce, Request, Signer, Timestamp};

/// The `oauth_signature` Twitter's documentation gives for this request.
const PUBLISHED: &str = "hCtSmYh+iHYCEqBWrE7C7hYmtUk=";

fn main() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let client = ClientCredentials::new(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
    );
    let token = AccessToken::new(
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    );
    let url = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true".parse()?;
    let body = "status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21";
    let request = Request {
        method: "POST",
        url: &url,
        body: Body::Form(body),
    };
    // A real client draws these: Nonce::generate() and Timestamp::now(), or calls
    // oauth1::authorization_header(...) which does both.
    let nonce = Nonce::new("kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg");
    let time = Timestamp::from_secs(1318622958);

    let signed = Signer::new(&client)
        .token(&token)
        .sign(&request, &nonce, time)?;
    let authorization = signed.authorization.as_deref().unwrap_or_default();
    println!(
        "signature base string (RFC 5849 §3.4.1):\n{}\n",
        signed.base_string
    );
    println!(
        "oauth_signature (HMAC-SHA1, §3.4.2):\n{}\n",
        signed.signature
    );
    println!("Authorization header (§3.5.1):\n{authorization}\n");

    if signed.signature == PUBLISHED {
        println!("matches the signature Twitter's documentation publishes");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("differs from the published signature {PUBLISHED}");
        Ok(ExitCode::FAILURE)
    }
}
