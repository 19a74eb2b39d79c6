//! The provider's HTML pages over HTTP, as a browser with cookies sees them.

use crate::support;

use provider::store::apps::{self, AccessLevel};
use provider::store::tokens;
use provider::users;
use reqwest::StatusCode;
use support::{
    Backend, alice_with_a_token, browser, csrf_of, location, page, register_app, sign_in,
    spawn_provider,
};

#[tokio::test]
async fn signing_up_signs_in_and_shows_the_home_page() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let http = browser();
    let csrf = csrf_of(&page(&http, &provider, "/signup").await);
    let response = http
        .post(provider.url("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("screen_name", "carol"),
            ("name", "Carol"),
            ("password", "correct horse"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let home = page(&http, &provider, "/").await;
    assert!(home.contains("@carol"), "{home}");
    assert!(
        users::authenticate(
            &provider.state.db,
            &provider.state.hashing,
            "carol",
            "correct horse"
        )
        .await
        .unwrap()
        .is_some()
    );
}

#[tokio::test]
async fn a_taken_screen_name_is_refused_with_the_form_kept() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    users::create(&provider.state.db, "carol", "Carol", "pw-pw-pw-pw")
        .await
        .unwrap();
    let http = browser();
    let csrf = csrf_of(&page(&http, &provider, "/signup").await);
    let response = http
        .post(provider.url("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("screen_name", "carol"),
            ("name", "Another Carol"),
            ("password", "correct horse"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("Another Carol"), "the form keeps its input");
}

#[tokio::test]
async fn a_wrong_password_is_401_and_a_right_one_follows_next() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let http = browser();
    let wrong = sign_in(&http, &provider, "alice", "looking-glass").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("do not match"));

    let csrf = csrf_of(&page(&http, &provider, "/login?next=%2Fsettings%2Fapps").await);
    let right = http
        .post(provider.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("screen_name", "alice"),
            ("password", "wonderland"),
            ("next", "/settings/apps"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&right), "/settings/apps");
}

#[tokio::test]
async fn next_cannot_leave_the_site() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let http = browser();
    for next in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
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
        assert_eq!(location(&response), "/", "next = {next}");
        let logout_csrf = csrf_of(&page(&http, &provider, "/").await);
        http.post(provider.url("/logout"))
            .form(&[("csrf", logout_csrf.as_str())])
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_form_without_the_session_csrf_token_is_forbidden() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let http = browser();
    page(&http, &provider, "/login").await;
    let response = http
        .post(provider.url("/login"))
        .form(&[
            ("csrf", "forged"),
            ("screen_name", "alice"),
            ("password", "wonderland"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pages_for_members_send_strangers_to_sign_in() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let http = browser();
    for path in ["/settings/apps", "/developer/apps"] {
        let response = http.get(provider.url(path)).send().await.unwrap();
        assert!(response.status().is_redirection(), "{path}");
        assert!(location(&response).starts_with("/login?next="), "{path}");
    }
}

#[tokio::test]
async fn a_signed_in_user_posts_a_status_from_the_home_page() {
    let provider = spawn_provider(Backend::Postgres, "Chirp").await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    let csrf = csrf_of(&page(&http, &provider, "/").await);
    let response = http
        .post(provider.url("/statuses"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("status", "Hello from the web page"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let home = page(&http, &provider, "/").await;
    assert!(home.contains("Hello from the web page"), "{home}");

    let long = "x".repeat(281);
    let refused = http
        .post(provider.url("/statuses"))
        .form(&[("csrf", csrf.as_str()), ("status", long.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_developer_registers_an_app_and_sees_its_secret_once() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let alice = users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    let csrf = csrf_of(&page(&http, &provider, "/developer/apps").await);

    let bad = http
        .post(provider.url("/developer/apps"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Bad callback"),
            ("callbacks", "javascript:alert(1)"),
            ("access", "read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let created = http
        .post(provider.url("/developer/apps"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "My site"),
            ("callbacks", "http://127.0.0.1:3000/authorize/chirp\r\n"),
            ("access", "write"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    assert_eq!(created.headers()["cache-control"], "no-store");
    let body = created.text().await.unwrap();
    let app = apps::by_owner(&provider.state.db, alice.id).await.unwrap();
    assert_eq!(app.len(), 1);
    assert_eq!(app[0].access_level, AccessLevel::Write);
    assert!(body.contains(app[0].consumer_key.as_str()));
    assert!(body.contains(app[0].consumer_secret.secret()));

    let list = page(&http, &provider, "/developer/apps").await;
    assert!(list.contains("My site"));
    assert!(list.contains(app[0].consumer_key.as_str()));
    assert!(
        !list.contains(app[0].consumer_secret.secret()),
        "the secret is shown once"
    );
}

#[tokio::test]
async fn revoking_a_connection_kills_its_tokens() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let db = &provider.state.db;
    let support::Alice {
        app,
        client,
        token: access,
        ..
    } = support::alice_with_a_token(
        &provider.state,
        "Demo site",
        "http://127.0.0.1:3000/cb",
        AccessLevel::Read,
    )
    .await;
    let status = support::verify_credentials(&provider.url, &client, &access).await;
    assert_eq!(status, StatusCode::OK);
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    let before = page(&http, &provider, "/settings/apps").await;
    assert!(before.contains("Demo site"));
    let csrf = csrf_of(&before);
    let app_id = app.id.to_string();
    let response = http
        .post(provider.url("/settings/apps/revoke"))
        .form(&[("csrf", csrf.as_str()), ("app_id", app_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = page(&http, &provider, "/settings/apps").await;
    assert!(after.contains("no-connections"), "{after}");
    assert!(
        tokens::grant(db, access.token.as_str())
            .await
            .unwrap()
            .is_none()
    );
    // Refused at once, though the token was in use a moment ago.
    let status = support::verify_credentials(&provider.url, &client, &access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// `/oauth/authenticate` sends a signed-in user straight back only to an app they already
/// approved (Twitter's "Sign in with Twitter"); any other app asks (and `force_login=true`
/// asks for the password first: see `sign_in_threats.rs`).
#[tokio::test]
async fn authenticate_skips_consent_only_for_an_app_already_approved() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let db = &provider.state.db;
    let callback = "http://127.0.0.1:3000/cb";
    let alice = alice_with_a_token(&provider.state, "Approved", callback, AccessLevel::Write).await;
    let other = register_app(
        db,
        alice.user_id,
        "Never approved",
        callback,
        AccessLevel::Write,
    )
    .await;
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    let authenticate = |app_id: i64, extra: &'static str| {
        let http = http.clone();
        let provider = &provider;
        async move {
            let (token, _) = tokens::create_request_token(
                &provider.state.db,
                app_id,
                callback,
                AccessLevel::Write,
                600,
            )
            .await
            .unwrap();
            let url = provider.url(&format!(
                "/oauth/authenticate?oauth_token={}{extra}",
                token.as_str()
            ));
            let response = http.get(url).send().await.unwrap();
            let pending = tokens::pending(&provider.state.db, token.as_str())
                .await
                .unwrap()
                .unwrap();
            (response, pending)
        }
    };

    let (response, pending) = authenticate(alice.app.id, "").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let verifier = pending.verifier.unwrap().into_secret();
    assert_eq!(
        location(&response),
        format!(
            "{callback}?oauth_token={}&oauth_verifier={verifier}",
            pending.token.as_str()
        )
    );
    assert_eq!(pending.user_id, Some(alice.user_id));

    for (app_id, extra) in [(other.id, "")] {
        let (response, pending) = authenticate(app_id, extra).await;
        assert_eq!(response.status(), StatusCode::OK, "app {app_id}{extra}");
        assert!(response.text().await.unwrap().contains("id=\"allow\""));
        assert_eq!(
            (pending.user_id, pending.verifier),
            (None, None),
            "not approved"
        );
    }
}

/// The issue's attack: an app granted `read`, asking again for `write` through
/// `/oauth/authenticate`, must not get a verifier (and a token that posts) without the
/// person seeing the consent page that says "Post and delete statuses for you".
#[tokio::test]
async fn authenticate_never_widens_a_read_grant_to_write_without_asking() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let db = &provider.state.db;
    let callback = "http://127.0.0.1:3000/cb";
    let alice = alice_with_a_token(&provider.state, "Reader", callback, AccessLevel::Write).await;
    // The grant alice gave is read-only, though the app may ask for more.
    tokens::issue_access_token(
        db,
        &provider.state.grants,
        alice.app.id,
        alice.user_id,
        AccessLevel::Read,
    )
    .await
    .unwrap();
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    let authenticate = |level: AccessLevel| {
        let http = http.clone();
        let provider = &provider;
        async move {
            let (token, _) = tokens::create_request_token(
                &provider.state.db,
                alice.app.id,
                callback,
                level,
                600,
            )
            .await
            .unwrap();
            let url = provider.url(&format!(
                "/oauth/authenticate?oauth_token={}",
                token.as_str()
            ));
            let response = http.get(url).send().await.unwrap();
            let pending = tokens::pending(&provider.state.db, token.as_str())
                .await
                .unwrap()
                .unwrap();
            (response, pending)
        }
    };

    let (response, pending) = authenticate(AccessLevel::Write).await;
    assert_eq!(response.status(), StatusCode::OK, "asked, not redirected");
    let html = response.text().await.unwrap();
    assert!(html.contains("Post and delete statuses for you."), "{html}");
    assert_eq!((pending.user_id, pending.verifier), (None, None));

    // Asking for no more than was granted still skips the question.
    let (response, pending) = authenticate(AccessLevel::Read).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(pending.user_id, Some(alice.user_id));
}

/// A write grant covers a later read-only request: no question, and the new token is
/// read-only (what the request asked for).
#[tokio::test]
async fn authenticate_skips_consent_for_a_read_request_after_a_write_grant() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let callback = "http://127.0.0.1:3000/cb";
    let alice = alice_with_a_token(&provider.state, "Writer", callback, AccessLevel::Write).await;
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    let (token, _) = tokens::create_request_token(
        &provider.state.db,
        alice.app.id,
        callback,
        AccessLevel::Read,
        600,
    )
    .await
    .unwrap();
    let response = http
        .get(provider.url(&format!(
            "/oauth/authenticate?oauth_token={}",
            token.as_str()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}
