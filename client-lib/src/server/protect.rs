//! Protecting resources (RFC 5849 §3): a request signed with token credentials, checked,
//! with the client, the token and the user it acts for; and a signature-only check for
//! two-legged requests (client credentials alone).

use super::Server;
use super::check::verify;
use super::error::ServerError;
use super::request::{ServerRequest, parse};
use super::store::Data;
use super::store::{ClientRecord, TokenRecord};
use crate::verify::{SignedParams, VerifyError};

/// A verified request with token credentials.
#[derive(Clone, Debug)]
pub struct Protected<C, U, G = ()> {
    pub client: ClientRecord<C>,
    pub token: TokenRecord<U, G>,
    /// Every non-protocol parameter of the query and the form body, in order.
    pub params: Vec<(String, String)>,
}

/// A verified request signed with client credentials only.
#[derive(Clone, Debug)]
pub struct TwoLegged<C> {
    pub client: ClientRecord<C>,
    pub params: Vec<(String, String)>,
}

impl<C, U, G> Protected<C, U, G> {
    /// The first value of request parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        first(&self.params, name)
    }
}

impl<C> TwoLegged<C> {
    pub fn param(&self, name: &str) -> Option<&str> {
        first(&self.params, name)
    }
}

fn first<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl<C, U, G> Server<C, U, G>
where
    C: Data,
    U: Data,
    G: Data,
{
    /// Checks a request signed with token credentials: the token must exist and belong
    /// to the client that signed with it.
    pub async fn protect(
        &self,
        request: &ServerRequest<'_>,
    ) -> Result<Protected<C, U, G>, ServerError> {
        let params = parse(&self.config, request)?;
        let token =
            params
                .token
                .as_ref()
                .ok_or(ServerError::BadRequest(VerifyError::MissingParameter(
                    "oauth_token",
                )))?;
        let (client, token) = self
            .tokens
            .get(token.as_str())
            .await?
            .ok_or(ServerError::InvalidToken)?;
        if token.consumer_key != params.consumer_key || client.key != params.consumer_key {
            return Err(ServerError::InvalidToken);
        }
        verify(
            &self.config,
            &*self.nonces,
            &params,
            &client,
            Some(&token.secret),
        )
        .await?;
        Ok(Protected {
            client,
            token,
            params: into_params(params),
        })
    }

    /// Checks a request signed with client credentials alone (no `oauth_token`).
    pub async fn verify_client(
        &self,
        request: &ServerRequest<'_>,
    ) -> Result<TwoLegged<C>, ServerError> {
        let params = parse(&self.config, request)?;
        if params
            .token
            .as_ref()
            .is_some_and(|t| !t.as_str().is_empty())
        {
            return Err(ServerError::BadRequest(VerifyError::InvalidParameter {
                name: "oauth_token",
                reason: "not allowed on a two-legged request",
            }));
        }
        let client = self
            .clients
            .client(params.consumer_key.as_str())
            .await?
            .ok_or(ServerError::UnknownClient)?;
        verify(&self.config, &*self.nonces, &params, &client, None).await?;
        Ok(TwoLegged {
            client,
            params: into_params(params),
        })
    }
}

fn into_params(params: SignedParams) -> Vec<(String, String)> {
    params.request_params
}
