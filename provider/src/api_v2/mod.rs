//! The small X API v2 that OAuth 1.0a and OAuth 2.0 user tokens can be tried on, shaped as
//! X shapes it (`{"data": ...}`, problem objects for errors): `GET /2/users/me`,
//! `POST /2/tweets`, `DELETE /2/tweets/{id}`, `GET /2/users/{id}/tweets`. Storage is the
//! v1.1 API's ([`crate::statuses`]).

pub mod caller;
pub mod problem;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::error::Error;
use crate::oauth2::scope::Scope;
use crate::state::AppState;
use crate::statuses::{self, Page};
use crate::users;
use caller::V2Caller;
use problem::Problem;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/2/users/me", get(me))
        .route("/2/tweets", post(create_tweet))
        .route("/2/tweets/{id}", delete(delete_tweet))
        .route("/2/users/{id}/tweets", get(user_tweets))
}

type V2Result = Result<Response, Problem>;

async fn me(caller: V2Caller) -> V2Result {
    caller.require(Scope::UsersRead)?;
    let user = &caller.user;
    Ok(Json(json!({"data": {
        "id": user.id.to_string(),
        "name": user.name,
        "username": user.screen_name,
    }}))
    .into_response())
}

#[derive(Deserialize)]
struct NewTweet {
    text: String,
}

async fn create_tweet(State(state): State<AppState>, caller: V2Caller) -> V2Result {
    caller.require(Scope::TweetWrite)?;
    let new: NewTweet = serde_json::from_slice(&caller.body)
        .map_err(|_| Problem::Invalid("The body must be JSON with a text field."))?;
    statuses::check_text(&new.text).map_err(|err| match err {
        Error::Rejected { message, .. } => Problem::Invalid(message),
        other => Problem::Other(other),
    })?;
    let status = statuses::create(&state.db, &caller.user, &new.text, Some(caller.app_id)).await?;
    let body = json!({"data": {
        "id": status.id_str,
        "text": status.text,
        "edit_history_tweet_ids": [status.id_str],
    }});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn tweet_id(id: &str) -> Result<i64, Problem> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(Problem::Invalid("The id must be a number."))
}

async fn delete_tweet(
    State(state): State<AppState>,
    Path(id): Path<String>,
    caller: V2Caller,
) -> V2Result {
    caller.require(Scope::TweetWrite)?;
    let id = tweet_id(&id)?;
    statuses::destroy(&state.db, &caller.user, id).await?;
    Ok(Json(json!({"data": {"deleted": true}})).into_response())
}

#[derive(Deserialize)]
struct TimelineQuery {
    max_results: Option<String>,
}

/// X's `max_results`: 5 to 100, 10 by default.
fn max_results(value: Option<&str>) -> Result<i64, Problem> {
    match value {
        None => Ok(10),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (5..=100).contains(n))
            .ok_or(Problem::Invalid(
                "max_results must be a number from 5 to 100.",
            )),
    }
}

async fn user_tweets(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TimelineQuery>,
    caller: V2Caller,
) -> V2Result {
    caller.require(Scope::TweetRead)?;
    let id = tweet_id(&id)?;
    let count = max_results(query.max_results.as_deref())?;
    let Some(user) = users::by_id(&state.db, id).await? else {
        return Err(Problem::NotFound("Could not find the user with that id."));
    };
    let page = Page {
        count: Some(count),
        ..Page::default()
    };
    let found = statuses::timeline(&state.db, Some(user.id), page, None).await?;
    let data: Vec<_> = found
        .iter()
        .map(|s| json!({"id": s.id_str, "text": s.text, "edit_history_tweet_ids": [s.id_str]}))
        .collect();
    let mut meta = json!({"result_count": data.len()});
    if let (Some(newest), Some(oldest)) = (found.first(), found.last()) {
        meta["newest_id"] = json!(newest.id_str);
        meta["oldest_id"] = json!(oldest.id_str);
    }
    let body = if data.is_empty() {
        json!({"meta": meta})
    } else {
        json!({"data": data, "meta": meta})
    };
    Ok(Json(body).into_response())
}
