//! The sign-in routes: plain axum handlers that drive the registry, so the flow is a
//! chain of ordinary redirects that needs no JavaScript.
//!
//! - `GET /login/{name}`: leg 1 (RFC 5849 §2.1) and the redirect of leg 2 (§2.2);
//! - `GET /authorize/{name}`: the callback, leg 3 (§2.3), the local user and account;
//! - `POST /accounts/unlink`, `POST /logout`.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use oauth1::{Callback, Error};
use serde::Deserialize;
use tower_sessions::Session;

use crate::model::FlowStep;
use crate::server::browser::BrowserKey;
use crate::server::flows::redact_verifier;
use crate::server::state::AppState;
use crate::server::store;

/// The session key of the signed-in local user's id.
pub const USER_ID: &str = "user_id";

/// A small HTML page for the outcomes of these routes (errors, refusals).
pub fn message_page(
    status: StatusCode,
    id: &str,
    title: &str,
    text: &str,
    link: (&str, &str),
) -> Response {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/app.css\"></head><body>\
         <header class=\"top\"><a href=\"/\" class=\"logo\">Sign in with …</a></header>\
         <main><section class=\"card problem\" id=\"{id}\"><h1>{title}</h1><p>{text}</p>\
         <p><a class=\"button\" href=\"{href}\">{label}</a></p></section></main></body></html>",
        title = esc(title),
        id = esc(id),
        text = esc(text),
        href = esc(link.0),
        label = esc(link.1),
    );
    (status, Html(html)).into_response()
}

fn unknown_remote(name: &str) -> Response {
    message_page(
        StatusCode::NOT_FOUND,
        "not-found",
        "Page not found",
        &format!("No service called “{name}” is set up on this site."),
        ("/", "Back to the start"),
    )
}

fn internal(err: impl std::fmt::Display) -> Response {
    tracing::error!(%err, "sign-in failed");
    message_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal-error",
        "Something went wrong",
        "The site could not finish this request. Try again in a moment.",
        ("/", "Back to the start"),
    )
}

/// The session store (database or Redis) could not be reached: 503 with a retry hint.
fn unavailable(err: impl std::fmt::Display) -> Response {
    tracing::error!(%err, "session store unavailable");
    let mut page = message_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Try again in a moment",
        "The site cannot reach its session store just now. Nothing was saved; reload this page in a moment.",
        ("/", "Back to the start"),
    );
    page.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from_static("1"),
    );
    page
}

/// An error from the remote or the network, in words for the person signing in.
fn remote_failure(brand: &str, retry: &str, err: &Error) -> Response {
    tracing::warn!(%err, %brand, "sign-in step failed");
    let text = match err {
        Error::Http(e) if e.is_timeout() => {
            format!("{brand} did not answer in time. It may be busy; try again in a moment.")
        }
        Error::Http(_) => {
            format!("{brand} could not be reached. It may be down; try again in a moment.")
        }
        Error::Remote(e) if e.status == 401 => format!(
            "{brand} did not accept this site's credentials ({e}). Check the site's client id and secret."
        ),
        _ => format!("{brand} answered in a way this site cannot use: {err}."),
    };
    let status = match err {
        Error::Http(e) if e.is_timeout() => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::BAD_GATEWAY,
    };
    message_page(
        status,
        "remote-error",
        &format!("Could not sign in with {brand}"),
        &text,
        (retry, "Try again"),
    )
}

/// How long a sign-in may wait for its callback, at the site (the registry's temporary
/// credentials and this browser's record of the flow both last this long).
pub const SIGN_IN_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

