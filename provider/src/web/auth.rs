//! Who is signed in to the provider's web pages: extractors and session helpers.
//!
//! `CurrentUser` in a handler's signature means "signed in or sent to the sign-in page,
//! then back here"; `MaybeUser` means the page works either way.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::error::{Error, PageError};
use crate::plumbing::db::Db;
use crate::users::{self, User};
use crate::web::csrf::Csrf;
use crate::web::session::{USER_KEY, session_error, user_id};

/// The signed-in user; otherwise a redirect to `/login?next=<this page>`.
pub struct CurrentUser(pub User);

/// The signed-in user, if any.
pub struct MaybeUser(pub Option<User>);

/// Starts a signed-in session: the first stored session of this browser. The session
/// id and the CSRF cookie are drawn anew first, so an id planted before sign-in (session
/// fixation) and any form token seen before it are worthless after it.
pub async fn sign_in(session: &Session, csrf: &Csrf, user: &User) -> Result<(), PageError> {
    csrf.rotate(Some(user.id));
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(USER_KEY, user.id)
        .await
        .map_err(session_error)?;
    Ok(())
}

/// Ends the session: its data is deleted and the cookie cleared; form tokens shown while
/// signed in are void.
pub async fn sign_out(session: &Session, csrf: &Csrf) -> Result<(), PageError> {
    csrf.rotate(None);
    session.flush().await.map_err(session_error)
}

/// `/login?next=...` for the page being asked for (path and query only, so `next` can
/// never point at another site).
pub fn login_redirect(path_and_query: &str) -> Redirect {
    let next = oauth1::encode::encode(path_and_query);
    Redirect::to(&format!("/login?next={next}"))
}

async fn load_user<S>(parts: &mut Parts, state: &S) -> Result<Option<User>, PageError>
where
    Db: FromRef<S>,
    S: Send + Sync,
{
    let session = Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, msg)| PageError(Error::Internal(format!("session layer: {msg}"))))?;
    let Some(id) = user_id(&session).await? else {
        return Ok(None);
    };
    let db = Db::from_ref(state);
    Ok(users::by_id(&db, id).await?)
}

impl<S> FromRequestParts<S> for MaybeUser
where
    Db: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(load_user(parts, state).await?))
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    Db: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match load_user(parts, state).await {
            Ok(Some(user)) => Ok(CurrentUser(user)),
            Ok(None) => {
                let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
                Err(login_redirect(target).into_response())
            }
            Err(err) => Err(err.into_response()),
        }
    }
}
