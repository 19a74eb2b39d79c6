//! Two site instances on one database behind one public URL: a sign-in begun on one
//! finishes on the other, and the session it opens holds on both.

mod support;

use provider::testing::Backend;
use reqwest::StatusCode;
use support::{browser, get_text, location, sign_in_at_provider, spawn_site, spawn_twin};

async fn sign_in_across_instances(backend: Backend) {
    let site = spawn_site(backend).await;
    let (twin, _state) = spawn_twin(&site).await;
    let http = browser();
    // Begun on the first instance: it keeps the temporary credentials.
    let callback = sign_in_at_provider(&http, &site, "chirp", "allow").await;
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
    assert_eq!(site.count("temporary_credentials").await, 0);
}

#[tokio::test]
async fn a_sign_in_begun_on_one_site_instance_finishes_on_the_other_sqlite() {
    sign_in_across_instances(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_sign_in_begun_on_one_site_instance_finishes_on_the_other_postgres() {
    sign_in_across_instances(Backend::Postgres).await;
}
