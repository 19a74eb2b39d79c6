//! API v2 as X serves it, with OAuth 2.0 Bearer tokens (scopes enforced) and with
//! OAuth 1.0a user context; and OAuth 2.0 turned on from the developer page.

use crate::oauth2_support;
use crate::support;

use oauth1::{Body, Nonce, Request, Signer, Timestamp};
use oauth2_support::{ALL_SCOPES, REDIRECT, fixture};
use provider::store::apps::AccessLevel;
use provider::store::oauth2::clients::{self, ClientKind};
use reqwest::StatusCode;
use support::Backend;

async fn tweets_with_a_bearer_token(backend: Backend) {
    let f = fixture(backend).await;
    let tokens = f.tokens(&f.public, ALL_SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    let posted = f
        .http
        .post(f.url("/2/tweets"))
        .bearer_auth(access)
        .json(&serde_json::json!({"text": "hello from OAuth 2.0 ☃"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::CREATED);
    let posted: serde_json::Value = posted.json().await.unwrap();
    assert_eq!(posted["data"]["text"], "hello from OAuth 2.0 ☃");
    let id = posted["data"]["id"].as_str().unwrap().to_owned();

    let listed: serde_json::Value = f
        .http
        .get(f.url(&format!("/2/users/{}/tweets", f.user_id)))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["id"], id.as_str());
    assert_eq!(listed["meta"]["result_count"], 1);

    let deleted = f
        .http
        .delete(f.url(&format!("/2/tweets/{id}")))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    let deleted: serde_json::Value = deleted.json().await.unwrap();
    assert_eq!(deleted, serde_json::json!({"data": {"deleted": true}}));
    let listed: serde_json::Value = f
        .http
        .get(f.url(&format!("/2/users/{}/tweets", f.user_id)))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["meta"]["result_count"], 0);
}

#[tokio::test]
async fn a_bearer_token_posts_lists_and_deletes_tweets_on_sqlite() {
    tweets_with_a_bearer_token(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_bearer_token_posts_lists_and_deletes_tweets_on_postgres() {
    tweets_with_a_bearer_token(Backend::Postgres).await;
}

#[tokio::test]
async fn no_or_bad_credentials_get_xs_401_problem() {
    let f = fixture(Backend::Sqlite).await;
    for auth in [
        None,
        Some("Bearer not-a-token"),
        Some("Bearer"),
        Some("Bearer a b"),
    ] {
        let mut request = f.http.get(f.url("/2/users/me"));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(response.headers().contains_key("www-authenticate"));
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})
        );
    }
}

