//! A remote's tokens in the token store: saved, fetched, refreshed before they expire
//! (RFC 6749 §6), and revoked at the service (RFC 7009, Twitter's `invalidate_token`).

use super::{Remote, UserKey};
use crate::authcode;
use crate::bearer::OAuth2Token;
use crate::config::{self, ConfigError};
use crate::error::Error;
use crate::observe::Step;
use crate::settings::Settings;
use crate::tokens::{AnyTokenStore, RemoteToken, TokenKind};
use crate::types::AccessToken;

impl Remote {
    /// Saves `token` for `user` through the token store's `update_token`.
    pub async fn save_token<K: TokenKind>(&self, user: &UserKey, token: &K) -> Result<(), Error> {
        if self.tokens.is_none() {
            return Ok(());
        }
        self.update_stored(user, &token.clone().into_remote()).await
    }

    fn store(&self) -> Result<&AnyTokenStore, Error> {
        self.tokens
            .as_ref()
            .ok_or_else(|| Error::NoToken(self.name.clone()))
    }

    #[tracing::instrument(
        name = "token_store.fetch",
        skip_all,
        fields(remote = %self.name, user = %user)
    )]
    async fn stored(&self, user: &UserKey) -> Result<RemoteToken, Error> {
        self.store()?
            .fetch_token(&self.name, user)
            .await?
            .ok_or_else(|| Error::NoToken(self.name.clone()))
    }

    #[tracing::instrument(
        name = "token_store.update",
        skip_all,
        fields(remote = %self.name, user = %user)
    )]
    async fn update_stored(&self, user: &UserKey, token: &RemoteToken) -> Result<(), Error> {
        self.store()?.update_token(&self.name, user, token).await
    }

    /// `user`'s OAuth 1 token credentials from the token store; `Error::NoToken` if there
    /// are none. Fetch them once to make several calls with [`Remote::get_with`] or
    /// [`Remote::send`]. [`fetch_token`](Self::fetch_token) is the same for either kind.
    pub async fn token(&self, user: &UserKey) -> Result<AccessToken, Error> {
        self.fetch_token(user).await
    }

    /// `user`'s token from the token store, of kind `K`. An OAuth 2 token that has
    /// expired, or will within a minute, is refreshed first (RFC 6749 §6) and the new one
    /// saved with `update_token`; concurrent calls for one user refresh once. A refused
    /// refresh, or an expired token with nothing to refresh it with, is
    /// [`Error::ReauthorizationNeeded`]: the user must sign in again.
    pub async fn fetch_token<K: TokenKind>(&self, user: &UserKey) -> Result<K, Error> {
        let token = match self.stored(user).await? {
            RemoteToken::OAuth2(t) if t.needs_refresh() => {
                RemoteToken::OAuth2(self.refresh(user).await?)
            }
            token => token,
        };
        K::from_remote(token)
    }

    /// The refresh itself, one at a time per user: whoever waited re-reads the store and
    /// finds the token the first one saved.
    async fn refresh(&self, user: &UserKey) -> Result<OAuth2Token, Error> {
        let Settings::OAuth2(settings) = &self.settings else {
            return Err(Error::WrongTokenKind(AccessToken::KIND));
        };
        self.refreshes
            .one_at_a_time(user, async {
                let current = match self.stored(user).await? {
                    RemoteToken::OAuth2(t) => t,
                    RemoteToken::OAuth1(_) => return Err(Error::WrongTokenKind(OAuth2Token::KIND)),
                };
                if !current.needs_refresh() {
                    return Ok(current);
                }
                let Some(refresh_token) = &current.refresh_token else {
                    return Err(Error::ReauthorizationNeeded {
                        remote: self.name.clone(),
                        reason: "the token expired and the service gave no refresh token".into(),
                    });
                };
                let mut fresh = authcode::refresh(
                    self.client.http(),
                    settings,
                    self.token_compliance.as_ref(),
                    self.observed(Step::Refresh),
                    &self.name,
                    refresh_token,
                )
                .await?;
                // §6: the service may keep the refresh token; the new response then has
                // none, and the old one stays good. An omitted scope is unchanged (§5.1).
                if fresh.refresh_token.is_none() {
                    fresh.refresh_token = current.refresh_token.clone();
                }
                if fresh.scope.is_none() {
                    fresh.scope = current.scope.clone();
                }
                self.update_stored(user, &RemoteToken::OAuth2(fresh.clone()))
                    .await?;
                Ok(fresh)
            })
            .await
    }

    /// Revokes `user`'s token at the service, as a site does when the user unlinks the
    /// account; forgetting the token in the store stays the caller's to do.
    ///
    /// OAuth 2 (RFC 7009 §2.1): the refresh token if there is one (its revocation takes
    /// the grant's access tokens with it), else the access token, with its
    /// `token_type_hint`, POSTed to the revocation URL with the client authentication of
    /// the token endpoint. A token the service no longer knows counts as revoked (§2.2).
    /// No revocation URL is [`Error::Config`] naming `{NAME}_REVOKE_URL`. The stored
    /// token is not refreshed first: an expired access token is revoked through its
    /// refresh token.
    ///
    /// OAuth 1 (RFC 5849 leaves revocation open): Twitter's `POST oauth/invalidate_token`
    /// under the API base URL, signed with the user's token credentials.
    #[tracing::instrument(
        name = "remote.revoke_token",
        skip_all,
        fields(remote = %self.name, user = %user)
    )]
    pub async fn revoke_token(&self, user: &UserKey) -> Result<(), Error> {
        let settings = match &self.settings {
            Settings::OAuth1(_) => {
                return self
                    .post("oauth/invalidate_token", &[], user)
                    .await
                    .map(drop);
            }
            Settings::OAuth2(settings) => settings,
        };
        let revoke_url = settings
            .revoke_url
            .as_ref()
            .ok_or_else(|| ConfigError::Missing(config::setting_key(&self.name, "REVOKE_URL")))?;
        // Under the refresh lock: a refresh under way would otherwise rotate the refresh
        // token between reading it here and revoking it.
        self.refreshes
            .one_at_a_time(user, async {
                let token = match self.stored(user).await? {
                    RemoteToken::OAuth2(t) => t,
                    RemoteToken::OAuth1(_) => return Err(Error::WrongTokenKind(OAuth2Token::KIND)),
                };
                let (secret, hint) = match &token.refresh_token {
                    Some(refresh) => (refresh.secret(), "refresh_token"),
                    None => (token.access_token.secret(), "access_token"),
                };
                authcode::revoke(self.client.http(), settings, revoke_url, secret, hint).await
            })
            .await
    }
}
