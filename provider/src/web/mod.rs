//! The provider's web pages (askama): sign up, sign in, home, developer apps, connected
//! apps, and the consent page of the OAuth flow.

pub mod auth;
pub mod chrome;
pub mod csrf;
pub mod templates;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
