//! CSRF protection for every form: a random token per session, sent back in a hidden
//! field and compared in constant time. Session cookies are also `SameSite=Lax`.

use tower_sessions::Session;

use crate::error::{Error, PageError};

const KEY: &str = "csrf";

/// The session's CSRF token, created on first use.
pub async fn token(session: &Session) -> Result<String, PageError> {
    if let Some(token) = session.get::<String>(KEY).await.map_err(session_error)? {
        return Ok(token);
    }
    let token = crate::apps::random_credential(32);
    session.insert(KEY, &token).await.map_err(session_error)?;
    Ok(token)
}

/// Refuses the request unless `submitted` is the session's token.
pub async fn check(session: &Session, submitted: &str) -> Result<(), PageError> {
    let expected = session.get::<String>(KEY).await.map_err(session_error)?;
    match expected {
        Some(expected)
            if oauth1::signature::constant_time_eq(expected.as_bytes(), submitted.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(PageError(Error::Rejected {
            status: axum::http::StatusCode::FORBIDDEN,
            code: 353,
            message: "This form has expired or did not come from this site. Go back, reload the page and try again.",
        })),
    }
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
