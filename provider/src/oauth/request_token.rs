//! `POST /oauth/request_token`: temporary credentials (RFC 5849 §2.1), by `oauth1::server`.
//! What is Twitter's here: `x_auth_access_type` narrows what the app may do, never widens
//! it, and callbacks must be registered for the app.

use axum::extract::{Request, State};
use axum::response::Response;
use oauth1::server::ServerRequest;

use crate::error::Result;
use crate::oauth::signed;
use crate::state::AppState;
use crate::store::apps::AccessLevel;

/// Whether `callback` may be used by an app that registered `registered`: `oob`, or a
/// registered URL, where the request may add its own query (scheme, host, port and
/// path must match exactly).
pub fn callback_allowed(callback: &str, registered: &[String]) -> bool {
    oauth1::server::callback_allowed(callback, registered, true)
}

/// The longest `oauth_callback` accepted (the library's default bound): registered
/// callbacks are short URLs, and each pending request token stores its callback.
pub const MAX_CALLBACK_LEN: usize = 2048;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn request_token(State(state): State<AppState>, request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let body = signed::body(body).await?;
    let mut app = None;
    let response = state
        .oauth1
        .temporary_credentials_with(
            &ServerRequest::from_parts(&parts, &body),
            |client, params| {
                app = Some(client.app.name.clone());
                let asked = params
                    .request_params
                    .iter()
                    .find(|(k, _)| k == "x_auth_access_type")
                    .and_then(|(_, v)| AccessLevel::parse(v))
                    .unwrap_or(client.app.access_level);
                asked.min(client.app.access_level)
            },
        )
        .await
        .map_err(|e| signed::refused(&state, &parts, &body, e))?;
    tracing::info!(app = ?app.unwrap_or_default(), "issued temporary credentials");
    Ok(signed::into_response(response))
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
