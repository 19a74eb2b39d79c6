//! The bodies of the server functions in `crate::api`.

use leptos::prelude::*;
use oauth1::{Error, RemoteToken};

use crate::model::{Flow, FlowStep, HomeData, Me, ProfileData, RemoteInfo};
use crate::server::http::error::{Leg, causes, host_of, remote_host};
use crate::server::http::user::MaybeUser;
use crate::server::remote_api;
use crate::server::sign_in::flows;
use crate::server::state::AppState;
use crate::server::storage::accounts;

fn state() -> Result<AppState, ServerFnError> {
    use_context::<AppState>().ok_or_else(|| ServerFnError::new("the site's state is missing"))
}

async fn current_user() -> Result<Option<i64>, ServerFnError> {
    let user: MaybeUser = leptos_axum::extract().await.map_err(failed)?;
    Ok(user.user.map(|u| u.0))
}

/// A refusal of the caller's request, in a sentence the page shows, answered with
/// `status` (a 4xx: the request is at fault, not the site; server_fn would say 500).
fn refused(status: axum::http::StatusCode, message: impl Into<String>) -> ServerFnError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    ServerFnError::new(message.into())
}

fn failed(e: impl std::fmt::Display) -> ServerFnError {
    tracing::error!(err = ?e.to_string(), "server function failed");
    ServerFnError::new("The site could not load this page. Try again in a moment.")
}

pub async fn home_data() -> Result<HomeData, ServerFnError> {
    let state = state()?;
    let me = match current_user().await? {
        None => None,
        Some(id) => match accounts::display_name(&state.db, id)
            .await
            .map_err(failed)?
        {
            None => None,
            Some(display_name) => Some(Me {
                display_name,
                accounts: accounts::accounts(&state.db, id, |r| state.brand(r))
                    .await
                    .map_err(failed)?,
            }),
        },
    };
    Ok(HomeData {
        remotes: state.remotes.as_ref().clone(),
        me,
    })
}

fn remote_info(state: &AppState, name: &str) -> Result<RemoteInfo, ServerFnError> {
    state.remote_info(name).ok_or_else(|| {
        refused(
            axum::http::StatusCode::NOT_FOUND,
            format!("No service called “{name}” is set up on this site."),
        )
    })
}

/// The remote's refusal or absence, in words.
fn problem(brand: &str, err: &Error) -> String {
    match err {
        Error::Remote(e) if e.status == 401 || e.code() == Some(89) => format!(
            "{brand} no longer accepts this site's access: the link was revoked or has expired. Sign in again to renew it."
        ),
        Error::Http(e) if e.is_timeout() => {
            format!("{brand} did not answer in time just now. Try again in a moment.")
        }
        Error::Http(_) => format!("{brand} could not be reached just now. Try again in a moment."),
        Error::NoToken(_) => format!("You have no {brand} account linked here yet."),
        Error::ReauthorizationNeeded { .. } => format!(
            "{brand} no longer accepts this site's access: it could not be renewed. Sign in again to renew it."
        ),
        other => format!("{brand} answered with an error: {other}"),
    }
}

/// A remote's failure, logged with the `host:port` called and the whole cause chain
/// (never a URL's query, nor a secret). Having no token is not a failure.
fn log_remote_error(remote: &oauth1::Remote, leg: Leg, v2_base: Option<&url::Url>, err: &Error) {
    if matches!(err, Error::NoToken(_)) {
        return;
    }
    let host = match (leg, v2_base) {
        (Leg::Api, Some(base)) => host_of(base),
        _ => remote_host(remote, leg),
    };
    tracing::warn!(remote = ?remote.name(), host = ?host, err = ?causes(err), "remote call failed");
}

