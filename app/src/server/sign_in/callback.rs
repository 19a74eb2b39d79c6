//! `GET /authorize/{name}`: the callback (RFC 5849 §2.2 and §2.3; for an OAuth 2 remote
//! RFC 6749 §4.1.2 and §4.1.3), in four steps: [`exchange`] the verifier or code (only
//! for the browser that began the sign-in), [`identify`] the remote account, [`link`] it
//! to a local user, [`start_session`].

use axum::extract::{Path, RawQuery, State};
use axum::response::Redirect;
use oauth1::Remote;
use oauth1::{CallbackError, Error, RemoteToken};
use tower_sessions::Session;

use crate::model::{FlowStep, StepKind};
use crate::server::http::error::{Leg, Result, Retry, SiteError, remote_host};
use crate::server::http::user::{BROWSER, MaybeUser, USER_ID, UserId};
use crate::server::sign_in::browser::BrowserKey;
use crate::server::sign_in::flows;
use crate::server::sign_in::flows::redact_verifier;
use crate::server::state::AppState;
use crate::server::storage::accounts;

pub async fn authorize(
    State(state): State<AppState>,
    Path(name): Path<String>,
    browser: BrowserKey,
    // Who is signed in here decides where the account is linked: read before the
    // single-use temporary credentials are spent, so an unreachable session store
    // leaves this callback good for a retry.
    MaybeUser { user, session }: MaybeUser,
    RawQuery(query): RawQuery,
) -> Result<Redirect> {
    let remote = state
        .registry
        .remote(&name)
        .map_err(|_| SiteError::UnknownRemote(name.clone()))?;
    let query = query.unwrap_or_default();
    let (token, flow) = exchange(&state, &remote, &browser, &session, user, &query).await?;
    let (token, who) = identify(&state, &remote, token, &flow).await?;
    let user_id = link(&state, &remote, &token, user, &who).await?;
    if let Some(steps) = state.flows.take(&flow)
        && let Ok(json) = serde_json::to_string(&steps)
        && let Err(e) = flows::save_flow(&state.db, user_id.0, &name, &json).await
    {
        tracing::warn!(err = ?e.to_string(), "could not save the sign-in flow");
    }
    start_session(&session, &browser, user, user_id).await?;
    tracing::info!(remote = ?name, screen_name = ?who.screen_name, user_id = user_id.0, "signed in");
    Ok(Redirect::to(&format!("/profile/{name}")))
}

fn brand_and_retry(state: &AppState, remote: &Remote) -> (String, Retry) {
    let brand = state.brand(remote.name());
    let retry = Retry::sign_in(remote.name(), &brand);
    (brand, retry)
}

/// Takes this browser's record of the sign-in the callback names (none: refused, and
/// nothing spent), then exchanges the verifier (OAuth 1) or the code with the PKCE
/// verifier (OAuth 2) for a token. Also returns the key the teaching page's record of
/// this sign-in is filed under.
///
/// Someone signed in here must have signed in with this same `site_browser` cookie: over
/// plain http a service on another port of the host can plant its own value in place of
/// the real one (cookies ignore ports), and a planted value must not let the planter's
/// sign-in finish in a signed-in victim's session.
async fn exchange(
    state: &AppState,
    remote: &Remote,
    browser: &BrowserKey,
    session: &Session,
    current: Option<UserId>,
    query: &str,
) -> Result<(RemoteToken, String)> {
    let (brand, retry) = brand_and_retry(state, remote);
    // `oauth_token` (or `denied`) for OAuth 1, `state` for OAuth 2.
    let Some(key) = remote.callback_key(query) else {
        return Err(SiteError::Stale { brand, retry });
    };
    let not_this_browser = || SiteError::NotThisBrowser {
        brand: brand.clone(),
        retry: Retry::sign_in(remote.name(), &brand),
    };
    let sign_in = state
        .pending
        .take(browser, remote.name(), &key)
        .await
        .map_err(SiteError::unavailable)?
        .ok_or_else(not_this_browser)?;
    if current.is_some() {
        let signed_in_with: Option<String> =
            session.get(BROWSER).await.map_err(SiteError::unavailable)?;
        if signed_in_with.as_deref() != Some(browser.as_str()) {
            return Err(not_this_browser());
        }
    }
    let url = redact_verifier(&format!("{}?{query}", state.config.callback(remote.name())));
    let kind = if remote.is_oauth2() {
        StepKind::CodeCallback
    } else {
        StepKind::Callback
    };
    state
        .flows
        .push(&key, FlowStep::browser(kind, "GET", url, 303));
    // The OAuth 2 token request is recorded under this flow (`flows::FLOW`).
    let exchanged = flows::FLOW.scope(key.clone(), remote.authorize_access_token(&sign_in, query));
    let token: RemoteToken = match exchanged.await {
        Ok(token) => token,
        Err(Error::Callback(CallbackError::Denied)) => {
            state.flows.take(&key);
            return Err(SiteError::Denied { brand, retry });
        }
        Err(Error::Callback(CallbackError::NotThisBrowser)) => {
            return Err(SiteError::NotThisBrowser { brand, retry });
        }
        Err(Error::Callback(CallbackError::TokenMismatch)) => {
            return Err(SiteError::Stale { brand, retry });
        }
        Err(source) => {
            return Err(SiteError::Remote {
                brand,
                retry,
                host: remote_host(remote, Leg::AccessToken),
                source,
            });
        }
    };
    match &token {
        RemoteToken::OAuth1(t) => {
            // The OAuth 1 flow is recorded under the request token, then the access token.
            state.flows.rename(&key, t.token.as_str());
            if t.extra("user_id").is_none() {
                return Err(SiteError::Remote {
                    brand,
                    retry,
                    host: remote_host(remote, Leg::AccessToken),
                    source: Error::MissingField("user_id"),
                });
            }
            Ok((token.clone(), t.token.as_str().to_owned()))
        }
        RemoteToken::OAuth2(_) => Ok((token, key)),
    }
}

