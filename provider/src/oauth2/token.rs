//! `POST /2/oauth2/token` (RFC 6749 §3.2): the `authorization_code` grant (§4.1.3, with the
//! PKCE verifier of RFC 7636 §4.5) and the `refresh_token` grant (§6, rotated).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::client_auth;
use super::error::{ErrorCode, TokenError, TokenResult};
use super::params::Params;
use super::pkce;
use super::scope::Scopes;
use crate::plumbing::db::Db;
use crate::state::AppState;
use crate::store::grant_cache::BearerGrants;
use crate::store::oauth2::clients::Client;
use crate::store::oauth2::codes::{self, Unclaimed};
use crate::store::oauth2::tokens::{self, Issued, NewTokens, NotRefreshable};

/// RFC 6749 §5.1.
#[derive(Serialize)]
struct TokenResponse {
    token_type: &'static str,
    expires_in: i64,
    access_token: String,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

fn invalid_grant(description: &'static str) -> TokenError {
    TokenError::new(ErrorCode::InvalidGrant, description)
}

fn required<'a>(params: &'a Params, name: &'static str) -> TokenResult<&'a str> {
    params.get(name).ok_or(TokenError::Protocol {
        code: ErrorCode::InvalidRequest,
        description: match name {
            "grant_type" => "grant_type is required",
            "code" => "code is required",
            "redirect_uri" => "redirect_uri is required",
            "code_verifier" => "code_verifier is required (PKCE)",
            "refresh_token" => "refresh_token is required",
            _ => "a required parameter is missing",
        },
    })
}

/// Reads a form body as RFC 6749 §3.2 says: no parameter twice.
pub fn form(body: &[u8]) -> TokenResult<Params> {
    Params::parse(body).map_err(|_| {
        TokenError::new(
            ErrorCode::InvalidRequest,
            "a parameter was sent more than once",
        )
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, TokenError> {
    let params = form(&body)?;
    let client = client_auth::authenticate(&state.db, &headers, &params).await?;
    let lifetime = state.config.oauth2_access_token_ttl_secs as i64;
    let issued = match required(&params, "grant_type")? {
        "authorization_code" => {
            authorization_code(&state.db, &state.bearer_grants, &client, &params, lifetime).await?
        }
        "refresh_token" => {
            refresh(&state.db, &state.bearer_grants, &client, &params, lifetime).await?
        }
        _ => {
            return Err(TokenError::new(
                ErrorCode::UnsupportedGrantType,
                "grant_type is authorization_code or refresh_token",
            ));
        }
    };
    let response = Json(TokenResponse {
        token_type: "bearer",
        expires_in: lifetime,
        scope: issued.scopes.to_string(),
        access_token: issued.access_token,
        refresh_token: issued.refresh_token,
    })
    .into_response();
    Ok(response)
}

/// RFC 6749 §4.1.3 and RFC 7636 §4.6. The code is claimed first, in one statement, so it
/// is spent whatever follows: a wrong verifier cannot be retried with the same code.
async fn authorization_code(
    db: &Db,
    grants: &BearerGrants,
    client: &Client,
    params: &Params,
    lifetime: i64,
) -> TokenResult<Issued> {
    let code = required(params, "code")?;
    let redirect_uri = required(params, "redirect_uri")?;
    let verifier = required(params, "code_verifier")?;
    let claimed = match codes::claim(db, client.app_id, code).await? {
        Ok(claimed) => claimed,
        Err(Unclaimed::Reused { family_id }) => {
            // §4.1.2: a code used twice was stolen from one of the two users of it: what
            // the first use issued is revoked.
            if let Some(family) = family_id {
                let revoked = tokens::revoke_family(db, grants, &family).await?;
                tracing::warn!(client = %client.client_id, revoked,
                    "an authorization code was used twice; its tokens are revoked");
            }
            return Err(invalid_grant("the authorization code was already used"));
        }
        Err(Unclaimed::Invalid) => {
            return Err(invalid_grant(
                "the authorization code is invalid, expired, or was issued to another client",
            ));
        }
    };
    // §4.1.3: the redirect URI of the token request must be the authorization request's.
    if claimed.redirect_uri != redirect_uri {
        return Err(invalid_grant(
            "redirect_uri does not match the authorization request",
        ));
    }
    if !pkce::verify(verifier, &claimed.code_challenge) {
        return Err(invalid_grant(
            "code_verifier does not match the code_challenge",
        ));
    }
    let scopes = stored_scopes(&claimed.scope)?;
    let grant = NewTokens::whole(&claimed.family_id, client.app_id, claimed.user_id, scopes);
    Ok(tokens::issue_lasting(db, grant, lifetime).await?)
}

/// RFC 6749 §6: a new access token and a new refresh token in the same family; the one
/// presented is spent. `scope`, if sent, may only narrow what was granted, and narrows
/// the access token alone.
async fn refresh(
    db: &Db,
    grants: &BearerGrants,
    client: &Client,
    params: &Params,
    lifetime: i64,
) -> TokenResult<Issued> {
    let token = required(params, "refresh_token")?;
    let asked = params
        .get("scope")
        .map(Scopes::parse)
        .transpose()
        .map_err(|_| TokenError::new(ErrorCode::InvalidScope, "an unknown scope was requested"))?;
    // A scope that is not granted is refused before the token is spent (RFC 6749 §6:
    // the request fails; the grant stays).
    if let Some(asked) = &asked
        && let Some(granted) = tokens::refresh_scope(db, client.app_id, token).await?
        && (asked.is_empty() || !asked.is_subset_of(&stored_scopes(&granted)?))
    {
        return Err(TokenError::new(
            ErrorCode::InvalidScope,
            "scope may only narrow what was granted",
        ));
    }
    let refreshing = match tokens::claim_refresh(db, client.app_id, token).await? {
        Ok(refreshing) => refreshing,
        Err(NotRefreshable::Reused { family_id }) => {
            let revoked = tokens::revoke_family(db, grants, &family_id).await?;
            tracing::warn!(client = %client.client_id, revoked,
                "a rotated refresh token was used again; its family is revoked");
            return Err(invalid_grant("the refresh token was already used"));
        }
        Err(NotRefreshable::Invalid) => {
            return Err(invalid_grant(
                "the refresh token is invalid, expired, revoked, or another client's",
            ));
        }
    };
    let granted = stored_scopes(&refreshing.scope)?;
    let access = match asked {
        Some(asked) if asked.is_subset_of(&granted) && !asked.is_empty() => asked,
        Some(_) => {
            return Err(TokenError::new(
                ErrorCode::InvalidScope,
                "scope may only narrow what was granted",
            ));
        }
        None => granted.clone(),
    };
    // The new access token may be narrower; the new refresh token keeps the whole grant
    // (RFC 6749 §6), so a later refresh can ask for the rest again.
    let grant = NewTokens {
        family_id: refreshing.family_id,
        app_id: client.app_id,
        user_id: refreshing.user_id,
        granted,
        access,
    };
    Ok(tokens::issue_lasting(db, grant, lifetime).await?)
}

fn stored_scopes(scope: &str) -> TokenResult<Scopes> {
    Scopes::parse(scope).map_err(|_| {
        TokenError::Internal(crate::error::Error::Internal(format!(
            "bad scope {scope:?} stored"
        )))
    })
}
