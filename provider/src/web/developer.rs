//! The developer portal: register a client application (name, callback URLs, access level)
//! and see its consumer key. The consumer secret is shown once, when the app is created.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::apps::{self, AccessLevel, App, NewApp};
use crate::error::PageError;
use crate::state::AppState;
use crate::web::auth::CurrentUser;
use crate::web::chrome::Chrome;
use crate::web::csrf::Csrf;
use crate::web::templates::render;

pub struct AppRow {
    pub app: App,
    pub callbacks: Vec<String>,
}

#[derive(Template)]
#[template(path = "developer_apps.html")]
struct DeveloperPage {
    chrome: Chrome,
    apps: Vec<AppRow>,
    error: Option<String>,
    callback_url: String,
}

#[derive(Template)]
#[template(path = "app_created.html")]
struct CreatedPage {
    chrome: Chrome,
    app: App,
}

#[derive(Deserialize)]
pub struct NewAppForm {
    csrf: String,
    name: String,
    callbacks: String,
    access: String,
}

async fn page(
    state: &AppState,
    csrf: &Csrf,
    user: crate::users::User,
    error: Option<String>,
) -> Result<Response, PageError> {
    let mut rows = Vec::new();
    for app in apps::by_owner(&state.db, user.id).await? {
        let callbacks = apps::callbacks(&state.db, app.id).await?;
        rows.push(AppRow { app, callbacks });
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = DeveloperPage {
        chrome: Chrome::new(state, csrf, Some(user)),
        apps: rows,
        error,
        callback_url: String::new(),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn developer_apps(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
) -> Result<Response, PageError> {
    page(&state, &csrf, user, None).await
}

pub async fn create_app(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
    Form(form): Form<NewAppForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let name = form.name.trim();
    let callbacks: Vec<String> = form
        .callbacks
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let error = if name.is_empty() || name.chars().count() > 32 {
        Some("The application name is 1 to 32 characters.".to_owned())
    } else {
        callbacks
            .iter()
            .find(|c| !apps::valid_callback(c))
            .map(|bad| {
                format!(
                    "{bad:?} is not a callback URL: use an absolute http:// or https:// URL without a #fragment."
                )
            })
    };
    if error.is_some() {
        return page(&state, &csrf, user, error).await;
    }
    let app = apps::create(
        &state.db,
        NewApp {
            owner_id: user.id,
            name,
            callbacks: &callbacks,
            access_level: AccessLevel::parse(&form.access).unwrap_or(AccessLevel::Read),
            consumer_key: None,
            consumer_secret: None,
        },
    )
    .await?;
    tracing::info!(app = %app.name, owner = %user.screen_name, "app registered");
    let page = CreatedPage {
        chrome: Chrome::new(&state, &csrf, Some(user)),
        app,
    };
    let mut response = render(&page);
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
