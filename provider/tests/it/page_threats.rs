//! Threats to the provider's pages (issue 13): framing, sniffing and referrers, anonymous
//! visitors who cost a stored session, and a consent page that says too little.

use crate::support;

use provider::store::apps::AccessLevel;
use provider::store::tokens;
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
        let policy = headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "content-security-policy on {path}: {policy}"
        );
        for (name, value) in [
            ("x-frame-options", "DENY"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "same-origin"),
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

/// 100 visits from browsers without cookies, then one sign-in: how many sessions the
/// store held after the visits, and after the sign-in.
async fn sessions_after_visits_and_a_sign_in(
    provider: &support::TestProvider,
    count: impl AsyncFn() -> usize,
) -> (usize, usize) {
    provider::users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let before = count().await;
    for i in 0..100 {
        let path = ["/", "/login", "/signup"][i % 3];
        let response = reqwest::get(provider.url(path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = response.text().await.unwrap();
        assert!(
            path == "/" || body.contains("name=\"csrf\""),
            "{path}: a form"
        );
    }
    let after_visits = count().await - before;
    let http = browser();
    let response = sign_in(&http, provider, "alice", "wonderland").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let home = support::page(&http, provider, "/").await;
    assert!(home.contains("@alice"));
    (after_visits, count().await - before)
}

#[tokio::test]
async fn anonymous_visitors_cost_no_stored_session_in_sql() {
    let provider = spawn_provider(Backend::Postgres, "Chirp").await;
    let db = provider.state.db.clone();
    let count = async || -> usize {
        let n: i64 = sqlx::query_scalar("select count(*) from sessions")
            .fetch_one(&db)
            .await
            .unwrap();
        n as usize
    };
    assert_eq!(
        sessions_after_visits_and_a_sign_in(&provider, count).await,
        (0, 1)
    );
}

#[tokio::test]
async fn anonymous_visitors_cost_no_stored_session_in_redis() {
    use provider_testing::redis as test_redis;
    let prefix = test_redis::prefix("anonymous");
    let redis = test_redis::url();
    let provider = support::spawn_provider_with(
        Backend::Sqlite,
        "Chirp",
        &[
            ("SESSION_STORE", "redis"),
            ("REDIS_URL", &redis),
            ("REDIS_PREFIX", &prefix),
        ],
    )
    .await;
    let pattern = format!("{prefix}session:*");
    let count = async || test_redis::keys(&pattern).await.len();
    let counts = sessions_after_visits_and_a_sign_in(&provider, count).await;
    test_redis::delete_all(&prefix).await;
    assert_eq!(counts, (0, 1));
}

/// Defence in depth for markup that a page bug might let through: every provider page
/// says no script may run, inline or loaded, and no plugin, and no `<base>` may move its
/// links.
#[tokio::test]
async fn no_script_can_run_on_a_provider_page() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    for path in ["/", "/login", "/signup", "/no/such/page"] {
        let response = reqwest::get(provider.url(path)).await.unwrap();
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        for directive in ["script-src 'none'", "object-src 'none'", "base-uri 'none'"] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        let html = response.text().await.unwrap();
        assert!(!html.contains("<script"), "{path}");
        assert!(
            !html.contains(" style=\""),
            "{path}: an inline style the policy blocks"
        );
    }
}
