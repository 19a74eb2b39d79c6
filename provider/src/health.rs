//! Probes for orchestrators (compose health checks, Kubernetes): `GET /healthz` answers
//! while the process serves (liveness); `GET /readyz` also checks that the database and,
//! when configured, Redis answer within two seconds (readiness), 503 naming what failed.
//! The site reuses [`readiness`] for its own `/readyz`.

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::config::NonceStoreKind;
use crate::config::SessionStoreKind;
use crate::db::Db;
use crate::state::AppState;

const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: the process accepts and answers requests.
pub async fn healthz() -> Response {
    plain(StatusCode::OK, "ok\n".to_owned())
}

/// Readiness of this provider: its database, and Redis if nonces or sessions live there.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let config = &state.config;
    let mut redis: Vec<&str> = Vec::new();
    if let NonceStoreKind::Redis(url) = &config.nonce_store {
        redis.push(url);
    }
    if let SessionStoreKind::Redis(url) = &config.session_store {
        redis.push(url);
    }
    readiness(&state.db, &redis).await
}

/// 200 "ready" when `db` answers `select 1` and every Redis URL answers PING; else 503
/// with one line per failed check. Never cached.
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
