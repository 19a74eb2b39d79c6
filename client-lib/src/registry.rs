//! Many remotes at once, by name, in the style of Authlib's Flask `OAuth` registry:
//! `register`, then `authorize_redirect` / `authorize_access_token` for the sign-in and
//! `get` / `post` for API calls whose token comes from a [`TokenStore`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use url::Url;

use crate::cache::{MemoryCache, TemporaryCredentialCache};
use crate::callback::Callback;
use crate::client::Client;
use crate::config::{RemoteConfig, Settings};
use crate::error::Error;
use crate::observe::Observer;
use crate::pending::{AuthorizationRedirect, PendingAuthorization};
use crate::types::{AccessToken, RequestToken};

/// Adjusts a request before it is signed, for a service that needs something unusual.
pub type Compliance = Arc<dyn Fn(&mut reqwest::Request) + Send + Sync>;

/// The site's own key for one of its users, under which a [`TokenStore`] files their
/// tokens. A type of its own, so that neither a remote's name nor a token fits where a
/// user belongs, and a numeric id reaches the store as a number, not as text to parse.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UserKey {
    /// A numeric user id, as SQL tables have them.
    Id(i64),
    /// Any other key (a UUID, a user name).
    Name(String),
}

impl From<i64> for UserKey {
    fn from(id: i64) -> Self {
        UserKey::Id(id)
    }
}

impl From<&str> for UserKey {
    fn from(name: &str) -> Self {
        UserKey::Name(name.to_owned())
    }
}

impl From<String> for UserKey {
    fn from(name: String) -> Self {
        UserKey::Name(name)
    }
}

impl std::fmt::Display for UserKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UserKey::Id(id) => write!(f, "{id}"),
            UserKey::Name(name) => f.write_str(name),
        }
    }
}

/// Where the token credentials of the site's users live (Authlib's `fetch_token` and
/// `update_token`), by remote and [`UserKey`].
#[async_trait]
pub trait TokenStore: Send + Sync {
    async fn fetch_token(&self, remote: &str, user: &UserKey)
    -> Result<Option<AccessToken>, Error>;

    /// Called when a remote hands out a new token for `user`.
    async fn update_token(
        &self,
        _remote: &str,
        _user: &UserKey,
        _token: &AccessToken,
    ) -> Result<(), Error> {
        Ok(())
    }
}

/// The registry of remotes.
pub struct Registry {
    http: reqwest::Client,
    cache: Arc<dyn TemporaryCredentialCache>,
    tokens: Option<Arc<dyn TokenStore>>,
    observer: Option<Arc<dyn Observer>>,
    ttl: Duration,
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
    /// An in-memory temporary-credential cache, no token store, 15 minutes to sign in.
    pub fn new() -> Self {
        Self {
            http: default_http_client(),
            cache: Arc::new(MemoryCache::new()),
            tokens: None,
            observer: None,
            ttl: Duration::from_secs(15 * 60),
            remotes: BTreeMap::new(),
        }
    }

    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// Where temporary credentials wait for the callback (the `save_request_token` /
    /// `fetch_request_token` hooks of Authlib are this trait's `set` and `take`).
    pub fn cache(mut self, cache: Arc<dyn TemporaryCredentialCache>) -> Self {
        self.cache = cache;
        self
    }

