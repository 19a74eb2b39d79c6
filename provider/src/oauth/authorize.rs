//! Resource owner authorization (RFC 5849 §2.2): `GET /oauth/authorize` always asks;
//! `GET /oauth/authenticate` skips the question for an app this user already approved;
//! with `force_login=true` either one has the person sign in again first;
//! `POST /oauth/authorize` records the answer.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use oauth1::Verifier;

use crate::apps::AccessLevel;
use crate::error::{Error, PageError};
use crate::oauth::consent::{Ability, ConsentPage, callback_host};
use crate::state::AppState;
use crate::tokens::{self, PendingToken};
use crate::users::User;
use crate::web::auth::{CurrentUser, MaybeUser};
use crate::web::chrome::Chrome;
use crate::web::csrf::Csrf;
use crate::web::templates::render;

#[derive(Deserialize)]
pub struct AuthorizeQuery {
    oauth_token: Option<String>,
    force_login: Option<String>,
    screen_name: Option<String>,
}

#[derive(Template)]
#[template(path = "pin.html")]
struct PinPage {
    chrome: Chrome,
    app_name: String,
    pin: String,
}

#[derive(Template)]
#[template(path = "oauth_denied.html")]
struct DeniedPage {
    chrome: Chrome,
    app_name: String,
}

const EXPIRED: Error = Error::Rejected {
    status: StatusCode::BAD_REQUEST,
    code: 89,
    message: "This authorization request has expired or was already used. Go back to the \
              application and sign in again.",
};

pub async fn authorize(
    state: State<AppState>,
    csrf: Csrf,
    user: MaybeUser,
    Query(query): Query<AuthorizeQuery>,
) -> Result<Response, PageError> {
    ask(state, csrf, user, query, false).await
}

pub async fn authenticate(
    state: State<AppState>,
    csrf: Csrf,
    user: MaybeUser,
    Query(query): Query<AuthorizeQuery>,
) -> Result<Response, PageError> {
    ask(state, csrf, user, query, true).await
}

async fn ask(
    State(state): State<AppState>,
    csrf: Csrf,
    MaybeUser(user): MaybeUser,
    query: AuthorizeQuery,
    skip_if_approved: bool,
) -> Result<Response, PageError> {
    let token = query.oauth_token.as_deref().unwrap_or("");
    let pending = tokens::pending(&state.db, token).await?;
    let Some(pending) = pending.filter(|p| p.user_id.is_none()) else {
        return Err(PageError(EXPIRED));
    };
    // Twitter's `force_login=true`: the person types their credentials even if a
    // session says who they are (the client wants to be sure which account answers).
    let force = query.force_login.as_deref() == Some("true");
    let signed_in = user.is_some();
    let Some(user) = user.filter(|_| !force) else {
        // Sign in first, then come back here with the same token. `force_login` is not
        // carried over: the sign-in it asks for is the one about to happen.
        let endpoint = if skip_if_approved {
            "authenticate"
        } else {
            "authorize"
        };
        let next = format!(
            "/oauth/{endpoint}?oauth_token={}",
            oauth1::encode::encode(token)
        );
        let mut to = format!("/login?next={}", oauth1::encode::encode(&next));
        if let Some(name) = query.screen_name.as_deref().filter(|n| !n.is_empty()) {
            to.push_str(&format!("&screen_name={}", oauth1::encode::encode(name)));
        }
        if signed_in {
            to.push_str("&force_login=true");
        }
        return Ok(Redirect::to(&to).into_response());
    };
    if skip_if_approved
        && let Some(verifier) =
            tokens::approve_if_authorized(&state.db, pending.token.as_str(), user.id).await?
    {
        return approved(&state, &csrf, pending, &user, verifier).await;
    }
    let mut abilities = vec![Ability {
        words: "Read your profile and your timeline.",
        scope: None,
    }];
    if pending.access_level == AccessLevel::Write {
        abilities.push(Ability {
            words: "Post and delete statuses for you.",
            scope: None,
        });
    }
    let page = ConsentPage {
        chrome: Chrome::new(&state, &csrf, Some(user.clone())),
        callback_host: callback_host(&pending.callback),
        app_owner: pending.app_owner,
        app_name: pending.app_name,
        abilities,
        action: "/oauth/authorize",
        fields: vec![("oauth_token", pending.token.into_string())],
        user,
    };
    Ok(no_store(render(&page)))
}

#[derive(Deserialize)]
pub struct Decision {
    csrf: String,
    oauth_token: String,
    decision: String,
}

pub async fn decide(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
    Form(form): Form<Decision>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let pending = tokens::pending(&state.db, &form.oauth_token).await?;
    let Some(pending) = pending.filter(|p| p.user_id.is_none()) else {
        return Err(PageError(EXPIRED));
    };
    if form.decision == "allow" {
        return approve(&state, &csrf, pending, &user).await;
    }
    // Denied: the temporary credentials are void, and the client hears `denied=<token>`
    // (Twitter's convention; RFC 5849 leaves the refusal message to the server).
    tokens::delete_request_token(&state.db, pending.token.as_str()).await?;
    tracing::info!(app = %pending.app_name, user = %user.screen_name, "authorization denied");
    if pending.callback == "oob" {
        let page = DeniedPage {
            chrome: Chrome::new(&state, &csrf, Some(user)),
            app_name: pending.app_name,
        };
        return Ok(no_store(render(&page)));
    }
    redirect_to_callback(&pending.callback, &[("denied", pending.token.as_str())])
}

async fn approve(
    state: &AppState,
    csrf: &Csrf,
    pending: PendingToken,
    user: &User,
) -> Result<Response, PageError> {
    let verifier = tokens::approve(&state.db, pending.token.as_str(), user.id)
        .await?
        .ok_or(EXPIRED)?;
    approved(state, csrf, pending, user, verifier).await
}

/// Sends the verifier to the client (§2.2): to its callback, or shown as a PIN.
async fn approved(
    state: &AppState,
    csrf: &Csrf,
    pending: PendingToken,
    user: &User,
    verifier: Verifier,
) -> Result<Response, PageError> {
    tracing::info!(app = %pending.app_name, user = %user.screen_name, "authorization granted");
    if pending.callback == "oob" {
        // §2.2: without a callback the owner copies the verifier into the client by hand.
        let page = PinPage {
            chrome: Chrome::new(state, csrf, Some(user.clone())),
            app_name: pending.app_name,
            pin: verifier.into_secret(),
        };
        return Ok(no_store(render(&page)));
    }
    redirect_to_callback(
        &pending.callback,
        &[
            ("oauth_token", pending.token.as_str()),
            ("oauth_verifier", verifier.secret()),
        ],
    )
}

/// §2.2: the parameters are added to the callback's own query, which is kept.
fn redirect_to_callback(callback: &str, params: &[(&str, &str)]) -> Result<Response, PageError> {
    let mut url = url::Url::parse(callback)
        .map_err(|e| Error::Internal(format!("stored callback {callback:?}: {e}")))?;
    url.query_pairs_mut().extend_pairs(params);
    Ok(Redirect::to(url.as_str()).into_response())
}

/// The consent, PIN and denied pages hold a request token or a verifier: never cached.
/// (Framing is refused for every page by the router's layers.)
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
