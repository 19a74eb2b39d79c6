//! Chirp stalls or goes away during each leg the site takes part in (RFC 5849 §2.1
//! temporary credentials, §2.3 token credentials, then the first API call): the site
//! answers within its outbound timeout with a clear page, keeps nothing half-done, and
//! signs in normally once Chirp is back.

mod support;

use std::time::{Duration, Instant};

use provider::testing::Backend;
use reqwest::StatusCode;
use support::{Site, browser, get_text, location, sign_in_at_provider, spawn_site_full};

async fn site_with_chirp_behind_a_proxy() -> Site {
    spawn_site_full(Backend::Sqlite, true, |vars| {
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
