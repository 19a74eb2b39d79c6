//! The provider's web pages (askama): sign up, sign in, home, developer apps, connected
//! apps. The consent page of the OAuth flow lives with the flow, in `oauth::authorize`.

pub mod account;
pub mod auth;
pub mod chrome;
pub mod client_addr;
pub mod csrf;
pub mod developer;
pub mod device;
pub mod home;
pub mod next;
pub mod origin;
pub mod server_keys;
pub mod session;
pub mod settings;
pub mod templates;
pub mod throttle;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/statuses", post(home::post_status))
        .route("/login", get(account::login_page).post(account::login))
        .route("/signup", get(account::signup_page).post(account::signup))
        .route("/logout", post(account::logout))
        .route("/settings/apps", get(settings::connected_apps))
        .route("/settings/apps/revoke", post(settings::revoke))
}

/// The developer page: it shows the apps' consumer keys and secrets (`no_store`).
pub fn developer() -> Router<AppState> {
    Router::new().route(
        "/developer/apps",
        get(developer::developer_apps).post(developer::create_app),
    )
}
