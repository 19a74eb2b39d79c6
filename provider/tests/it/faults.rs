//! Faults: the database going away under load and coming back, as a restart looks to the
//! provider (a proxy on loopback cuts and refuses its connections).

use crate::support;

use std::time::{Duration, Instant};

use oauth1::{AccessToken, ClientCredentials};
use provider::store::apps::AccessLevel;
use provider_testing::proxy::Proxy;
use provider_testing::redis as test_redis;
use reqwest::StatusCode;
use support::{Alice, Backend, TestDb, TestProvider, alice_with_a_token, spawn_instance};

/// Status, `Retry-After` and Twitter error code of one signed `verify_credentials`.
async fn verify(
    provider: &TestProvider,
    client: &ClientCredentials,
    token: &AccessToken,
) -> (StatusCode, Option<String>, Option<u64>) {
    verify_at(&provider.url, client, token).await
}

async fn verify_at(
    base: &str,
    client: &ClientCredentials,
    token: &AccessToken,
) -> (StatusCode, Option<String>, Option<u64>) {
    let response = support::verify_credentials_response(base, client, token).await;
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    (status, retry_after, body["errors"][0]["code"].as_u64())
}

/// `concurrency` verified requests at once: their results.
async fn burst(
    provider: &TestProvider,
    client: &ClientCredentials,
    token: &AccessToken,
    concurrency: usize,
) -> Vec<(StatusCode, Option<String>, Option<u64>)> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (url, client, token) = (provider.url.clone(), client.clone(), token.clone());
        tasks.spawn(async move { verify_at(&url, &client, &token).await });
    }
    tasks.join_all().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_is_answered_503_with_a_retry_hint_and_the_service_recovers() {
    let db = TestDb::new(Backend::Postgres).await;
    let mut url = url::Url::parse(&db.url).unwrap();
    let target = tokio::net::lookup_host((
        url.host_str().unwrap().to_owned(),
        url.port().unwrap_or(5432),
    ))
    .await
    .unwrap()
    .next()
    .unwrap();
    let proxy = Proxy::start(target).await;
    url.set_port(Some(proxy.addr.port())).unwrap();
    let provider = spawn_instance(url.as_str(), "Chirp", &[("NONCE_STORE", "memory")]).await;

    let Alice { client, token, .. } = alice_with_a_token(
        &provider.state,
        "Demo site",
        "http://127.0.0.1:3000/cb",
        AccessLevel::Read,
    )
    .await;
    for result in burst(&provider, &client, &token, 10).await {
        assert_eq!(result.0, StatusCode::OK);
    }

    // The database goes away with requests arriving.
    proxy.down();
    let started = Instant::now();
    for (status, retry_after, code) in burst(&provider, &client, &token, 20).await {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after.as_deref(), Some("1"));
        assert_eq!(code, Some(130));
    }
    // Bounded by the pool's wait for a connection, not hanging.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // It comes back: the same process serves again, without a restart.
    proxy.up();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (status, _, _) = verify(&provider, &client, &token).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "not recovered: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for result in burst(&provider, &client, &token, 20).await {
        assert_eq!(result.0, StatusCode::OK);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_store_outage_is_answered_503_and_the_session_survives_it() {
    let db = TestDb::new(Backend::Postgres).await;
    let proxy = test_redis::proxy().await;
    let redis_url = format!("redis://{}", proxy.addr);
    let prefix = test_redis::prefix("faults");
    let provider = spawn_instance(
        &db.url,
        "Chirp",
        &[
            ("NONCE_STORE", "memory"),
            ("SESSION_STORE", "redis"),
            ("REDIS_URL", redis_url.as_str()),
            ("REDIS_PREFIX", prefix.as_str()),
        ],
    )
    .await;
    alice_with_a_token(
        &provider.state,
        "Demo site",
        "http://127.0.0.1:3000/cb",
        AccessLevel::Read,
    )
    .await;
    let http = support::browser();
    let signed_in = support::sign_in(&http, &provider, "alice", "wonderland").await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let home = support::page(&http, &provider, "/").await;
    assert!(home.contains("@alice"), "{home}");

    proxy.down();
    let started = Instant::now();
    let response = http.get(provider.url("/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap(),
        "1"
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    // Back: the same process, the same browser, still signed in.
    proxy.up();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = http.get(provider.url("/")).send().await.unwrap();
        if response.status() == StatusCode::OK {
            let home = response.text().await.unwrap();
            assert!(home.contains("@alice"), "{home}");
            break;
        }
        assert!(Instant::now() < deadline, "not recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        test_redis::delete_all(&prefix).await,
        1,
        "alice's one session"
    );
}
