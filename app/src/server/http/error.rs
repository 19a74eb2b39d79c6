//! The site's one error type for its plain axum routes (sign-in, callback, unlink, sign
//! out, the guards): each outcome is a status and a page (`templates/problem.html`, which
//! escapes what it shows). Internal errors are logged with their cause; the person sees a
//! plain sentence, never a database or store message.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

pub use super::remote_log::{Leg, causes, host_of, remote_host};

pub type Result<T, E = SiteError> = std::result::Result<T, E>;

/// Where the page's one button goes: a sign-in to start again, or home.
#[derive(Clone, Debug)]
pub struct Retry {
    pub href: String,
    pub label: String,
}

impl Retry {
    pub fn home() -> Self {
        Self {
            href: "/".into(),
            label: "Back to the start".into(),
        }
    }

    pub fn sign_in(remote: &str, brand: &str) -> Self {
        Self {
            href: format!("/login/{remote}"),
            label: format!("Sign in with {brand}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("no remote called {0:?}")]
    UnknownRemote(String),
    /// The callback names a sign-in this browser did not begin.
    #[error("a callback for a sign-in this browser did not begin")]
    NotThisBrowser { brand: String, retry: Retry },
    /// A callback that is not one, or whose temporary credentials are gone.
    #[error("a callback that was used, has expired or is malformed")]
    Stale { brand: String, retry: Retry },
    /// The person said no at the service.
    #[error("the sign-in was declined")]
    Denied { brand: String, retry: Retry },
    /// The service failed or refused. `host` is the `host:port` of the remote's URL the
    /// site called ([`remote_host`]), for the log.
    #[error("{brand} ({host}): {source}")]
    Remote {
        brand: String,
        retry: Retry,
        host: String,
        source: oauth1::Error,
    },
    /// The remote account belongs to another local user.
    #[error("@{screen_name} at {brand} is linked to another user")]
    LinkedElsewhere { brand: String, screen_name: String },
    /// This address started more sign-ins than its quota (`throttle.rs`).
    #[error("too many sign-ins from one address")]
    TooManySignIns { retry_after: u64 },
    /// A state-changing request from another site's page.
    #[error("a cross-origin request")]
    CrossOrigin,
    /// The session store or database is unreachable: worth a retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl SiteError {
    pub fn unavailable(err: impl std::fmt::Display) -> Self {
        Self::Unavailable(err.to_string())
    }

    pub fn internal(err: impl std::fmt::Display) -> Self {
        Self::Internal(err.to_string())
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct Problem<'a> {
    id: &'a str,
    title: &'a str,
    text: &'a str,
    link_href: &'a str,
    link_label: &'a str,
}

/// A page of its own, for a status and a message.
fn page(status: StatusCode, id: &str, title: &str, text: &str, link: &Retry) -> Response {
    let problem = Problem {
        id,
        title,
        text,
        link_href: &link.href,
        link_label: &link.label,
    };
    match problem.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(err) => {
            tracing::error!(err = ?err.to_string(), "the problem page did not render");
            (status, title.to_owned()).into_response()
        }
    }
}

/// An error from the service or the network, in words for the person signing in.
fn remote_text(brand: &str, err: &oauth1::Error) -> (StatusCode, String) {
    use oauth1::Error;
    match err {
        Error::Http(e) if e.is_timeout() => (
            StatusCode::GATEWAY_TIMEOUT,
            format!("{brand} did not answer in time. It may be busy; try again in a moment."),
        ),
        Error::Http(_) => (
            StatusCode::BAD_GATEWAY,
            format!("{brand} could not be reached. It may be down; try again in a moment."),
        ),
        Error::Remote(e) if e.status == 401 => (
            StatusCode::BAD_GATEWAY,
            format!(
                "{brand} did not accept this site's credentials ({e}). Check the site's client id and secret."
            ),
        ),
        _ => (
            StatusCode::BAD_GATEWAY,
            format!("{brand} answered in a way this site cannot use: {err}."),
        ),
    }
}

/// What the person is shown for an error: a status and a page, and a `Retry-After`.
struct Shown {
    status: StatusCode,
    id: &'static str,
    title: String,
    text: String,
    retry: Retry,
    retry_after: Option<u64>,
}

impl Shown {
    fn new(status: StatusCode, id: &'static str, title: &str, text: String, retry: Retry) -> Self {
        Self {
            status,
            id,
            title: title.to_owned(),
            text,
            retry,
            retry_after: None,
        }
    }
}

impl IntoResponse for SiteError {
    fn into_response(self) -> Response {
        self.log();
        let shown = self
            .sign_in_problem()
            .unwrap_or_else(|| self.site_problem());
        let mut response = page(
            shown.status,
            shown.id,
            &shown.title,
            &shown.text,
            &shown.retry,
        );
        if let Some(secs) = shown.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

impl SiteError {
    /// Refusals worth a look and failures, with their cause (never shown to the person).
    fn log(&self) {
        match self {
            SiteError::NotThisBrowser { brand, .. } => {
                tracing::warn!(%brand, "a callback for a sign-in this browser did not begin was refused");
            }
            SiteError::Remote {
                brand,
                host,
                source,
                ..
            } => {
                tracing::warn!(err = ?causes(source), %brand, host = ?host, "sign-in step failed");
            }
            SiteError::Unavailable(err) => {
                tracing::error!(?err, "session store or database unavailable");
            }
            SiteError::Internal(err) => tracing::error!(?err, "request failed"),
            _ => {}
        }
    }

    /// The pages of a sign-in that did not finish (the callback's outcomes).
    fn sign_in_problem(&self) -> Option<Shown> {
        Some(match self {
            SiteError::NotThisBrowser { brand, retry } => Shown::new(
                StatusCode::FORBIDDEN,
                "not-this-browser",
                "This sign-in was not started in this browser",
                format!(
                    "The link you followed finishes a {brand} sign-in that began somewhere else \
                     (another browser or device), or one that is already finished or expired. \
                     To keep your account safe, nothing was changed. If you were signing in, \
                     start again here, in this browser."
                ),
                retry.clone(),
            ),
            SiteError::Stale { brand, retry } => Shown::new(
                StatusCode::BAD_REQUEST,
                "stale-callback",
                "This sign-in link is not valid",
                format!(
                    "It was already used, has expired, or is not a link from {brand}. Start again."
                ),
                retry.clone(),
            ),
            SiteError::Denied { brand, retry } => Shown::new(
                StatusCode::OK,
                "denied",
                "Sign-in cancelled",
                format!(
                    "You chose not to let this site use your {brand} account. Nothing was saved."
                ),
                retry.clone(),
            ),
            SiteError::Remote {
                brand,
                retry,
                source,
                ..
            } => {
                let (status, text) = remote_text(brand, source);
                let retry = Retry {
                    href: retry.href.clone(),
                    label: "Try again".into(),
                };
                let title = format!("Could not sign in with {brand}");
                Shown::new(status, "remote-error", &title, text, retry)
            }
            SiteError::LinkedElsewhere { brand, screen_name } => Shown::new(
                StatusCode::CONFLICT,
                "linked-elsewhere",
                "Account already linked",
                format!(
                    "This {brand} account (@{screen_name}) belongs to another user of this site. Sign out first to use it."
                ),
                Retry {
                    href: "/accounts".into(),
                    label: "Your accounts".into(),
                },
            ),
            _ => return None,
        })
    }

    /// The pages of everything else: a wrong address, a quota, a refusal, a failure.
    fn site_problem(&self) -> Shown {
        match self {
            SiteError::UnknownRemote(name) => Shown::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Page not found",
                format!("No service called “{name}” is set up on this site."),
                Retry::home(),
            ),
            SiteError::TooManySignIns { retry_after } => Shown {
                retry_after: Some(*retry_after),
                ..Shown::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too-many-sign-ins",
                    "Too many sign-ins at once",
                    format!(
                        "More sign-ins were started from your address than a person starts in a \
                         while. Please wait {retry_after} seconds, then try again."
                    ),
                    Retry::home(),
                )
            },
            SiteError::CrossOrigin => Shown::new(
                StatusCode::FORBIDDEN,
                "cross-origin",
                "This request came from another site",
                "A page of another site tried to make a change here on your behalf. Nothing was changed.".into(),
                Retry::home(),
            ),
            SiteError::Unavailable(_) => Shown {
                retry_after: Some(1),
                ..Shown::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Try again in a moment",
                    "The site cannot reach its session store just now. Nothing was saved; reload this page in a moment.".into(),
                    Retry::home(),
                )
            },
            _ => Shown::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal-error",
                "Something went wrong",
                "The site could not finish this request. Try again in a moment.".into(),
                Retry::home(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_page_escapes_what_it_shows_and_hides_internal_causes() {
        let response = SiteError::UnknownRemote("<script>x</script>".into()).into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(!html.contains("<script>x"), "{html}");
        assert!(html.contains("&#60;script&#62;x"), "{html}");

        let response = SiteError::internal("relation \"accounts\" does not exist").into_response();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("accounts"));
    }
}
