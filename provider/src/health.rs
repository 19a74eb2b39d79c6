//! `GET /readyz`: the provider's readiness, its database and each Redis it is configured
//! with (`plumbing::probes` checks them; `GET /healthz` is its liveness probe).

use axum::extract::State;
use axum::response::Response;

use crate::config::NonceStoreKind;
use crate::state::AppState;

/// Readiness of this provider: its database, and Redis if nonces or sessions live there.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let config = &state.config;
    let mut redis: Vec<&str> = Vec::new();
    if let NonceStoreKind::Redis(url) = &config.nonce_store {
        redis.push(url);
    }
    redis.extend(config.session_store.redis_url());
    crate::plumbing::probes::readiness(&state.db, &redis).await
}
