//! Chirp stalls or goes away during each leg the site takes part in (RFC 5849 §2.1
//! temporary credentials, §2.3 token credentials, then the first API call): the site
//! answers within its outbound timeout with a clear page, keeps nothing half-done, and
//! signs in normally once Chirp is back. An API that stalls after the token exchange does
//! not stop the sign-in (the token response names the user); the pages that need the API
//! say Chirp is not answering. And the site's own session store (Redis) cut off at the
//! callback: a 503, nothing spent, the same callback good once it is back.

use crate::support;

use std::time::{Duration, Instant};

use provider_testing::Backend;
use provider_testing::redis as test_redis;
use reqwest::StatusCode;
use support::{Front, Site, browser, get_text, location, sign_in_at_provider, site};

async fn site_with_chirp_behind_a_proxy() -> Site {
    site(Backend::Sqlite)
        .chirp_behind(Front::Tcp)
        .var("SITE_OUTBOUND_TIMEOUT_SECS", "1")
        .spawn()
        .await
}

async fn nothing_kept(site: &Site) {
    assert_eq!(site.count("pending_sign_ins").await, 0);
    assert_eq!(site.count("users").await, 0);
    assert_eq!(site.count("accounts").await, 0);
}

/// A whole sign-in with Chirp, which must succeed.
async fn signs_in(site: &Site) {
    signs_in_with(site, &browser(), "chirp").await;
}

/// A whole sign-in with `remote` in browser `http`, which must succeed.
async fn signs_in_with(site: &Site, http: &reqwest::Client, remote: &str) {
    let callback = sign_in_at_provider(http, site, remote, "allow").await;
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), format!("/profile/{remote}"));
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
    let site = site(Backend::Sqlite)
        .chirp_behind(Front::Http)
        .var("SITE_OUTBOUND_TIMEOUT_SECS", "1")
        .spawn()
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

/// The site's session store (Redis here) cut off while a signed-in person's callback
/// arrives: a 503 page with a retry hint, the temporary credentials left unspent and
/// nothing linked; once Redis is back the same callback finishes the sign-in, linked to
/// the person who was signed in.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_session_store_down_at_the_callback_spends_nothing() {
    let proxy = test_redis::proxy().await;
    let prefix = test_redis::prefix("site-faults");
    let site = site(Backend::Sqlite)
        .var("SESSION_STORE", "redis")
        .var("REDIS_URL", &format!("redis://{}", proxy.addr))
        .var("REDIS_PREFIX", &prefix)
        .spawn()
        .await;
    signs_in_with(&site, &browser(), "chirp").await;
    let http = browser();
    signs_in_with(&site, &http, "chirp").await;
    let callback = sign_in_at_provider(&http, &site, "warble", "allow").await;

    proxy.down();
    let response = http.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"unavailable\"")
    );
    assert_eq!(site.count("pending_sign_ins").await, 1, "not spent");
    assert_eq!(site.count("accounts").await, 1, "nothing linked");

    proxy.up();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = http.get(&callback).send().await.unwrap();
        if response.status() == StatusCode::SEE_OTHER {
            assert_eq!(location(&response), "/profile/warble");
            break;
        }
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(Instant::now() < deadline, "not recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        site.count("users").await,
        1,
        "linked to the signed-in person"
    );
    assert_eq!(site.count("accounts").await, 2);
    assert_eq!(
        test_redis::delete_all(&prefix).await,
        2,
        "two browsers' sessions"
    );
}
