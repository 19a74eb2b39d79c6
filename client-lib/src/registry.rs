//! Many remotes at once, by name, in the style of Authlib's Flask `OAuth` registry:
//! `register`, then `authorize_redirect` / `authorize_access_token` for the sign-in and
//! `get` / `post` for API calls whose token comes from a [`TokenStore`]. The same calls
//! serve OAuth 1 remotes (RFC 5849) and OAuth 2 ones (RFC 6749 with PKCE, RFC 7636),
//! whose tokens are refreshed before they expire (RFC 6749 §6).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use url::Url;

use crate::authcode;
use crate::bearer::OAuth2Token;
use crate::callback::Callback;
use crate::client::Client;
use crate::code_callback::CodeCallback;
use crate::config::{self, ConfigError, RemoteConfig};
use crate::error::{Error, RemoteError};
use crate::http_client::{Observed, TokenResponseCompliance};
use crate::observe::{Observer, Step};
use crate::pending::{AuthorizationRedirect, PendingAuthorization};
use crate::refresh::RefreshLocks;
use crate::settings::{OAuth1Settings, OAuth2Settings, Settings};
use crate::tokens::{AnyTokenStore, RemoteToken, TokenKind, TokenRef, any_token_store};
pub use crate::tokens::{TokenStore, UserKey};
use crate::types::{AccessToken, ClientCredentials, RequestToken};

/// Adjusts a request before it is signed (OAuth 1) or given its bearer token (OAuth 2),
/// for a service that needs something unusual.
pub type Compliance = Arc<dyn Fn(&mut reqwest::Request) + Send + Sync>;

