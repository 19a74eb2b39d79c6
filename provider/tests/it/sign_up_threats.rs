//! Threats to the provider's sign-up: each one costs an Argon2 hash and a row, so a flood
//! of them, or of names already taken, must not burn the server's CPU.

use crate::support;

use provider::users;
use reqwest::StatusCode;
use support::{TestProvider, browser, csrf_of, page, spawn_provider_with};

async fn sign_up(provider: &TestProvider, screen_name: &str) -> reqwest::Response {
    let http = browser();
    let csrf = csrf_of(&page(&http, provider, "/signup").await);
    http.post(provider.url("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("screen_name", screen_name),
            ("name", ""),
            ("password", "long enough"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_ups_from_one_address_beyond_the_limit_get_429() {
    let provider = spawn_provider_with(
        support::Backend::Sqlite,
        "Chirp",
        &[("SIGNUPS_PER_ADDRESS", "2")],
    )
    .await;
    for name in ["first", "second"] {
        assert_eq!(
            sign_up(&provider, name).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    let refused = sign_up(&provider, "third").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Too many accounts were created")
    );
    let db = &provider.state.db;
    assert!(users::by_screen_name(db, "third").await.unwrap().is_none());
}

#[tokio::test]
async fn a_taken_screen_name_is_answered_without_hashing_a_password() {
    let provider = spawn_provider_with(support::Backend::Sqlite, "Chirp", &[]).await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let hashing = &provider.state.hashing;
    let before = hashing.started();
    for taken in ["alice", "ALICE"] {
        let response = sign_up(&provider, taken).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(response.text().await.unwrap().contains("taken"));
    }
    assert_eq!(hashing.started(), before, "no password was hashed");
    // A free name is hashed once.
    assert_eq!(
        sign_up(&provider, "bob").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(hashing.started(), before + 1);
}
