//! Oversized and odd input: refused with a 4xx, never a 5xx or a crash, and the provider
//! keeps serving.

use crate::support;

use oauth1::{Body, Nonce, Request, Signer, Timestamp};
use provider::store::apps::AccessLevel;
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

/// What kind of error body a response carries.
async fn shape_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.text().await.unwrap();
    let shape = if kind.starts_with("text/html") {
        "page".to_owned()
    } else {
        let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        if let Some(code) = json["errors"][0]["code"].as_u64() {
            format!("twitter {code}")
        } else if let Some(error) = json["error"].as_str() {
            format!("rfc6749 {error}")
        } else if json["title"].is_string() {
            format!("problem {}", json["status"])
        } else {
            format!("unknown {kind}: {body}")
        }
    };
    (status, shape)
}

/// (method, path, authorization, content type, body, expected shape)
type NulCase = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
);

/// L1: a NUL byte (`%00`) in a client id, consumer key, Basic id, screen name, app name
/// or status text made Postgres answer 500 (`invalid byte sequence for encoding
/// "UTF8": 0x00`) on eleven routes; SQLite stored it. Each is refused at the edge with a
/// 400 in its protocol's own error shape.
#[tokio::test]
async fn a_nul_byte_anywhere_is_a_400_in_the_protocols_shape_not_a_500_on_postgres() {
    let provider = spawn_provider(Backend::Postgres, "Chirp").await;
    let http = support::browser();
    let form = "application/x-www-form-urlencoded";
    let header = "OAuth oauth_consumer_key=\"k%00\", oauth_nonce=\"n\", \
                  oauth_signature=\"s\", oauth_signature_method=\"HMAC-SHA1\", \
                  oauth_timestamp=\"1\", oauth_version=\"1.0\"";
    let cases: &[NulCase] = &[
        (
            "POST",
            "/oauth/request_token",
            Some(header),
            form,
            "",
            "twitter 215",
        ),
        (
            "POST",
            "/oauth/access_token",
            Some(header),
            form,
            "",
            "twitter 215",
        ),
        (
            "GET",
            "/1.1/account/verify_credentials.json",
            Some(header),
            "",
            "",
            "twitter 215",
        ),
        (
            "POST",
            "/1.1/statuses/update.json",
            None,
            form,
            "status=a%00b",
            "twitter 215",
        ),
        (
            "POST",
            "/2/oauth2/token",
            None,
            form,
            "grant_type=refresh_token&refresh_token=r&client_id=a%00",
            "rfc6749 invalid_request",
        ),
        (
            "POST",
            "/2/oauth2/token",
            // base64("id%00:secret")
            Some("Basic aWQlMDA6c2VjcmV0"),
            form,
            "grant_type=refresh_token&refresh_token=r",
            "rfc6749 invalid_request",
        ),
        (
            "POST",
            "/2/oauth2/revoke",
            None,
            form,
            "token=t&client_id=a%00",
            "rfc6749 invalid_request",
        ),
        (
            "POST",
            "/2/tweets",
            Some("Bearer x"),
            "application/json",
            r#"{"text":"a\u0000b"}"#,
            "problem 400",
        ),
        (
            "GET",
            "/i/oauth2/authorize?client_id=a%00&redirect_uri=x",
            None,
            "",
            "",
            "page",
        ),
        (
            "POST",
            "/login",
            None,
            form,
            "csrf=x&screen_name=a%00&password=p",
            "page",
        ),
        (
            "POST",
            "/signup",
            None,
            form,
            "csrf=x&screen_name=a%00&name=A&password=password1",
            "page",
        ),
        (
            "POST",
            "/developer/apps",
            None,
            form,
            "csrf=x&name=a%00&callbacks=http%3A%2F%2F127.0.0.1%2Fcb&access=read",
            "page",
        ),
        (
            "POST",
            "/statuses",
            None,
            form,
            "csrf=x&status=a%00",
            "page",
        ),
        // A body the handler reads whatever its type says, and a GET with a form body
        // (a signed GET may carry its parameters there).
        (
            "POST",
            "/2/oauth2/token",
            None,
            "text/plain",
            "grant_type=refresh_token&refresh_token=r&client_id=a%00",
            "rfc6749 invalid_request",
        ),
        (
            "POST",
            "/2/tweets",
            Some("Bearer x"),
            "text/plain",
            r#"{"text":"a\u0000b"}"#,
            "problem 400",
        ),
        (
            "GET",
            "/1.1/account/verify_credentials.json",
            None,
            form,
            "oauth_consumer_key=k&oauth_token=%00&oauth_nonce=n&oauth_signature=s&\
             oauth_signature_method=HMAC-SHA1&oauth_timestamp=1",
            "twitter 215",
        ),
    ];
    for (method, path, authorization, kind, body, expected) in cases {
        let mut request = http.request(method.parse().unwrap(), provider.url(path));
        if let Some(authorization) = authorization {
            request = request.header("authorization", *authorization);
        }
        if !kind.is_empty() {
            request = request.header("content-type", *kind);
        }
        let response = request.body(body.to_string()).send().await.unwrap();
        let (status, shape) = shape_of(response).await;
        assert_eq!(
            (status, shape.as_str()),
            (StatusCode::BAD_REQUEST, *expected),
            "{method} {path}"
        );
    }
    still_serving(&provider).await;
}

/// A body over the limit at the OAuth 2.0 token endpoint is an RFC 6749 error (413 with
/// `invalid_request`), not plain text a client cannot read.
#[tokio::test]
async fn an_oversized_token_request_gets_an_rfc_6749_error() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let response = reqwest::Client::new()
        .post(provider.url("/2/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("grant_type={}", "a".repeat(MEGABYTE)))
        .send()
        .await
        .unwrap();
    let (status, shape) = shape_of(response).await;
    assert_eq!(
        (status, shape.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "rfc6749 invalid_request")
    );
}

/// A 60 KB `X-Request-Id` was accepted and copied into every log line of the request.
/// A long or odd one is replaced by a new id; a short plain one is kept.
#[tokio::test]
async fn an_oversized_or_odd_request_id_is_replaced_not_logged() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let id_of = |sent: String| {
        let url = provider.url("/healthz");
        async move {
            let response = reqwest::Client::new()
                .get(url)
                .header("x-request-id", sent)
                .send()
                .await
                .unwrap();
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_owned()
        }
    };
    assert_eq!(id_of("abc-123.x_y".into()).await, "abc-123.x_y");
    for odd in ["a".repeat(60 * 1024), "a b".into(), "a\"b".into()] {
        let id = id_of(odd.clone()).await;
        assert_ne!(id, odd);
        assert!(id.len() <= 64, "{id}");
    }
}
