//! Sign up, sign in and sign out. Sign-in keeps `next` (the page that asked for it, such as
//! an authorization request) and pre-fills `screen_name` when the client passed one.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_cookies::Cookies;
use tower_sessions::Session;

use crate::error::{Error, PageError};
use crate::state::AppState;
use crate::users::{self, SignUpError};
use crate::web::auth::{MaybeUser, sign_in, sign_out};
use crate::web::chrome::Chrome;
use crate::web::client_addr::ClientAddr;
use crate::web::csrf::Csrf;
use crate::web::next::safe_next;
use crate::web::templates::render;
use crate::web::throttle::{account_key, retry_after_secs};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    screen_name: String,
    error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    next: String,
    screen_name: String,
    name: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    screen_name: Option<String>,
    /// `true`: show the form even to a signed-in person (`force_login` of
    /// `/oauth/authenticate`).
    force_login: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    screen_name: String,
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignupForm {
    csrf: String,
    screen_name: String,
    name: String,
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn login_page(
    State(state): State<AppState>,
    csrf: Csrf,
    MaybeUser(user): MaybeUser,
    Query(query): Query<LoginQuery>,
) -> Result<Response, PageError> {
    let next = safe_next(&state.config.public_url, query.next.as_deref());
    let force = query.force_login.as_deref() == Some("true");
    if user.is_some() && !force {
        return Ok(Redirect::to(&next).into_response());
    }
    let page = LoginPage {
        chrome: Chrome::new(&state, &csrf, user),
        next,
        screen_name: query.screen_name.unwrap_or_default(),
        error: None,
    };
    Ok(render(&page))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    csrf: Csrf,
    cookies: Cookies,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    let next = safe_next(&state.config.public_url, form.next.as_deref());
    let account = account_key(&form.screen_name);
    let device = state.devices.known(&cookies, &account);
    // Counted before the password is hashed: a refused guess costs no Argon2 run.
    state
        .login_limits
        .attempt(&form.screen_name, addr, device.as_deref())
        .map_err(|wait| Error::TooManyAttempts {
            retry_after_secs: retry_after_secs(wait),
        })?;
    let name = form.screen_name.trim();
    match users::authenticate(&state.db, &state.hashing, name, &form.password).await? {
        Some(user) => {
            sign_in(&session, &csrf, &user).await?;
            state.devices.remember(&cookies, &account);
            tracing::info!(user = %user.screen_name, "signed in");
            Ok(Redirect::to(&next).into_response())
        }
        None => {
            let page = LoginPage {
                chrome: Chrome::new(&state, &csrf, None),
                next,
                screen_name: form.screen_name,
                error: Some("That screen name and password do not match an account."),
            };
            Ok((axum::http::StatusCode::UNAUTHORIZED, render(&page)).into_response())
        }
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn signup_page(
    State(state): State<AppState>,
    csrf: Csrf,
    Query(query): Query<LoginQuery>,
) -> Result<Response, PageError> {
    let page = SignupPage {
        chrome: Chrome::new(&state, &csrf, None),
        next: safe_next(&state.config.public_url, query.next.as_deref()),
        screen_name: query.screen_name.unwrap_or_default(),
        name: String::new(),
        error: None,
    };
    Ok(render(&page))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn signup(
    State(state): State<AppState>,
    session: Session,
    csrf: Csrf,
    ClientAddr(addr): ClientAddr,
    Form(form): Form<SignupForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    state
        .login_limits
        .sign_up(addr)
        .map_err(|wait| Error::TooManySignUps {
            retry_after_secs: retry_after_secs(wait),
        })?;
    let next = safe_next(&state.config.public_url, form.next.as_deref());
    let screen_name = form.screen_name.trim();
    let (db, hashing) = (&state.db, &state.hashing);
    match users::create_with(db, hashing, screen_name, &form.name, &form.password).await {
        Ok(user) => {
            sign_in(&session, &csrf, &user).await?;
            tracing::info!(user = %user.screen_name, "signed up");
            Ok(Redirect::to(&next).into_response())
        }
        Err(SignUpError::Other(err)) => Err(PageError(err)),
        Err(err) => {
            let page = SignupPage {
                chrome: Chrome::new(&state, &csrf, None),
                next,
                screen_name: screen_name.to_owned(),
                name: form.name,
                error: Some(err.to_string()),
            };
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn logout(
    session: Session,
    csrf: Csrf,
    Form(form): Form<LogoutForm>,
) -> Result<Response, PageError> {
    csrf.check(&form.csrf)?;
    sign_out(&session, &csrf).await?;
    Ok(Redirect::to("/").into_response())
}
