//! The whole site over HTTP, with two real providers: sign in with each, profile, post,
//! timeline, the teaching page, unlink, sign out; and the ways a sign-in goes wrong.

use crate::support;

use provider_testing::Backend;
use reqwest::StatusCode;
use support::{browser, get_text, location, sign_in_at_provider, site};

async fn journey(backend: Backend) {
    let site = site(backend).spawn().await;
    let http = browser();

    let (status, home) = get_text(&http, &site.url("/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("sign-in-chirp") && home.contains("sign-in-warble"),
        "{home}"
    );

    // Chirp: the three legs, then the profile.
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/profile/chirp");
    assert_eq!(site.count("pending_sign_ins").await, 0, "taken once");
    let (status, profile) = get_text(&http, &site.url("/profile/chirp")).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert!(profile.contains("Alice of Chirp"), "{profile}");
    assert!(profile.contains("@") && profile.contains("alice"));

    // Post through the server function, as the no-JavaScript form does.
    let response = http
        .post(site.url("/api/post_status"))
        .header("referer", site.url("/profile/chirp"))
        .form(&[
            ("remote", "chirp"),
            ("status", "Hello from the site & friends"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success() || response.status().is_redirection(),
        "{}",
        response.status()
    );
    let (_, profile) = get_text(&http, &site.url("/profile/chirp")).await;
    assert!(
        profile.contains("Hello from the site &amp; friends"),
        "{profile}"
    );

    // The teaching page shows the real flow, without secrets.
    let (_, lesson) = get_text(&http, &site.url("/how-it-works")).await;
    for step in [
        "request_token",
        "authorize",
        "callback",
        "access_token",
        "api_call",
    ] {
        assert!(
            lesson.contains(&format!("step-{step}")),
            "{step} in {lesson}"
        );
    }
    assert!(lesson.contains("POST&amp;http%3A%2F%2F127.0.0.1%3A"));
    assert!(lesson.contains("[redacted]"));
    assert!(!lesson.contains("chirp-key-secret"));
    let token = site
        .state
        .registry
        .remote("chirp")
        .unwrap()
        .client()
        .credentials()
        .secret
        .secret()
        .to_owned();
    assert!(!lesson.contains(&token));
    use sqlx::Row;
    let secret: String = sqlx::query("select token_secret from accounts where remote = 'chirp'")
        .fetch_one(&site.state.db)
        .await
        .unwrap()
        .try_get("token_secret")
        .unwrap();
    assert!(
        !lesson.contains(&secret),
        "the token secret never reaches a page"
    );

    // Warble links to the same local user.
    let callback = sign_in_at_provider(&http, &site, "warble", "allow").await;
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/profile/warble");
    assert_eq!(site.count("users").await, 1);
    let (_, accounts) = get_text(&http, &site.url("/accounts")).await;
    assert!(accounts.contains("unlink-chirp") && accounts.contains("unlink-warble"));

    // Unlink Chirp: the token is revoked at Chirp too.
    let chirp_token: String = sqlx::query("select token from accounts where remote = 'chirp'")
        .fetch_one(&site.state.db)
        .await
        .unwrap()
        .try_get("token")
        .unwrap();
    let response = site
        .post(&http, "/accounts/unlink")
        .form(&[("remote", "chirp")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        provider::store::tokens::grant(&site.chirp.state.db, &chirp_token)
            .await
            .unwrap()
            .is_none(),
        "revoked at the provider"
    );
    let (_, accounts) = get_text(&http, &site.url("/accounts")).await;
    assert!(!accounts.contains("unlink-chirp") && accounts.contains("unlink-warble"));
    let (_, profile) = get_text(&http, &site.url("/profile/chirp")).await;
    assert!(profile.contains("not-linked"), "{profile}");

    // Sign out.
    let response = site.post(&http, "/logout").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, accounts) = get_text(&http, &site.url("/accounts")).await;
    assert!(accounts.contains("signed-out"));
}

#[tokio::test]
async fn the_whole_journey_on_sqlite() {
    journey(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_whole_journey_on_postgres() {
    journey(Backend::Postgres).await;
}

#[tokio::test]
async fn a_refusal_shows_a_friendly_page_and_stores_nothing() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    let callback = sign_in_at_provider(&http, &site, "chirp", "deny").await;
    assert!(callback.contains("denied="));
    let (status, page) = get_text(&http, &callback).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"denied\""), "{page}");
    assert_eq!(site.count("users").await, 0);
    assert_eq!(site.count("accounts").await, 0);
}

#[tokio::test]
async fn a_replayed_or_tampered_callback_is_refused() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;

    let tampered = callback.replace("oauth_token=", "oauth_token=x");
    let (status, page) = get_text(&http, &tampered).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("not-this-browser"), "{page}");

    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the real one still works"
    );
    for replayer in [http.clone(), browser()] {
        let (status, page) = get_text(&replayer, &callback).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a replay is refused");
        assert!(page.contains("not-this-browser"), "{page}");
    }
    assert_eq!(site.count("accounts").await, 1);
}

