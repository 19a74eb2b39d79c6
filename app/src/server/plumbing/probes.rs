//! Probes for orchestrators (compose health checks, Kubernetes): liveness answers while
//! the process serves; readiness also checks that the database and each Redis answer.
//!
//! Both answer plain text and are never cached; readiness names what failed, with 503.

use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::db::Db;

/// How long each check may take before it counts as failed.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: the process accepts and answers requests.
pub async fn healthz() -> Response {
    plain(StatusCode::OK, "ok\n".to_owned())
}

/// 200 "ready" when `db` answers `select 1` and every Redis URL answers PING within two
/// seconds; else 503 with one line per failed check.
pub async fn readiness(db: &Db, redis_urls: &[&str]) -> Response {
    let mut failed = Vec::new();
    match tokio::time::timeout(PROBE_TIMEOUT, sqlx::query("select 1").execute(db)).await {
        Ok(Ok(_)) => {}
        Ok(Err(err)) => failed.push(format!("database: {err}")),
        Err(_) => failed.push("database: no answer in 2s".to_owned()),
    }
    let mut seen: Vec<&str> = Vec::new();
    for url in redis_urls {
        if seen.contains(url) {
            continue;
        }
        seen.push(url);
        match tokio::time::timeout(PROBE_TIMEOUT, ping_redis(url)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => failed.push(format!("redis: {err}")),
            Err(_) => failed.push("redis: no answer in 2s".to_owned()),
        }
    }
    if failed.is_empty() {
        plain(StatusCode::OK, "ready\n".to_owned())
    } else {
        tracing::warn!(failed = ?failed, "not ready");
        plain(StatusCode::SERVICE_UNAVAILABLE, failed.join("\n") + "\n")
    }
}

async fn ping_redis(url: &str) -> Result<(), redis::RedisError> {
    let client = redis::Client::open(url)?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    redis::cmd("PING").query_async::<()>(&mut conn).await
}

fn plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
