//! The rules of RFC 6749 §4.1 and §10, RFC 7636 and RFC 7009 as the provider's OAuth 2.0
//! side enforces them, over HTTP.

use crate::oauth2_support;
use crate::support;

use oauth2_support::{
    ALL_SCOPES, Fixture, OTHER_REDIRECT, REDIRECT, VERIFIER, authorize_params, error_of, fixture,
    fixture_with, param, query, redirect_params,
};
use reqwest::StatusCode;
use support::Backend;

async fn full_flow(backend: Backend) {
    let f = fixture(backend).await;
    let response = f
        .exchange(&f.confidential, &f.code(&f.confidential, ALL_SCOPES).await)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let tokens: serde_json::Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 7200);
    assert_eq!(
        tokens["scope"],
        "tweet.read tweet.write users.read offline.access"
    );
    assert!(tokens["refresh_token"].is_string());
    let access = tokens["access_token"].as_str().unwrap();
    let me = f
        .http
        .get(f.url("/2/users/me"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(
        me,
        serde_json::json!({"data": {"id": f.user_id.to_string(), "name": "Alice", "username": "alice"}})
    );
    // Only digests are stored.
    let stored: i64 =
        sqlx::query_scalar("select count(*) from oauth2_tokens where token_digest = $1")
            .bind(access)
            .fetch_one(&f.provider.state.db)
            .await
            .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn the_full_flow_gives_a_token_that_calls_users_me_on_sqlite() {
    full_flow(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_full_flow_gives_a_token_that_calls_users_me_on_postgres() {
    full_flow(Backend::Postgres).await;
}

#[tokio::test]
async fn the_consent_page_lists_the_scopes_in_words() {
    let f = fixture(Backend::Sqlite).await;
    let page = f
        .ask(&authorize_params(
            &f.confidential,
            "users.read tweet.read",
            "s",
        ))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("Server app"), "{html}");
    assert!(
        html.contains("Read your posts and your timeline."),
        "{html}"
    );
    assert!(html.contains("users.read"), "{html}");
    assert!(!html.contains("Post and delete posts for you."), "{html}");
    assert!(html.contains("127.0.0.1:3000"), "{html}");
}

#[tokio::test]
async fn a_signed_out_person_signs_in_first_and_comes_back() {
    let f = fixture(Backend::Sqlite).await;
    let params = authorize_params(&f.confidential, "users.read", "s");
    let response = f
        .http
        .get(format!(
            "{}?{}",
            f.url("/i/oauth2/authorize"),
            query(&params)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = support::location(&response);
    assert!(
        location.starts_with("/login?next=%2Fi%2Foauth2%2Fauthorize%3F"),
        "{location}"
    );
}

#[tokio::test]
async fn a_wrong_or_missing_pkce_verifier_is_refused() {
    let f = fixture(Backend::Sqlite).await;
    let code = f.code(&f.confidential, "users.read").await;
    let wrong = f
        .token(
            &f.confidential,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &VERIFIER.replace('d', "e")),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(wrong).await, "invalid_grant");
    // The code was spent by the failed try: it cannot be retried with another verifier.
    let again = f.exchange(&f.confidential, &code).await;
    assert_eq!(error_of(again).await, "invalid_grant");

    let code = f.code(&f.confidential, "users.read").await;
    let missing = f
        .token(
            &f.confidential,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        )
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(missing).await, "invalid_request");
}

#[tokio::test]
async fn a_plain_or_missing_challenge_is_refused_at_the_authorization_endpoint() {
    let f = fixture(Backend::Sqlite).await;
    for (name, value) in [("code_challenge_method", "plain"), ("code_challenge", "")] {
        let mut params = authorize_params(&f.public, "users.read", "s1");
        params.retain(|(k, _)| k != name);
        params.push((name.to_owned(), value.to_owned()));
        let response = f.ask(&params).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let back = redirect_params(&response);
        assert_eq!(param(&back, "error"), Some("invalid_request"), "{name}");
        assert_eq!(param(&back, "state"), Some("s1"));
    }
}

async fn code_reuse(backend: Backend) {
    let f = fixture(backend).await;
    let code = f.code(&f.confidential, ALL_SCOPES).await;
    let first: serde_json::Value = f
        .exchange(&f.confidential, &code)
        .await
        .json()
        .await
        .unwrap();
    let access = first["access_token"].as_str().unwrap();
    let refresh = first["refresh_token"].as_str().unwrap();
    assert_eq!(f.me(access).await, StatusCode::OK);
    let second = f.exchange(&f.confidential, &code).await;
    assert_eq!(second.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(second).await, "invalid_grant");
    // RFC 6749 §4.1.2: what the first exchange issued is revoked.
    assert_eq!(f.me(access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_of(f.refresh(&f.confidential, refresh).await).await,
        "invalid_grant"
    );
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_its_tokens_on_sqlite() {
    code_reuse(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_its_tokens_on_postgres() {
    code_reuse(Backend::Postgres).await;
}

#[tokio::test]
async fn a_code_used_by_another_client_is_refused_and_stays_good_for_its_own() {
    let f = fixture(Backend::Sqlite).await;
    let code = f.code(&f.confidential, "users.read").await;
    let stolen = f.exchange(&f.public, &code).await;
    assert_eq!(stolen.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(stolen).await, "invalid_grant");
    assert_eq!(
        f.exchange(&f.confidential, &code).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_shown_as_a_page_never_redirected_to() {
    let f = fixture(Backend::Sqlite).await;
    for uri in [
        "http://evil.example/cb",
        "http://127.0.0.1:3000/authorize/chirp2/",
        "http://127.0.0.1:3000/authorize/chirp2?x=1",
        "",
    ] {
        let mut params = authorize_params(&f.confidential, "users.read", "s");
        params.retain(|(k, _)| k != "redirect_uri");
        params.push(("redirect_uri".into(), uri.into()));
        let response = f.ask(&params).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{uri}");
        assert!(response.headers().get("location").is_none());
    }
    let mut unknown = authorize_params(&f.confidential, "users.read", "s");
    unknown.retain(|(k, _)| k != "client_id");
    unknown.push(("client_id".into(), "nobody".into()));
    let response = f.ask(&unknown).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn a_redirect_uri_that_differs_at_the_token_endpoint_is_refused() {
    let f = fixture(Backend::Sqlite).await;
    let code = f.code(&f.confidential, "users.read").await;
    let response = f
        .token(
            &f.confidential,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", OTHER_REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(response).await, "invalid_grant");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let f = fixture(Backend::Sqlite).await;
    let code = f.code(&f.confidential, "users.read").await;
    sqlx::query("update oauth2_codes set expires_at = $1")
        .bind(provider::plumbing::db::now() - 1)
        .execute(&f.provider.state.db)
        .await
        .unwrap();
    let response = f.exchange(&f.confidential, &code).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(response).await, "invalid_grant");
}

#[tokio::test]
async fn a_missing_state_is_sent_back_as_invalid_request() {
    let f = fixture(Backend::Sqlite).await;
    let mut params = authorize_params(&f.confidential, "users.read", "s");
    params.retain(|(k, _)| k != "state");
    let response = f.ask(&params).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = redirect_params(&response);
    assert_eq!(param(&back, "error"), Some("invalid_request"));
    assert_eq!(param(&back, "state"), None);
    assert_eq!(param(&back, "code"), None);
}

#[tokio::test]
async fn unknown_scopes_and_response_types_are_sent_back_with_the_state() {
    let f = fixture(Backend::Sqlite).await;
    let response = f
        .ask(&authorize_params(
            &f.confidential,
            "users.read follows.read",
            "s2",
        ))
        .await;
    let back = redirect_params(&response);
    assert_eq!(param(&back, "error"), Some("invalid_scope"));
    assert_eq!(param(&back, "state"), Some("s2"));
    let mut token = authorize_params(&f.confidential, "users.read", "s3");
    token.retain(|(k, _)| k != "response_type");
    token.push(("response_type".into(), "token".into()));
    let back = redirect_params(&f.ask(&token).await);
    assert_eq!(param(&back, "error"), Some("unsupported_response_type"));
    assert_eq!(param(&back, "state"), Some("s3"));
}

#[tokio::test]
async fn a_denial_redirects_with_access_denied_and_the_state() {
    let f = fixture(Backend::Sqlite).await;
    let response = f
        .answer(
            &authorize_params(&f.confidential, "users.read", "st"),
            "deny",
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = redirect_params(&response);
    assert_eq!(param(&back, "error"), Some("access_denied"));
    assert_eq!(param(&back, "state"), Some("st"));
    assert_eq!(param(&back, "code"), None);
}

#[tokio::test]
async fn the_consent_post_needs_the_csrf_token() {
    let f = fixture(Backend::Sqlite).await;
    let mut form = authorize_params(&f.confidential, "users.read", "st");
    form.push(("csrf".into(), "forged".into()));
    form.push(("decision".into(), "allow".into()));
    let response = f
        .browser
        .post(f.url("/i/oauth2/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get("location").is_none());
}

async fn refresh_rotation(backend: Backend) {
    let f = fixture(backend).await;
    let first = f.tokens(&f.public, ALL_SCOPES).await;
    let old_refresh = first["refresh_token"].as_str().unwrap();
    let rotated = f.refresh(&f.public, old_refresh).await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let second: serde_json::Value = rotated.json().await.unwrap();
    let new_refresh = second["refresh_token"].as_str().unwrap();
    let new_access = second["access_token"].as_str().unwrap();
    assert_ne!(new_refresh, old_refresh);
    assert_eq!(second["expires_in"], 7200);
    assert_eq!(f.me(new_access).await, StatusCode::OK);
    // The old refresh token again: refused, and the whole family goes.
    let reused = f.refresh(&f.public, old_refresh).await;
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(reused).await, "invalid_grant");
    assert_eq!(f.me(new_access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        f.me(first["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        error_of(f.refresh(&f.public, new_refresh).await).await,
        "invalid_grant"
    );
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family_on_sqlite() {
    refresh_rotation(Backend::Sqlite).await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family_on_postgres() {
    refresh_rotation(Backend::Postgres).await;
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scope_but_not_widen_it() {
    let f = fixture(Backend::Sqlite).await;
    let tokens = f.tokens(&f.confidential, "users.read offline.access").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let wider = f
        .token(
            &f.confidential,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("scope", "users.read tweet.write"),
            ],
        )
        .await;
    assert_eq!(error_of(wider).await, "invalid_scope");
    let narrower: serde_json::Value = f
        .token(
            &f.confidential,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("scope", "users.read"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(narrower["scope"], "users.read");
}

/// RFC 6749 §6: a refresh that asks for less narrows the new access token only; the new
/// refresh token keeps the whole grant, so the next refresh can have it all back (before,
/// a narrowed refresh issued no refresh token at all, and the grant was lost).
#[tokio::test]
async fn a_narrowed_refresh_keeps_the_whole_grant_for_the_next_refresh() {
    let f = fixture(Backend::Sqlite).await;
    let tokens = f.tokens(&f.confidential, ALL_SCOPES).await;
    let narrowed: serde_json::Value = f
        .token(
            &f.confidential,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
                ("scope", "users.read"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(narrowed["scope"], "users.read");
    let refresh = narrowed["refresh_token"]
        .as_str()
        .expect("a refresh token with the whole grant");
    let whole: serde_json::Value = f
        .refresh(&f.confidential, refresh)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(whole["scope"], ALL_SCOPES);
    assert!(whole["refresh_token"].is_string(), "{whole}");
}

#[tokio::test]
async fn without_offline_access_there_is_no_refresh_token() {
    let f = fixture(Backend::Sqlite).await;
    let tokens = f.tokens(&f.confidential, "users.read tweet.read").await;
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
}

#[tokio::test]
async fn a_revoked_token_no_longer_works() {
    let f = fixture(Backend::Sqlite).await;
    let tokens = f.tokens(&f.confidential, ALL_SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let revoke = |token: String, hint: &'static str| {
        let secret = f.confidential.secret.clone();
        f.http
            .post(f.url("/2/oauth2/revoke"))
            .basic_auth(&f.confidential.id, secret)
            .form(&[("token", token.as_str()), ("token_type_hint", hint)])
            .send()
    };
    let response = revoke(access.to_owned(), "access_token").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(f.me(access).await, StatusCode::UNAUTHORIZED);
    // RFC 7009 §2.1: revoking the refresh token takes the rest of the grant along.
    let again: serde_json::Value = f
        .refresh(&f.confidential, refresh)
        .await
        .json()
        .await
        .unwrap();
    let new_access = again["access_token"].as_str().unwrap().to_owned();
    let new_refresh = again["refresh_token"].as_str().unwrap().to_owned();
    let response = revoke(new_refresh.clone(), "refresh_token").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(f.me(&new_access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        error_of(f.refresh(&f.confidential, &new_refresh).await).await,
        "invalid_grant"
    );
    // §2.2: an unknown token is answered 200 as well.
    let response = revoke("never-issued".into(), "access_token").await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// On SQLite the provider keeps Bearer grants in memory: a token in use, its grant
/// cached, is refused on its very next request once revoked, alone or with its family.
#[tokio::test]
async fn a_bearer_token_in_use_is_refused_on_its_next_request_once_revoked() {
    let f = fixture(Backend::Sqlite).await;
    let revoke = |token: String| {
        let secret = f.confidential.secret.clone();
        f.http
            .post(f.url("/2/oauth2/revoke"))
            .basic_auth(&f.confidential.id, secret)
            .form(&[("token", token.as_str())])
            .send()
    };
    let tokens = f.tokens(&f.confidential, ALL_SCOPES).await;
    let access = tokens["access_token"].as_str().unwrap();
    let refresh = tokens["refresh_token"].as_str().unwrap();
    for _ in 0..3 {
        assert_eq!(f.me(access).await, StatusCode::OK);
    }
    assert_eq!(
        revoke(access.to_owned()).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(f.me(access).await, StatusCode::UNAUTHORIZED);
    // A refreshed token in use, then its refresh token revoked: the family goes at once.
    let again: serde_json::Value = f
        .refresh(&f.confidential, refresh)
        .await
        .json()
        .await
        .unwrap();
    let new_access = again["access_token"].as_str().unwrap().to_owned();
    let new_refresh = again["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(f.me(&new_access).await, StatusCode::OK);
    assert_eq!(revoke(new_refresh).await.unwrap().status(), StatusCode::OK);
    assert_eq!(f.me(&new_access).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_client_cannot_revoke_another_clients_token() {
    let f = fixture(Backend::Sqlite).await;
    let tokens = f.tokens(&f.confidential, "users.read").await;
    let access = tokens["access_token"].as_str().unwrap();
    let response = f
        .http
        .post(f.url("/2/oauth2/revoke"))
        .form(&[("token", access), ("client_id", f.public.id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(f.me(access).await, StatusCode::OK);
}

#[tokio::test]
async fn a_scope_not_granted_is_403() {
    let f = fixture(Backend::Sqlite).await;
    let tokens = f.tokens(&f.confidential, "tweet.read").await;
    let access = tokens["access_token"].as_str().unwrap();
    let post = f
        .http
        .post(f.url("/2/tweets"))
        .bearer_auth(access)
        .json(&serde_json::json!({"text": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::FORBIDDEN);
    let challenge = post.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
    let body: serde_json::Value = post.json().await.unwrap();
    assert_eq!(body["title"], "Forbidden");
    assert_eq!(body["status"], 403);
    assert_eq!(f.me(access).await, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_read_only_app_cannot_be_granted_tweet_write() {
    let f = fixture(Backend::Sqlite).await;
    let reader = oauth2_support::oauth2_app(
        &f.provider,
        f.user_id,
        "Reader",
        provider::store::oauth2::clients::ClientKind::Public,
        provider::store::apps::AccessLevel::Read,
    )
    .await;
    let back = redirect_params(&f.ask(&authorize_params(&reader, "tweet.write", "s")).await);
    assert_eq!(param(&back, "error"), Some("invalid_scope"));
}

#[tokio::test]
async fn a_public_client_needs_no_secret() {
    let f = fixture(Backend::Sqlite).await;
    assert!(f.public.secret.is_none());
    let tokens = f.tokens(&f.public, "users.read").await;
    assert_eq!(
        f.me(tokens["access_token"].as_str().unwrap()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_confidential_client_without_basic_auth_gets_401_invalid_client() {
    let f = fixture(Backend::Sqlite).await;
    let code = f.code(&f.confidential, "users.read").await;
    let exchange = |auth: Option<(&str, &str)>, extra: Vec<(&'static str, String)>| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
            ("redirect_uri", REDIRECT.to_owned()),
            ("code_verifier", VERIFIER.to_owned()),
        ];
        form.extend(extra);
        let mut request = f.http.post(f.url("/2/oauth2/token")).form(&form);
        if let Some((id, secret)) = auth {
            request = request.basic_auth(id, Some(secret));
        }
        request.send()
    };
    let id = f.confidential.id.clone();
    let no_auth = exchange(None, vec![("client_id", id.clone())])
        .await
        .unwrap();
    assert_eq!(no_auth.status(), StatusCode::UNAUTHORIZED);
    assert!(
        no_auth.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_eq!(error_of(no_auth).await, "invalid_client");
    let wrong = exchange(Some((&id, "wrong-secret")), vec![]).await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(wrong).await, "invalid_client");
    // client_secret_post is accepted too; the failed tries did not spend the code.
    let secret = f.confidential.secret.clone().unwrap();
    let post = exchange(None, vec![("client_id", id), ("client_secret", secret)])
        .await
        .unwrap();
    assert_eq!(post.status(), StatusCode::OK);
}

/// Token request parameters, and the status and `error` they get.
type Case<'a> = (&'a [(&'a str, &'a str)], StatusCode, &'a str);

#[tokio::test]
async fn malformed_token_requests_get_rfc_6749_errors_not_5xx() {
    let f = fixture(Backend::Sqlite).await;
    let cases: [Case; 4] = [
        (&[], StatusCode::BAD_REQUEST, "invalid_request"),
        (
            &[("grant_type", "password")],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
        (
            &[("grant_type", "refresh_token"), ("refresh_token", "nope")],
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
    ];
    for (params, status, error) in cases {
        let response = f.token(&f.confidential, params).await;
        assert_eq!(response.status(), status, "{params:?}");
        assert_eq!(error_of(response).await, error, "{params:?}");
    }
    let repeated = f
        .http
        .post(f.url("/2/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&grant_type=refresh_token&client_id={}",
            f.public.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(repeated).await, "invalid_request");
    let garbage = f
        .http
        .post(f.url("/2/oauth2/token"))
        .header("authorization", "Basic !!!")
        .body("\u{ff}")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
    // A NUL anywhere is refused at the edge, before client authentication (issue 23, L1).
    let nul = f
        .http
        .post(f.url("/2/oauth2/token"))
        .header("authorization", "Basic !!!")
        .body("\u{0}\u{ff}")
        .send()
        .await
        .unwrap();
    assert_eq!(nul.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(nul).await, "invalid_request");
}

/// `OAUTH2_ACCESS_TOKEN_TTL_SECS` sets `expires_in` (RFC 6749 §5.1) of the code exchange
/// and of a refresh, and the token stops working when it says.
#[tokio::test]
async fn the_access_token_lifetime_is_the_configured_one() {
    let f = fixture_with(Backend::Sqlite, &[("OAUTH2_ACCESS_TOKEN_TTL_SECS", "2")]).await;
    let tokens = f.tokens(&f.confidential, ALL_SCOPES).await;
    assert_eq!(tokens["expires_in"], 2);
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(f.me(access).await, StatusCode::OK);
    let refreshed: serde_json::Value = f
        .refresh(&f.confidential, tokens["refresh_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refreshed["expires_in"], 2);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let access = refreshed["access_token"].as_str().unwrap();
    assert_eq!(f.me(access).await, StatusCode::UNAUTHORIZED, "expired");
}

/// The issue's attack (M3): a public client (no secret) presents client A's used code
/// with a junk verifier. Reuse detection is only for the client the code was issued to:
/// anyone else gets `invalid_grant`, and A's tokens live on.
#[tokio::test]
async fn another_client_presenting_a_used_code_revokes_nothing() {
    let f = fixture(Backend::Sqlite).await;
    let code = f.code(&f.confidential, ALL_SCOPES).await;
    let first: serde_json::Value = f
        .exchange(&f.confidential, &code)
        .await
        .json()
        .await
        .unwrap();
    let stolen = f
        .token(
            &f.public,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &"j".repeat(43)),
            ],
        )
        .await;
    assert_eq!(stolen.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(stolen).await, "invalid_grant");
    assert_eq!(
        f.me(first["access_token"].as_str().unwrap()).await,
        StatusCode::OK
    );
    let refreshed = f
        .refresh(&f.confidential, first["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
}

/// The same for a rotated refresh token: another client presenting it changes nothing.
#[tokio::test]
async fn another_client_presenting_a_rotated_refresh_token_revokes_nothing() {
    let f = fixture(Backend::Sqlite).await;
    let first = f.tokens(&f.confidential, ALL_SCOPES).await;
    let old_refresh = first["refresh_token"].as_str().unwrap();
    let second: serde_json::Value = f
        .refresh(&f.confidential, old_refresh)
        .await
        .json()
        .await
        .unwrap();
    let stolen = f.refresh(&f.public, old_refresh).await;
    assert_eq!(stolen.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(stolen).await, "invalid_grant");
    assert_eq!(
        f.me(second["access_token"].as_str().unwrap()).await,
        StatusCode::OK
    );
    let again = f
        .refresh(&f.confidential, second["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(again.status(), StatusCode::OK);
}

/// Sends `requests` at once and waits for them all.
async fn all_at_once<F>(requests: Vec<F>) -> Vec<reqwest::Response>
where
    F: std::future::Future<Output = reqwest::Response> + Send + 'static,
{
    let handles: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    let mut responses = Vec::new();
    for handle in handles {
        responses.push(handle.await.expect("the request task"));
    }
    responses
}

/// Of responses to one grant used concurrently: exactly one issued tokens, and none of
/// what it issued works, since the others' reuse revoked the family.
async fn the_winner_is_revoked_too(f: &Fixture, responses: Vec<reqwest::Response>, trial: usize) {
    let mut issued = Vec::new();
    for response in responses {
        match response.status() {
            StatusCode::OK => issued.push(response.json::<serde_json::Value>().await.unwrap()),
            status => {
                assert_eq!(status, StatusCode::BAD_REQUEST, "trial {trial}");
                assert_eq!(error_of(response).await, "invalid_grant", "trial {trial}");
            }
        }
    }
    assert_eq!(issued.len(), 1, "trial {trial}: exactly one use succeeds");
    let winner = &issued[0];
    assert_eq!(
        f.me(winner["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED,
        "trial {trial}: the winner's access token outlived its family's revocation"
    );
    let refresh = f
        .refresh(&f.public, winner["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(
        error_of(refresh).await,
        "invalid_grant",
        "trial {trial}: the winner's refresh token outlived its family's revocation"
    );
}

async fn racing_refreshes(backend: Backend) {
    let f = fixture(backend).await;
    for trial in 0..15 {
        let tokens = f.tokens(&f.public, ALL_SCOPES).await;
        let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
        let requests = (0..6)
            .map(|_| {
                let (http, url, client_id, refresh) = (
                    f.http.clone(),
                    f.url("/2/oauth2/token"),
                    f.public.id.clone(),
                    refresh.clone(),
                );
                async move {
                    http.post(url)
                        .form(&[
                            ("grant_type", "refresh_token"),
                            ("refresh_token", refresh.as_str()),
                            ("client_id", client_id.as_str()),
                        ])
                        .send()
                        .await
                        .unwrap()
                }
            })
            .collect();
        the_winner_is_revoked_too(&f, all_at_once(requests).await, trial).await;
    }
}

/// The issue's race (M4): a thief racing the real client with one refresh token must not
/// keep a live family. Claim, issue and revoke are separate statements; the revoked
/// family is recorded, and every use checks it.
#[tokio::test]
async fn racing_refreshes_of_one_token_leave_no_live_tokens_on_sqlite() {
    racing_refreshes(Backend::Sqlite).await;
}

#[tokio::test]
async fn racing_refreshes_of_one_token_leave_no_live_tokens_on_postgres() {
    racing_refreshes(Backend::Postgres).await;
}

async fn racing_code_exchanges(backend: Backend) {
    let f = fixture(backend).await;
    for trial in 0..12 {
        let code = f.code(&f.public, ALL_SCOPES).await;
        let requests = (0..4)
            .map(|_| {
                let (http, url, client_id, code) = (
                    f.http.clone(),
                    f.url("/2/oauth2/token"),
                    f.public.id.clone(),
                    code.clone(),
                );
                async move {
                    http.post(url)
                        .form(&[
                            ("grant_type", "authorization_code"),
                            ("code", code.as_str()),
                            ("redirect_uri", REDIRECT),
                            ("code_verifier", VERIFIER),
                            ("client_id", client_id.as_str()),
                        ])
                        .send()
                        .await
                        .unwrap()
                }
            })
            .collect();
        the_winner_is_revoked_too(&f, all_at_once(requests).await, trial).await;
    }
}

#[tokio::test]
async fn racing_exchanges_of_one_code_leave_no_live_tokens_on_sqlite() {
    racing_code_exchanges(Backend::Sqlite).await;
}

#[tokio::test]
async fn racing_exchanges_of_one_code_leave_no_live_tokens_on_postgres() {
    racing_code_exchanges(Backend::Postgres).await;
}

/// A revocation committed while a refresh is under way (the race the OAuth 2.0 issue
/// left open): whatever that refresh issues is dead. Many trials, the revocation and
/// the refresh sent together.
async fn revocation_during_a_refresh(backend: Backend) {
    let f = fixture(backend).await;
    for trial in 0..15 {
        let tokens = f.tokens(&f.public, ALL_SCOPES).await;
        let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
        let send = |path: &'static str, form: Vec<(&'static str, String)>| {
            let (http, url) = (f.http.clone(), f.url(path));
            async move { http.post(url).form(&form).send().await.unwrap() }
        };
        let client_id = f.public.id.clone();
        let refreshing = tokio::spawn(send(
            "/2/oauth2/token",
            vec![
                ("grant_type", "refresh_token".to_owned()),
                ("refresh_token", refresh.clone()),
                ("client_id", client_id.clone()),
            ],
        ));
        let revoking = tokio::spawn(send(
            "/2/oauth2/revoke",
            vec![("token", refresh), ("client_id", client_id)],
        ));
        let refreshed = refreshing.await.unwrap();
        assert_eq!(revoking.await.unwrap().status(), StatusCode::OK);
        if refreshed.status() == StatusCode::OK {
            let issued: serde_json::Value = refreshed.json().await.unwrap();
            assert_eq!(
                f.me(issued["access_token"].as_str().unwrap()).await,
                StatusCode::UNAUTHORIZED,
                "trial {trial}: a token issued beside its family's revocation works"
            );
        }
    }
}

#[tokio::test]
async fn a_refresh_under_way_when_its_family_is_revoked_issues_nothing_that_works_on_sqlite() {
    revocation_during_a_refresh(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_refresh_under_way_when_its_family_is_revoked_issues_nothing_that_works_on_postgres() {
    revocation_during_a_refresh(Backend::Postgres).await;
}

/// The issue's attack (M2, RFC 9700 §4.11.2): anyone can register a client whose redirect
/// URI is a phishing page, then link to a deliberately broken authorization request. For
/// a visitor who is not signed in, the refusal is a page of the provider's: no redirect.
#[tokio::test]
async fn a_broken_authorization_request_is_no_open_redirect_before_sign_in() {
    let f = fixture(Backend::Sqlite).await;
    let phish = "http://evil.example/phish";
    let db = &f.provider.state.db;
    let app = support::register_app(
        db,
        f.user_id,
        "Phisher",
        "http://evil.example/cb",
        provider::store::apps::AccessLevel::Read,
    )
    .await;
    let client = provider::store::oauth2::clients::enable(
        db,
        app.id,
        provider::store::oauth2::clients::NewClient {
            kind: provider::store::oauth2::clients::ClientKind::Public,
            redirect_uris: &[phish.to_owned()],
            client_id: None,
            client_secret: None,
        },
    )
    .await
    .unwrap();
    let signed_out = support::browser();
    for broken in [
        format!(
            "client_id={}&redirect_uri={phish}&state=x",
            client.client_id
        ),
        format!(
            "client_id={}&redirect_uri={phish}&state=x&response_type=token",
            client.client_id
        ),
        format!(
            "client_id={}&redirect_uri={phish}&state=x&response_type=code&scope=nope",
            client.client_id
        ),
        format!(
            "client_id={}&redirect_uri={phish}&state=x&state=y",
            client.client_id
        ),
    ] {
        let response = signed_out
            .get(format!("{}?{broken}", f.url("/i/oauth2/authorize")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{broken}");
        assert!(response.headers().get("location").is_none(), "{broken}");
        let html = response.text().await.unwrap();
        assert!(!html.contains("evil.example"), "{html}");
    }
}

/// OAuth 2.0 never skips the consent page, so a client approved once for reading is
/// asked again, in words, when it wants to write.
#[tokio::test]
async fn a_client_approved_for_reading_is_asked_again_to_write() {
    let f = fixture(Backend::Sqlite).await;
    f.tokens(&f.confidential, "users.read tweet.read").await;
    let response = f
        .ask(&authorize_params(
            &f.confidential,
            "users.read tweet.read tweet.write",
            "s",
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"allow\""), "{html}");
    assert!(html.contains("tweet.write"), "{html}");
}
