//! Threats to the provider's sign-in (issue 13): open redirects through `next`, password
//! guessing, a CSRF token that outlives sign-in, and `force_login`.

use crate::support;

use std::time::Duration;

use provider::users;
use reqwest::StatusCode;
use support::{
    Backend, TestProvider, browser, csrf_of, location, page, sign_in, spawn_provider_with,
};

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

/// A provider with alice, whose sign-ins are not throttled within one test.
async fn provider_with_alice() -> TestProvider {
    let provider = spawn_provider_with(
        Backend::Sqlite,
        "Chirp",
        &[
            ("LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS", "1000"),
            ("LOGIN_ATTEMPTS_PER_ACCOUNT", "1000"),
        ],
    )
    .await;
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

async fn post_login(
    http: &reqwest::Client,
    provider: &TestProvider,
    name: &str,
    password: &str,
) -> reqwest::Response {
    sign_in(http, provider, name, password).await
}

#[tokio::test]
async fn password_guessing_on_one_account_is_throttled_then_the_right_password_works_again() {
    let provider = spawn_provider_with(
        Backend::Sqlite,
        "Chirp",
        &[
            ("LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS", "3"),
            ("LOGIN_WINDOW_SECS", "2"),
        ],
    )
    .await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    let http = browser();
    for guess in ["password", "123456", "qwerty"] {
        let response = post_login(&http, &provider, "alice", guess).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{guess}");
    }
    // The account's attempts from this address are spent: even the right password waits,
    // from any browser there. (Another address still has its own: see
    // `one_address_guessing_does_not_lock_the_owner_out_from_another_address`.)
    let refused = post_login(&browser(), &provider, "ALICE", "wonderland").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After: {retry_after}");
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Too many sign-in attempts")
    );

    // Once the window has passed, the owner signs in.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let right = post_login(&http, &provider, "alice", "wonderland").await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn password_guessing_across_accounts_from_one_address_is_throttled() {
    let provider = spawn_provider_with(
        Backend::Sqlite,
        "Chirp",
        &[("LOGIN_ATTEMPTS_PER_ADDRESS", "3")],
    )
    .await;
    let http = browser();
    for name in ["alice", "bob", "carol"] {
        let response = post_login(&http, &provider, name, "password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{name}");
    }
    let refused = post_login(&http, &provider, "dave", "password").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_password_over_1024_bytes_is_refused_before_hashing() {
    let provider = provider_with_alice().await;
    let http = browser();
    let long = "p".repeat(1025);
    let csrf = csrf_of(&page(&http, &provider, "/signup").await);
    let response = http
        .post(provider.url("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("screen_name", "carol"),
            ("name", "Carol"),
            ("password", long.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("at most 1024 bytes")
    );
    let response = post_login(&http, &provider, "alice", &long).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn force_login_makes_a_signed_in_person_type_their_password_again() {
    use provider::store::apps::AccessLevel;
    use provider::store::tokens;
    let provider = provider_with_alice().await;
    let db = &provider.state.db;
    let callback = "http://127.0.0.1:3000/cb";
    let alice = users::by_screen_name(db, "alice").await.unwrap().unwrap();
    let app = support::register_app(db, alice.id, "Approved", callback, AccessLevel::Read).await;
    tokens::issue_access_token(
        db,
        &provider.state.grants,
        app.id,
        alice.id,
        AccessLevel::Read,
    )
    .await
    .unwrap();
    let http = browser();
    sign_in(&http, &provider, "alice", "wonderland").await;
    for endpoint in ["authenticate", "authorize"] {
        let (token, _) = tokens::create_request_token(db, app.id, callback, AccessLevel::Read, 600)
            .await
            .unwrap();
        let asked = format!(
            "/oauth/{endpoint}?oauth_token={}&force_login=true",
            token.as_str()
        );
        let response = http.get(provider.url(&asked)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{endpoint}");
        let login = location(&response);
        assert!(login.starts_with("/login?"), "{endpoint}: {login}");
        let form = page(&http, &provider, &login).await;
        assert!(
            form.contains("id=\"sign-in\""),
            "{endpoint}: the sign-in form"
        );
        let pending = tokens::pending(db, token.as_str()).await.unwrap().unwrap();
        assert_eq!(pending.user_id, None, "{endpoint}: nothing approved yet");

        // With the password, the flow goes on where it was, and does not loop.
        let next = url::Url::parse(&provider.url(&login))
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let csrf = csrf_of(&form);
        let response = http
            .post(provider.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("screen_name", "alice"),
                ("password", "wonderland"),
                ("next", next.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&response), next);
        let response = http.get(provider.url(&next)).send().await.unwrap();
        if endpoint == "authenticate" {
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            assert!(location(&response).starts_with(callback));
        } else {
            assert_eq!(response.status(), StatusCode::OK);
            assert!(response.text().await.unwrap().contains("id=\"allow\""));
        }
    }
}

#[tokio::test]
async fn a_form_token_seen_before_sign_in_is_refused_after_it() {
    let provider = provider_with_alice().await;
    let http = browser();
    let before = csrf_of(&page(&http, &provider, "/login").await);
    let response = http
        .post(provider.url("/login"))
        .form(&[
            ("csrf", before.as_str()),
            ("screen_name", "alice"),
            ("password", "wonderland"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    for (path, form) in [
        ("/statuses", vec![("status", "posted with an old token")]),
        ("/logout", vec![]),
    ] {
        let mut fields = vec![("csrf", before.as_str())];
        fields.extend(form);
        let refused = http
            .post(provider.url(path))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let after = csrf_of(&page(&http, &provider, "/").await);
    assert_ne!(after, before);
    let response = http
        .post(provider.url("/logout"))
        .form(&[("csrf", after.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Signing out draws a new one too.
    let refused = http
        .post(provider.url("/logout"))
        .form(&[("csrf", after.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

/// A sign-in attempt through a reverse proxy that says the client is `forwarded_for`.
async fn post_login_via_proxy(
    provider: &TestProvider,
    forwarded_for: &str,
    password: &str,
) -> reqwest::Response {
    let http = browser();
    let csrf = csrf_of(&page(&http, provider, "/login").await);
    http.post(provider.url("/login"))
        .header("x-forwarded-for", forwarded_for)
        .form(&[
            ("csrf", csrf.as_str()),
            ("screen_name", "alice"),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_client_guessing_does_not_lock_out_another() {
    // The tests reach the provider from 127.0.0.1: here, that is the proxy.
    let provider = spawn_provider_with(
        Backend::Sqlite,
        "Chirp",
        &[
            ("TRUSTED_PROXY", "127.0.0.1"),
            ("LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS", "3"),
        ],
    )
    .await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    // The attacker writes an address of their own in front; the proxy appends the real one.
    for left in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        let chain = format!("{left}, 203.0.113.9");
        let response = post_login_via_proxy(&provider, &chain, "guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{chain}");
    }
    let refused = post_login_via_proxy(&provider, "192.0.2.4, 203.0.113.9", "guess").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // The owner, behind the same proxy, is another client.
    let owner = post_login_via_proxy(&provider, "198.51.100.20", "wonderland").await;
    assert_eq!(owner.status(), StatusCode::SEE_OTHER);
}

/// A browser that keeps cookies, does not follow redirects, and connects from `addr`
/// (any 127.0.0.0/8 address is this machine).
fn browser_from(addr: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(addr.parse::<std::net::IpAddr>().unwrap())
        .default_headers(provider_testing::browser::same_origin())
        .build()
        .unwrap()
}

/// The issue's attack (M5): guessers at a dozen addresses keep alice's per-account quota
/// drained. A browser that signed in to alice before still gets in, from an address it
/// never used; a browser that never did waits, as before.
#[tokio::test]
async fn a_distributed_guesser_cannot_lock_the_owner_out_of_a_known_browser() {
    let provider = spawn_provider_with(
        Backend::Sqlite,
        "Chirp",
        &[
            ("LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS", "10"),
            ("LOGIN_ATTEMPTS_PER_ACCOUNT", "30"),
        ],
    )
    .await;
    users::create(&provider.state.db, "alice", "Alice", "wonderland")
        .await
        .unwrap();
    // Monday: alice signs in from home, and her browser keeps its cookies.
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let alices_browser = |addr: &str| {
        reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(provider_testing::browser::same_origin())
            .local_address(addr.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap()
    };
    let home = alices_browser("127.0.0.20");
    assert_eq!(
        sign_in(&home, &provider, "alice", "wonderland")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let csrf = csrf_of(&page(&home, &provider, "/").await);
    home.post(provider.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();

    // The attack: ten guesses from each of 127.0.0.2 to 127.0.0.5.
    for i in 2..=5 {
        let guesser = browser_from(&format!("127.0.0.{i}"));
        for _ in 0..10 {
            sign_in(&guesser, &provider, "alice", "guess").await;
        }
    }
    let stranger = browser_from("127.0.0.30");
    let refused = sign_in(&stranger, &provider, "alice", "wonderland").await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the account's quota is drained for browsers it does not know"
    );

    // Alice, on the road with the same browser: in.
    let travelling = alices_browser("127.0.0.21");
    let owner = sign_in(&travelling, &provider, "alice", "wonderland").await;
    assert_eq!(owner.status(), StatusCode::SEE_OTHER);
    assert!(page(&travelling, &provider, "/").await.contains("@alice"));
}

/// A device cookie is alice's: presented for another account it is a stranger's
/// browser, and the drained quota of that account holds.
#[tokio::test]
async fn a_device_cookie_of_one_account_does_not_open_another() {
    let provider = spawn_provider_with(
        Backend::Sqlite,
        "Chirp",
        &[
            ("LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS", "2"),
            ("LOGIN_ATTEMPTS_PER_ACCOUNT", "2"),
        ],
    )
    .await;
    for name in ["alice", "bob"] {
        users::create(&provider.state.db, name, name, "wonderland")
            .await
            .unwrap();
    }
    let alices = browser();
    assert_eq!(
        sign_in(&alices, &provider, "alice", "wonderland")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let csrf = csrf_of(&page(&alices, &provider, "/").await);
    alices
        .post(provider.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let guesser = browser_from("127.0.0.2");
    for _ in 0..2 {
        sign_in(&guesser, &provider, "bob", "guess").await;
    }
    let response = sign_in(&alices, &provider, "bob", "wonderland").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}
