//! Server functions: the pages' data. They run on the server (during server rendering, or
//! called from the browser after hydration); the browser half gets generated stubs.

use leptos::prelude::*;

use crate::model::{Flow, HomeData, ProfileData};

/// The remotes to sign in with, and the signed-in user if any.
#[server(endpoint = "load_home")]
pub async fn load_home() -> Result<HomeData, ServerFnError> {
    crate::server::server_fns::home_data().await
}

/// The remote profile and home timeline of the signed-in user on `remote`.
#[server(endpoint = "load_profile")]
pub async fn load_profile(remote: String) -> Result<ProfileData, ServerFnError> {
    crate::server::server_fns::profile(remote).await
}

/// Posts a status to `remote` as the signed-in user: `POST /2/tweets` (JSON) for an
/// OAuth 2.0 remote or one with an API v2 URL, else a signed form POST to v1.1's
/// `statuses/update.json`.
#[server(endpoint = "post_status")]
pub async fn post_status(remote: String, status: String) -> Result<(), ServerFnError> {
    crate::server::server_fns::post_status(remote, status).await
}

/// The signed-in user's last sign-in, step by step.
#[server(endpoint = "load_flow")]
pub async fn load_flow() -> Result<Option<Flow>, ServerFnError> {
    crate::server::server_fns::last_flow().await
}
