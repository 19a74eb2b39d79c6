//! The developer portal: register a client application (name, callback URLs, access level,
//! and OAuth 2.0 on or off with its redirect URIs) and see its consumer key and client id.
//! The secrets are shown once, when the app is created.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::PageError;
use crate::state::AppState;
use crate::store::apps::{self, AccessLevel, App, NewApp};
use crate::store::oauth2::clients::{self, Client, ClientKind, Enabled, NewClient};
use crate::web::auth::CurrentUser;
use crate::web::chrome::Chrome;
use crate::web::csrf::Csrf;
use crate::web::templates::render;

pub struct AppRow {
    pub app: App,
    pub callbacks: Vec<String>,
    pub oauth2: Option<Client>,
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
    oauth2: Option<Enabled>,
}

#[derive(Deserialize)]
pub struct NewAppForm {
    csrf: String,
    name: String,
    callbacks: String,
    access: String,
    /// `off`, `confidential` or `public`.
    #[serde(default)]
    oauth2: String,
    #[serde(default)]
    redirect_uris: String,
    /// A PEM public key for RSA-SHA1 (RFC 5849 §3.4.3), or empty.
    #[serde(default)]
    rsa_public_key: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
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
        let oauth2 = clients::by_app(&state.db, app.id).await?;
        rows.push(AppRow {
            app,
            callbacks,
            oauth2,
        });
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn developer_apps(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
) -> Result<Response, PageError> {
    page(&state, &csrf, user, None).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_app(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
    Form(form): Form<NewAppForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let name = form.name.trim();
    let callbacks = lines(&form.callbacks);
    let kind = ClientKind::parse(&form.oauth2);
    let redirect_uris = lines(&form.redirect_uris);
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
            .or_else(|| oauth2_error(kind, &redirect_uris))
            .or_else(|| rsa_key_error(&form.rsa_public_key))
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
    let rsa_public_key = Some(form.rsa_public_key.as_str()).filter(|k| !k.trim().is_empty());
    let app = match rsa_public_key {
        Some(pem) => {
            // Checked above, so `set_rsa_public_key` does not refuse it.
            if let Err(err) = apps::set_rsa_public_key(&state.db, app.id, Some(pem)).await? {
                return page(&state, &csrf, user, Some(err.to_string())).await;
            }
            App {
                rsa_public_key: Some(pem.trim().to_owned()),
                ..app
            }
        }
        None => app,
    };
    let oauth2 = match kind {
        Some(kind) => Some(
            clients::enable(
                &state.db,
                app.id,
                NewClient {
                    kind,
                    redirect_uris: &redirect_uris,
                    client_id: None,
                    client_secret: None,
                },
            )
            .await?,
        ),
        None => None,
    };
    tracing::info!(app = ?app.name, owner = %user.screen_name, "app registered");
    let page = CreatedPage {
        chrome: Chrome::new(&state, &csrf, Some(user)),
        app,
        oauth2,
    };
    Ok(render(&page))
}

/// What is wrong with the RSA-SHA1 public key, if one was pasted.
fn rsa_key_error(pem: &str) -> Option<String> {
    if pem.trim().is_empty() {
        return None;
    }
    oauth1::RsaSha1PublicKey::from_pem(pem)
        .err()
        .map(|err| format!("The RSA-SHA1 public key was not saved: {err}."))
}

/// What is wrong with the OAuth 2.0 half of the form, if anything.
fn oauth2_error(kind: Option<ClientKind>, redirect_uris: &[String]) -> Option<String> {
    kind?;
    if redirect_uris.is_empty() {
        return Some("OAuth 2.0 needs at least one redirect URI.".to_owned());
    }
    redirect_uris
        .iter()
        .find(|u| !clients::valid_redirect_uri(u))
        .map(|bad| {
            format!(
                "{bad:?} is not a redirect URI: use an absolute http:// or https:// URL without a #fragment."
            )
        })
}
