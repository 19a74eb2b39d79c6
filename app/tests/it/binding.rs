//! A sign-in is finished only by the browser that began it.
//!
//! The attack: someone starts a sign-in, approves their own account at the service, and
//! keeps the callback URL instead of following it. Opened in a victim's browser (a link
//! is enough: the site's cookies are `SameSite=Lax`), it used to link the attacker's
//! account to the victim (an account takeover), or sign a signed-out browser in as the
//! attacker (login CSRF). Here it is refused with nothing changed, on SQLite and on
//! Postgres + Redis, with one site instance and with two; and the honest cases (two tabs,
//! a double click, two services at once) still finish.

use crate::support;

use provider_testing::Backend;
use provider_testing::redis as test_redis;
use reqwest::StatusCode;
use support::{
    Site, browser, decide_at_provider, get_text, location, sign_in_at_provider, site, spawn_twin,
    start_sign_in,
};

/// What the attack could change: users, linked accounts and their tokens.
async fn snapshot(site: &Site) -> Vec<(i64, String, String)> {
    use sqlx::Row;
    sqlx::query("select user_id, remote, token from accounts order by user_id, remote")
        .fetch_all(&site.state.db)
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get("user_id").unwrap(),
                r.try_get("remote").unwrap(),
                r.try_get("token").unwrap(),
            )
        })
        .collect()
}

fn opens_a_session(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("site_session="))
}

/// The attack against a signed-in victim and a signed-out browser, each reaching the
/// site at `victim_base` (the site itself, or a second instance behind the same URL).
async fn the_attack_is_refused(site: &Site, victim_base: &str) {
    the_attack_with_is_refused(site, victim_base, "chirp").await;
}

/// The same, the attacker's account being at `remote` (`chirp` over OAuth 1.0a, `chirp2`
/// over OAuth 2.0, whose callback names the flow by its `state`).
async fn the_attack_with_is_refused(site: &Site, victim_base: &str, remote: &str) {
    // The victim is signed in to the site with Warble.
    let victim = browser();
    let callback = sign_in_at_provider(&victim, site, "warble", "allow").await;
    let response = victim
        .get(callback.replacen(&site.url, victim_base, 1))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/profile/warble");
    let users = site.count("users").await;
    let before = snapshot(site).await;

    // The attacker approves their own Chirp account and keeps the callback URL.
    let attacker = browser();
    let bait = sign_in_at_provider(&attacker, site, remote, "allow").await;
    let bait_here = bait.replacen(&site.url, victim_base, 1);

    // The victim opens it: refused, nothing linked, still the victim.
    let response = victim.get(&bait_here).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!opens_a_session(&response));
    let page = response.text().await.unwrap();
    assert!(page.contains("not-this-browser"), "{page}");
    assert!(
        page.contains(&format!("/login/{remote}")),
        "a way to start again: {page}"
    );
    assert_eq!(snapshot(site).await, before, "no account changed");
    assert_eq!(site.count("users").await, users);
    let (_, accounts) = get_text(&victim, &format!("{victim_base}accounts")).await;
    assert!(accounts.contains("unlink-warble"), "{accounts}");
    assert!(
        !accounts.contains(&format!("unlink-{remote}")),
        "{accounts}"
    );

    // A signed-out browser opens it: refused, not signed in as the attacker.
    let passer_by = browser();
    let response = passer_by.get(&bait_here).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!opens_a_session(&response), "not signed in");
    let (_, accounts) = get_text(&passer_by, &format!("{victim_base}accounts")).await;
    assert!(
        !accounts.contains(&format!("unlink-{remote}")),
        "{accounts}"
    );
    assert_eq!(snapshot(site).await, before, "no account changed");
    assert_eq!(site.count("users").await, users);

    // Nothing was spent: the attacker's own browser still finishes its own sign-in.
    let response = attacker.get(&bait).send().await.unwrap();
    assert_eq!(location(&response), format!("/profile/{remote}"));
    assert_eq!(
        site.count("users").await,
        users + 1,
        "the attacker's own user"
    );
    let (_, accounts) = get_text(&victim, &format!("{victim_base}accounts")).await;
    assert!(
        !accounts.contains(&format!("unlink-{remote}")),
        "{accounts}"
    );
}

