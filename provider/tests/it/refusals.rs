//! Refused signed requests (RFC 5849 §3.2): each refusal is logged at debug level on one
//! line with its reason, the consumer key and the request id, and never a secret, the
//! signature or a token secret; and with `PROVIDER_DEBUGGER_URL` the 401 of a refused
//! signature (code 32) points to the site's debugger, Twitter's `code` and `message`
//! unchanged, the body byte for byte Twitter's without it.

use crate::support;

use std::sync::{Arc, Mutex};

use oauth1::{Body, ClientCredentials, Nonce, Request, Signer, Timestamp};
use provider::store::apps::AccessLevel;
use reqwest::StatusCode;
use support::{Alice, Backend, TestProvider, alice_with_a_token, spawn_provider_with};
use url::Url;

const CALLBACK: &str = "http://127.0.0.1:3000/authorize/chirp";
const DEBUGGER: &str = "http://127.0.0.1:3000/debugger";
const WRONG_SECRET: &str = "not-the-consumer-secret";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn provider_with(vars: &[(&str, &str)]) -> (TestProvider, Alice) {
    let provider = spawn_provider_with(Backend::Sqlite, "Chirp", vars).await;
    let alice =
        alice_with_a_token(&provider.state, "Demo site", CALLBACK, AccessLevel::Write).await;
    (provider, alice)
}

