//! `GET /login/{name}`: leg 1 (RFC 5849 §2.1) and the redirect of leg 2 (§2.2), or for an
//! OAuth 2 remote the authorization request with `state` and PKCE (RFC 6749 §4.1.1,
//! RFC 7636 §4.3). The sign-in it starts is filed under this browser
//! (`storage/pending_sign_ins.rs`): only this browser may finish it (`callback.rs`).

use axum::extract::{Path, State};
use axum::response::Redirect;

use crate::model::{FlowStep, StepKind};
use crate::server::http::error::{Leg, Result, Retry, SiteError, remote_host};
use crate::server::sign_in::browser::BrowserKey;
use crate::server::state::AppState;
use crate::server::storage::pending_sign_ins::PendingSignIn;

/// How long a sign-in may wait for its callback, at the site (the registry's temporary
/// credentials and this browser's record of the sign-in both last this long).
pub const SIGN_IN_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

pub async fn login(
    State(state): State<AppState>,
    browser: BrowserKey,
    Path(name): Path<String>,
) -> Result<Redirect> {
    let remote = state
        .registry
        .remote(&name)
        .map_err(|_| SiteError::UnknownRemote(name.clone()))?;
    let go_to = remote
        .authorize_redirect::<oauth1::RemoteToken>(&state.config.callback(&name))
        .await
        .map_err(|source| SiteError::Remote {
            brand: state.brand(&name),
            retry: Retry::sign_in(&name, &state.brand(&name)),
            host: remote_host(&remote, Leg::RequestToken),
            source,
        })?;
    let sign_in: PendingSignIn = go_to.pending;
    state
        .pending
        .add(&browser, &sign_in, SIGN_IN_TTL)
        .await
        .map_err(SiteError::unavailable)?;
    let key = sign_in.callback_key();
    if sign_in.is_oauth2() {
        // `state` and `code_challenge` are public: the verifier never leaves the server.
        let step = FlowStep::browser(StepKind::CodeAuthorize, "GET", go_to.url.to_string(), 303);
        state.flows.start(key, step);
    } else {
        let step = FlowStep::browser(StepKind::Authorize, "GET", go_to.url.to_string(), 303);
        state.flows.push(key, step);
    }
    Ok(Redirect::to(go_to.url.as_str()))
}
