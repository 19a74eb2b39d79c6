//! The profile page and posting: through X's API v2 (`GET /2/users/me`,
//! `GET /2/users/{id}/tweets`, `POST /2/tweets`), or v1.1's calls. OAuth 2 remotes send a Bearer token
//! (RFC 6750 §2.1) to their API base URL; an OAuth 1.0a remote with `{NAME}_API_V2_URL`
//! signs the same calls with its token credentials (X's "user context"), at that URL.
//! An OAuth 2 token comes from the registry's `fetch_token`, which refreshes it first if
//! it has expired (and saves the new one through `DbTokenStore::update_token`).

use oauth1::{Error, Remote, RemoteToken};
use url::Url;

/// Where a path of API v2 is: under `base` (an OAuth 1.0a remote's `{NAME}_API_V2_URL`),
/// else under the remote's own API base URL (an OAuth 2 remote's is v2 already).
fn at(remote: &Remote, base: Option<&Url>, path: &str) -> Result<Url, Error> {
    match base {
        Some(base) => base.join(path).map_err(|_| Error::BadPath(path.to_owned())),
        None => remote.url(path),
    }
}

use crate::model::Tweet;

/// Who the token belongs to and their latest posts.
pub struct Profile {
    pub screen_name: String,
    pub name: String,
    pub timeline: Vec<Tweet>,
}

async fn get_json(
    remote: &Remote,
    base: Option<&Url>,
    path: &str,
    token: &RemoteToken,
) -> Result<serde_json::Value, Error> {
    let response = remote
        .get_with(at(remote, base, path)?.as_str(), token)
        .await?;
    response.json().await.map_err(Error::from)
}

/// v1.1's `account/verify_credentials.json` and `statuses/home_timeline.json`, both at once
/// and signed with the one token (the demo providers, and OAuth 1.0a remotes without
/// `{NAME}_API_V2_URL`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn profile_v1(remote: &Remote, token: &RemoteToken) -> Result<Profile, Error> {
    let call = |path: &'static str| async move {
        let response = remote.get_with(path, token).await?;
        response
            .json::<serde_json::Value>()
            .await
            .map_err(Error::from)
    };
    let (me, timeline) = tokio::join!(
        call("account/verify_credentials.json"),
        call("statuses/home_timeline.json?count=20")
    );
    let (me, timeline) = (me?, timeline?);
    let text = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or("").to_owned();
    let timeline = timeline
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|t| Tweet {
                    id: text(t, "id_str"),
                    text: text(t, "text"),
                    screen_name: text(&t["user"], "screen_name"),
                    created_at: text(t, "created_at"),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Profile {
        screen_name: text(&me, "screen_name"),
        name: text(&me, "name"),
        timeline,
    })
}

/// `/2/users/me`, then that user's posts.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn profile(
    remote: &Remote,
    base: Option<&Url>,
    token: &RemoteToken,
) -> Result<Profile, Error> {
    let me = get_json(remote, base, "users/me", token).await?;
    let text = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or("").to_owned();
    let me = &me["data"];
    let id = text(me, "id");
    // Ids are digits; anything else is not put in a path.
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::MissingField("data.id"));
    }
    let screen_name = text(me, "username");
    let posts = get_json(
        remote,
        base,
        &format!("users/{id}/tweets?max_results=20"),
        token,
    )
    .await?;
    let timeline = posts["data"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|t| Tweet {
                    id: text(t, "id"),
                    text: text(t, "text"),
                    screen_name: screen_name.clone(),
                    created_at: text(t, "created_at"),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Profile {
        name: text(me, "name"),
        screen_name,
        timeline,
    })
}

/// `POST /2/tweets` with a JSON body `{"text": ...}` (not a form, so OAuth 1.0a signs
/// no body parameters, RFC 5849 §3.4.1.3.1).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn post(
    remote: &Remote,
    base: Option<&Url>,
    token: &RemoteToken,
    text: &str,
) -> Result<(), Error> {
    let body = serde_json::to_vec(&serde_json::json!({ "text": text }))
        .map_err(|e| Error::Store(e.to_string()))?;
    let request = remote
        .client()
        .http()
        .post(at(remote, base, "tweets")?)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .build()?;
    remote.send(request, token).await?;
    Ok(())
}