#[tokio::test]
async fn a_callback_opened_in_another_browser_is_refused_on_sqlite() {
    let site = site(Backend::Sqlite).spawn().await;
    the_attack_is_refused(&site, &site.url).await;
}

#[tokio::test]
async fn a_callback_opened_in_another_browser_is_refused_on_two_instances_on_sqlite() {
    let site = site(Backend::Sqlite).spawn().await;
    let (twin, _state) = spawn_twin(&site).await;
    the_attack_is_refused(&site, &twin).await;
}

#[tokio::test]
async fn a_callback_opened_in_another_browser_is_refused_on_postgres_and_redis() {
    let prefix = test_redis::prefix("site-binding");
    let site = site(Backend::Postgres).on_redis(&prefix).spawn().await;
    the_attack_is_refused(&site, &site.url).await;
    test_redis::delete_all(&prefix).await;
}

#[tokio::test]
async fn a_callback_opened_in_another_browser_is_refused_on_two_instances_on_postgres_and_redis() {
    let prefix = test_redis::prefix("site-binding-twins");
    let site = site(Backend::Postgres).on_redis(&prefix).spawn().await;
    let (twin, _state) = spawn_twin(&site).await;
    the_attack_is_refused(&site, &twin).await;
    test_redis::delete_all(&prefix).await;
}

#[tokio::test]
async fn an_oauth2_callback_opened_in_another_browser_is_refused_on_sqlite() {
    let site = site(Backend::Sqlite).spawn().await;
    the_attack_with_is_refused(&site, &site.url, "chirp2").await;
}

#[tokio::test]
async fn an_oauth2_callback_opened_in_another_browser_is_refused_on_postgres_and_redis() {
    let prefix = test_redis::prefix("site-binding-oauth2");
    let site = site(Backend::Postgres).on_redis(&prefix).spawn().await;
    the_attack_with_is_refused(&site, &site.url, "chirp2").await;
    test_redis::delete_all(&prefix).await;
}

/// Two tabs, a double click, and Chirp and Warble at once, all begun together in one
/// browser: every one finishes, in any order, though each callback writes the session.
async fn every_sign_in_under_way_finishes(site: &Site) {
    let http = browser();
    // The first page gives the browser its cookie, as a visit to the home page does.
    get_text(&http, &site.url("/")).await;
    let (a, b, c, d) = tokio::join!(
        start_sign_in(&http, site, "chirp"),
        start_sign_in(&http, site, "chirp"),
        start_sign_in(&http, site, "warble"),
        start_sign_in(&http, site, "chirp"),
    );
    let mut callbacks = Vec::new();
    for url in [a, b, c, d] {
        callbacks.push(decide_at_provider(&http, site, url, "allow").await);
    }
    // Finish them in another order than begun, one with a page load racing it.
    for i in [2, 0, 3, 1] {
        let (finished, _) = tokio::join!(
            http.get(&callbacks[i]).send(),
            http.get(site.url("/accounts")).send(),
        );
        let finished = finished.unwrap();
        assert_eq!(finished.status(), StatusCode::SEE_OTHER, "callback {i}");
    }
    assert_eq!(site.count("users").await, 1, "one person, one local user");
    let (_, accounts) = get_text(&http, &site.url("/accounts")).await;
    assert!(accounts.contains("unlink-chirp") && accounts.contains("unlink-warble"));
}

#[tokio::test]
async fn two_tabs_a_double_click_and_two_services_at_once_each_finish_on_sqlite() {
    every_sign_in_under_way_finishes(&site(Backend::Sqlite).spawn().await).await;
}

