//! Threats through signed requests (issue 13): PLAINTEXT over plain http, nonces of any
//! length, and callbacks of any length.

use crate::support;

use oauth1::{Body, Nonce, Request, Signer, Timestamp};
use provider::store::apps::AccessLevel;
use reqwest::StatusCode;
use support::{Alice, Backend, TestProvider, alice_with_a_token, spawn_provider_with};
use url::Url;

const CALLBACK: &str = "http://127.0.0.1:3000/authorize/chirp";

async fn provider_with(backend: Backend, vars: &[(&str, &str)]) -> (TestProvider, Alice) {
    let provider = spawn_provider_with(backend, "Chirp", vars).await;
    let alice =
        alice_with_a_token(&provider.state, "Demo site", CALLBACK, AccessLevel::Write).await;
    (provider, alice)
}

/// `GET verify_credentials` signed by `signer` with `nonce`.
async fn verify_credentials(
    provider: &TestProvider,
    signer: Signer<'_>,
    nonce: &str,
) -> reqwest::Response {
    verify_credentials_at(provider, signer, nonce, Timestamp::now()).await
}

/// [`verify_credentials`] signed at `timestamp`: a replay must repeat it too, since a
/// nonce is unique per timestamp, client and token (RFC 5849 §3.3).
async fn verify_credentials_at(
    provider: &TestProvider,
    signer: Signer<'_>,
    nonce: &str,
    timestamp: Timestamp,
) -> reqwest::Response {
    let url = Url::parse(&provider.url("/1.1/account/verify_credentials.json")).unwrap();
    let header = signer
        .authorization(
            &Request {
                method: "GET",
                url: &url,
                body: Body::Empty,
            },
            &Nonce::new(nonce),
            timestamp,
        )
        .unwrap();
    reqwest::Client::new()
        .get(url)
        .header("authorization", header)
        .send()
        .await
        .unwrap()
}

async fn twitter_error(response: reqwest::Response) -> (StatusCode, u64) {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["errors"][0]["code"].as_u64().unwrap_or(0))
}

#[tokio::test]
async fn plaintext_over_plain_http_is_refused_as_code_32() {
    let (provider, alice) = provider_with(Backend::Sqlite, &[]).await;
    let signer = Signer::new(&alice.client)
        .token(&alice.token)
        .method(&oauth1::Plaintext);
    let response = verify_credentials(&provider, signer, oauth1::Nonce::generate().as_str()).await;
    assert!(response.headers().contains_key("www-authenticate"));
    assert_eq!(
        twitter_error(response).await,
        (StatusCode::UNAUTHORIZED, 32)
    );
    // The same request signed with HMAC-SHA1 is fine.
    let signer = Signer::new(&alice.client).token(&alice.token);
    let response = verify_credentials(&provider, signer, "n1").await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn plaintext_is_accepted_behind_https_or_when_a_local_demo_allows_it() {
    for vars in [
        [("ALLOW_PLAINTEXT_OVER_HTTP", "true")],
        // TLS ends in front of the provider; the public URL says so.
        [("PROVIDER_PUBLIC_URL", "https://chirp.example/")],
    ] {
        let (provider, alice) = provider_with(Backend::Sqlite, &vars).await;
        let signer = Signer::new(&alice.client)
            .token(&alice.token)
            .method(&oauth1::Plaintext);
        let response = verify_credentials(&provider, signer, "n1").await;
        assert_eq!(response.status(), StatusCode::OK, "{vars:?}");
    }
}

#[tokio::test]
async fn a_long_nonce_on_postgres_with_sql_nonces_is_a_400_not_a_500() {
    let (provider, alice) = provider_with(Backend::Postgres, &[("NONCE_STORE", "sql")]).await;
    // Random, so that Postgres cannot compress it under its index row limit.
    let long = provider::store::apps::random_credential(10_000);
    for nonce in [long.as_str(), &"n".repeat(65), "a+b/c=", "a b"] {
        let signer = Signer::new(&alice.client).token(&alice.token);
        let response = verify_credentials(&provider, signer, nonce).await;
        assert_eq!(
            twitter_error(response).await,
            (StatusCode::BAD_REQUEST, 215),
            "nonce of {} bytes",
            nonce.len()
        );
    }
    // 64 unreserved characters are fine, and remembered: the replay is refused.
    let nonce = format!("{}-._~", "n".repeat(60));
    let at = Timestamp::now();
    for expected in [StatusCode::OK, StatusCode::UNAUTHORIZED] {
        let signer = Signer::new(&alice.client).token(&alice.token);
        let response = verify_credentials_at(&provider, signer, &nonce, at).await;
        assert_eq!(response.status(), expected);
    }
}

#[tokio::test]
async fn a_callback_over_2_kib_is_refused_with_400() {
    let (provider, alice) = provider_with(Backend::Sqlite, &[]).await;
    let url = Url::parse(&provider.url("/oauth/request_token")).unwrap();
    // A registered callback may add its own query (RFC 5849 §2.2), but not 60 KB of it.
    let long = format!("{CALLBACK}?state={}", "a".repeat(3000));
    let short = format!("{CALLBACK}?state=abc");
    for (callback, expected) in [
        (long.as_str(), StatusCode::BAD_REQUEST),
        (&short, StatusCode::OK),
    ] {
        let header = Signer::new(&alice.client)
            .callback(callback)
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
            .post(url.as_str())
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{} bytes", callback.len());
        if expected == StatusCode::BAD_REQUEST {
            assert_eq!(
                twitter_error(response).await,
                (StatusCode::BAD_REQUEST, 215)
            );
        }
    }
    let stored: i64 = sqlx::query_scalar("select count(*) from request_tokens")
        .fetch_one(&provider.state.db)
        .await
        .unwrap();
    assert_eq!(stored, 1, "only the short callback was stored");
}