pub async fn login(
    State(state): State<AppState>,
    browser: BrowserKey,
    Path(name): Path<String>,
) -> Response {
    let Ok(remote) = state.registry.remote(&name) else {
        return unknown_remote(&name);
    };
    let brand = state.brand(&name);
    let callback = state.config.callback(&name);
    match remote.authorize_redirect(&callback).await {
        Ok(go_to) => {
            // This browser, and only it, may finish this sign-in.
            if let Err(e) = state
                .pending
                .add(&browser, &go_to.pending, SIGN_IN_TTL)
                .await
            {
                return unavailable(e);
            }
            state.flows.push(
                go_to.pending.token.as_str(),
                FlowStep {
                    kind: "authorize".into(),
                    method: "GET".into(),
                    url: go_to.url.to_string(),
                    base_string: String::new(),
                    authorization: String::new(),
                    status: 303,
                    response: String::new(),
                },
            );
            Redirect::to(go_to.url.as_str()).into_response()
        }
        Err(err) => remote_failure(&brand, &format!("/login/{name}"), &err),
    }
}

/// The callback names a sign-in this browser did not begin: someone else's link, or one
/// already finished or expired. Nothing was spent or changed.
fn not_this_browser(brand: &str, retry: &str) -> Response {
    tracing::warn!(%brand, "a callback for a sign-in this browser did not begin was refused");
    message_page(
        StatusCode::FORBIDDEN,
        "not-this-browser",
        "This sign-in was not started in this browser",
        &format!(
            "The link you followed finishes a {brand} sign-in that began somewhere else \
             (another browser or device), or one that is already finished or expired. \
             To keep your account safe, nothing was changed. If you were signing in, \
             start again here, in this browser."
        ),
        (retry, &format!("Sign in with {brand}")),
    )
}

pub async fn authorize(
    State(state): State<AppState>,
    Path(name): Path<String>,
    browser: BrowserKey,
    session: Session,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(remote) = state.registry.remote(&name) else {
        return unknown_remote(&name);
    };
    let brand = state.brand(&name);
    let query = query.unwrap_or_default();
    let retry = format!("/login/{name}");
    let stale = || {
        message_page(
            StatusCode::BAD_REQUEST,
            "stale-callback",
            "This sign-in link is not valid",
            "It was already used, has expired, or did not come from this site. Start again.",
            (&retry, &format!("Sign in with {brand}")),
        )
    };
    let Ok(callback) = Callback::parse(&query) else {
        return stale();
    };
    // Who is signed in here decides where the account is linked: read it before the
    // single-use temporary credentials are spent, so an unreachable session store leaves
    // this callback good for a retry.
    let current: Option<i64> = match session.get(USER_ID).await {
        Ok(current) => current,
        Err(e) => return unavailable(e),
    };
    let request_token = callback.token().as_str();
    // Only the browser that began this sign-in may finish it: its record is taken here,
    // before the temporary credentials are spent.
    let pending = match state.pending.take(&browser, &name, request_token).await {
        Ok(Some(pending)) => pending,
        Ok(None) => return not_this_browser(&brand, &retry),
        Err(e) => return unavailable(e),
    };
    state.flows.push(
        request_token,
        FlowStep {
            kind: "callback".into(),
            method: "GET".into(),
            url: redact_verifier(&format!("{}?{query}", state.config.callback(&name))),
            base_string: String::new(),
            authorization: String::new(),
            status: 303,
            response: String::new(),
        },
    );
    let token = match remote.authorize_access_token(&pending, &query).await {
        Ok(token) => token,
        Err(Error::Denied) => {
            state.flows.take(request_token);
            return message_page(
                StatusCode::OK,
                "denied",
                "Sign-in cancelled",
                &format!(
                    "You chose not to let this site use your {brand} account. Nothing was saved."
                ),
                (&retry, &format!("Sign in with {brand}")),
            );
        }
        Err(Error::NotThisBrowser) => return not_this_browser(&brand, &retry),
        Err(Error::TokenMismatch | Error::BadCallback(_)) => return stale(),
        Err(err) => return remote_failure(&brand, &retry, &err),
    };
    state.flows.rename(request_token, token.token.as_str());

    // The first API call, with the new token: who is this? (Also shown on the teaching page.)
    let profile = verify_credentials(&remote, &token).await;
    let screen_name = token.extra("screen_name").unwrap_or("").to_owned();
    let display_name = profile
        .as_ref()
        .and_then(|p| p["name"].as_str())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("@{screen_name}"));
    if token.extra("user_id").is_none() {
        return remote_failure(&brand, &retry, &Error::MissingField("user_id"));
    }

    let user_id = match store::relink(&state.db, &name, &token, current).await {
        Ok(Some(owner)) => owner,
        Ok(None) => match link_new(&state, &name, &token, current, &display_name).await {
            Ok(user_id) => user_id,
            Err(page) => return page,
        },
        Err(e) => return internal(e),
    };
    if let Some(steps) = state.flows.take(token.token.as_str())
        && let Ok(json) = serde_json::to_string(&steps)
        && let Err(e) = store::save_flow(&state.db, user_id, &name, &json).await
    {
        tracing::warn!(%e, "could not save the sign-in flow");
    }
    // A new session id at sign-in: a session fixed before cannot ride along. A session
    // already signed in as this user got its id at that sign-in: it stays as it is.
    if current != Some(user_id) {
        if let Err(e) = session.cycle_id().await {
            return internal(e);
        }
        if let Err(e) = session.insert(USER_ID, user_id).await {
            return internal(e);
        }
    }
    tracing::info!(remote = %name, %screen_name, user_id, "signed in");
    Redirect::to(&format!("/profile/{name}")).into_response()
}

