//! `V2Caller`: who an API v2 request acts for. X's v2 takes OAuth 1.0a user context
//! (a signed request, checked exactly as the v1.1 API checks it) and OAuth 2.0 user
//! context (`Authorization: Bearer`, RFC 6750 §2.1), whose scopes limit what it may do.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};

use super::problem::Problem;
use crate::error::Error;
use crate::oauth::ApiCaller;
use crate::oauth::signed::MAX_BODY;
use crate::oauth2::scope::{Scope, Scopes};
use crate::state::AppState;
use crate::store::apps::AccessLevel;
use crate::store::oauth2::tokens;
use crate::users::User;

/// What the caller's credentials allow.
#[derive(Debug)]
pub enum Authority {
    /// An OAuth 1.0a access token: everything its access level allows.
    OAuth1(AccessLevel),
    /// An OAuth 2.0 access token: its scopes.
    Bearer(Scopes),
}

pub struct V2Caller {
    pub user: User,
    pub app_id: i64,
    pub authority: Authority,
    /// The request body, read once (an OAuth 1.0a signature may cover it).
    pub body: Bytes,
}

impl V2Caller {
    /// A Bearer token needs `scope`; an OAuth 1.0a token needs write access to write.
    pub fn require(&self, scope: Scope) -> Result<(), Problem> {
        let allowed = match &self.authority {
            Authority::Bearer(scopes) => scopes.contains(scope),
            Authority::OAuth1(level) => scope != Scope::TweetWrite || *level == AccessLevel::Write,
        };
        if allowed {
            return Ok(());
        }
        Err(Problem::Forbidden {
            detail: match (&self.authority, scope) {
                (Authority::OAuth1(_), _) => "This app is read-only: it cannot post or delete.",
                (_, Scope::TweetRead) => "Missing required scope: tweet.read",
                (_, Scope::TweetWrite) => "Missing required scope: tweet.write",
                (_, Scope::UsersRead) => "Missing required scope: users.read",
                (_, Scope::OfflineAccess) => "Missing required scope: offline.access",
            },
            scope: matches!(self.authority, Authority::Bearer(_)).then_some(scope),
        })
    }
}

/// `Bearer <token>`'s token, if the request uses that scheme (case-insensitive, RFC 7235
/// §2.1); `Err` for a Bearer header that is not one token68 (RFC 6750 §2.1).
fn bearer_token(request: &Request) -> Result<Option<String>, Problem> {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let Ok(value) = value.to_str() else {
        return Ok(None);
    };
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    let token = token.trim();
    let token68 = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
    if token.is_empty() || token.len() > 512 || !token.bytes().all(token68) {
        return Err(Problem::Unauthorized);
    }
    Ok(Some(token.to_owned()))
}

impl FromRequest<AppState> for V2Caller {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bearer = bearer_token(&req)?;
        let (parts, body) = req.into_parts();
        let body = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
            Problem::Other(Error::Rejected {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                code: 413,
                message: "Request entity too large.",
            })
        })?;
        if let Some(token) = bearer {
            let grant = tokens::bearer(&state.db, &state.bearer_grants, &token)
                .await?
                .ok_or(Problem::Unauthorized)?;
            return Ok(V2Caller {
                user: grant.user.clone(),
                app_id: grant.app_id,
                authority: Authority::Bearer(grant.scopes.clone()),
                body,
            });
        }
        // No credentials of either kind: 401, as X answers (not the 400 of a signed
        // request that lacks a parameter).
        let mentions_oauth = |text: &[u8]| text.windows(6).any(|w| w == b"oauth_");
        if !parts.headers.contains_key(header::AUTHORIZATION)
            && !mentions_oauth(parts.uri.query().unwrap_or("").as_bytes())
            && !mentions_oauth(&body)
        {
            return Err(Problem::Unauthorized);
        }
        let signed = Request::from_parts(parts, Body::from(body.clone()));
        let caller = ApiCaller::from_request(signed, state).await?;
        Ok(V2Caller {
            user: caller.grant.user.clone(),
            app_id: caller.grant.app_id,
            authority: Authority::OAuth1(caller.grant.access_level),
            body,
        })
    }
}
