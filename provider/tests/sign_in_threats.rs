//! Threats to the provider's sign-in (issue 13): open redirects through `next`, password
//! guessing, a CSRF token that outlives sign-in, and `force_login`.

mod support;

use provider::users;
use reqwest::StatusCode;
use support::{Backend, TestProvider, browser, csrf_of, location, page, sign_in, spawn_provider};

/// `next` values that a browser would take to another host: tabs and newlines (which
/// browsers strip), backslashes (which they read as `/`), scheme-relative and
/// scheme-only forms, and their percent-encoded spellings.
const BYPASSES: &[&str] = &[
    "https://evil.example/",
    "//evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http:evil.example",
    "/%09/evil.example/",
    "/%0a/evil.example/",
    "/%5Cevil.example",
    "/%2509/evil.example/",
    "%2F%2Fevil.example",
    "/.//evil.example/",
];

async fn provider_with_alice() -> TestProvider {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    provider
}

fn stays_home(response: &reqwest::Response, next: &str) {
    assert!(
        response.status().is_redirection(),
        "next = {next:?}: {}",
        response.status()
    );
    assert_eq!(location(response), "/", "next = {next:?}");
}

#[tokio::test]
async fn a_next_with_a_tab_newline_or_backslash_cannot_leave_the_provider_after_sign_in() {
    let provider = provider_with_alice().await;
    let http = browser();
    for next in BYPASSES {
        let csrf = csrf_of(&page(&http, &provider, "/login").await);
        let response = http
            .post(provider.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("screen_name", "alice"),
                ("password", "wonderland"),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        stays_home(&response, next);
        let csrf = csrf_of(&page(&http, &provider, "/").await);
        http.post(provider.url("/logout"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_signed_in_browser_sent_to_login_with_a_bypass_next_stays_on_the_provider() {
    let provider = provider_with_alice().await;
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    for next in BYPASSES {
        let url = url::Url::parse_with_params(&provider.url("/login"), [("next", next)]).unwrap();
        let response = http.get(url).send().await.unwrap();
        // A newline used to reach `Redirect::to` and panic: a 500.
        stays_home(&response, next);
    }
    // The case from the review, byte for byte.
    let response = http
        .get(provider.url("/login?next=/%09/evil.example/"))
        .send()
        .await
        .unwrap();
    stays_home(&response, "/%09/evil.example/");
    let kept = http
        .get(provider.url("/login?next=%2Fsettings%2Fapps%3Fx%3D1"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&kept), "/settings/apps?x=1");
}

#[tokio::test]
async fn a_newline_in_next_is_never_a_server_error() {
    let provider = provider_with_alice().await;
    let http = browser();
    for path in ["/login", "/signup"] {
        let response = http
            .get(provider.url(&format!("{path}?next=/%0d%0aSet-Cookie:%20x=1")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.text().await.unwrap();
        assert!(!body.contains("Set-Cookie"), "{path}: next is reset to /");
    }
}
