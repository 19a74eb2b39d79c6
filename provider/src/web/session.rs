//! The web session's one key, the signed-in user's id, and its failures as pages: what
//! the sign-in extractors (`auth`) and the form tokens (`csrf`) both read.

use tower_sessions::Session;

use crate::error::{Error, PageError};

/// The session key of the signed-in user's id.
pub const USER_KEY: &str = "user_id";

/// The id of the user this session is signed in as, if any (not checked against the
/// database: `auth::MaybeUser` and `auth::CurrentUser` do that).
pub async fn user_id(session: &Session) -> Result<Option<i64>, PageError> {
    session.get::<i64>(USER_KEY).await.map_err(session_error)
}

/// A session that could not be read or written: 503 (retry) when its store could not be
/// reached, 500 otherwise.
pub fn session_error(err: tower_sessions::session::Error) -> PageError {
    use tower_sessions::session::Error as SessionError;
    use tower_sessions::session_store::Error as StoreError;
    PageError(match err {
        SessionError::Store(StoreError::Backend(e)) => {
            Error::Unavailable(format!("session store: {e}"))
        }
        other => Error::Internal(format!("session: {other}")),
    })
}
