//! The authorization request (RFC 6749 §4.1.1 with RFC 7636 §4.3), checked in the order
//! §4.1.2.1 requires: until the client and its redirect URI are known good, a problem is
//! shown to the person as a page, never sent to an unchecked URI (an open redirector);
//! after that, it goes back to the client as `error` and `state` on the redirect URI.

use super::params::Params;
use super::pkce;
use super::scope::{Scope, Scopes};
use crate::error::Error;
use crate::plumbing::db::Db;
use crate::store::apps::AccessLevel;
use crate::store::oauth2::clients::{self, Client};

/// X accepts a `state` of up to 500 characters.
pub const MAX_STATE_LEN: usize = 500;

/// A valid authorization request.
#[derive(Debug)]
pub struct AuthorizeRequest {
    pub client: Client,
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: String,
    pub code_challenge: String,
}

/// Why a request is refused, and how the refusal travels.
#[derive(Debug)]
pub enum Refusal {
    /// Shown as a page: there is no redirect URI to trust.
    Page(&'static str),
    /// Sent to the (validated) redirect URI, RFC 6749 §4.1.2.1.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: &'static str,
    },
    Internal(Error),
}

impl From<crate::store::StoreError> for Refusal {
    fn from(err: crate::store::StoreError) -> Self {
        Refusal::Internal(err.into())
    }
}

impl From<Error> for Refusal {
    fn from(err: Error) -> Self {
        Refusal::Internal(err)
    }
}

/// Checks an authorization request (the query of the GET, or the same fields posted
/// back by the consent form).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn validate(db: &Db, raw: &[u8]) -> Result<AuthorizeRequest, Refusal> {
    let params = match Params::parse(raw) {
        Ok(params) => params,
        // A repeated client_id or redirect_uri leaves nothing to trust; any other repeat
        // is reported to the client once those two are checked, below.
        Err(repeated) if matches!(repeated.0.as_str(), "client_id" | "redirect_uri") => {
            return Err(Refusal::Page(
                "This authorization request repeats a parameter. Go back to the application \
                 and try again.",
            ));
        }
        Err(_) => {
            let lenient = Params::parse(&dedup(raw)).unwrap_or_default();
            let (_, redirect_uri) = client_and_redirect(db, &lenient).await?;
            return Err(Refusal::Redirect {
                redirect_uri,
                state: None,
                error: "invalid_request",
                description: "a parameter was sent more than once",
            });
        }
    };
    let (client, redirect_uri) = client_and_redirect(db, &params).await?;
    let state = params.get("state").map(str::to_owned);
    let refuse = |error, description| Refusal::Redirect {
        redirect_uri: redirect_uri.clone(),
        state: state.clone(),
        error,
        description,
    };
    if params.get("response_type") != Some("code") {
        return Err(refuse(
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    // X requires `state`, the client's protection against cross-site request forgery on
    // its redirect URI (RFC 6749 §10.12).
    let Some(state) = state.clone() else {
        return Err(refuse("invalid_request", "state is required"));
    };
    if state.chars().count() > MAX_STATE_LEN {
        return Err(refuse(
            "invalid_request",
            "state is longer than 500 characters",
        ));
    }
    let scopes =
        checked_scopes(&params, client.access_level).map_err(|d| refuse("invalid_scope", d))?;
    let code_challenge = checked_challenge(&params).map_err(|d| refuse("invalid_request", d))?;
    Ok(AuthorizeRequest {
        code_challenge,
        client,
        redirect_uri,
        scopes,
        state,
    })
}

/// The requested scopes (RFC 6749 §3.3), none beyond what the app is registered for.
fn checked_scopes(params: &Params, level: AccessLevel) -> Result<Scopes, &'static str> {
    let scopes = match params.get("scope").map(Scopes::parse) {
        None => return Err("scope is required"),
        Some(Err(_)) => return Err("an unknown scope was requested"),
        Some(Ok(scopes)) if scopes.is_empty() => return Err("scope is required"),
        Some(Ok(scopes)) => scopes,
    };
    if scopes.contains(Scope::TweetWrite) && level != AccessLevel::Write {
        return Err("this app is registered read-only: tweet.write cannot be granted");
    }
    Ok(scopes)
}

/// PKCE for every client, public or confidential (as X does, and as OAuth 2.1 will):
/// an S256 challenge (RFC 7636 §4.2-§4.3).
fn checked_challenge(params: &Params) -> Result<String, &'static str> {
    let Some(code_challenge) = params.get("code_challenge") else {
        return Err("code_challenge is required (PKCE)");
    };
    // RFC 7636 §4.3 defaults a missing method to `plain`, which is refused (see pkce.rs).
    if params.get("code_challenge_method") != Some("S256") {
        return Err("code_challenge_method must be S256");
    }
    if !pkce::well_formed(code_challenge) {
        return Err("code_challenge must be 43 to 128 unreserved characters");
    }
    Ok(code_challenge.to_owned())
}

/// The client and its redirect URI, or a page saying which is wrong.
async fn client_and_redirect(db: &Db, params: &Params) -> Result<(Client, String), Refusal> {
    let Some(client_id) = params.get("client_id") else {
        return Err(Refusal::Page(
            "This authorization request names no application (client_id is missing).",
        ));
    };
    let Some(client) = clients::by_client_id(db, client_id).await? else {
        return Err(Refusal::Page(
            "This authorization request names an application that does not exist or does \
             not use OAuth 2.0.",
        ));
    };
    // X requires the redirect URI; RFC 6749 §3.1.2.3 compares it exactly.
    let redirect_uri = params.get("redirect_uri").unwrap_or("");
    if !client.redirect_uri_registered(redirect_uri) {
        return Err(Refusal::Page(
            "The redirect_uri of this authorization request is not one the application \
             registered, so your answer cannot be sent back to it.",
        ));
    }
    let redirect_uri = redirect_uri.to_owned();
    Ok((client, redirect_uri))
}

/// The query with repeated names dropped after their first occurrence, to find the
/// client and redirect URI of a request refused for its repeats.
fn dedup(raw: &[u8]) -> Vec<u8> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(raw) {
        if value.is_empty() || seen.iter().any(|n| *n == name) {
            continue;
        }
        seen.push(name.to_string());
        out.append_pair(&name, &value);
    }
    out.finish().into_bytes()
}