#[tokio::test]
async fn two_tabs_a_double_click_and_two_services_at_once_each_finish_with_redis() {
    let prefix = test_redis::prefix("site-tabs");
    let site = site(Backend::Postgres).on_redis(&prefix).spawn().await;
    every_sign_in_under_way_finishes(&site).await;
    test_redis::delete_all(&prefix).await;
}

/// A browser that starts sign-ins in a loop holds a bounded number of them.
#[tokio::test]
async fn abandoned_sign_ins_of_one_browser_are_bounded() {
    let prefix = test_redis::prefix("site-bound");
    for (backend, redis) in [
        (Backend::Sqlite, false),
        (Backend::Postgres, false),
        (Backend::Postgres, true),
    ] {
        let builder = site(backend);
        let site = if redis {
            builder.on_redis(&prefix)
        } else {
            builder
        }
        .spawn()
        .await;
        let held = || async {
            if redis {
                let keys = test_redis::keys(&format!("{prefix}tc:pf:*")).await;
                assert_eq!(keys.len(), 1, "one set for the one browser");
                test_redis::zcard(&keys[0]).await
            } else {
                site.count("pending_sign_ins").await
            }
        };
        let http = browser();
        for started in 1..=app::server::storage::pending_sign_ins::MAX_PER_BROWSER + 5 {
            start_sign_in(&http, &site, "chirp").await;
            assert_eq!(
                held().await,
                started.min(app::server::storage::pending_sign_ins::MAX_PER_BROWSER) as i64,
                "{backend:?}, Redis {redis}"
            );
        }
        // The newest still finishes.
        let last = start_sign_in(&http, &site, "chirp").await;
        let callback = decide_at_provider(&http, &site, last, "allow").await;
        let response = http.get(&callback).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{backend:?}");
    }
    test_redis::delete_all(&prefix).await;
}

/// The usual cause of "state not equal" failures: begun on `localhost`, back on
/// `127.0.0.1`, the cookie left behind. The site sends every request to its public host
/// name first, path and query kept.
#[tokio::test]
async fn a_request_for_another_host_name_is_sent_to_the_public_one_first() {
    let site = site(Backend::Sqlite).spawn().await;
    let port = url::Url::parse(&site.url).unwrap().port().unwrap();
    let response = browser()
        .get(site.url("/login/chirp?x=1"))
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(location(&response), site.url("/login/chirp?x=1"));
    assert_eq!(site.count("pending_sign_ins").await, 0, "no flow began");
}

