//! Who is signed in, as extractors: a handler that needs someone takes [`CurrentUser`],
//! one that works either way takes [`MaybeUser`]. The session holds only the local
//! user's id, under [`USER_ID`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::server::http::error::SiteError;

/// The session key of the signed-in local user's id.
pub const USER_ID: &str = "user_id";

/// The session key of the `BrowserKey` the session was opened with (`callback.rs`).
pub const BROWSER: &str = "browser";

/// A local user's id (the `users` table's key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserId(pub i64);

/// The signed-in user, if any, and the session (to sign someone in or out).
pub struct MaybeUser {
    pub user: Option<UserId>,
    pub session: Session,
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = SiteError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, why)| SiteError::internal(why))?;
        // An unreachable store is not "nobody signed in": that could link an account to
        // a new, empty user. It is a 503.
        let user = session
            .get::<i64>(USER_ID)
            .await
            .map_err(SiteError::unavailable)?
            .map(UserId);
        Ok(Self { user, session })
    }
}

/// The signed-in user; without one, the browser is sent to the accounts page.
pub struct CurrentUser(pub UserId);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await {
            Ok(MaybeUser { user: Some(id), .. }) => Ok(Self(id)),
            Ok(MaybeUser { user: None, .. }) => Err(Redirect::to("/accounts").into_response()),
            Err(err) => Err(err.into_response()),
        }
    }
}