pub async fn profile(name: String) -> Result<ProfileData, ServerFnError> {
    let state = state()?;
    let remote_info = remote_info(&state, &name)?;
    let Some(user_id) = current_user().await? else {
        return Ok(ProfileData::NotLinked {
            remote: remote_info,
        });
    };
    let remote = state.registry.remote(&name).map_err(failed)?;
    let problem_page = |err: Error| ProfileData::Problem {
        message: problem(&remote_info.brand, &err),
        remote: remote_info.clone(),
    };
    let fetched = fetch_token_recorded(&state, &remote, user_id, &name).await;
    let v2_base = state.config.api_v2.get(&name);
    if let Err(err) = &fetched {
        log_remote_error(&remote, Leg::Refresh, v2_base, err);
    }
    let shown = match fetched {
        Ok(token @ RemoteToken::OAuth1(_)) if v2_base.is_none() => {
            remote_api::profile_v1(&remote, &token).await
        }
        Ok(token) => remote_api::profile(&remote, v2_base, &token).await,
        Err(Error::NoToken(_)) => {
            return Ok(ProfileData::NotLinked {
                remote: remote_info,
            });
        }
        Err(err) => return Ok(problem_page(err)),
    };
    if let Err(err) = &shown {
        log_remote_error(&remote, Leg::Api, v2_base, err);
    }
    Ok(match shown {
        Ok(p) => ProfileData::Shown {
            screen_name: p.screen_name,
            name: p.name,
            remote: remote_info,
            timeline: p.timeline,
        },
        Err(err) => problem_page(err),
    })
}

/// The user's token for `name`. An OAuth 2 token that has expired is refreshed here, and
/// the new one saved; the refresh joins the teaching page's record of the sign-in.
async fn fetch_token_recorded(
    state: &AppState,
    remote: &oauth1::Remote,
    user_id: i64,
    name: &str,
) -> Result<RemoteToken, Error> {
    let user = oauth1::UserKey::Id(user_id);
    let watch = format!("refresh {}", crate::server::plumbing::db::new_id());
    state.flows.begin(&watch);
    let fetched = flows::FLOW
        .scope(watch.clone(), remote.fetch_token::<RemoteToken>(&user))
        .await;
    if let Some(steps) = state.flows.take(&watch).filter(|s| !s.is_empty())
        && let Err(e) = flows::append_steps(&state.db, user_id, name, steps).await
    {
        tracing::warn!(err = ?e, "could not record the refresh");
    }
    fetched
}

pub async fn post_status(name: String, status: String) -> Result<(), ServerFnError> {
    let state = state()?;
    let info = remote_info(&state, &name)?;
    let Some(user_id) = current_user().await? else {
        return Err(refused(
            axum::http::StatusCode::UNAUTHORIZED,
            "Sign in first.",
        ));
    };
    let status = status.trim();
    if status.is_empty() {
        return Err(refused(
            axum::http::StatusCode::BAD_REQUEST,
            "Write something first.",
        ));
    }
    if status.chars().count() > 280 {
        return Err(refused(
            axum::http::StatusCode::BAD_REQUEST,
            "A status is at most 280 characters.",
        ));
    }
    let remote = state.registry.remote(&name).map_err(failed)?;
    let user = oauth1::UserKey::Id(user_id);
    let v2_base = state.config.api_v2.get(&name);
    let said = |leg: Leg| {
        let (remote, info) = (&remote, &info);
        move |err: Error| {
            log_remote_error(remote, leg, v2_base, &err);
            ServerFnError::new(problem(&info.brand, &err))
        }
    };
    if remote.is_oauth2() || v2_base.is_some() {
        let token: RemoteToken = remote
            .fetch_token(&user)
            .await
            .map_err(said(Leg::Refresh))?;
        return remote_api::post(&remote, v2_base, &token, status)
            .await
            .map_err(said(Leg::Api));
    }
    remote
        .post("statuses/update.json", &[("status", status)], &user)
        .await
        .map_err(said(Leg::Api))?;
    Ok(())
}

pub async fn last_flow() -> Result<Option<Flow>, ServerFnError> {
    let state = state()?;
    let Some(user_id) = current_user().await? else {
        return Ok(None);
    };
    let Some((remote, at, steps)) = crate::server::sign_in::flows::last_flow(&state.db, user_id)
        .await
        .map_err(failed)?
    else {
        return Ok(None);
    };
    let steps: Vec<FlowStep> = serde_json::from_str(&steps).map_err(failed)?;
    let recorded_at = time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_default();
    Ok(Some(Flow {
        brand: state.brand(&remote),
        recorded_at,
        steps,
    }))
}