/// Links a remote account that `relink` did not find linked to `current`: to its owner
/// if it has one (refused if someone else is signed in), else to `current`, else to a new
/// local user. `Err(page)` is the page to show instead: the refusal, or an error.
async fn link_new(
    state: &AppState,
    name: &str,
    token: &oauth1::AccessToken,
    current: Option<i64>,
    display_name: &str,
) -> Result<i64, Response> {
    let remote_user_id = token.extra("user_id").unwrap_or("");
    let owner = store::owner_of(&state.db, name, remote_user_id)
        .await
        .map_err(internal)?;
    let user_id = match (owner, current) {
        (Some(owner), Some(me)) if owner != me => {
            let brand = state.brand(name);
            let screen_name = token.extra("screen_name").unwrap_or("");
            return Err(message_page(
                StatusCode::CONFLICT,
                "linked-elsewhere",
                "Account already linked",
                &format!(
                    "This {brand} account (@{screen_name}) belongs to another user of this site. Sign out first to use it."
                ),
                ("/accounts", "Your accounts"),
            ));
        }
        (Some(owner), _) => owner,
        (None, Some(me)) => me,
        (None, None) => store::create_user(&state.db, display_name)
            .await
            .map_err(internal)?,
    };
    store::link(&state.db, user_id, name, token)
        .await
        .map_err(internal)?;
    Ok(user_id)
}

/// `account/verify_credentials.json` with a fresh token; `None` if it fails, since the
/// sign-in can go on with the screen name the access-token answer gave.
async fn verify_credentials(
    remote: &oauth1::Remote,
    token: &oauth1::AccessToken,
) -> Option<serde_json::Value> {
    let url = remote.url("account/verify_credentials.json").ok()?;
    let request = remote.session().http().get(url).build().ok()?;
    remote.send(request, token).await.ok()?.json().await.ok()
}

#[derive(Deserialize)]
pub struct UnlinkForm {
    remote: String,
}

pub async fn unlink(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<UnlinkForm>,
) -> Response {
    let user_id = match session.get::<i64>(USER_ID).await {
        Ok(Some(user_id)) => user_id,
        Ok(None) => return Redirect::to("/accounts").into_response(),
        Err(e) => return unavailable(e),
    };
    if let Ok(remote) = state.registry.remote(&form.remote) {
        // Revoke at the service first; if it is down, still forget the token here.
        if let Err(err) = remote
            .post("oauth/invalidate_token", &[], &user_id.to_string())
            .await
        {
            tracing::warn!(%err, remote = %form.remote, "invalidate_token failed");
        }
    }
    if let Err(e) = store::unlink(&state.db, user_id, &form.remote).await {
        return internal(e);
    }
    tracing::info!(remote = %form.remote, user_id, "unlinked");
    Redirect::to("/accounts").into_response()
}

pub async fn logout(session: Session) -> Response {
    if let Err(e) = session.flush().await {
        return unavailable(e);
    }
    Redirect::to("/").into_response()
}
