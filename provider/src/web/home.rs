//! The home page: signed out, what this is; signed in, a post box and everyone's timeline.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::error::{Error, PageError};
use crate::state::AppState;
use crate::statuses::{self, Page, StatusJson};
use crate::web::auth::{CurrentUser, MaybeUser};
use crate::web::chrome::Chrome;
use crate::web::csrf::Csrf;
use crate::web::templates::render;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    statuses: Vec<StatusJson>,
    error: Option<&'static str>,
    draft: String,
}

#[derive(Deserialize)]
pub struct PostForm {
    csrf: String,
    status: String,
}

pub async fn home(
    State(state): State<AppState>,
    csrf: Csrf,
    MaybeUser(user): MaybeUser,
) -> Result<Response, PageError> {
    page(&state, &csrf, user, None, String::new()).await
}

async fn page(
    state: &AppState,
    csrf: &Csrf,
    user: Option<crate::users::User>,
    error: Option<&'static str>,
    draft: String,
) -> Result<Response, PageError> {
    let statuses = match user {
        Some(_) => statuses::timeline(&state.db, None, Page::default(), None).await?,
        None => Vec::new(),
    };
    let page = HomePage {
        chrome: Chrome::new(state, csrf, user),
        statuses,
        error,
        draft,
    };
    Ok(render(&page))
}

pub async fn post_status(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
    Form(form): Form<PostForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    match statuses::create(&state.db, &user, form.status.trim(), None).await {
        Ok(_) => Ok(Redirect::to("/").into_response()),
        Err(err @ Error::Rejected { .. }) => {
            // The API answers Twitter's status code; a form answers 422 with the draft kept.
            let (_, _, message) = err.parts();
            let response = page(&state, &csrf, Some(user), Some(message), form.status).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, response).into_response())
        }
        Err(err) => Err(PageError(err)),
    }
}
