//! The profile page and posting for OAuth 2 remotes, through X's API v2 with a Bearer
//! token (RFC 6750 §2.1): `GET /2/users/me`, `GET /2/users/{id}/tweets`, `POST /2/tweets`.
//! The token comes from the registry's `fetch_token`, which refreshes it first if it has
//! expired (and saves the new one through `DbTokenStore::update_token`).

use oauth1::{Error, Remote, RemoteToken};

use crate::model::Tweet;

/// Who the token belongs to and their latest posts.
pub struct Profile {
    pub screen_name: String,
    pub name: String,
    pub timeline: Vec<Tweet>,
}

async fn get_json(
    remote: &Remote,
    path: &str,
    token: &RemoteToken,
) -> Result<serde_json::Value, Error> {
    let response = remote.get_with(path, token).await?;
    response.json().await.map_err(Error::from)
}

/// `/2/users/me`, then that user's posts.
pub async fn profile(remote: &Remote, token: &RemoteToken) -> Result<Profile, Error> {
    let me = get_json(remote, "users/me", token).await?;
    let text = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or("").to_owned();
    let me = &me["data"];
    let id = text(me, "id");
    // Ids are digits; anything else is not put in a path.
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::MissingField("data.id"));
    }
    let screen_name = text(me, "username");
    let posts = get_json(remote, &format!("users/{id}/tweets?max_results=20"), token).await?;
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

/// `POST /2/tweets` with a JSON body `{"text": ...}`.
pub async fn post(remote: &Remote, token: &RemoteToken, text: &str) -> Result<(), Error> {
    let body = serde_json::to_vec(&serde_json::json!({ "text": text }))
        .map_err(|e| Error::Store(e.to_string()))?;
    let request = remote
        .client()
        .http()
        .post(remote.url("tweets")?)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .build()?;
    remote.send(request, token).await?;
    Ok(())
}
