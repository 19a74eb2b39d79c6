//! `POST /2/oauth2/revoke` (RFC 7009): the client says it no longer needs a token.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use super::client_auth;
use super::error::{ErrorCode, TokenError};
use crate::state::AppState;
use crate::store::oauth2::tokens::{self, Revocation};

/// RFC 7009 §2.1: `token` and an optional `token_type_hint`, which this server does not
/// need (§2.1 lets it look the token up in every kind). §2.2: 200 whether or not the
/// token existed, since the client's aim (the token is unusable) is met either way.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, TokenError> {
    let params = super::token::form(&body)?;
    let client = client_auth::authenticate(&state.db, &headers, &params).await?;
    let Some(token) = params.get("token") else {
        return Err(TokenError::new(
            ErrorCode::InvalidRequest,
            "token is required",
        ));
    };
    match tokens::revoke(&state.db, &state.bearer_grants, client.app_id, token).await? {
        Revocation::Done => Ok(().into_response()),
        // §2.1: the server "verifies whether the token was issued to the client making
        // the revocation request. If this validation fails, the request is refused".
        Revocation::AnotherClients => Err(TokenError::new(
            ErrorCode::InvalidRequest,
            "the token was not issued to this client",
        )),
    }
}
