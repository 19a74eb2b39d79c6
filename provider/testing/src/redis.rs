//! Redis for tests: the machine's server (`redis://127.0.0.1:6379`, `TEST_REDIS_URL`
//! overrides it), a key prefix of each test's own, and its keys removed at the end.

/// The URL of the Redis server tests use.
pub fn url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A key prefix no other test uses: `{label}-{random}:`.
pub fn prefix(label: &str) -> String {
    format!(
        "{label}-{}:",
        provider::store::apps::random_credential(10).to_lowercase()
    )
}

/// A loopback proxy in front of the test Redis, to cut it off and bring it back; give
/// services `redis://{proxy.addr}`.
pub async fn proxy() -> super::proxy::Proxy {
    let url = url::Url::parse(&url()).expect("TEST_REDIS_URL");
    let host = url.host_str().expect("TEST_REDIS_URL has a host");
    let target = tokio::net::lookup_host((host, url.port().unwrap_or(6379)))
        .await
        .expect("resolve TEST_REDIS_URL")
        .next()
        .expect("an address for TEST_REDIS_URL");
    super::proxy::Proxy::start(target).await
}

async fn connection() -> redis::aio::MultiplexedConnection {
    redis::Client::open(url())
        .expect("TEST_REDIS_URL")
        .get_multiplexed_async_connection()
        .await
        .expect("Redis for tests at TEST_REDIS_URL")
}

/// The keys matching `pattern` (`KEYS`: fine for a test's few keys).
pub async fn keys(pattern: &str) -> Vec<String> {
    redis::cmd("KEYS")
        .arg(pattern)
        .query_async(&mut connection().await)
        .await
        .expect("KEYS")
}

/// Deletes every key starting with `prefix`; returns how many there were.
pub async fn delete_all(prefix: &str) -> usize {
    let keys = keys(&format!("{prefix}*")).await;
    if !keys.is_empty() {
        redis::cmd("DEL")
            .arg(&keys)
            .query_async::<()>(&mut connection().await)
            .await
            .expect("DEL");
    }
    keys.len()
}

/// How many members the sorted set `key` holds.
pub async fn zcard(key: &str) -> i64 {
    redis::cmd("ZCARD")
        .arg(key)
        .query_async(&mut connection().await)
        .await
        .expect("ZCARD")
}