/// `GET verify_credentials` signed by `signer`, with `X-Request-Id: request_id`: the
/// `Authorization` header sent, and the response.
async fn verify_credentials(
    provider: &TestProvider,
    signer: Signer<'_>,
    request_id: &str,
) -> (String, reqwest::Response) {
    let url = Url::parse(&provider.url("/1.1/account/verify_credentials.json")).unwrap();
    let header = signer
        .authorization(
            &Request {
                method: "GET",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = reqwest::Client::new()
        .get(url)
        .header("authorization", &header)
        .header("x-request-id", request_id)
        .send()
        .await
        .unwrap();
    (header, response)
}

/// `oauth_signature` of an `Authorization` header, as sent (percent-encoded).
fn signature_of(header: &str) -> String {
    let at = header.find("oauth_signature=\"").unwrap() + "oauth_signature=\"".len();
    header[at..].split('"').next().unwrap().to_owned()
}

/// The body of a response, as bytes turned text.
async fn body(response: reqwest::Response) -> (StatusCode, String) {
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_refused_signature_is_logged_with_its_reason_key_and_request_id_but_no_secret() {
    // This test's runtime (the provider's tasks included) runs on this thread only, so
    // the capture is this thread's default subscriber. A second dispatcher, held alive,
    // keeps tracing from deciding a callsite's interest by whichever thread (another
    // test's, with no subscriber) meets it first: with one dispatcher only it asks that
    // thread's default, and would cache "never".
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (provider, alice) = provider_with(&[]).await;
    let key = alice.client.key.as_str().to_owned();
    let wrong = ClientCredentials::new(key.clone(), WRONG_SECRET);
    let signer = Signer::new(&wrong).token(&alice.token);
    let (header, response) = verify_credentials(&provider, signer, "req-wrong-secret-1").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let logs = buffer.text();
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("req-wrong-secret-1") && l.contains("signed request refused"))
        .collect();
    assert_eq!(lines.len(), 1, "one line for the refusal: {logs}");
    let line = lines[0];
    assert!(line.contains("DEBUG"), "{line}");
    assert!(
        line.contains("InvalidSignature"),
        "the library's reason: {line}"
    );
    assert!(line.contains(&key), "the consumer key: {line}");
    let signature = signature_of(&header);
    let decoded = url::form_urlencoded::parse(format!("s={signature}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    let consumer_secret = alice.client.secret.secret().to_owned();
    let token_secret = alice.token.secret.secret().to_owned();
    for secret in [
        WRONG_SECRET,
        consumer_secret.as_str(),
        token_secret.as_str(),
        signature.as_str(),
        decoded.as_str(),
        "oauth_signature",
    ] {
        assert!(!logs.contains(secret), "{secret:?} logged: {logs}");
    }

    // An unknown consumer key (with a token it was not issued) is refused as well.
    let stranger = ClientCredentials::new("no-such-key", WRONG_SECRET);
    let (_, response) = verify_credentials(
        &provider,
        Signer::new(&stranger).token(&alice.token),
        "req-unknown-2",
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let logs = buffer.text();
    let line = logs
        .lines()
        .find(|l| l.contains("req-unknown-2") && l.contains("signed request refused"))
        .unwrap_or_else(|| panic!("no line: {logs}"));
    assert!(line.contains("InvalidToken"), "{line}");
    assert!(line.contains("no-such-key"), "{line}");
    assert!(!logs.contains(WRONG_SECRET), "{logs}");
}

#[tokio::test]
async fn a_refused_signature_points_to_the_debugger_when_one_is_set() {
    let (provider, alice) = provider_with(&[("PROVIDER_DEBUGGER_URL", DEBUGGER)]).await;
    let wrong = ClientCredentials::new(alice.client.key.as_str(), WRONG_SECRET);
    let signer = Signer::new(&wrong).token(&alice.token);
    let (_, response) = verify_credentials(&provider, signer, "req-debugger-1").await;
    assert_eq!(
        body(response).await,
        (
            StatusCode::UNAUTHORIZED,
            format!(
                r#"{{"errors":[{{"code":32,"message":"Could not authenticate you.","debugger":"{DEBUGGER}"}}]}}"#
            )
        )
    );

    // At the token endpoints too: temporary credentials asked for with a wrong secret.
    let url = Url::parse(&provider.url("/oauth/request_token")).unwrap();
    let header = Signer::new(&wrong)
        .callback(CALLBACK)
        .authorization(
            &Request {
                method: "POST",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = reqwest::Client::new()
        .post(url)
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    let (status, text) = body(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["errors"][0]["code"], 32, "{text}");
    assert_eq!(json["errors"][0]["debugger"], DEBUGGER, "{text}");

    // Not a refused signature: an unknown token keeps Twitter's body as it is.
    let unknown = oauth1::AccessToken::new("no-such-token", "whatever");
    let signer = Signer::new(&alice.client).token(&unknown);
    let (_, response) = verify_credentials(&provider, signer, "req-debugger-2").await;
    assert_eq!(
        body(response).await,
        (
            StatusCode::UNAUTHORIZED,
            r#"{"errors":[{"code":89,"message":"Invalid or expired token."}]}"#.to_owned()
        )
    );
}

#[tokio::test]
async fn without_a_debugger_the_body_is_twitters_byte_for_byte() {
    let (provider, alice) = provider_with(&[]).await;
    let wrong = ClientCredentials::new(alice.client.key.as_str(), WRONG_SECRET);
    let signer = Signer::new(&wrong).token(&alice.token);
    let (_, response) = verify_credentials(&provider, signer, "req-plain-1").await;
    assert_eq!(
        body(response).await,
        (
            StatusCode::UNAUTHORIZED,
            r#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#.to_owned()
        )
    );
}

#[tokio::test]
async fn a_debugger_url_that_is_not_absolute_http_stops_the_provider_naming_it() {
    for bad in [
        "/debugger",
        "ftp://127.0.0.1/debugger",
        "127.0.0.1:3000/debugger",
    ] {
        let err = provider::Config::from_lookup(|k| {
            (k == "PROVIDER_DEBUGGER_URL").then(|| bad.to_owned())
        })
        .unwrap_err();
        assert!(
            err.to_string().starts_with("PROVIDER_DEBUGGER_URL"),
            "{bad}: {err}"
        );
    }
    let config = provider::Config::from_lookup(|k| {
        (k == "PROVIDER_DEBUGGER_URL").then(|| "https://site.example/debugger".to_owned())
    })
    .unwrap();
    assert_eq!(
        config.debugger_url.map(String::from).as_deref(),
        Some("https://site.example/debugger")
    );
}
