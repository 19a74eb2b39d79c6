//! `POST /oauth/access_token` (RFC 5849 §2.3) and `POST /1.1/oauth/invalidate_token`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use oauth1::VerifyError;
use oauth1::signature::constant_time_eq;

use crate::error::{Error, Result};
use crate::oauth::{ApiCaller, Signed, credentials_response, signed::verify};
use crate::state::AppState;
use crate::tokens;

pub async fn access_token(State(state): State<AppState>, signed: Signed) -> Result<Response> {
    let params = &signed.params;
    let token = params
        .token
        .as_ref()
        .ok_or(Error::BadRequest(VerifyError::MissingParameter(
            "oauth_token",
        )))?;
    let verifier =
        params
            .verifier
            .as_deref()
            .ok_or(Error::BadRequest(VerifyError::MissingParameter(
                "oauth_verifier",
            )))?;
    let pending = tokens::pending(&state.db, token.as_str())
        .await?
        .ok_or(Error::InvalidToken)?;
    if pending.consumer_key != params.consumer_key {
        return Err(Error::InvalidToken);
    }
    verify(
        &state,
        params,
        &pending.consumer_secret,
        Some(&pending.secret),
    )
    .await?;

    // §2.3: the verifier binds the token to the owner's approval. A wrong one voids the
    // temporary credentials, so a verifier cannot be guessed by trying.
    let Some(expected) = pending
        .verifier
        .as_ref()
        .filter(|v| constant_time_eq(v.secret().as_bytes(), verifier.as_bytes()))
    else {
        tokens::delete_request_token(&state.db, token.as_str()).await?;
        return Err(Error::InvalidToken);
    };
    // Single use: of concurrent exchanges, one consumes the row; the others find none.
    let (user_id, level) = tokens::consume(&state.db, token.as_str(), expected)
        .await?
        .ok_or(Error::InvalidToken)?;
    // The approving user was read with the token; approval sets it once, so it is the
    // user the consumed row names.
    let screen_name = pending
        .screen_name
        .filter(|_| pending.user_id == Some(user_id))
        .ok_or(Error::InvalidToken)?;
    let (access, secret) =
        tokens::issue_access_token(&state.db, &state.grants, pending.app_id, user_id, level)
            .await?;
    tracing::info!(app = %pending.app_name, user = %screen_name, "issued token credentials");
    let user_id = user_id.to_string();
    Ok(credentials_response(&[
        ("oauth_token", access.as_str()),
        ("oauth_token_secret", secret.secret()),
        ("user_id", &user_id),
        ("screen_name", &screen_name),
    ]))
}

/// Revokes the access token that signed this request, as Twitter's endpoint does.
pub async fn invalidate_token(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response> {
    tokens::revoke(&state.db, &state.grants, caller.grant.token.as_str()).await?;
    tracing::info!(user = %caller.grant.user.screen_name, "access token revoked by its client");
    let mut response =
        Json(serde_json::json!({ "access_token": caller.grant.token.as_str() })).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
