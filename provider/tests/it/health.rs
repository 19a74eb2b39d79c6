//! `/healthz` (liveness) and `/readyz` (readiness: the database, and Redis when nonces or
//! sessions live there), as the compose health checks use them.

use crate::support;

use provider_testing::redis;
use support::{Backend, spawn_provider, spawn_provider_with};

async fn get(url: &str) -> (u16, String, String) {
    let response = reqwest::get(url).await.expect("request");
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, cache, response.text().await.expect("body"))
}

#[tokio::test]
async fn healthz_and_readyz_answer_ok_when_the_database_does() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let (status, cache, body) = get(&provider.url("/healthz")).await;
    assert_eq!(
        (status, cache.as_str(), body.as_str()),
        (200, "no-store", "ok\n")
    );
    let (status, _, body) = get(&provider.url("/readyz")).await;
    assert_eq!((status, body.as_str()), (200, "ready\n"));
}

#[tokio::test]
async fn readyz_is_503_naming_the_database_when_it_is_gone_while_healthz_stays_200() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    provider.state.db.close().await;
    let (status, cache, body) = get(&provider.url("/readyz")).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(cache, "no-store");
    assert!(body.starts_with("database: "), "{body}");
    let (status, _, _) = get(&provider.url("/healthz")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn readyz_checks_redis_when_nonces_live_there() {
    let proxy = redis::proxy().await;
    let url = format!("redis://{}", proxy.addr);
    let prefix = redis::prefix("health");
    let provider = spawn_provider_with(
        Backend::Sqlite,
        "Chirp",
        &[
            ("NONCE_STORE", "redis"),
            ("REDIS_URL", &url),
            ("REDIS_PREFIX", &prefix),
        ],
    )
    .await;
    let (status, _, body) = get(&provider.url("/readyz")).await;
    assert_eq!((status, body.as_str()), (200, "ready\n"));
    proxy.down();
    let (status, _, body) = get(&provider.url("/readyz")).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.starts_with("redis: "), "{body}");
    proxy.up();
    let (status, _, body) = get(&provider.url("/readyz")).await;
    assert_eq!((status, body.as_str()), (200, "ready\n"));
    redis::delete_all(&prefix).await;
}

#[tokio::test]
async fn readyz_works_on_postgres() {
    let provider = spawn_provider(Backend::Postgres, "Chirp").await;
    let (status, _, body) = get(&provider.url("/readyz")).await;
    assert_eq!((status, body.as_str()), (200, "ready\n"));
}

#[tokio::test]
async fn each_brand_has_a_favicon_and_its_pages_link_it() {
    let provider = spawn_provider(Backend::Sqlite, "Warble").await;
    for path in ["/favicon.svg", "/favicon.ico"] {
        let response = reqwest::get(provider.url(path)).await.expect("request");
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "image/svg+xml"
        );
        let svg = response.text().await.unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains(">W</text>"),
            "{svg}"
        );
    }
    let (_, _, home) = get(&provider.url("/login")).await;
    assert!(
        home.contains(r#"<link rel="icon" type="image/svg+xml" href="/favicon.svg">"#),
        "{home}"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_given_one_is_kept() {
    let provider = spawn_provider(Backend::Sqlite, "Chirp").await;
    let response = reqwest::get(provider.url("/login")).await.expect("request");
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id:?}");
    let given = reqwest::Client::new()
        .get(provider.url("/healthz"))
        .header("x-request-id", "from-the-proxy-42")
        .send()
        .await
        .expect("request");
    assert_eq!(given.headers()["x-request-id"], "from-the-proxy-42");
}

#[test]
fn logged_configuration_hides_passwords_in_urls() {
    use provider::plumbing::logging::redact_passwords;
    assert_eq!(
        redact_passwords("postgres://postgres:demo@postgres:5432/chirp"),
        "postgres://postgres:[redacted]@postgres:5432/chirp"
    );
    assert_eq!(
        redact_passwords(r#"Redis("redis://:s3cret@redis:6379/")"#),
        r#"Redis("redis://:[redacted]@redis:6379/")"#
    );
    assert_eq!(
        redact_passwords("sqlite://data/chirp.db"),
        "sqlite://data/chirp.db"
    );
}
