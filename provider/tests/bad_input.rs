//! Oversized and odd input: refused with a 4xx, never a 5xx or a crash, and the provider
//! keeps serving.

mod support;

use oauth1::{Body, Nonce, Request, Signer, Timestamp};
use provider::apps::AccessLevel;
use reqwest::StatusCode;
use support::{Alice, Backend, TestProvider, alice_with_a_token, spawn_provider};

const MEGABYTE: usize = 1 << 20;

async fn still_serving(provider: &TestProvider) {
    let response = reqwest::get(provider.url("/login")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_one_megabyte_header_is_refused() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let response = reqwest::Client::new()
        .get(provider.url("/1.1/account/verify_credentials.json"))
        .header("authorization", format!("OAuth {}", "a".repeat(MEGABYTE)))
        .send()
        .await;
    // hyper answers 431 (Request Header Fields Too Large) or closes the connection
    // while the header is still arriving.
    if let Ok(response) = response {
        assert_eq!(
            response.status(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        );
    }
    still_serving(&provider).await;
}

#[tokio::test]
async fn a_one_megabyte_body_is_refused_with_413_on_endpoints_and_pages() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let body = format!("status={}", "a".repeat(MEGABYTE));
    for path in [
        "/oauth/request_token",
        "/1.1/statuses/update.json",
        "/login",
    ] {
        let response = reqwest::Client::new()
            .post(provider.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
    still_serving(&provider).await;
}

#[tokio::test]
async fn ten_thousand_parameters_are_refused_with_400() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let Alice { client, token, .. } = alice_with_a_token(
        &provider.state,
        "App",
        "http://127.0.0.1/cb",
        AccessLevel::Read,
    )
    .await;
    // 10,000 form parameters (40 KB, under the body limit), with a valid signature, so
    // only their number is wrong.
    let body = vec!["a=1"; 10_000].join("&");
    let url = url::Url::parse(&provider.url("/1.1/statuses/update.json")).unwrap();
    let header = Signer::new(&client)
        .token(&token)
        .authorization(
            &Request {
                method: "POST",
                url: &url,
                body: Body::Form(&body),
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = reqwest::Client::new()
        .post(url)
        .header("authorization", header)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], 215);
    still_serving(&provider).await;
}

#[tokio::test]
async fn deep_and_odd_urls_get_a_4xx() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let deep = "/a".repeat(4000);
    let odd = [
        deep.as_str(),
        "//",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/1.1/account/verify_credentials.json/../../oauth/access_token",
        "/1.1/statuses/destroy/%00.json",
        "/1.1/statuses/destroy/99999999999999999999999.json",
        "/oauth/authorize?oauth_token=%ff%fe",
        "/1.1/statuses/user_timeline.json?count=%zz",
        "/static/provider.css/..%2f..%2fCargo.toml",
    ];
    let http = reqwest::Client::new();
    for path in odd {
        let response = http
            .get(format!("{}{}", provider.url.trim_end_matches('/'), path))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{path}: {}",
            response.status()
        );
    }
    still_serving(&provider).await;
}