    /// The token store of every remote that has none of its own.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.tokens = Some(store);
        self
    }

    pub fn observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// How long a started sign-in may wait for its callback.
    pub fn temporary_credential_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Registers `name` with `config`, the environment's `{NAME}_*` filling its gaps.
    pub fn register(&mut self, name: &str, config: RemoteConfig) -> Result<Arc<Remote>, Error> {
        self.register_from(name, config, |k| std::env::var(k).ok())
    }

    /// [`register`](Self::register) with another source of variables than the process
    /// environment.
    pub fn register_from(
        &mut self,
        name: &str,
        config: RemoteConfig,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Arc<Remote>, Error> {
        let config = config.from_lookup(name, lookup)?;
        let settings = config.resolve(name)?;
        let mut client = Client::new(self.http.clone(), settings.client.clone())
            .signature_method(settings.method)
            .placement(settings.placement)
            .named(name);
        if let Some(realm) = &settings.realm {
            client = client.realm(realm.clone());
        }
        if let Some(observer) = &self.observer {
            client = client.observer(observer.clone());
        }
        let remote = Arc::new(Remote {
            name: name.to_owned(),
            client,
            settings,
            cache: self.cache.clone(),
            tokens: config.token_store.or_else(|| self.tokens.clone()),
            compliance: config.compliance,
            ttl: self.ttl,
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

/// One registered service.
pub struct Remote {
    name: String,
    client: Client,
    settings: Settings,
    cache: Arc<dyn TemporaryCredentialCache>,
    tokens: Option<Arc<dyn TokenStore>>,
    compliance: Option<Compliance>,
    ttl: Duration,
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

    /// The HTTP client this remote signs and sends with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Leg 1 and the start of leg 2: fetches temporary credentials for `callback`, keeps
    /// them in the cache under their token and a fresh binding, and returns the URL to send the user to with
    /// the [`PendingAuthorization`] to keep for this browser until the callback.
    pub async fn authorize_redirect(&self, callback: &str) -> Result<AuthorizationRedirect, Error> {
        self.authorize_redirect_with(callback, &[]).await
    }

    /// [`authorize_redirect`](Self::authorize_redirect) with authorization parameters
    /// beyond the configured ones (such as `screen_name`).
    pub async fn authorize_redirect_with(
        &self,
        callback: &str,
        extra: &[(String, String)],
    ) -> Result<AuthorizationRedirect, Error> {
        let token = self
            .client
            .request_token(&self.settings.request_token_url, callback)
            .await?;
        let pending = PendingAuthorization::new(&self.name, token.token.clone());
        self.cache
            .set(&pending.cache_key(), &token, self.ttl)
            .await?;
        let params: Vec<(String, String)> = self
            .settings
            .authorize_params
            .iter()
            .chain(extra)
            .cloned()
            .collect();
        Ok(AuthorizationRedirect {
            url: Client::authorization_url(&self.settings.authorize_url, &token, &params),
            pending,
        })
    }

    /// The rest of leg 2 and leg 3, for the browser that began the flow: `pending` is
    /// what [`authorize_redirect`](Self::authorize_redirect) returned to it, `callback`
    /// the callback's full URL or query. A callback that is not for `pending` is
    /// [`Error::NotThisBrowser`] and spends nothing. Otherwise the temporary credentials
    /// are taken out of the cache (once only) and the verifier exchanged. A refusal is
    /// [`Error::Denied`]; a used or expired token is [`Error::TokenMismatch`].
    pub async fn authorize_access_token(
        &self,
        pending: &PendingAuthorization,
        callback: &str,
    ) -> Result<AccessToken, Error> {
        let callback = Callback::parse(callback)?;
        pending.check(&self.name, &callback)?;
        let issued: Option<RequestToken> = self.cache.take(&pending.cache_key()).await?;
        let issued = issued.ok_or(Error::TokenMismatch)?;
        let verifier = callback.verifier_for(&issued)?;
        self.client
            .access_token(&self.settings.access_token_url, &issued, verifier)
            .await
    }

    /// Saves `token` for `user` through the token store's `update_token`.
    pub async fn save_token(&self, user: &UserKey, token: &AccessToken) -> Result<(), Error> {
        match &self.tokens {
            Some(store) => store.update_token(&self.name, user, token).await,
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
            .api_base_url
            .as_ref()
            .ok_or_else(|| Error::BadPath(path.to_owned()))?;
        base.join(path.trim_start_matches('/'))
            .map_err(|_| Error::BadPath(path.to_owned()))
    }

    /// `user`'s access token from the token store; `Error::NoToken` if there is none.
    /// Fetch it once to make several calls with [`Remote::get_with`] or [`Remote::send`].
    pub async fn token(&self, user: &UserKey) -> Result<AccessToken, Error> {
        let store = self
            .tokens
            .as_ref()
            .ok_or_else(|| Error::NoToken(self.name.clone()))?;
        store
            .fetch_token(&self.name, user)
            .await?
            .ok_or_else(|| Error::NoToken(self.name.clone()))
    }

    /// A signed `GET` of an API path for `user`, whose token comes from the token store.
    pub async fn get(&self, path: &str, user: &UserKey) -> Result<reqwest::Response, Error> {
        let token = self.token(user).await?;
        self.get_with(path, &token).await
    }

    /// A signed `GET` of an API path with `token`, already fetched with [`Remote::token`].
    pub async fn get_with(
        &self,
        path: &str,
        token: &AccessToken,
    ) -> Result<reqwest::Response, Error> {
        let request = self.client.http().get(self.url(path)?).build()?;
        self.send(request, token).await
    }

    /// A signed form `POST` of an API path for `user`.
    pub async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        user: &UserKey,
    ) -> Result<reqwest::Response, Error> {
        let token = self.token(user).await?;
        let request = self
            .client
            .http()
            .post(self.url(path)?)
            .form(form)
            .build()?;
        self.send(request, &token).await
    }

    /// Applies the compliance hook, signs with `token` and sends.
    pub async fn send(
        &self,
        mut request: reqwest::Request,
        token: &AccessToken,
    ) -> Result<reqwest::Response, Error> {
        if let Some(hook) = &self.compliance {
            hook(&mut request);
        }
        self.client.send(request, Some(token)).await
    }
}
