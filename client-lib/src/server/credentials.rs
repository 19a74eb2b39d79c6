//! The two signed endpoints of the flow: temporary credentials (RFC 5849 §2.1) and token
//! credentials (§2.3).

use super::Server;
use super::check::verify;
use super::error::ServerError;
use super::request::{ServerRequest, callback_allowed, parse};
use super::response::{form, random};
use super::store::Data;
use super::store::{ClientRecord, TemporaryCredentials, TokenRecord};
use crate::signature::constant_time_eq;
use crate::types::{Token, TokenSecret};
use crate::verify::{SignedParams, VerifyError};

/// Characters of the tokens, secrets and verifiers the server hands out.
pub(crate) const CREDENTIAL_LEN: usize = 32;

impl<C, U, G> Server<C, U, G>
where
    C: Data,
    U: Data,
    G: Data,
{
    /// `POST` of the temporary credential request (§2.1), signed with client credentials
    /// only. `oauth_callback` is required, and must be `oob` or registered for the
    /// client; it is stored, and `oauth_callback_confirmed=true` is always sent (§2.1).
    /// What is granted is `G::default()`.
    pub async fn temporary_credentials(
        &self,
        request: &ServerRequest<'_>,
    ) -> Result<http::Response<String>, ServerError>
    where
        G: Default,
    {
        self.temporary_credentials_with(request, |_, _| G::default())
            .await
    }

    /// [`Self::temporary_credentials`], with what the client is granted chosen by
    /// `grant` from the client and the verified request (Twitter's
    /// `x_auth_access_type`, say), once the signature is valid.
    pub async fn temporary_credentials_with(
        &self,
        request: &ServerRequest<'_>,
        grant: impl FnOnce(&ClientRecord<C>, &SignedParams) -> G + Send,
    ) -> Result<http::Response<String>, ServerError> {
        let params = parse(&self.config, request)?;
        if params.token.is_some() {
            return Err(ServerError::BadRequest(VerifyError::InvalidParameter {
                name: "oauth_token",
                reason: "not allowed when asking for temporary credentials",
            }));
        }
        let client = self
            .clients
            .client(params.consumer_key.as_str())
            .await?
            .ok_or(ServerError::UnknownClient)?;
        verify(&self.config, &*self.nonces, &params, &client, None).await?;
        let callback = params.callback.as_deref().ok_or(ServerError::BadRequest(
            VerifyError::MissingParameter("oauth_callback"),
        ))?;
        if !callback_allowed(callback, &client.callbacks, self.config.allow_oob) {
            return Err(ServerError::CallbackNotRegistered);
        }
        let temporary = TemporaryCredentials {
            token: Token::new(random(CREDENTIAL_LEN)),
            secret: TokenSecret::new(random(CREDENTIAL_LEN)),
            consumer_key: client.key.clone(),
            callback: callback.to_owned(),
            expires_at: self.config.now() + self.config.temporary_ttl_secs,
            approval: None,
            grant: grant(&client, &params),
        };
        self.temporaries.save(&temporary, &params).await?;
        Ok(form(&[
            ("oauth_token", temporary.token.as_str()),
            ("oauth_token_secret", temporary.secret.secret()),
            ("oauth_callback_confirmed", "true"),
        ]))
    }

    /// `POST` of the token request (§2.3): temporary credentials that this same client
    /// was issued and the owner approved, exchanged once for token credentials.
    ///
    /// A wrong verifier voids the temporary credentials, but only once the request's
    /// signature is valid: someone who saw `oauth_token` in a URL cannot void another
    /// person's sign-in.
    pub async fn token_credentials(
        &self,
        request: &ServerRequest<'_>,
    ) -> Result<http::Response<String>, ServerError> {
        let (response, _) = self.exchange(request).await?;
        Ok(response)
    }

    /// [`Self::token_credentials`], with the temporary credentials it consumed (for the
    /// caller's log line or its own bookkeeping).
    pub async fn exchange(
        &self,
        request: &ServerRequest<'_>,
    ) -> Result<(http::Response<String>, TemporaryCredentials<U, G>), ServerError> {
        let params = parse(&self.config, request)?;
        let token =
            params
                .token
                .as_ref()
                .ok_or(ServerError::BadRequest(VerifyError::MissingParameter(
                    "oauth_token",
                )))?;
        let verifier = params.verifier.as_deref().ok_or(ServerError::BadRequest(
            VerifyError::MissingParameter("oauth_verifier"),
        ))?;
        let temporary = self
            .temporaries
            .get(token.as_str())
            .await?
            .filter(|t| t.expires_at >= self.config.now())
            // Temporary credentials belong to the client they were issued to.
            .filter(|t| t.consumer_key == params.consumer_key)
            .ok_or(ServerError::InvalidToken)?;
        let client = self
            .clients
            .client(params.consumer_key.as_str())
            .await?
            .ok_or(ServerError::UnknownClient)?;
        verify(
            &self.config,
            &*self.nonces,
            &params,
            &client,
            Some(&temporary.secret),
        )
        .await?;
        let Some(approval) = temporary
            .approval
            .as_ref()
            .filter(|a| constant_time_eq(a.verifier.secret().as_bytes(), verifier.as_bytes()))
        else {
            // Unapproved, or a guess: void, so a verifier cannot be found by trying.
            self.temporaries.void(token.as_str()).await?;
            return Err(ServerError::InvalidVerifier);
        };
        // Single use: of concurrent exchanges, one takes them.
        let taken = self
            .temporaries
            .take(token.as_str())
            .await?
            .ok_or(ServerError::InvalidToken)?;
        let issued = TokenRecord {
            token: Token::new(random(CREDENTIAL_LEN)),
            secret: TokenSecret::new(random(CREDENTIAL_LEN)),
            consumer_key: client.key.clone(),
            user: approval.user.clone(),
            grant: taken.grant.clone(),
        };
        let extra = self.tokens.save(&client, &taken, &issued).await?;
        let mut pairs = vec![
            ("oauth_token", issued.token.as_str()),
            ("oauth_token_secret", issued.secret.secret()),
        ];
        pairs.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Ok((form(&pairs), taken))
    }
}
