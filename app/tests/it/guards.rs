//! The router's guards against requests no page of the site makes: a state-changing
//! request that says nothing of where it comes from, and sign-ins started faster than a
//! person starts them.

use crate::support;

use std::net::IpAddr;

use provider_testing::Backend;
use reqwest::StatusCode;
use sqlx::Row;
use support::{browser, get_text, location, sign_in_at_provider, site, start_sign_in};

/// Every current browser sends `Origin` on a form post and a fetch; a request with none
/// of `Origin`, `Sec-Fetch-Site` and `Referer` is a script's, which may still carry a
/// cookie it was handed (or an old browser's, which can reload the page and try again).
#[tokio::test]
async fn a_state_changing_request_that_names_no_origin_is_refused() {
    let site = site(Backend::Sqlite).spawn().await;
    let (http, jar) = support::browser_with_jar();
    // The same cookies in a client that sends no header of where it comes from (the
    // test browser says `Sec-Fetch-Site: same-origin`, as browsers do).
    let script = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    assert_eq!(
        location(&http.get(&callback).send().await.unwrap()),
        "/profile/chirp"
    );
    for (path, form) in [
        (
            "/api/post_status",
            vec![("remote", "chirp"), ("status", "from nowhere")],
        ),
        ("/accounts/unlink", vec![("remote", "chirp")]),
        ("/playground", vec![("method", "GET")]),
        ("/debugger", vec![("raw", "GET / HTTP/1.1")]),
        ("/logout", vec![]),
    ] {
        let response = script
            .post(site.url(path))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("id=\"cross-origin\"")
        );
    }
    let (_, accounts) = get_text(&http, &site.url("/accounts")).await;
    assert!(
        accounts.contains("unlink-chirp"),
        "still linked and signed in"
    );
    let (_, profile) = get_text(&http, &site.url("/profile/chirp")).await;
    assert!(!profile.contains("from nowhere"), "nothing posted");
    // With the site's `Origin`, the same request goes through.
    let response = http
        .post(site.url("/logout"))
        .header("origin", site.url.trim_end_matches('/'))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn request_tokens_at_chirp(site: &support::Site) -> i64 {
    sqlx::query("select count(*) as n from request_tokens")
        .fetch_one(&site.chirp.state.db)
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

/// A browser that connects from `addr` (any address of 127.0.0.0/8 reaches the site).
fn browser_at(addr: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(addr))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Each `/login/{name}` stores a sign-in under way and asks the provider for a request
/// token: a script that loops on it, cookie-less, fills both. Past the address's quota
/// the answer is 429 before either happens; another address is not held up.
#[tokio::test]
async fn sign_ins_started_from_one_address_beyond_the_limit_get_429_and_cost_nothing() {
    let site = site(Backend::Sqlite)
        .var("SITE_SIGN_INS_PER_ADDRESS", "3")
        .var("SITE_SIGN_IN_WINDOW_SECS", "600")
        .spawn()
        .await;
    for _ in 0..3 {
        start_sign_in(&browser_at([127, 0, 0, 1]), &site, "chirp").await;
    }
    let (pending, tokens) = (
        site.count("pending_sign_ins").await,
        request_tokens_at_chirp(&site).await,
    );
    assert_eq!((pending, tokens), (3, 3));
    for remote in ["chirp", "warble", "chirp2", "chirp"] {
        let response = browser_at([127, 0, 0, 1])
            .get(site.url(&format!("/login/{remote}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS, "{remote}");
        let wait: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=600).contains(&wait), "Retry-After: {wait}");
        let page = response.text().await.unwrap();
        assert!(page.contains("id=\"too-many-sign-ins\""), "{page}");
        assert!(page.contains("wait"), "{page}");
    }
    assert_eq!(site.count("pending_sign_ins").await, pending, "none stored");
    assert_eq!(
        request_tokens_at_chirp(&site).await,
        tokens,
        "none asked for"
    );
    // Another address signs in as usual.
    let other = browser_at([127, 0, 0, 2]);
    let url = start_sign_in(&other, &site, "chirp").await;
    assert!(url.starts_with(&site.chirp.url), "{url}");
}

/// Behind a reverse proxy every client has the proxy's address: with `TRUSTED_PROXY`
/// set, the proxy's own `X-Forwarded-For` entry is the client, and a client cannot pick
/// its own with an entry of its own in front.
#[tokio::test]
async fn behind_a_trusted_proxy_one_client_starting_sign_ins_does_not_hold_up_another() {
    let site = site(Backend::Sqlite)
        .var("SITE_SIGN_INS_PER_ADDRESS", "2")
        .var("TRUSTED_PROXY", "127.0.0.1")
        .spawn()
        .await;
    let via_proxy = |forwarded_for: &str| {
        browser()
            .get(site.url("/login/chirp"))
            .header("x-forwarded-for", forwarded_for.to_owned())
            .send()
    };
    for left in ["192.0.2.1", "192.0.2.2"] {
        let chain = format!("{left}, 203.0.113.9");
        assert_eq!(
            via_proxy(&chain).await.unwrap().status(),
            StatusCode::SEE_OTHER
        );
    }
    let refused = via_proxy("192.0.2.3, 203.0.113.9").await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = via_proxy("198.51.100.20").await.unwrap();
    assert_eq!(other.status(), StatusCode::SEE_OTHER);
}