#[tokio::test]
async fn bad_input_to_api_v2_is_a_4xx() {
    let f = fixture(Backend::Sqlite).await;
    let tokens = f.tokens(&f.public, ALL_SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    let send = |method: reqwest::Method, path: &str, body: &'static str| {
        f.http
            .request(method, f.url(path))
            .bearer_auth(access)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (method, path, body, status) in [
        (reqwest::Method::POST, "/2/tweets", "not json", 400),
        (reqwest::Method::POST, "/2/tweets", "{\"text\": \"\"}", 400),
        (reqwest::Method::POST, "/2/tweets", "{\"txt\": \"x\"}", 400),
        (reqwest::Method::DELETE, "/2/tweets/abc", "", 400),
        (reqwest::Method::DELETE, "/2/tweets/12345", "", 404),
        (reqwest::Method::GET, "/2/users/abc/tweets", "", 400),
        (reqwest::Method::GET, "/2/users/12345/tweets", "", 404),
        (
            reqwest::Method::GET,
            "/2/users/1/tweets?max_results=1000",
            "",
            400,
        ),
    ] {
        let response = send(method.clone(), path, body).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {path} {body}");
    }
}

#[tokio::test]
async fn oauth_1_user_context_works_on_api_v2() {
    let provider = support::spawn_provider(Backend::Sqlite, "Chirp").await;
    let alice = support::alice_with_a_token(
        &provider.state,
        "Signed app",
        "http://127.0.0.1:3000/cb",
        AccessLevel::Write,
    )
    .await;
    let signer = Signer::new(&alice.client).token(&alice.token);
    let http = reqwest::Client::new();

    let me = url::Url::parse(&provider.url("/2/users/me")).unwrap();
    let header = signer
        .authorization(
            &Request {
                method: "GET",
                url: &me,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = http
        .get(me.as_str())
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["username"], "alice");

    // A JSON body is covered by oauth_body_hash.
    let tweets = url::Url::parse(&provider.url("/2/tweets")).unwrap();
    let json = br#"{"text":"signed with OAuth 1.0a"}"#;
    let header = signer
        .authorization(
            &Request {
                method: "POST",
                url: &tweets,
                body: Body::Other(json),
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = http
        .post(tweets.as_str())
        .header("authorization", header)
        .header("content-type", "application/json")
        .body(json.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    // A bad signature is X's 401 problem.
    let header = signer
        .authorization(
            &Request {
                method: "GET",
                url: &tweets,
                body: Body::Empty,
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = http
        .get(me.as_str())
        .header("authorization", header)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_read_only_oauth_1_token_cannot_post_on_api_v2() {
    let provider = support::spawn_provider(Backend::Sqlite, "Chirp").await;
    let alice = support::alice_with_a_token(
        &provider.state,
        "Reader",
        "http://127.0.0.1:3000/cb",
        AccessLevel::Read,
    )
    .await;
    let tweets = url::Url::parse(&provider.url("/2/tweets")).unwrap();
    let json = br#"{"text":"nope"}"#;
    let header = Signer::new(&alice.client)
        .token(&alice.token)
        .authorization(
            &Request {
                method: "POST",
                url: &tweets,
                body: Body::Other(json),
            },
            &Nonce::generate(),
            Timestamp::now(),
        )
        .unwrap();
    let response = reqwest::Client::new()
        .post(tweets.as_str())
        .header("authorization", header)
        .header("content-type", "application/json")
        .body(json.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_developer_turns_oauth_2_on_and_sees_the_client_secret_once() {
    let f = fixture(Backend::Sqlite).await;
    let csrf = support::csrf_of(&support::page(&f.browser, &f.provider, "/developer/apps").await);
    let register = |oauth2: &'static str, redirect: &'static str| {
        f.browser
            .post(f.url("/developer/apps"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Two-legged"),
                ("callbacks", "http://127.0.0.1:3000/cb"),
                ("access", "write"),
                ("oauth2", oauth2),
                ("redirect_uris", redirect),
            ])
            .send()
    };
    let bad = register("confidential", "").await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let created = register("confidential", REDIRECT).await.unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let html = created.text().await.unwrap();
    let apps = provider::store::apps::by_owner(&f.provider.state.db, f.user_id)
        .await
        .unwrap();
    let app = apps.iter().find(|a| a.name == "Two-legged").unwrap();
    let client = clients::by_app(&f.provider.state.db, app.id)
        .await
        .unwrap()
        .expect("OAuth 2.0 on");
    assert_eq!(client.kind(), ClientKind::Confidential);
    assert_eq!(client.redirect_uris, [REDIRECT]);
    assert!(html.contains(&client.client_id), "{html}");
    let marker = "id=\"client-secret\">";
    let start = html.find(marker).unwrap() + marker.len();
    let secret = &html[start..start + html[start..].find('<').unwrap()];
    assert!(client.secret_matches(secret));
    let list = support::page(&f.browser, &f.provider, "/developer/apps").await;
    assert!(list.contains(&client.client_id) && !list.contains(secret));
}

/// Revokes alice's OAuth 2.0 grant of the app with `app_id` from her connected-apps page.
async fn revoke_on_the_page(
    f: &oauth2_support::Fixture,
    browser: &reqwest::Client,
    app_id: i64,
) -> reqwest::Response {
    let page = support::page(browser, &f.provider, "/settings/apps").await;
    let csrf = support::csrf_of(&page);
    let app_id = app_id.to_string();
    browser
        .post(f.url("/settings/apps/revoke"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("app_id", app_id.as_str()),
            ("protocol", "oauth2"),
        ])
        .send()
        .await
        .unwrap()
}

async fn app_id_of(f: &oauth2_support::Fixture, client: &oauth2_support::TestClient) -> i64 {
    clients::by_client_id(&f.provider.state.db, &client.id)
        .await
        .unwrap()
        .expect("the client")
        .app_id
}

/// An app alice authorized only over OAuth 2.0 is on her connected-apps page; revoking
/// it there ends every grant of it: both sign-ins' access tokens get 401 on
/// `/2/users/me`, their refresh tokens (the rotated one's successor too) `invalid_grant`,
/// and a code issued before the revocation is refused after it.
async fn revoking_an_oauth_2_app_on_the_page_ends_its_whole_grant(backend: Backend) {
    let f = fixture(backend).await;
    let first = f.tokens(&f.confidential, ALL_SCOPES).await;
    // Rotate the first family once: the live pair is the refreshed one.
    let refreshed = f
        .refresh(&f.confidential, first["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: serde_json::Value = refreshed.json().await.unwrap();
    let second = f
        .tokens(&f.confidential, "tweet.read users.read offline.access")
        .await;
    let waiting_code = f.code(&f.confidential, "users.read").await;
    for tokens in [&refreshed, &second] {
        assert_eq!(
            f.me(tokens["access_token"].as_str().unwrap()).await,
            StatusCode::OK
        );
    }
    let app_id = app_id_of(&f, &f.confidential).await;

    let page = support::page(&f.browser, &f.provider, "/settings/apps").await;
    let row = format!("id=\"app-{app_id}-oauth2\"");
    assert!(page.contains(&row), "{page}");
    assert!(
        page.contains("Server app") && page.contains("OAuth 2.0"),
        "{page}"
    );
    assert!(
        page.contains("tweet.read tweet.write users.read offline.access"),
        "{page}"
    );
    assert!(!page.contains(&format!("app-{app_id}-oauth1")), "{page}");
    // The public client was never authorized: not listed.
    assert!(!page.contains("Phone app"), "{page}");

    let response = revoke_on_the_page(&f, &f.browser, app_id).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(support::location(&response), "/settings/apps");

    for tokens in [&first, &refreshed, &second] {
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(f.me(access).await, StatusCode::UNAUTHORIZED);
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let refused = f.refresh(&f.confidential, refresh).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert_eq!(oauth2_support::error_of(refused).await, "invalid_grant");
    }
    let late = f.exchange(&f.confidential, &waiting_code).await;
    assert_eq!(late.status(), StatusCode::BAD_REQUEST);
    assert_eq!(oauth2_support::error_of(late).await, "invalid_grant");
    let after = support::page(&f.browser, &f.provider, "/settings/apps").await;
    assert!(after.contains("no-connections"), "{after}");

    // Authorizing again is a new grant, listed again.
    let again = f.tokens(&f.confidential, ALL_SCOPES).await;
    assert_eq!(
        f.me(again["access_token"].as_str().unwrap()).await,
        StatusCode::OK
    );
    let page = support::page(&f.browser, &f.provider, "/settings/apps").await;
    assert!(page.contains(&row), "{page}");
}

#[tokio::test]
async fn revoking_an_oauth_2_app_on_the_page_ends_its_whole_grant_on_sqlite() {
    revoking_an_oauth_2_app_on_the_page_ends_its_whole_grant(Backend::Sqlite).await;
}

#[tokio::test]
async fn revoking_an_oauth_2_app_on_the_page_ends_its_whole_grant_on_postgres() {
    revoking_an_oauth_2_app_on_the_page_ends_its_whole_grant(Backend::Postgres).await;
}

/// The same app over OAuth 1.0a and OAuth 2.0 is two rows, each revoked on its own.
#[tokio::test]
async fn oauth_1_and_oauth_2_access_of_one_app_are_listed_and_revoked_apart() {
    let f = fixture(Backend::Sqlite).await;
    let app_id = app_id_of(&f, &f.confidential).await;
    let state = &f.provider.state;
    let (token, _) = provider::store::tokens::issue_access_token(
        &state.db,
        &state.grants,
        app_id,
        f.user_id,
        AccessLevel::Write,
    )
    .await
    .unwrap();
    let bearer = f.tokens(&f.confidential, ALL_SCOPES).await;
    let access = bearer["access_token"].as_str().unwrap();
    let page = support::page(&f.browser, &f.provider, "/settings/apps").await;
    for protocol in ["oauth1", "oauth2"] {
        assert!(
            page.contains(&format!("id=\"app-{app_id}-{protocol}\"")),
            "{page}"
        );
    }
    assert!(
        page.contains("write access") && page.contains("OAuth 1.0a"),
        "{page}"
    );

    // The OAuth 1.0a row's form (no protocol field, as before) leaves OAuth 2.0 alone.
    let csrf = support::csrf_of(&page);
    let response = f
        .browser
        .post(f.url("/settings/apps/revoke"))
        .form(&[("csrf", csrf.as_str()), ("app_id", &app_id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        provider::store::tokens::grant(&state.db, token.as_str())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(f.me(access).await, StatusCode::OK);
    let page = support::page(&f.browser, &f.provider, "/settings/apps").await;
    assert!(!page.contains(&format!("app-{app_id}-oauth1")), "{page}");
    assert!(page.contains(&format!("app-{app_id}-oauth2")), "{page}");

    let response = revoke_on_the_page(&f, &f.browser, app_id).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(f.me(access).await, StatusCode::UNAUTHORIZED);
}

/// Bob cannot revoke alice's grant: not with his own signed-in form, not with a form
/// from another origin, not with a protocol that does not exist (a 4xx, not a 5xx).
#[tokio::test]
async fn another_user_cannot_revoke_someone_elses_oauth_2_grant() {
    let f = fixture(Backend::Sqlite).await;
    let tokens = f.tokens(&f.confidential, ALL_SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    let app_id = app_id_of(&f, &f.confidential).await;
    provider::users::create(&f.provider.state.db, "bob", "Bob", "builder-pw")
        .await
        .unwrap();
    let bob = support::browser();
    let signed_in = support::sign_in(&bob, &f.provider, "bob", "builder-pw").await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let bobs_page = support::page(&bob, &f.provider, "/settings/apps").await;
    assert!(bobs_page.contains("no-connections"), "{bobs_page}");

    let response = revoke_on_the_page(&f, &bob, app_id).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let csrf = support::csrf_of(&bobs_page);
    let app_id_text = app_id.to_string();
    for protocol in ["oauth3", ""] {
        let response = bob
            .post(f.url("/settings/apps/revoke"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("app_id", app_id_text.as_str()),
                ("protocol", protocol),
            ])
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(status.is_client_error(), "protocol {protocol:?}: {status}");
    }
    let response = bob
        .post(f.url("/settings/apps/revoke"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("app_id", "not-a-number"),
            ("protocol", "oauth2"),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());

    // Alice's own form, sent from another origin: the page's origin check refuses it.
    let alices_page = support::page(&f.browser, &f.provider, "/settings/apps").await;
    let response = f
        .browser
        .post(f.url("/settings/apps/revoke"))
        .header("origin", "http://127.0.0.1:1")
        .form(&[
            ("csrf", support::csrf_of(&alices_page).as_str()),
            ("app_id", app_id_text.as_str()),
            ("protocol", "oauth2"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    assert_eq!(f.me(access).await, StatusCode::OK);
    let refreshed = f
        .refresh(&f.confidential, tokens["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let page = support::page(&f.browser, &f.provider, "/settings/apps").await;
    assert!(page.contains(&format!("app-{app_id}-oauth2")), "{page}");
}
