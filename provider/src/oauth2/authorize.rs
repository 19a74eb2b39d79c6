//! `GET /i/oauth2/authorize` asks the signed-in person (RFC 6749 §4.1.1), on the consent
//! page OAuth 1.0a uses; `POST /i/oauth2/authorize` takes the answer (CSRF-protected like
//! every form) and redirects to the client: a code and `state` (§4.1.2), or
//! `error=access_denied` and `state` (§4.1.2.1).
//!
//! An erroneous request is sent back to the client's redirect URI only once the person
//! has signed in (RFC 9700 §4.11.2, "the authorization server MUST always authenticate
//! the user first"). Anyone can register a client whose redirect URI is a phishing page;
//! redirecting its deliberately broken requests for a signed-out visitor would make this
//! provider's URL an open redirector. Such a visitor sees the error on a page of ours
//! instead: signing in only to be sent away would help nobody but the phisher. A
//! signed-in person is sent back as RFC 6749 §4.1.2.1 says, to a URI the client
//! registered, as after a denial.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::params::Params;
use super::request::{self, AuthorizeRequest, Refusal};
use crate::error::{Error, PageError};
use crate::oauth::consent::{Ability, ConsentPage, callback_host};
use crate::state::AppState;
use crate::store::oauth2::codes::{self, NewCode};
use crate::web::auth::{MaybeUser, login_redirect};
use crate::web::chrome::Chrome;
use crate::web::csrf::Csrf;
use crate::web::templates::render;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn authorize(
    State(state): State<AppState>,
    csrf: Csrf,
    MaybeUser(user): MaybeUser,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let query = query.unwrap_or_default();
    let request = match request::validate(&state.db, query.as_bytes()).await {
        Ok(request) => request,
        Err(refusal) => return refused(refusal, user.is_some()),
    };
    // Sign in first, then come back to the same request.
    let Some(user) = user else {
        return Ok(login_redirect(&format!("/i/oauth2/authorize?{query}")).into_response());
    };
    let AuthorizeRequest {
        client,
        redirect_uri,
        scopes,
        state: client_state,
        code_challenge,
    } = request;
    let abilities = scopes
        .iter()
        .map(|scope| Ability {
            words: scope.words(),
            scope: Some(scope.as_str()),
        })
        .collect();
    let page = ConsentPage {
        chrome: Chrome::new(&state, &csrf, Some(user.clone())),
        app_name: client.app_name,
        app_owner: client.app_owner,
        callback_host: callback_host(&redirect_uri),
        abilities,
        action: "/i/oauth2/authorize",
        fields: vec![
            ("response_type", "code".to_owned()),
            ("client_id", client.client_id),
            ("redirect_uri", redirect_uri),
            ("scope", scopes.to_string()),
            ("state", client_state),
            ("code_challenge", code_challenge),
            ("code_challenge_method", "S256".to_owned()),
        ],
        user,
    };
    Ok(render(&page))
}

/// The consent form's answer: the same request fields, plus `csrf` and `decision`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn decide(
    State(state): State<AppState>,
    csrf: Csrf,
    MaybeUser(user): MaybeUser,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = Params::parse(&body).unwrap_or_default();
    csrf.check(form.get("csrf").unwrap_or(""))?;
    let Some(user) = user else {
        return Err(PageError(Error::Rejected {
            status: axum::http::StatusCode::FORBIDDEN,
            code: 353,
            message: "You are signed out. Go back to the application and sign in again.",
        }));
    };
    // The form carries the request back: it is checked again as a whole, so nothing on
    // the page is trusted that was not checked now.
    let request = match request::validate(&state.db, &body).await {
        Ok(request) => request,
        Err(refusal) => return refused(refusal, true),
    };
    if form.get("decision") != Some("allow") {
        tracing::info!(app = ?request.client.app_name, user = %user.screen_name,
            "OAuth 2.0 authorization denied");
        return redirect(
            &request.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "the user denied the request"),
                ("state", &request.state),
            ],
        );
    }
    let code = codes::issue(
        &state.db,
        NewCode {
            app_id: request.client.app_id,
            user_id: user.id,
            redirect_uri: &request.redirect_uri,
            scopes: &request.scopes,
            code_challenge: &request.code_challenge,
        },
    )
    .await?;
    tracing::info!(app = ?request.client.app_name, user = %user.screen_name,
        scope = %request.scopes, "OAuth 2.0 authorization granted");
    redirect(
        &request.redirect_uri,
        &[("code", &code), ("state", &request.state)],
    )
}

/// A refused request: a page, or the error sent to the validated redirect URI when the
/// person is `signed_in` (see the module documentation).
fn refused(refusal: Refusal, signed_in: bool) -> Result<Response, PageError> {
    let page = |message| {
        Err(PageError(Error::Rejected {
            status: axum::http::StatusCode::BAD_REQUEST,
            code: 400,
            message,
        }))
    };
    match refusal {
        Refusal::Page(message) => page(message),
        Refusal::Redirect { description, .. } if !signed_in => page(description),
        Refusal::Redirect {
            redirect_uri,
            state,
            error,
            description,
        } => {
            let mut params = vec![("error", error), ("error_description", description)];
            if let Some(state) = &state {
                params.push(("state", state));
            }
            redirect(&redirect_uri, &params)
        }
        Refusal::Internal(err) => Err(PageError(err)),
    }
}

/// RFC 6749 §4.1.2: the parameters join the redirect URI's own query, which is kept
/// (§3.1.2).
fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Result<Response, PageError> {
    let mut url = url::Url::parse(redirect_uri)
        .map_err(|e| Error::Internal(format!("registered redirect URI {redirect_uri:?}: {e}")))?;
    url.query_pairs_mut().extend_pairs(params);
    Ok(Redirect::to(url.as_str()).into_response())
}
