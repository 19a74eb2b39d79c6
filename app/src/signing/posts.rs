//! The playground's and the debugger's form posts, for browsers without JavaScript (with
//! it, both pages compute in the browser and never post). The posted fields become the
//! page's starting values, and the same Leptos page renders with them, computing on the
//! server what the browser would have. The fields hold secrets: nothing here logs them,
//! and they live only as long as the request.
//!
//! Only pages of this site may post here: the same-origin layer (`guard.rs`) refuses
//! others before these handlers run.

use axum::body::Body;
use axum::extract::{Form, FromRequest, Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use serde::Deserialize;

use crate::components::shell;
use crate::server::state::AppState;
use crate::signing::PlaygroundStart;
use crate::signing::forms::{DebuggerForm, PlaygroundForm, blank_is_empty};

/// The most a signing form's post may carry, in bytes; past it, 413.
pub const MAX_FORM: usize = 64 * 1024;

/// The playground's form as posted: a check box is absent when unchecked, and the
/// button pressed names what to do.
#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PlaygroundPost {
    method: String,
    url: String,
    body: String,
    consumer_key: String,
    consumer_secret: String,
    token: String,
    token_secret: String,
    signature_method: String,
    rsa_private_key: String,
    placement: String,
    realm: String,
    callback: String,
    verifier: String,
    nonce: String,
    timestamp: String,
    version: Option<String>,
    loaded_preset: String,
    /// `sign`, `fresh` (a new nonce and timestamp), `show-key` or `hide-key`.
    action: String,
}

impl PlaygroundPost {
    fn into_start(self) -> PlaygroundStart {
        let mut form = PlaygroundForm {
            method: self.method,
            url: self.url,
            body: self.body,
            consumer_key: self.consumer_key,
            consumer_secret: self.consumer_secret,
            token: self.token,
            token_secret: self.token_secret,
            signature_method: self.signature_method,
            rsa_private_key: self.rsa_private_key,
            placement: self.placement,
            realm: self.realm,
            callback: self.callback,
            verifier: self.verifier,
            nonce: self.nonce,
            timestamp: self.timestamp,
            version: self.version.is_some(),
            preset: self.loaded_preset,
        };
        if self.action == "fresh" {
            form.refresh_nonce_and_timestamp();
        }
        PlaygroundStart {
            form,
            show_key: self.action == "show-key",
        }
    }
}

/// `POST /playground`.
pub async fn playground(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let request = Request::from_parts(parts.clone(), body);
    match Form::<PlaygroundPost>::from_request(request, &state).await {
        Ok(Form(posted)) => render(state, parts, posted.into_start()).await,
        Err(rejection) => rejection.into_response(),
    }
}

/// `POST /debugger`.
pub async fn debugger(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let request = Request::from_parts(parts.clone(), body);
    match Form::<DebuggerForm>::from_request(request, &state).await {
        Ok(Form(mut posted)) => {
            // A textarea the server rendered empty comes back holding a space.
            posted.raw = blank_is_empty(posted.raw);
            posted.authorization = blank_is_empty(posted.authorization);
            render(state, parts, posted).await
        }
        Err(rejection) => rejection.into_response(),
    }
}

/// The page at the request's path, rendered with `start` as its context (the page
/// reads it instead of the URL's query).
async fn render<T: Clone + Send + Sync + 'static>(
    state: AppState,
    parts: Parts,
    start: T,
) -> Response {
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            provide_context(start.clone());
            crate::server::http::headers::provide_nonce();
        },
        move || shell(options.clone()),
    );
    // The page holds the secrets that were posted: its route has the `no_store` layer.
    handler(Request::from_parts(parts, Body::empty())).await
}
