//! Resource owner authorization (RFC 5849 §2.2): `GET /oauth/authorize` always asks;
//! `GET /oauth/authenticate` skips the question for an app this user already approved;
//! with `force_login=true` either one has the person sign in again first;
//! `POST /oauth/authorize` records the answer.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use oauth1::server::{Authorized, PendingRequest};

use crate::error::{Error, PageError};
use crate::oauth::consent::{Ability, ConsentPage, callback_host};
use crate::state::AppState;
use crate::store::apps::AccessLevel;
use crate::store::oauth1::AppInfo;
use crate::store::tokens;
use crate::users::User;

/// A request awaiting the person's answer, as the library shows it.
type Pending = PendingRequest<AppInfo, User, AccessLevel>;
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn authorize(
    state: State<AppState>,
    csrf: Csrf,
    user: MaybeUser,
    Query(query): Query<AuthorizeQuery>,
) -> Result<Response, PageError> {
    ask(state, csrf, user, query, false).await
}

#[tracing::instrument(level = "debug", skip_all)]
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
    let pending = state.oauth1.pending(token).await.map_err(Error::from)?;
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
    // A grant never widens without asking: the stored one must cover what is asked.
    if skip_if_approved
        && tokens::grant_covers(
            &state.db,
            pending.client.app.id,
            user.id,
            pending.temporary.grant,
        )
        .await?
    {
        return answer(&state, &csrf, pending, &user, true).await;
    }
    let mut abilities = vec![Ability {
        words: "Read your profile and your timeline.",
        scope: None,
    }];
    if pending.temporary.grant == AccessLevel::Write {
        abilities.push(Ability {
            words: "Post and delete statuses for you.",
            scope: None,
        });
    }
    let page = ConsentPage {
        chrome: Chrome::new(&state, &csrf, Some(user.clone())),
        callback_host: callback_host(&pending.temporary.callback),
        app_owner: pending.client.app.owner,
        app_name: pending.client.app.name,
        abilities,
        action: "/oauth/authorize",
        fields: vec![("oauth_token", pending.temporary.token.into_string())],
        user,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct Decision {
    csrf: String,
    oauth_token: String,
    decision: String,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn decide(
    State(state): State<AppState>,
    csrf: Csrf,
    CurrentUser(user): CurrentUser,
    Form(form): Form<Decision>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let pending = state
        .oauth1
        .pending(&form.oauth_token)
        .await
        .map_err(Error::from)?;
    answer(&state, &csrf, pending, &user, form.decision == "allow").await
}

/// The person's answer (§2.2) through the library: approved, the verifier goes to the
/// callback or is shown as a PIN; denied, the temporary credentials are void and the
/// client hears `denied=<token>` (Twitter's convention).
async fn answer(
    state: &AppState,
    csrf: &Csrf,
    pending: Pending,
    user: &User,
    allow: bool,
) -> Result<Response, PageError> {
    let token = pending.temporary.token.as_str();
    let app_name = pending.client.app.name;
    let answered = if allow {
        state.oauth1.approve(token, user.clone()).await
    } else {
        state.oauth1.deny(token).await
    };
    let answered = answered.map_err(Error::from)?;
    let verdict = if allow { "granted" } else { "denied" };
    tracing::info!(app = ?app_name, user = %user.screen_name, "authorization {verdict}");
    match answered {
        Authorized::Redirect(url) => Ok(Redirect::to(url.as_str()).into_response()),
        // §2.2: without a callback the owner copies the verifier into the client by hand.
        Authorized::Oob(Some(pin)) => {
            let page = PinPage {
                chrome: Chrome::new(state, csrf, Some(user.clone())),
                app_name,
                pin: pin.into_secret(),
            };
            Ok(render(&page))
        }
        Authorized::Oob(None) => {
            let page = DeniedPage {
                chrome: Chrome::new(state, csrf, Some(user.clone())),
                app_name,
            };
            Ok(render(&page))
        }
    }
}
