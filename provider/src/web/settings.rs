//! "Connected apps": the apps this user authorized, over OAuth 1.0a and over OAuth 2.0,
//! each with a button that revokes that access at once (for OAuth 2.0, every access and
//! refresh token the app holds for this user).

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::error::PageError;
use crate::state::AppState;
use crate::statuses::twitter_time;
use crate::store::oauth2;
use crate::store::tokens;
use crate::web::auth::CurrentUser;
use crate::web::chrome::Chrome;
use crate::web::csrf::Csrf;
use crate::web::templates::render;

/// Which protocol's access a row of the page is (and a revoke form ends).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// Forms without the field are OAuth 1.0a's, as before OAuth 2.0 was listed.
    #[default]
    Oauth1,
    Oauth2,
}

impl Protocol {
    /// The form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Oauth1 => "oauth1",
            Protocol::Oauth2 => "oauth2",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Protocol::Oauth1 => "OAuth 1.0a",
            Protocol::Oauth2 => "OAuth 2.0",
        }
    }
}

/// One row of the page: an app's access over one protocol.
struct Row {
    app_id: i64,
    app_name: String,
    protocol: Protocol,
    /// "write access", or the OAuth 2.0 scopes.
    access: String,
    created_at: i64,
}

#[derive(Template)]
#[template(path = "connected_apps.html")]
struct ConnectedAppsPage {
    chrome: Chrome,
    connections: Vec<Row>,
}

impl ConnectedAppsPage {
    fn since(&self, row: &Row) -> String {
        twitter_time(row.created_at)
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    app_id: i64,
    #[serde(default)]
    protocol: Protocol,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn connected_apps(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
) -> Result<Response, PageError> {
    let oauth1 = tokens::connections(&state.db, user.id).await?;
    let oauth2 = oauth2::connections::connections(&state.db, user.id).await?;
    let mut connections: Vec<Row> = oauth1
        .into_iter()
        .map(|c| Row {
            app_id: c.app_id,
            app_name: c.app_name,
            protocol: Protocol::Oauth1,
            access: format!("{} access", c.access_level.as_str()),
            created_at: c.created_at,
        })
        .chain(oauth2.into_iter().map(|c| Row {
            app_id: c.app_id,
            app_name: c.app_name,
            protocol: Protocol::Oauth2,
            access: c.scopes.to_string(),
            created_at: c.created_at,
        }))
        .collect();
    connections.sort_by(|a, b| {
        (&a.app_name, a.app_id, a.protocol.as_str()).cmp(&(
            &b.app_name,
            b.app_id,
            b.protocol.as_str(),
        ))
    });
    let page = ConnectedAppsPage {
        connections,
        chrome: Chrome::new(&state, &csrf, Some(user)),
    };
    Ok(render(&page))
}

/// Ends the signed-in user's own access of one app over one protocol; another user's
/// grants are out of reach, since every statement is bound to this user's id.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
    Form(form): Form<RevokeForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let revoked = match form.protocol {
        Protocol::Oauth1 => {
            tokens::disconnect(&state.db, &state.grants, form.app_id, user.id).await?
        }
        Protocol::Oauth2 => {
            oauth2::connections::disconnect(&state.db, &state.bearer_grants, form.app_id, user.id)
                .await?
                > 0
        }
    };
    if revoked {
        tracing::info!(app_id = form.app_id, user = %user.screen_name,
            protocol = form.protocol.label(), "access revoked");
    }
    Ok(Redirect::to("/settings/apps").into_response())
}