/// The registry of remotes.
pub struct Registry {
    http: reqwest::Client,
    tokens: Option<AnyTokenStore>,
    observer: Option<Arc<dyn Observer>>,
    remotes: BTreeMap<String, Arc<Remote>>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

/// Ten seconds to connect and answer: a stuck service must not hold a sign-in forever.
pub fn default_http_client() -> reqwest::Client {
    http_client_with_timeout(Duration::from_secs(10))
}

/// A client that gives up on any call (connecting included) after `timeout`, and does
/// not follow redirects (a token endpoint that redirects is misconfigured).
pub fn http_client_with_timeout(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

impl Registry {
    /// The default HTTP client, no token store, no observer.
    pub fn new() -> Self {
        Self {
            http: default_http_client(),
            tokens: None,
            observer: None,
            remotes: BTreeMap::new(),
        }
    }

    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// The token store of every remote that has none of its own: a
    /// `TokenStore<RemoteToken>` for OAuth 2 remotes (refreshes are saved through it), or
    /// a plain `TokenStore` of OAuth 1 token credentials.
    pub fn token_store<S, T>(mut self, store: Arc<S>) -> Self
    where
        S: TokenStore<T> + ?Sized + 'static,
        T: TokenKind,
    {
        self.tokens = Some(any_token_store(store));
        self
    }

    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Registers `name` with `config`, the environment's `{NAME}_*` filling its gaps.
    /// Without a request-token URL it is an OAuth 2 remote.
    pub fn register(&mut self, name: &str, config: RemoteConfig) -> Result<Arc<Remote>, Error> {
        self.register_with(name, config, Hooks::default(), |k| std::env::var(k).ok())
    }

    /// [`register`](Self::register) with another source of variables than the process
    /// environment.
    pub fn register_from(
        &mut self,
        name: &str,
        config: RemoteConfig,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Arc<Remote>, Error> {
        self.register_with(name, config, Hooks::default(), lookup)
    }

    /// The whole form: settings, the remote's [`Hooks`], and where its `{NAME}_*`
    /// variables come from (`|k| std::env::var(k).ok()` for the environment).
    pub fn register_with(
        &mut self,
        name: &str,
        config: RemoteConfig,
        hooks: Hooks,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Arc<Remote>, Error> {
        let config = config.from_lookup(name, lookup)?;
        let settings = config.resolve(name)?;
        if hooks.token_response_compliance.is_some() && !matches!(settings, Settings::OAuth2(_)) {
            return Err(ConfigError::Bad {
                key: format!("{name}: token_response_compliance"),
                reason: "only OAuth 2 token responses are JSON to adjust".into(),
            }
            .into());
        }
        let credentials = match &settings {
            Settings::OAuth1(s) => s.client.clone(),
            // Only its HTTP client is used: an OAuth 2 remote signs nothing.
            Settings::OAuth2(s) => ClientCredentials::new(
                s.client_id.clone(),
                s.client_secret
                    .as_ref()
                    .map(|c| c.secret().clone())
                    .unwrap_or_default(),
            ),
        };
        let mut client = Client::new(self.http.clone(), credentials).named(name);
        if let Settings::OAuth1(s) = &settings {
            client = client.signature_method(s.method).placement(s.placement);
            if let Some(realm) = &s.realm {
                client = client.realm(realm.clone());
            }
        }
        if let Some(observer) = &self.observer {
            client = client.observer(observer.clone());
        }
        let remote = Arc::new(Remote {
            name: name.to_owned(),
            client,
            settings,
            tokens: hooks.token_store.or_else(|| self.tokens.clone()),
            compliance: hooks.compliance,
            token_compliance: hooks.token_response_compliance,
            refreshes: RefreshLocks::default(),
        });
        self.remotes.insert(name.to_owned(), remote.clone());
        Ok(remote)
    }

    /// The remote called `name`.
    pub fn remote(&self, name: &str) -> Result<Arc<Remote>, Error> {
        self.remotes
            .get(name)
            .cloned()
            .ok_or_else(|| Error::UnknownRemote(name.to_owned()))
    }

    /// The registered names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.remotes.keys().map(String::as_str)
    }
}

/// What a remote is given besides its settings: code that runs on its requests. All
/// optional; [`Registry::register_with`] takes them.
#[derive(Clone, Default)]
pub struct Hooks {
    /// This remote's token store, in place of the registry's (see [`any_token_store`]).
    pub token_store: Option<AnyTokenStore>,
    /// Adjusts each API request before it is signed (a service's quirks go here).
    pub compliance: Option<Compliance>,
    /// OAuth 2: adjusts the JSON of each access-token response before it is read.
    pub token_response_compliance: Option<TokenResponseCompliance>,
}

/// One registered service.
pub struct Remote {
    name: String,
    client: Client,
    settings: Settings,
    tokens: Option<AnyTokenStore>,
    compliance: Option<Compliance>,
    token_compliance: Option<TokenResponseCompliance>,
    refreshes: RefreshLocks,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote")
            .field("name", &self.name)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Remote {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn is_oauth2(&self) -> bool {
        self.settings.is_oauth2()
    }

    /// The HTTP client this remote signs and sends with. For an OAuth 2 remote only its
    /// [`http`](Client::http) is of use.
    pub fn client(&self) -> &Client {
        &self.client
    }

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
            Error::BadCallback("an OAuth 2 redirect URI must be an absolute URL (RFC 6749 §3.1.2)")
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
    /// [`Error::NotThisBrowser`] and spends nothing. Otherwise it is exchanged: OAuth 1's
    /// verifier with the temporary credentials (RFC 5849 §2.3), or OAuth 2's code with
    /// the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). A refusal is
    /// [`Error::Denied`]. Take `pending` out of its store before calling, so that it is
    /// used once.
    pub async fn authorize_access_token<K: TokenKind>(
        &self,
        pending: &PendingAuthorization<K>,
        callback: &str,
    ) -> Result<K, Error> {
        let token = match &self.settings {
            Settings::OAuth1(settings) => {
                let callback = Callback::parse(callback)?;
                pending.check(&self.name, &callback)?;
                let issued: RequestToken = pending.request_token().ok_or(Error::TokenMismatch)?;
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
        let verifier = pending.verifier().ok_or(Error::TokenMismatch)?;
        let code = match callback {
            CodeCallback::Approved { code, .. } => code,
            CodeCallback::Refused { error, .. } if error == "access_denied" => {
                return Err(Error::Denied);
            }
            CodeCallback::Refused {
                error, description, ..
            } => return Err(Error::OAuth2 { error, description }),
        };
        let redirect_uri = pending
            .redirect_uri()
            .and_then(|u| Url::parse(u).ok())
            .ok_or(Error::BadCallback(
                "the pending sign-in has no redirect URI",
            ))?;
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

    /// The observer, told of an OAuth 2 token request as `step`.
    fn observed(&self, step: Step) -> Option<Observed<'_>> {
        self.client.observer_ref().map(|observer| Observed {
            observer,
            remote: &self.name,
            step,
        })
    }

    /// Saves `token` for `user` through the token store's `update_token`.
    pub async fn save_token<K: TokenKind>(&self, user: &UserKey, token: &K) -> Result<(), Error> {
        match &self.tokens {
            Some(store) => {
                store
                    .update_token(&self.name, user, &token.clone().into_remote())
                    .await
            }
            None => Ok(()),
        }
    }

    /// `path` joined to the API base URL; absolute URLs are used as they are.
    pub fn url(&self, path: &str) -> Result<Url, Error> {
        if let Ok(url) = Url::parse(path) {
            return Ok(url);
        }
        let base = self
            .settings
            .api_base_url()
            .ok_or_else(|| Error::BadPath(path.to_owned()))?;
        base.join(path.trim_start_matches('/'))
            .map_err(|_| Error::BadPath(path.to_owned()))
    }

    fn store(&self) -> Result<&AnyTokenStore, Error> {
        self.tokens
            .as_ref()
            .ok_or_else(|| Error::NoToken(self.name.clone()))
    }

    async fn stored(&self, user: &UserKey) -> Result<RemoteToken, Error> {
        self.store()?
            .fetch_token(&self.name, user)
            .await?
            .ok_or_else(|| Error::NoToken(self.name.clone()))
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
                self.store()?
                    .update_token(&self.name, user, &RemoteToken::OAuth2(fresh.clone()))
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

    /// A `GET` of an API path for `user`, whose token comes from the token store
    /// (refreshed first if need be).
    pub async fn get(&self, path: &str, user: &UserKey) -> Result<reqwest::Response, Error> {
        let token: RemoteToken = self.fetch_token(user).await?;
        self.get_with(path, &token).await
    }

    /// A `GET` of an API path with `token`, already fetched with [`Remote::token`] or
    /// [`Remote::fetch_token`].
    pub async fn get_with<K: TokenKind>(
        &self,
        path: &str,
        token: &K,
    ) -> Result<reqwest::Response, Error> {
        let request = self.client.http().get(self.url(path)?).build()?;
        self.send(request, token).await
    }

    /// A form `POST` of an API path for `user`.
    pub async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        user: &UserKey,
    ) -> Result<reqwest::Response, Error> {
        let token: RemoteToken = self.fetch_token(user).await?;
        let request = self
            .client
            .http()
            .post(self.url(path)?)
            .form(form)
            .build()?;
        self.send(request, &token).await
    }

    /// Applies the compliance hook, then signs with OAuth 1 token credentials or adds
    /// `Authorization: Bearer` for an OAuth 2 token (RFC 6750 §2.1), and sends. A token
    /// passed here is used as it is; [`fetch_token`](Self::fetch_token) refreshes.
    pub async fn send<K: TokenKind>(
        &self,
        mut request: reqwest::Request,
        token: &K,
    ) -> Result<reqwest::Response, Error> {
        if let Some(hook) = &self.compliance {
            hook(&mut request);
        }
        match token.token_ref() {
            TokenRef::OAuth1(token) => self.client.send(request, Some(token)).await,
            TokenRef::OAuth2(token) => {
                if !token.is_bearer() {
                    return Err(Error::UnsupportedTokenType(token.token_type.clone()));
                }
                let mut value =
                    HeaderValue::from_str(&format!("Bearer {}", token.access_token.secret()))
                        .map_err(|_| Error::HeaderNotAscii)?;
                value.set_sensitive(true);
                request.headers_mut().insert(AUTHORIZATION, value);
                let response = self.client.http().execute(request).await?;
                let status = response.status();
                if status.is_success() {
                    Ok(response)
                } else {
                    let body = response.text().await.unwrap_or_default();
                    Err(RemoteError::new(status.as_u16(), body).into())
                }
            }
        }
    }
}