#[tokio::test]
async fn a_provider_down_during_sign_in_gives_a_clear_page_and_stores_nothing() {
    // Warble's URLs point at a port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let site = site(Backend::Sqlite)
        .var(
            "WARBLE_REQUEST_TOKEN_URL",
            &format!("http://{closed}/oauth/request_token"),
        )
        .var(
            "WARBLE_ACCESS_TOKEN_URL",
            &format!("http://{closed}/oauth/access_token"),
        )
        .var(
            "WARBLE_AUTHORIZE_URL",
            &format!("http://{closed}/oauth/authenticate"),
        )
        .var("WARBLE_API_BASE_URL", &format!("http://{closed}/1.1/"))
        .spawn()
        .await;
    let http = browser();
    let (status, page) = get_text(&http, &site.url("/login/warble")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert!(page.contains("could not be reached"), "{page}");
    assert_eq!(site.count("pending_sign_ins").await, 0);
    assert_eq!(site.count("users").await, 0);
}

#[tokio::test]
async fn an_unknown_remote_is_404() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    for path in [
        "/login/nope",
        "/authorize/nope?oauth_token=a&oauth_verifier=b",
        "/profile/nope",
        "/no/such/page",
    ] {
        let (status, _) = get_text(&http, &site.url(path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_revoked_token_shows_a_way_to_sign_in_again() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    http.get(&callback).send().await.unwrap();
    use sqlx::Row;
    let token: String = sqlx::query("select token from accounts where remote = 'chirp'")
        .fetch_one(&site.state.db)
        .await
        .unwrap()
        .try_get("token")
        .unwrap();
    provider::store::tokens::revoke(&site.chirp.state.db, &site.chirp.state.grants, &token)
        .await
        .unwrap();
    let (status, page) = get_text(&http, &site.url("/profile/chirp")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("remote-problem") && page.contains("Sign in again"),
        "{page}"
    );
    assert!(page.contains("/login/chirp"));
}

#[tokio::test]
async fn of_50_concurrent_callbacks_with_one_token_exactly_one_signs_in() {
    let site = site(Backend::Postgres).spawn().await;
    let http = browser();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    // The same browser, 50 times at once (a clone shares the cookie jar).
    let attempts = (0..50).map(|_| {
        let (callback, http) = (callback.clone(), http.clone());
        tokio::spawn(async move { http.get(&callback).send().await.unwrap().status() })
    });
    let mut signed_in = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            StatusCode::SEE_OTHER => signed_in += 1,
            StatusCode::FORBIDDEN => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(signed_in, 1);
    assert_eq!(site.count("users").await, 1);
    assert_eq!(site.count("accounts").await, 1);
}

/// Signing in again with a linked account is the same local user with a fresh token; a
/// linked account brought in by a different signed-in user is refused and changes nothing.
async fn returning_and_linked_elsewhere(backend: Backend) {
    use sqlx::Row;
    let site = site(backend).spawn().await;
    let chirp_token = || async {
        let row = sqlx::query("select user_id, token from accounts where remote = 'chirp'")
            .fetch_one(&site.state.db)
            .await
            .unwrap();
        (
            row.try_get::<i64, _>("user_id").unwrap(),
            row.try_get::<String, _>("token").unwrap(),
        )
    };

    let first = browser();
    let callback = sign_in_at_provider(&first, &site, "chirp", "allow").await;
    let response = first.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/profile/chirp");
    let new_session = |response: &reqwest::Response| {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("site_session="))
    };
    assert!(new_session(&response), "a new session at sign-in");
    let (owner, _) = chirp_token().await;

    // Signing in again in the same browser: the same user, the session left as it is.
    let callback = sign_in_at_provider(&first, &site, "chirp", "allow").await;
    let response = first.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/profile/chirp");
    assert!(!new_session(&response), "already signed in as this user");
    let (_, accounts) = get_text(&first, &site.url("/accounts")).await;
    assert!(
        accounts.contains("unlink-chirp"),
        "still signed in: {accounts}"
    );
    let (again, old_token) = chirp_token().await;
    assert_eq!(again, owner);

    // A new browser, nobody signed in: the same user, with the new token.
    let returning = browser();
    let callback = sign_in_at_provider(&returning, &site, "chirp", "allow").await;
    assert_eq!(
        location(&returning.get(&callback).send().await.unwrap()),
        "/profile/chirp"
    );
    let (again, new_token) = chirp_token().await;
    assert_eq!(again, owner);
    assert_ne!(new_token, old_token, "the token is refreshed");
    assert_eq!(site.count("users").await, 1);
    let (status, profile) = get_text(&returning, &site.url("/profile/chirp")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(profile.contains("Alice of Chirp"), "{profile}");

    // Someone else (a new user, through Warble) brings the same Chirp account: refused.
    let other = browser();
    let callback = sign_in_at_provider(&other, &site, "warble", "allow").await;
    assert_eq!(
        location(&other.get(&callback).send().await.unwrap()),
        "/profile/warble"
    );
    assert_eq!(site.count("users").await, 2);
    let callback = sign_in_at_provider(&other, &site, "chirp", "allow").await;
    let (status, page) = get_text(&other, &callback).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("linked-elsewhere"), "{page}");
    assert_eq!(chirp_token().await, (owner, new_token), "nothing changed");
    assert_eq!(site.count("accounts").await, 2);
}

#[tokio::test]
async fn a_returning_user_is_the_same_user_and_a_taken_account_is_refused_on_sqlite() {
    returning_and_linked_elsewhere(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_returning_user_is_the_same_user_and_a_taken_account_is_refused_on_postgres() {
    returning_and_linked_elsewhere(Backend::Postgres).await;
}

/// With `CHIRP_API_V2_URL`, as for the real X (whose plans serve API v2, not v1.1's
/// timelines), an OAuth 1.0a account's profile and posting go through `GET /2/users/me`,
/// `GET /2/users/{id}/tweets` and `POST /2/tweets`, signed with its token credentials.
#[tokio::test]
async fn an_oauth1_account_uses_api_v2_when_told_to() {
    // Nothing answers at v1.1: only v2 can show the profile and take the post.
    let site = site(Backend::Sqlite)
        .api_v2("chirp")
        .var("CHIRP_API_BASE_URL", "http://127.0.0.1:9/1.1/")
        .spawn()
        .await;
    let http = browser();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(location(&response), "/profile/chirp");
    let (status, profile) = get_text(&http, &site.url("/profile/chirp")).await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert!(profile.contains("Alice of Chirp"), "{profile}");

    let response = http
        .post(site.url("/api/post_status"))
        .header("referer", site.url("/profile/chirp"))
        .form(&[
            ("remote", "chirp"),
            ("status", "Hello over v2 & OAuth 1.0a"),
        ])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success() || response.status().is_redirection());
    let (_, profile) = get_text(&http, &site.url("/profile/chirp")).await;
    assert!(
        profile.contains("Hello over v2 &amp; OAuth 1.0a"),
        "{profile}"
    );
    let tweets: i64 = sqlx::query_scalar("select count(*) from statuses")
        .fetch_one(&site.chirp.state.db)
        .await
        .unwrap();
    assert_eq!(tweets, 1);
    // The sign-in's first call went to v2 too, and the teaching page shows it signed.
    let (_, lesson) = get_text(&http, &site.url("/how-it-works")).await;
    assert!(
        lesson.contains("step-api_call") && lesson.contains("/2/users/me"),
        "{lesson}"
    );
}
