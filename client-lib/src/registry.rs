//! Many remotes at once, by name, in the style of Authlib's Flask `OAuth` registry:
//! `register`, then `authorize_redirect` / `authorize_access_token` for the sign-in and
//! `get` / `post` for API calls whose token comes from a [`TokenStore`]. The same calls
//! serve OAuth 1 remotes (RFC 5849) and OAuth 2 ones (RFC 6749 with PKCE, RFC 7636),
//! whose tokens are refreshed before they expire (RFC 6749 §6).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::client::Client;
use crate::config::{ConfigError, RemoteConfig};
use crate::error::Error;
use crate::http_client::{Observed, TokenResponseCompliance};
use crate::observe::{Observer, Step};
use crate::refresh::RefreshLocks;
use crate::settings::Settings;
use crate::tokens::{AnyTokenStore, TokenKind, any_token_store};
pub use crate::tokens::{TokenStore, UserKey};
use crate::types::ClientCredentials;

mod api;
mod sign_in;
mod user_tokens;

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

    /// The observer, told of an OAuth 2 token request as `step`.
    fn observed(&self, step: Step) -> Option<Observed<'_>> {
        self.client.observer_ref().map(|observer| Observed {
            observer,
            remote: &self.name,
            step,
        })
    }
}
