//! `ApiCaller`: a request signed with an access token (RFC 5849 §3), verified, with the
//! user and app it acts for. API handlers take it as an argument.

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use oauth1::server::ServerRequest;

use crate::error::Error;
use crate::oauth::signed;
use crate::state::AppState;
use crate::store::apps::AccessLevel;
use crate::store::tokens::Grant;

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

    /// RFC 5849 §3 by `oauth1::server`: the token must exist and belong to the client
    /// that signed with it; the grant is read through the cache on SQLite.
    #[tracing::instrument(name = "signed_request", level = "debug", skip_all)]
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let body = signed::body(body).await?;
        let protected = state
            .oauth1
            .protect(&ServerRequest::from_parts(&parts, &body))
            .await
            .map_err(|e| signed::refused(state, &parts, &body, e))?;
        let grant = Arc::new(Grant {
            token: protected.token.token,
            secret: protected.token.secret,
            app_id: protected.client.app.id,
            consumer_key: protected.client.key,
            consumer_secret: protected.client.secret,
            public_key: protected.client.public_key,
            access_level: protected.token.grant,
            user: protected.token.user,
        });
        Ok(ApiCaller {
            grant,
            params: protected.params,
        })
    }
}