/// To a browser `127.0.0.1:8001` and `127.0.0.1:3000` are one site, so `SameSite` lets
/// a page of the provider post to the site with its cookies. Every state-changing
/// request checks where it comes from.
#[tokio::test]
async fn a_post_from_another_service_on_the_same_host_is_refused() {
    let site = site(Backend::Sqlite).spawn().await;
    let (http, jar) = support::browser_with_jar();
    // The same browser as an older one that sends a `Referer` and no Fetch Metadata.
    let older = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    http.get(&callback).send().await.unwrap();
    let chirp_origin = site.chirp.url.trim_end_matches('/').to_owned();
    let forged = [
        ("origin", chirp_origin.as_str()),
        ("origin", "null"),
        ("sec-fetch-site", "same-site"),
        ("sec-fetch-site", "cross-site"),
        ("referer", "http://127.0.0.1:1/page"),
    ];
    for (name, value) in forged {
        for (path, form) in [
            (
                "/api/post_status",
                vec![("remote", "chirp"), ("status", "forged")],
            ),
            ("/accounts/unlink", vec![("remote", "chirp")]),
            ("/logout", vec![]),
        ] {
            let client = if name == "referer" { &older } else { &http };
            let response = client
                .post(site.url(path))
                .header(name, value)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{path} {name}: {value}"
            );
        }
    }
    let (_, accounts) = get_text(&http, &site.url("/accounts")).await;
    assert!(
        accounts.contains("unlink-chirp"),
        "still linked and signed in"
    );
    let (_, profile) = get_text(&http, &site.url("/profile/chirp")).await;
    assert!(!profile.contains("forged"), "nothing posted");

    // The site's own pages may.
    let origin = site.url.trim_end_matches('/').to_owned();
    let response = http
        .post(site.url("/logout"))
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn no_page_of_the_site_can_be_framed() {
    let site = site(Backend::Sqlite).spawn().await;
    let http = browser();
    for path in [
        "/",
        "/accounts",
        "/how-it-works",
        "/login/nope",
        "/authorize/chirp?oauth_token=a&oauth_verifier=b",
    ] {
        let response = http.get(site.url(path)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
}

/// Visitors who never sign in cost no stored session, even while they start sign-ins:
/// the record of a sign-in under way is a row of its own, bounded per browser.
#[tokio::test]
async fn anonymous_visits_and_sign_ins_under_way_store_no_session() {
    let site = site(Backend::Sqlite).spawn().await;
    for _ in 0..20 {
        let http = browser();
        get_text(&http, &site.url("/")).await;
        start_sign_in(&http, &site, "chirp").await;
    }
    assert_eq!(site.count("sessions").await, 0);
    assert_eq!(site.count("pending_sign_ins").await, 20);
}

/// Over plain http a service on another port of the same host can set cookies for the
/// site. The attacker plants their own `site_browser` value in a signed-in victim's
/// browser, in place of the victim's or next to it: still refused, since the sign-in was
/// begun with nobody signed in and the victim is, or since two such cookies come along.
#[tokio::test]
async fn a_planted_browser_cookie_does_not_finish_the_planters_sign_in() {
    let site = site(Backend::Sqlite).spawn().await;
    let url = url::Url::parse(&site.url).unwrap();
    let planted = format!("site_browser={}", "K".repeat(43));

    let (victim, victim_jar) = support::browser_with_jar();
    let callback = sign_in_at_provider(&victim, &site, "warble", "allow").await;
    assert_eq!(
        location(&victim.get(&callback).send().await.unwrap()),
        "/profile/warble"
    );
    let before = snapshot(&site).await;

    let (attacker, attacker_jar) = support::browser_with_jar();
    attacker_jar.add_cookie_str(&format!("{planted}; Path=/"), &url);
    let bait = sign_in_at_provider(&attacker, &site, "chirp", "allow").await;

    // Next to the victim's own cookie (a narrower path is sent first): refused.
    victim_jar.add_cookie_str(&format!("{planted}; Path=/authorize"), &url);
    let response = victim.get(&bait).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // In place of it: refused too, the sign-in was not begun by the one signed in here.
    victim_jar.add_cookie_str(&format!("{planted}; Path=/authorize; Max-Age=0"), &url);
    victim_jar.add_cookie_str(&format!("{planted}; Path=/"), &url);
    let response = victim.get(&bait).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(snapshot(&site).await, before, "no account changed");
    let (_, accounts) = get_text(&victim, &site.url("/accounts")).await;
    assert!(
        accounts.contains("unlink-warble"),
        "still the victim: {accounts}"
    );
    assert!(!accounts.contains("unlink-chirp"), "{accounts}");
}

/// Sending people to the public host name must not send them anywhere else: a path that
/// looks like a URL stays a path.
#[tokio::test]
async fn the_host_redirect_is_not_an_open_redirect() {
    let site = site(Backend::Sqlite).spawn().await;
    let port = url::Url::parse(&site.url).unwrap().port().unwrap();
    for path in [
        "/https://evil.example/",
        "//evil.example/x",
        "/javascript:alert(1)",
    ] {
        let response = browser()
            .get(site.url(path))
            .header("host", format!("localhost:{port}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
        let to = location(&response);
        assert!(to.starts_with(&site.url), "{path} -> {to}");
    }
}
