//! The small Twitter v1.1 API that signed requests can be tried on.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::error::{Error, Result};
use crate::oauth::ApiCaller;
use crate::state::AppState;
use crate::statuses::{self, Page, StatusJson, UserJson};
use crate::users;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/1.1/account/verify_credentials.json",
            get(verify_credentials),
        )
        .route("/1.1/statuses/home_timeline.json", get(home_timeline))
        .route("/1.1/statuses/user_timeline.json", get(user_timeline))
        .route("/1.1/statuses/update.json", post(update))
        .route("/1.1/statuses/destroy/{id}", post(destroy))
}

async fn verify_credentials(caller: ApiCaller) -> Json<UserJson> {
    Json((&caller.grant.user).into())
}

fn number(caller: &ApiCaller, name: &'static str) -> Result<Option<i64>> {
    caller
        .param(name)
        .map(|v| {
            v.parse::<i64>().map_err(|_| Error::Rejected {
                status: axum::http::StatusCode::BAD_REQUEST,
                code: 44,
                message: "A numeric parameter is invalid.",
            })
        })
        .transpose()
}

fn page(caller: &ApiCaller) -> Result<Page> {
    Ok(Page {
        count: number(caller, "count")?,
        since_id: number(caller, "since_id")?,
        max_id: number(caller, "max_id")?,
    })
}

async fn home_timeline(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<StatusJson>>> {
    let page = page(&caller)?;
    Ok(Json(statuses::timeline(&state.db, None, page, None).await?))
}

/// `screen_name` or `user_id` pick the user; neither means the caller.
async fn user_timeline(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<StatusJson>>> {
    let page = page(&caller)?;
    let user_id = if let Some(id) = number(&caller, "user_id")? {
        users::by_id(&state.db, id).await?.map(|u| u.id)
    } else if let Some(name) = caller.param("screen_name") {
        users::by_screen_name(&state.db, name).await?.map(|u| u.id)
    } else {
        Some(caller.grant.user.id)
    };
    let user_id = user_id.ok_or(Error::Rejected {
        status: axum::http::StatusCode::NOT_FOUND,
        code: 50,
        message: "User not found.",
    })?;
    Ok(Json(
        statuses::timeline(&state.db, Some(user_id), page, None).await?,
    ))
}

async fn update(State(state): State<AppState>, caller: ApiCaller) -> Result<Json<StatusJson>> {
    caller.require_write()?;
    let text = caller.param("status").unwrap_or("");
    let status = statuses::create(
        &state.db,
        &caller.grant.user,
        text,
        Some(caller.grant.app_id),
    )
    .await?;
    Ok(Json(status))
}

/// `POST /1.1/statuses/destroy/{id}.json`: the route captures `{id}` with its `.json`.
async fn destroy(
    State(state): State<AppState>,
    Path(id): Path<String>,
    caller: ApiCaller,
) -> Result<Json<StatusJson>> {
    caller.require_write()?;
    let id = id
        .strip_suffix(".json")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or(Error::NotFound)?;
    Ok(Json(
        statuses::destroy(&state.db, &caller.grant.user, id).await?,
    ))
}
