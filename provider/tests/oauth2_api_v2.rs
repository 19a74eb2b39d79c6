//! API v2 as X serves it, with OAuth 2.0 Bearer tokens (scopes enforced) and with
//! OAuth 1.0a user context; and OAuth 2.0 turned on from the developer page.

mod oauth2_support;
mod support;

use oauth1::{Body, Nonce, Request, Signer, Timestamp};
use oauth2_support::{ALL_SCOPES, REDIRECT, fixture};
use provider::apps::AccessLevel;
use provider::oauth2::clients::{self, ClientKind};
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
    let apps = provider::apps::by_owner(&f.provider.state.db, f.user_id)
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
