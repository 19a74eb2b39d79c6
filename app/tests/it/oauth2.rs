//! Sign in with Chirp over OAuth 2.0 (`chirp2`): authorization code with PKCE and
//! `state`, the profile from `/2/users/me` and `/2/users/{id}/tweets`, a post with
//! `POST /2/tweets`; an expired access token refreshed on the way to the profile, a
//! refused refresh turned into "sign in again", and unlinking revoking the grant at
//! Chirp (RFC 7009).

use crate::support;

use provider_testing::Backend;
use provider_testing::redis as test_redis;
use reqwest::StatusCode;
use sqlx::Row;
use support::{
    OAUTH2_CLIENT_ID, OAUTH2_CLIENT_SECRET, Site, browser, get_text, location, sign_in_at_provider,
    site,
};

/// The `chirp2` account's row: kind, access token, secret, refresh token, expiry, scope.
struct Stored {
    kind: String,
    token: String,
    token_secret: String,
    refresh_token: Option<String>,
    expires_at: Option<i64>,
    scope: Option<String>,
}

async fn stored(site: &Site) -> Stored {
    let row = sqlx::query(
        "select kind, token, token_secret, refresh_token, expires_at, scope from accounts \
         where remote = 'chirp2'",
    )
    .fetch_one(&site.state.db)
    .await
    .unwrap();
    Stored {
        kind: row.try_get("kind").unwrap(),
        token: row.try_get("token").unwrap(),
        token_secret: row.try_get("token_secret").unwrap(),
        refresh_token: row.try_get("refresh_token").unwrap(),
        expires_at: row.try_get("expires_at").unwrap(),
        scope: row.try_get("scope").unwrap(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Signs `http` in with `chirp2` and checks where it lands.
async fn sign_in(site: &Site, http: &reqwest::Client) {
    let callback = sign_in_at_provider(http, site, "chirp2", "allow").await;
    assert!(
        callback.contains("state=") && callback.contains("code="),
        "{callback}"
    );
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/profile/chirp2");
}

/// The access token's expiry moved into the past, as two hours later.
async fn expire(site: &Site) {
    sqlx::query("update accounts set expires_at = $1 where remote = 'chirp2'")
        .bind(now() - 10)
        .execute(&site.state.db)
        .await
        .unwrap();
}

async fn journey(site: Site) {
    let http = browser();
    let (status, home) = get_text(&http, &site.url("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("sign-in-chirp2"), "{home}");
    assert!(home.contains("Chirp (OAuth 2.0)"), "{home}");

    // The authorize URL carries a PKCE challenge and a state.
    let start = http.get(site.url("/login/chirp2")).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let to = location(&start);
    for part in [
        "/i/oauth2/authorize?",
        "code_challenge=",
        "code_challenge_method=S256",
        "state=",
    ] {
        assert!(to.contains(part), "{part} in {to}");
    }

    sign_in(&site, &http).await;
    let row = stored(&site).await;
    assert_eq!(row.kind, "oauth2");
    assert_eq!(row.token_secret, "");
    assert!(row.refresh_token.is_some(), "offline.access gives one");
    assert!(row.expires_at.unwrap() > now() + 3600);
    assert!(row.scope.unwrap().contains("tweet.write"));

    let (status, profile) = get_text(&http, &site.url("/profile/chirp2")).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert!(
        profile.contains("Alice of Chirp") && profile.contains("alice"),
        "{profile}"
    );

    let response = http
        .post(site.url("/api/post_status"))
        .header("referer", site.url("/profile/chirp2"))
        .form(&[
            ("remote", "chirp2"),
            ("status", "Hello over OAuth 2 & Bearer"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        response.status()
    );
    let (_, profile) = get_text(&http, &site.url("/profile/chirp2")).await;
    assert!(
        profile.contains("Hello over OAuth 2 &amp; Bearer"),
        "{profile}"
    );
    assert!(!profile.contains(&row.token), "no token in the page");
    assert!(!profile.contains(OAUTH2_CLIENT_SECRET));

    // The teaching page shows the OAuth 2.0 legs, without the code or the token.
    let (_, lesson) = get_text(&http, &site.url("/how-it-works")).await;
    for step in [
        "code_authorize",
        "code_callback",
        "code_token",
        "bearer_call",
    ] {
        assert!(
            lesson.contains(&format!("step-{step}")),
            "{step} in {lesson}"
        );
    }
    assert!(lesson.contains("code_challenge=") && lesson.contains("state="));
    assert!(lesson.contains("code=%5Bredacted%5D"), "{lesson}");
    assert!(lesson.contains("Bearer [redacted]"), "{lesson}");
    assert!(lesson.contains("code_verifier=%5Bredacted%5D"), "{lesson}");
    assert!(lesson.contains("Basic [redacted]"), "{lesson}");
    assert!(lesson.contains("oauth1-vs-oauth2"));
    assert!(!lesson.contains(&row.token) && !lesson.contains(OAUTH2_CLIENT_SECRET));

    // The account is linked to the same user on the next sign-in.
    let users = site.count("users").await;
    sign_in(&site, &http).await;
    assert_eq!(site.count("users").await, users);
    assert_eq!(site.count("accounts").await, 1);
}

#[tokio::test]
async fn an_oauth2_sign_in_shows_the_profile_and_posts_on_sqlite() {
    journey(site(Backend::Sqlite).spawn().await).await;
}

#[tokio::test]
async fn an_oauth2_sign_in_shows_the_profile_and_posts_on_postgres_and_redis() {
    let prefix = test_redis::prefix("site-oauth2");
    journey(site(Backend::Postgres).on_redis(&prefix).spawn().await).await;
    test_redis::delete_all(&prefix).await;
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_on_the_way_to_the_profile() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    sign_in(&site, &http).await;
    let before = stored(&site).await;
    expire(&site).await;

    let (status, profile) = get_text(&http, &site.url("/profile/chirp2")).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert!(profile.contains("Alice of Chirp"), "{profile}");
    let after = stored(&site).await;
    assert_ne!(after.token, before.token, "a new access token is stored");
    assert_ne!(after.refresh_token, before.refresh_token, "rotated");
    assert!(after.expires_at.unwrap() > now() + 3600);
    assert_eq!(after.scope, before.scope);

    // The refresh is on the teaching page, its tokens redacted.
    let (_, lesson) = get_text(&http, &site.url("/how-it-works")).await;
    assert!(lesson.contains("step-refresh"), "{lesson}");
    assert!(lesson.contains("grant_type=refresh_token"), "{lesson}");
    for secret in [&after.token, &before.token] {
        assert!(!lesson.contains(secret.as_str()));
    }
    for secret in [&after.refresh_token, &before.refresh_token] {
        assert!(!lesson.contains(secret.as_deref().unwrap()));
    }
}

#[tokio::test]
async fn a_refused_refresh_asks_to_sign_in_again() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    sign_in(&site, &http).await;
    let row = stored(&site).await;
    // The user (or the service) revokes the refresh token at Chirp (RFC 7009).
    let revoked = reqwest::Client::new()
        .post(format!("{}2/oauth2/revoke", site.chirp.url))
        .basic_auth(OAUTH2_CLIENT_ID, Some(OAUTH2_CLIENT_SECRET))
        .form(&[
            ("token", row.refresh_token.as_deref().unwrap()),
            ("token_type_hint", "refresh_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    expire(&site).await;

    let (status, profile) = get_text(&http, &site.url("/profile/chirp2")).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert!(profile.contains("Sign in again"), "{profile}");
    assert!(profile.contains("/login/chirp2"), "{profile}");
    assert!(!profile.contains("Alice of Chirp"), "{profile}");
}

#[tokio::test]
async fn unlinking_revokes_the_grant_at_the_provider() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    sign_in(&site, &http).await;
    let row = stored(&site).await;
    let refresh_token = row.refresh_token.clone().unwrap();
    let chirp = reqwest::Client::new();
    let me = || {
        chirp
            .get(format!("{}2/users/me", site.chirp.url))
            .bearer_auth(&row.token)
            .send()
    };
    assert_eq!(me().await.unwrap().status(), StatusCode::OK);

    let response = http
        .post(site.url("/accounts/unlink"))
        .header("referer", site.url("/accounts"))
        .form(&[("remote", "chirp2")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/accounts");
    assert_eq!(site.count("accounts").await, 0, "forgotten here");

    // Revoked there: the refresh token took the grant's access token with it (§2.1).
    assert_eq!(me().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let refreshed = chirp
        .post(format!("{}2/oauth2/token", site.chirp.url))
        .basic_auth(OAUTH2_CLIENT_ID, Some(OAUTH2_CLIENT_SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = refreshed.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant", "{body}");

    let (_, accounts) = get_text(&http, &site.url("/accounts")).await;
    assert!(!accounts.contains("unlink-chirp2"), "{accounts}");
}
