//! `POST /oauth/request_token`: temporary credentials (RFC 5849 §2.1).

use axum::extract::State;
use axum::response::Response;

use crate::apps::{self, AccessLevel};
use crate::error::{Error, Result};
use crate::oauth::{Signed, credentials_response, signed::verify};
use crate::state::AppState;
use crate::tokens;

/// Whether `callback` may be used by an app that registered `registered`: `oob`, or a
/// registered URL, where the request may add its own query (scheme, host, port and
/// path must match exactly).
pub fn callback_allowed(callback: &str, registered: &[String]) -> bool {
    if callback == "oob" {
        return true;
    }
    let Ok(mut asked) = url::Url::parse(callback) else {
        return false;
    };
    if asked.fragment().is_some() {
        return false;
    }
    asked.set_query(None);
    registered.iter().any(|r| {
        url::Url::parse(r).is_ok_and(|mut r| {
            r.set_query(None);
            r == asked
        })
    })
}

/// The longest `oauth_callback` accepted: registered callbacks are short URLs, and each
/// pending request token stores its callback.
pub const MAX_CALLBACK_LEN: usize = 2048;

pub async fn request_token(State(state): State<AppState>, signed: Signed) -> Result<Response> {
    let params = &signed.params;
    if params
        .callback
        .as_ref()
        .is_some_and(|c| c.len() > MAX_CALLBACK_LEN)
    {
        return Err(Error::BadRequest(oauth1::VerifyError::InvalidParameter {
            name: "oauth_callback",
            reason: "longer than 2048 bytes",
        }));
    }
    if params.token.is_some() {
        // §2.1: the temporary-credentials request is signed with client credentials only.
        return Err(Error::BadRequest(oauth1::VerifyError::InvalidParameter {
            name: "oauth_token",
            reason: "not allowed when asking for temporary credentials",
        }));
    }
    let (app, registered) = apps::with_callbacks(&state.db, params.consumer_key.as_str())
        .await?
        .ok_or(Error::Unauthorized("unknown consumer key"))?;
    verify(&state, params, &app.consumer_secret, None).await?;

    // §2.1: oauth_callback is required; Twitter also requires it to be registered.
    let callback = params.callback.as_deref().ok_or(Error::BadRequest(
        oauth1::VerifyError::MissingParameter("oauth_callback"),
    ))?;
    if !callback_allowed(callback, &registered) {
        return Err(Error::CallbackNotApproved);
    }
    // x_auth_access_type narrows what the app may do, never widens it.
    let asked = params
        .request_params
        .iter()
        .find(|(k, _)| k == "x_auth_access_type")
        .and_then(|(_, v)| AccessLevel::parse(v))
        .unwrap_or(app.access_level);
    let level = asked.min(app.access_level);

    let (token, secret) = tokens::create_request_token(
        &state.db,
        app.id,
        callback,
        level,
        state.config.request_token_ttl_secs,
    )
    .await?;
    tracing::info!(app = %app.name, "issued temporary credentials");
    Ok(credentials_response(&[
        ("oauth_token", token.as_str()),
        ("oauth_token_secret", secret.secret()),
        ("oauth_callback_confirmed", "true"),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_must_be_registered_or_oob() {
        let registered = vec!["http://127.0.0.1:3000/authorize/chirp".to_owned()];
        assert!(callback_allowed("oob", &registered));
        assert!(callback_allowed(
            "http://127.0.0.1:3000/authorize/chirp",
            &registered
        ));
        assert!(callback_allowed(
            "http://127.0.0.1:3000/authorize/chirp?next=/x",
            &registered
        ));
        assert!(!callback_allowed(
            "http://127.0.0.1:3000/authorize/warble",
            &registered
        ));
        assert!(!callback_allowed(
            "http://127.0.0.1:3001/authorize/chirp",
            &registered
        ));
        assert!(!callback_allowed(
            "https://127.0.0.1:3000/authorize/chirp",
            &registered
        ));
        assert!(!callback_allowed(
            "http://127.0.0.1:3000/authorize/chirp#x",
            &registered
        ));
        assert!(!callback_allowed("not a url", &registered));
    }
}
