//! Two site instances on one database behind one public URL: a sign-in begun on one
//! finishes on the other, and the session it opens holds on both. With
//! `SESSION_STORE=redis` and `PENDING_SIGN_IN_STORE=redis` the same holds through Redis
//! (at 127.0.0.1:6379, under a key prefix of the test's own, removed at the end).

use crate::support;

use provider_testing::Backend;
use provider_testing::redis as test_redis;
use reqwest::StatusCode;
use support::{browser, get_text, location, sign_in_at_provider, site, spawn_twin};

async fn sign_in_across_instances(backend: Backend) {
    let site = site(backend).spawn().await;
    sign_in_on_one_finish_on_other(&site).await;
    assert_eq!(site.count("pending_sign_ins").await, 0);
}

async fn sign_in_on_one_finish_on_other(site: &support::Site) {
    let (twin, _state) = spawn_twin(site).await;
    let http = browser();
    // Begun on the first instance: it keeps the temporary credentials.
    let callback = sign_in_at_provider(&http, site, "chirp", "allow").await;
    // The load balancer sends the callback to the second.
    let on_twin = callback.replacen(&site.url, &twin, 1);
    assert_ne!(on_twin, callback);
    let response = http.get(&on_twin).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/profile/chirp");
    // The session cookie opens the profile on either instance.
    for base in [twin.as_str(), site.url.as_str()] {
        let (status, profile) = get_text(&http, &format!("{base}profile/chirp")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(profile.contains("Alice of Chirp"), "{base}: {profile}");
    }
}

#[tokio::test]
async fn with_sessions_and_temporary_credentials_in_redis_the_instances_share_them() {
    let prefix = test_redis::prefix("site-instances");
    let site = site(Backend::Postgres).on_redis(&prefix).spawn().await;
    sign_in_on_one_finish_on_other(&site).await;
    assert_eq!(
        site.count("sessions").await,
        0,
        "no session in the database"
    );
    assert_eq!(site.count("pending_sign_ins").await, 0);
    let sessions = test_redis::keys(&format!("{prefix}session:*")).await;
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert!(
        test_redis::keys(&format!("{prefix}tc:*")).await.is_empty(),
        "taken"
    );

    // Signing out deletes the session in Redis.
    let http = browser();
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
    http.get(&callback).send().await.unwrap();
    assert_eq!(
        test_redis::keys(&format!("{prefix}session:*")).await.len(),
        2
    );
    site.post(&http, "/logout").send().await.unwrap();
    assert_eq!(
        test_redis::keys(&format!("{prefix}session:*")).await.len(),
        1
    );

    assert_eq!(test_redis::delete_all(&prefix).await, 1);
}

#[tokio::test]
async fn a_sign_in_begun_on_one_site_instance_finishes_on_the_other_sqlite() {
    sign_in_across_instances(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_sign_in_begun_on_one_site_instance_finishes_on_the_other_postgres() {
    sign_in_across_instances(Backend::Postgres).await;
}
