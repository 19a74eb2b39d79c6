//! Chirp stalls or goes away during each leg the site takes part in (RFC 5849 §2.1
//! temporary credentials, §2.3 token credentials, then the first API call): the site
//! answers within its outbound timeout with a clear page, keeps nothing half-done, and
//! signs in normally once Chirp is back. An API that stalls after the token exchange does
//! not stop the sign-in (the token response names the user); the pages that need the API
//! say Chirp is not answering.

mod support;

use std::time::{Duration, Instant};

use provider::testing::Backend;
use reqwest::StatusCode;
use support::{Front, Site, browser, get_text, location, sign_in_at_provider, spawn_site_full};

async fn site_with_chirp_behind_a_proxy() -> Site {
    spawn_site_full(Backend::Sqlite, Front::Tcp, |vars| {
        vars.push(("SITE_OUTBOUND_TIMEOUT_SECS".into(), "1".into()));
    })
    .await
}

async fn nothing_kept(site: &Site) {
    assert_eq!(site.count("temporary_credentials").await, 0);
    assert_eq!(site.count("users").await, 0);
    assert_eq!(site.count("accounts").await, 0);
}

/// A whole sign-in with Chirp, which must succeed.
async fn signs_in(site: &Site) {
    let http = browser();
    let callback = sign_in_at_provider(&http, site, "chirp", "allow").await;
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/profile/chirp");
}

#[tokio::test]
async fn chirp_stalled_or_down_while_the_site_asks_for_temporary_credentials() {
    let site = site_with_chirp_behind_a_proxy().await;
    let proxy = site.chirp.proxy.as_ref().unwrap();
    let http = browser();

    proxy.stall();
    let started = Instant::now();
    let (status, page) = get_text(&http, &site.url("/login/chirp")).await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{page}");
    assert!(page.contains("did not answer in time"), "{page}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    nothing_kept(&site).await;

    proxy.down();
    let (status, page) = get_text(&http, &site.url("/login/chirp")).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{page}");
    assert!(page.contains("could not be reached"), "{page}");
    nothing_kept(&site).await;

    proxy.up();
    signs_in(&site).await;
}

#[tokio::test]
async fn chirp_stalled_or_down_while_the_site_exchanges_the_verifier() {
    let site = site_with_chirp_behind_a_proxy().await;
    let proxy = site.chirp.proxy.as_ref().unwrap();
    for fail in ["stall", "down"] {
        let http = browser();
        let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
        match fail {
            "stall" => proxy.stall(),
            _ => proxy.down(),
        }
        let (status, page) = get_text(&http, &callback).await;
        let expected = match fail {
            "stall" => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::BAD_GATEWAY,
        };
        assert_eq!(status, expected, "{fail}: {page}");
        assert!(page.contains("Try again"), "{page}");
        // The temporary credentials were taken (single use); no user or account exists.
        nothing_kept(&site).await;
        proxy.up();
    }
    signs_in(&site).await;
    assert_eq!(site.count("accounts").await, 1);
}

#[tokio::test]
async fn chirp_stalled_on_its_api_after_the_token_exchange() {
    let site = spawn_site_full(Backend::Sqlite, Front::Http, |vars| {
        vars.push(("SITE_OUTBOUND_TIMEOUT_SECS".into(), "1".into()));
    })
    .await;
    let stalled = site.chirp.api_stalled.as_ref().unwrap();
    let http = browser();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    // The verifier exchange goes through; the API gets no answer. The sign-in needs only
    // the token response (user id and screen name), so it completes after the timeout of
    // the `verify_credentials` it tries, with the screen name for a display name.
    stalled.store(true, std::sync::atomic::Ordering::SeqCst);
    let started = Instant::now();
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/profile/chirp");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(site.count("accounts").await, 1);
    // The profile page calls the API too: it says Chirp is not answering.
    let (status, page) = get_text(&http, &site.url("/profile/chirp")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("did not answer in time"), "{page}");

    stalled.store(false, std::sync::atomic::Ordering::SeqCst);
    let (_, page) = get_text(&http, &site.url("/profile/chirp")).await;
    assert!(page.contains("Alice of Chirp"), "{page}");
}
