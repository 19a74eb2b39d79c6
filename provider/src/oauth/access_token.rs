//! `POST /oauth/access_token` (RFC 5849 §2.3) and `POST /1.1/oauth/invalidate_token`.

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use oauth1::server::ServerRequest;

use crate::error::Result;
use crate::oauth::{ApiCaller, signed};
use crate::state::AppState;
use crate::store::tokens;

/// §2.3 by `oauth1::server`: temporary credentials this client was issued and the owner
/// approved, exchanged once; a wrong verifier voids them (after the signature is valid).
/// Twitter's response also names the user (`user_id`, `screen_name`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn access_token(State(state): State<AppState>, request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let body = signed::body(body).await?;
    let (response, taken) = state
        .oauth1
        .exchange(&ServerRequest::from_parts(&parts, &body))
        .await
        .map_err(|e| signed::refused(&state, &parts, &body, e))?;
    let user = taken
        .approval
        .map(|a| a.user.screen_name)
        .unwrap_or_default();
    tracing::info!(client = %taken.consumer_key, user = ?user, "issued token credentials");
    Ok(signed::into_response(response))
}

/// Revokes the access token that signed this request, as Twitter's endpoint does.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn invalidate_token(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response> {
    tokens::revoke(&state.db, &state.grants, caller.grant.token.as_str()).await?;
    tracing::info!(user = %caller.grant.user.screen_name, "access token revoked by its client");
    Ok(Json(serde_json::json!({ "access_token": caller.grant.token.as_str() })).into_response())
}