/// Who signed in at the service.
struct Identity {
    screen_name: String,
    display_name: String,
}

/// The first API call with the new token, for a display name (and for OAuth 2, whose
/// token response does not say whose it is, for the account's id and screen name, which
/// are then kept in the token). OAuth 1: `account/verify_credentials.json`, or
/// `GET /2/users/me` with `{NAME}_API_V2_URL` (also shown on the teaching page); if it
/// fails the sign-in goes on with the screen name the token response gave. OAuth 2:
/// `GET /2/users/me`, which must answer.
async fn identify(
    state: &AppState,
    remote: &Remote,
    token: RemoteToken,
    flow: &str,
) -> Result<(RemoteToken, Identity)> {
    let v2_base = state.config.api_v2.get(remote.name());
    let (path, pointer) = match (&token, v2_base) {
        (RemoteToken::OAuth1(_), None) => ("account/verify_credentials.json".to_owned(), ""),
        // X's API v2 with OAuth 1.0a user context (`{NAME}_API_V2_URL`).
        (RemoteToken::OAuth1(_), Some(base)) => (
            base.join("users/me").map(String::from).unwrap_or_default(),
            "/data",
        ),
        (RemoteToken::OAuth2(_), _) => ("users/me".to_owned(), "/data"),
    };
    let path = path.as_str();
    let answer = remote.get_with(path, &token).await;
    if token.oauth2().is_some() {
        // The signed OAuth 1 call is recorded by the registry's observer; a Bearer call
        // has nothing signed to show, only the header's shape.
        let status = match &answer {
            Ok(r) => r.status().as_u16(),
            Err(Error::Remote(e)) => e.status,
            Err(_) => 0,
        };
        let url = remote.url(path).map(String::from).unwrap_or_default();
        let mut step = FlowStep::browser(StepKind::BearerCall, "GET", url, status);
        step.authorization = format!("Bearer {}", oauth1::observe::REDACTED);
        state.flows.push(flow, step);
    }
    let profile: Option<serde_json::Value> = match answer {
        Ok(response) if response.status().is_success() => response.json().await.ok(),
        _ => None,
    };
    let profile = profile.as_ref().and_then(|p| p.pointer(pointer));
    let field = |k: &str| {
        profile
            .and_then(|p| p[k].as_str())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let token = match token {
        RemoteToken::OAuth1(t) => RemoteToken::OAuth1(t),
        RemoteToken::OAuth2(t) => {
            let (Some(id), Some(username)) = (field("id"), field("username")) else {
                let (brand, retry) = brand_and_retry(state, remote);
                return Err(SiteError::Remote {
                    brand,
                    retry,
                    host: remote_host(remote, Leg::Api),
                    source: Error::MissingField("data.id"),
                });
            };
            RemoteToken::OAuth2(accounts::with_account(t, &id, &username))
        }
    };
    let screen_name = accounts::remote_account(&token).1.to_owned();
    let display_name = field("name").unwrap_or_else(|| format!("@{screen_name}"));
    Ok((
        token,
        Identity {
            screen_name,
            display_name,
        },
    ))
}

/// The local user the remote account belongs to. The common case in one statement
/// (already linked, to `current` if someone is signed in); else to its owner if it has
/// one (refused if someone else is signed in), else to `current`, else to a new user.
async fn link(
    state: &AppState,
    remote: &Remote,
    token: &RemoteToken,
    current: Option<UserId>,
    who: &Identity,
) -> Result<UserId> {
    let name = remote.name();
    let current_id = current.map(|u| u.0);
    if let Some(owner) = accounts::relink(&state.db, name, token, current_id)
        .await
        .map_err(SiteError::internal)?
    {
        return Ok(UserId(owner));
    }
    let (remote_user_id, _) = accounts::remote_account(token);
    let owner = accounts::owner_of(&state.db, name, remote_user_id)
        .await
        .map_err(SiteError::internal)?;
    let user_id = match (owner, current_id) {
        (Some(owner), Some(me)) if owner != me => {
            return Err(SiteError::LinkedElsewhere {
                brand: state.brand(name),
                screen_name: who.screen_name.clone(),
            });
        }
        (Some(owner), _) => owner,
        (None, Some(me)) => me,
        (None, None) => accounts::create_user(&state.db, &who.display_name)
            .await
            .map_err(SiteError::internal)?,
    };
    // Through the registry's token store (`DbTokenStore::update_token`).
    remote
        .save_token(&oauth1::UserKey::Id(user_id), token)
        .await
        .map_err(SiteError::internal)?;
    Ok(UserId(user_id))
}

/// A new session id at sign-in, so a session fixed before cannot ride along; it records
/// the browser it was opened in. A session already signed in as this user got its id
/// then: it stays as it is.
async fn start_session(
    session: &Session,
    browser: &BrowserKey,
    current: Option<UserId>,
    user: UserId,
) -> Result<()> {
    if current == Some(user) {
        return Ok(());
    }
    session.cycle_id().await.map_err(SiteError::internal)?;
    session
        .insert(BROWSER, browser.as_str())
        .await
        .map_err(SiteError::internal)?;
    session
        .insert(USER_ID, user.0)
        .await
        .map_err(SiteError::internal)
}
