//! "Connected apps": the apps this user authorized, each with a button that revokes its
//! access token at once.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::error::PageError;
use crate::state::AppState;
use crate::statuses::twitter_time;
use crate::tokens::{self, Connection};
use crate::web::auth::CurrentUser;
use crate::web::chrome::Chrome;
use crate::web::csrf::Csrf;
use crate::web::templates::render;

#[derive(Template)]
#[template(path = "connected_apps.html")]
struct ConnectedAppsPage {
    chrome: Chrome,
    connections: Vec<Connection>,
}

impl ConnectedAppsPage {
    fn since(&self, connection: &Connection) -> String {
        twitter_time(connection.created_at)
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    app_id: i64,
}

pub async fn connected_apps(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
) -> Result<Response, PageError> {
    let page = ConnectedAppsPage {
        connections: tokens::connections(&state.db, user.id).await?,
        chrome: Chrome::new(&state, &csrf, Some(user)),
    };
    Ok(render(&page))
}

pub async fn revoke(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
    Form(form): Form<RevokeForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    if tokens::disconnect(&state.db, &state.grants, form.app_id, user.id).await? {
        tracing::info!(app_id = form.app_id, user = %user.screen_name, "access revoked");
    }
    Ok(Redirect::to("/settings/apps").into_response())
}
