//! `POST /accounts/unlink` and `POST /logout`. (Both are state-changing requests: the
//! origin check of `guard.rs` has passed before they run.)

use axum::Form;
use axum::extract::State;
use axum::response::Redirect;
use serde::Deserialize;
use tower_sessions::Session;

use crate::server::http::error::{Result, SiteError};
use crate::server::http::user::CurrentUser;
use crate::server::state::AppState;
use crate::server::storage::accounts;

#[derive(Deserialize)]
pub struct UnlinkForm {
    remote: String,
}

/// Revokes the token at the service (OAuth 2.0: RFC 7009 at the remote's revocation URL,
/// the refresh token taking the whole grant; OAuth 1.0a, whose RFC 5849 leaves
/// revocation open: Twitter's `oauth/invalidate_token`), then forgets it here, even if
/// the service is down.
pub async fn unlink(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<UnlinkForm>,
) -> Result<Redirect> {
    if let Ok(remote) = state.registry.remote(&form.remote)
        && let Err(err) = remote.revoke_token(&oauth1::UserKey::Id(user.0)).await
    {
        tracing::warn!(err = ?err.to_string(), remote = ?form.remote, "revoking the token failed");
    }
    accounts::unlink(&state.db, user.0, &form.remote)
        .await
        .map_err(SiteError::internal)?;
    tracing::info!(remote = ?form.remote, user_id = user.0, "unlinked");
    Ok(Redirect::to("/accounts"))
}

pub async fn logout(session: Session) -> Result<Redirect> {
    session.flush().await.map_err(SiteError::unavailable)?;
    Ok(Redirect::to("/"))
}
