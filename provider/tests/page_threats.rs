//! Threats to the provider's pages (issue 13): framing, sniffing and referrers, anonymous
//! visitors who cost a stored session, and a consent page that says too little.

mod support;

use provider::apps::AccessLevel;
use provider::tokens;
use reqwest::StatusCode;
use support::{Backend, alice_with_a_token, browser, sign_in, spawn_provider};

const CALLBACK: &str = "http://127.0.0.1:3000/authorize/chirp";

#[tokio::test]
async fn no_page_can_be_framed_sniffed_or_leak_its_url_as_a_referrer() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let alice =
        alice_with_a_token(&provider.state, "Demo site", CALLBACK, AccessLevel::Write).await;
    let (token, _) = tokens::create_request_token(
        &provider.state.db,
        alice.app.id,
        CALLBACK,
        AccessLevel::Write,
        600,
    )
    .await
    .unwrap();
    let http = browser();
    let anonymous = [
        "/",
        "/login",
        "/signup",
        "/static/provider.css",
        "/settings/apps",
        "/oauth/authorize?oauth_token=unknown",
        "/no/such/page",
        "/1.1/account/verify_credentials.json",
    ];
    let consent = format!("/oauth/authorize?oauth_token={}", token.as_str());
    let signed_in = ["/", "/developer/apps", "/settings/apps", consent.as_str()];
    let check = |path: &str, response: &reqwest::Response| {
        let headers = response.headers();
        for (name, value) in [
            ("content-security-policy", "frame-ancestors 'none'"),
            ("x-frame-options", "DENY"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
        ] {
            assert_eq!(
                headers.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{name} on {path} ({})",
                response.status()
            );
        }
    };
    for path in anonymous {
        let response = http.get(provider.url(path)).send().await.unwrap();
        check(path, &response);
    }
    sign_in(&http, &provider, "alice", "wonderland").await;
    for path in signed_in {
        let response = http.get(provider.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        check(path, &response);
    }
}

#[tokio::test]
async fn the_consent_page_names_the_apps_owner_and_where_the_answer_goes() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let db = &provider.state.db;
    // The app is named after the provider itself; its owner and callback tell the truth.
    let mallory = provider::users::create(db, "mallory", "Mallory", "password1")
        .await
        .unwrap();
    let app = support::register_app(
        db,
        mallory.id,
        "Chirp Security",
        "https://login.evil.example:8443/cb",
        AccessLevel::Write,
    )
    .await;
    provider::users::create(db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    for (callback, shown) in [
        (
            "https://login.evil.example:8443/cb",
            "login.evil.example:8443",
        ),
        ("oob", "a PIN shown here"),
    ] {
        let (token, _) =
            tokens::create_request_token(db, app.id, callback, AccessLevel::Write, 600)
                .await
                .unwrap();
        let consent = support::page(
            &http,
            &provider,
            &format!("/oauth/authorize?oauth_token={}", token.as_str()),
        )
        .await;
        assert!(consent.contains("@mallory"), "{consent}");
        assert!(consent.contains(shown), "{callback}: {consent}");
    }
}
