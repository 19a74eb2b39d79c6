//! A remote's sign-in: the redirect to the service and the callback's exchange, OAuth 1
//! (RFC 5849 §2) or OAuth 2 with PKCE (RFC 6749 §4.1, RFC 7636), one browser's flow.

use url::Url;

use super::Remote;
use crate::authcode;
use crate::bearer::OAuth2Token;
use crate::callback::{Callback, CallbackError};
use crate::client::Client;
use crate::code_callback::CodeCallback;
use crate::error::Error;
use crate::observe::Step;
use crate::pending::{AuthorizationRedirect, PendingAuthorization};
use crate::settings::{OAuth1Settings, OAuth2Settings, Settings};
use crate::tokens::{RemoteToken, TokenKind};
use crate::types::{AccessToken, RequestToken};

impl Remote {
    /// The value a callback URL (or query) names its flow by, for finding the
    /// [`PendingAuthorization`] kept for it: `oauth_token` (or Twitter's `denied`) for
    /// OAuth 1, `state` for OAuth 2. It is the same as that flow's
    /// [`PendingAuthorization::callback_key`]; finding one proves nothing by itself
    /// ([`authorize_access_token`](Self::authorize_access_token) checks).
    pub fn callback_key(&self, url_or_query: &str) -> Option<String> {
        match &self.settings {
            Settings::OAuth1(_) => Callback::parse(url_or_query)
                .ok()
                .map(|c| c.token().as_str().to_owned()),
            Settings::OAuth2(_) => CodeCallback::state_of(url_or_query),
        }
    }

    /// Starts a sign-in for `callback`. OAuth 1 (legs 1 and 2, RFC 5849 §2.1–§2.2):
    /// fetches temporary credentials. OAuth 2 (RFC 6749 §4.1.1): makes a `state` and a
    /// PKCE verifier (RFC 7636 §4.1, S256). The URL to send the user to comes back with
    /// the [`PendingAuthorization`] to keep for this browser until the callback, in its
    /// server-side session or a store of the caller's: it holds what the callback needs
    /// (the temporary credentials, or the state and verifier), and nothing else does.
    ///
    /// `K` is the token the flow will end with: [`AccessToken`] asked of an OAuth 2
    /// remote is [`Error::WrongTokenKind`], before anything is sent.
    pub async fn authorize_redirect<K: TokenKind>(
        &self,
        callback: &str,
    ) -> Result<AuthorizationRedirect<K>, Error> {
        self.authorize_redirect_with(callback, &[]).await
    }

    /// [`authorize_redirect`](Self::authorize_redirect) with authorization parameters
    /// beyond the configured ones (such as `screen_name`).
    #[tracing::instrument(name = "remote.authorize_redirect", skip_all, fields(remote = %self.name))]
    pub async fn authorize_redirect_with<K: TokenKind>(
        &self,
        callback: &str,
        extra: &[(String, String)],
    ) -> Result<AuthorizationRedirect<K>, Error> {
        let kind_probe = match &self.settings {
            Settings::OAuth1(_) => RemoteToken::OAuth1(AccessToken::new("", "")),
            Settings::OAuth2(_) => RemoteToken::OAuth2(OAuth2Token::bearer("")),
        };
        K::from_remote(kind_probe)?;
        match &self.settings {
            Settings::OAuth1(settings) => self.redirect_oauth1(settings, callback, extra).await,
            Settings::OAuth2(settings) => self.redirect_oauth2(settings, callback, extra).await,
        }
    }

    async fn redirect_oauth1<K>(
        &self,
        settings: &OAuth1Settings,
        callback: &str,
        extra: &[(String, String)],
    ) -> Result<AuthorizationRedirect<K>, Error> {
        let token = self
            .client
            .request_token(&settings.request_token_url, callback)
            .await?;
        let params: Vec<(String, String)> = settings
            .common
            .authorize_params
            .iter()
            .chain(extra)
            .cloned()
            .collect();
        Ok(AuthorizationRedirect {
            url: Client::authorization_url(&settings.common.authorize_url, &token, &params),
            pending: PendingAuthorization::new(&self.name, token),
        })
    }

