//! `ApiCaller`: a request signed with an access token (RFC 5849 §3), verified, with the
//! user and app it acts for. API handlers take it as an argument.

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use oauth1::VerifyError;

use crate::apps::AccessLevel;
use crate::error::Error;
use crate::grant_cache::Lookup;
use crate::oauth::signed::{Signed, verify};
use crate::state::AppState;
use crate::tokens::{self, Grant};

pub struct ApiCaller {
    pub grant: Arc<Grant>,
    /// Query and form parameters other than the protocol ones.
    pub params: Vec<(String, String)>,
}

impl ApiCaller {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Writing needs a token with write access (Twitter code 261 otherwise).
    pub fn require_write(&self) -> Result<(), Error> {
        if self.grant.access_level == AccessLevel::Write {
            Ok(())
        } else {
            Err(Error::ReadOnlyApplication)
        }
    }
}

impl FromRequest<AppState> for ApiCaller {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let Signed { params } = Signed::from_request(req, state).await?;
        let token =
            params
                .token
                .as_ref()
                .ok_or(Error::BadRequest(VerifyError::MissingParameter(
                    "oauth_token",
                )))?;
        let grant = match state.grants.lookup(token.as_str()) {
            Lookup::Hit(grant) => grant,
            Lookup::Miss(ticket) => {
                let grant = Arc::new(
                    tokens::grant(&state.db, token.as_str())
                        .await?
                        .ok_or(Error::InvalidToken)?,
                );
                state.grants.store(ticket, Arc::clone(&grant));
                grant
            }
        };
        // The token must belong to the client that signed with it.
        if grant.consumer_key != params.consumer_key {
            return Err(Error::InvalidToken);
        }
        verify(state, &params, &grant.consumer_secret, Some(&grant.secret)).await?;
        Ok(ApiCaller {
            grant,
            params: params.request_params,
        })
    }
}