    async fn redirect_oauth2<K>(
        &self,
        settings: &OAuth2Settings,
        callback: &str,
        extra: &[(String, String)],
    ) -> Result<AuthorizationRedirect<K>, Error> {
        let redirect_uri = Url::parse(callback).map_err(|_| {
            Error::Callback(CallbackError::BadCallback(
                "an OAuth 2 redirect URI must be an absolute URL (RFC 6749 §3.1.2)",
            ))
        })?;
        let made = authcode::authorization_url(settings, &redirect_uri, extra);
        // As OAuth 1's temporary credentials: a public value the callback carries back
        // (the state) and a secret that never leaves the server (the verifier).
        let pending =
            PendingAuthorization::new_oauth2(&self.name, &made.state, callback, &made.verifier);
        Ok(AuthorizationRedirect {
            url: made.url,
            pending,
        })
    }

    /// Finishes the sign-in for the browser that began it: `pending` is what
    /// [`authorize_redirect`](Self::authorize_redirect) returned to it, `callback` the
    /// callback's full URL or query. A callback that is not for `pending` (another
    /// request token, another `state`, compared in constant time) is
    /// [`CallbackError::NotThisBrowser`] and spends nothing. Otherwise it is exchanged: OAuth 1's
    /// verifier with the temporary credentials (RFC 5849 §2.3), or OAuth 2's code with
    /// the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). A refusal is
    /// [`CallbackError::Denied`]. Take `pending` out of its store before calling, so that it is
    /// used once.
    #[tracing::instrument(name = "remote.authorize_access_token", skip_all, fields(remote = %self.name))]
    pub async fn authorize_access_token<K: TokenKind>(
        &self,
        pending: &PendingAuthorization<K>,
        callback: &str,
    ) -> Result<K, Error> {
        let token = match &self.settings {
            Settings::OAuth1(settings) => {
                let callback = Callback::parse(callback)?;
                pending.check(&self.name, &callback)?;
                let issued: RequestToken = pending
                    .request_token()
                    .ok_or(Error::Callback(CallbackError::TokenMismatch))?;
                let verifier = callback.verifier_for(&issued)?;
                let token = self
                    .client
                    .access_token(&settings.access_token_url, &issued, verifier)
                    .await?;
                RemoteToken::OAuth1(token)
            }
            Settings::OAuth2(settings) => {
                RemoteToken::OAuth2(self.exchange_code(settings, pending, callback).await?)
            }
        };
        K::from_remote(token)
    }

    async fn exchange_code<K>(
        &self,
        settings: &OAuth2Settings,
        pending: &PendingAuthorization<K>,
        callback: &str,
    ) -> Result<OAuth2Token, Error> {
        let callback = CodeCallback::parse(callback)?;
        // RFC 6749 §10.12: the state binds the callback to this browser's flow.
        pending.check_state(&self.name, callback.state())?;
        let verifier = pending
            .verifier()
            .ok_or(Error::Callback(CallbackError::TokenMismatch))?;
        let code = match callback {
            CodeCallback::Approved { code, .. } => code,
            CodeCallback::Refused { error, .. } if error == "access_denied" => {
                return Err(Error::Callback(CallbackError::Denied));
            }
            CodeCallback::Refused {
                error, description, ..
            } => return Err(Error::OAuth2 { error, description }),
        };
        let redirect_uri = pending
            .redirect_uri()
            .and_then(|u| Url::parse(u).ok())
            .ok_or(Error::Callback(CallbackError::BadCallback(
                "the pending sign-in has no redirect URI",
            )))?;
        authcode::exchange_code(
            self.client.http(),
            settings,
            self.token_compliance.as_ref(),
            self.observed(Step::CodeToken),
            code.secret(),
            verifier,
            &redirect_uri,
        )
        .await
    }
}
