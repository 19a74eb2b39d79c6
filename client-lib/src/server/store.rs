//! What the application stores, mirroring Authlib's hooks. The library makes every
//! token, secret and verifier; a store only keeps them and finds them again.
//!
//! | Authlib | here |
//! |---|---|
//! | `get_client_by_id` | [`ClientStore::client`] |
//! | `create_temporary_credential` | [`TemporaryStore::save`] |
//! | `get_temporary_credential` | [`TemporaryStore::get`] |
//! | `create_authorization_verifier` | [`TemporaryStore::approve`] (once) |
//! | `delete_temporary_credential` | [`TemporaryStore::take`] (single use), [`TemporaryStore::void`] |
//! | `create_token_credential` | [`TokenStore::save`] |
//! | the protector's token lookup | [`TokenStore::get`] |
//! | `exists_nonce` | [`super::NonceStore::insert_once`] |

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::types::{ConsumerKey, ConsumerSecret, Token, TokenSecret, Verifier};
use crate::verify::SignedParams;

/// What an application attaches to its clients, people and grants (the server's `C`,
/// `U` and `G`): any value that can be cloned out of a store and shared across tasks.
/// Implemented for every such type; it names that bound once instead of at every `impl`.
pub trait Data: Clone + Send + Sync + 'static {}

impl<T: Clone + Send + Sync + 'static> Data for T {}

/// A storage failure, whatever the store's own error type: `?` converts any error.
#[derive(Debug)]
pub struct StoreError(Box<dyn std::error::Error + Send + Sync>);

impl<E: std::error::Error + Send + Sync + 'static> From<E> for StoreError {
    fn from(err: E) -> Self {
        Self(Box::new(err))
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl StoreError {
    /// The store's own error, to look at (`downcast_ref`).
    pub fn inner(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }

    /// The store's own error, to take back (`downcast`).
    pub fn into_inner(self) -> Box<dyn std::error::Error + Send + Sync> {
        self.0
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A registered client: its credentials, its registered callbacks, and whatever the
/// application attaches (`app`: its row id, name, permissions...).
#[derive(Clone, Debug)]
pub struct ClientRecord<C> {
    pub key: ConsumerKey,
    pub secret: ConsumerSecret,
    /// Absolute URLs; a request's callback must be one of them, where it may add its
    /// own query (see [`super::callback_allowed`]).
    pub callbacks: Vec<String>,
    /// The public key the client registered for RSA-SHA1 (§3.4.3), if any. A client
    /// without one can sign with the HMAC methods and PLAINTEXT only.
    pub public_key: Option<ClientPublicKey>,
    pub app: C,
}

impl<C> ClientRecord<C> {
    /// A client that signs with its shared secret (no RSA key).
    pub fn new(
        key: impl Into<String>,
        secret: impl Into<String>,
        callbacks: Vec<String>,
        app: C,
    ) -> Self {
        Self {
            key: ConsumerKey::new(key),
            secret: ConsumerSecret::new(secret),
            callbacks,
            public_key: None,
            app,
        }
    }

    /// The same client, also allowed to sign with RSA-SHA1 under `key`.
    pub fn with_public_key(mut self, key: ClientPublicKey) -> Self {
        self.public_key = Some(key);
        self
    }
}

/// A client's RSA-SHA1 public key, parsed once (a store may keep it with the client).
/// Without the `rsa` feature none can be made, and `None` is the only value a
/// [`ClientRecord`] holds.
#[derive(Clone, Debug)]
pub struct ClientPublicKey {
    #[cfg(feature = "rsa")]
    key: std::sync::Arc<crate::rsa_sha1::RsaSha1PublicKey>,
    #[cfg(not(feature = "rsa"))]
    never: std::convert::Infallible,
}

#[cfg(feature = "rsa")]
impl ClientPublicKey {
    /// Reads a PEM public key (`PUBLIC KEY` or `RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, crate::rsa_sha1::RsaKeyError> {
        crate::rsa_sha1::RsaSha1PublicKey::from_pem(pem).map(Self::from)
    }
}

#[cfg(feature = "rsa")]
impl From<crate::rsa_sha1::RsaSha1PublicKey> for ClientPublicKey {
    fn from(key: crate::rsa_sha1::RsaSha1PublicKey) -> Self {
        Self {
            key: std::sync::Arc::new(key),
        }
    }
}

impl ClientPublicKey {
    /// §3.4.3: checks an RSA-SHA1 request's signature with this key.
    pub(crate) fn verify(&self, params: &SignedParams) -> Result<(), crate::VerifyError> {
        #[cfg(feature = "rsa")]
        return params.verify_rsa_sha1(&self.key);
        #[cfg(not(feature = "rsa"))]
        {
            let _ = params;
            match self.never {}
        }
    }
}

/// The owner's answer at §2.2: who approved, and the verifier that proves it.
#[derive(Clone, Debug)]
pub struct Approval<U> {
    pub user: U,
    pub verifier: Verifier,
}

/// Temporary credentials (§2.1), bound to the client they were issued to. `G` is what
/// the client asked to be granted, in the application's terms (Twitter's access level,
/// a scope; `()` for none): chosen when they are issued, it goes on to the token
/// credentials.
#[derive(Clone, Debug)]
pub struct TemporaryCredentials<U, G = ()> {
    pub token: Token,
    pub secret: TokenSecret,
    pub consumer_key: ConsumerKey,
    /// Checked against the client's registered ones when issued; `oob` for a PIN.
    pub callback: String,
    /// Unix seconds.
    pub expires_at: u64,
    /// Set once, by [`TemporaryStore::approve`].
    pub approval: Option<Approval<U>>,
    pub grant: G,
}

/// Token credentials (§2.3), for the client they were issued to and the user who
/// approved, with what was granted.
#[derive(Clone, Debug)]
pub struct TokenRecord<U, G = ()> {
    pub token: Token,
    pub secret: TokenSecret,
    pub consumer_key: ConsumerKey,
    pub user: U,
    pub grant: G,
}

#[async_trait]
pub trait ClientStore<C>: Send + Sync {
    /// The client with this consumer key.
    async fn client(&self, consumer_key: &str) -> StoreResult<Option<ClientRecord<C>>>;
}

#[async_trait]
pub trait TemporaryStore<U, G = ()>: Send + Sync {
    /// Keeps new temporary credentials of `client` (§2.1). `request` is the verified
    /// request, for parameters of the application's own (Twitter's
    /// `x_auth_access_type`).
    async fn save(
        &self,
        temporary: &TemporaryCredentials<U, G>,
        request: &SignedParams,
    ) -> StoreResult<()>;
    /// The temporary credentials with this token, approved or not. The server checks
    /// their expiry itself.
    async fn get(&self, token: &str) -> StoreResult<Option<TemporaryCredentials<U, G>>>;
    /// Records the owner's approval, only if none was recorded before: `false` if there
    /// was one (or the credentials are gone). Atomic: of two answers, one wins.
    async fn approve(&self, token: &str, approval: &Approval<U>) -> StoreResult<bool>;
    /// Removes the temporary credentials and returns them: of concurrent exchanges, one
    /// gets them (§2.3: single use).
    async fn take(&self, token: &str) -> StoreResult<Option<TemporaryCredentials<U, G>>>;
    /// Removes them (denied, or a wrong verifier was tried).
    async fn void(&self, token: &str) -> StoreResult<()>;
}

#[async_trait]
pub trait TokenStore<C, U, G = ()>: Send + Sync {
    /// Keeps new token credentials (§2.3), made from `temporary` for `client`; returns
    /// the extra fields of the response (Twitter's `user_id` and `screen_name`).
    async fn save(
        &self,
        client: &ClientRecord<C>,
        temporary: &TemporaryCredentials<U, G>,
        token: &TokenRecord<U, G>,
    ) -> StoreResult<Vec<(String, String)>>;
    /// The token credentials with this token, with their client.
    async fn get(&self, token: &str) -> StoreResult<Option<(ClientRecord<C>, TokenRecord<U, G>)>>;
}

/// Temporary credentials in this process's memory, the default: enough for one
/// instance (they live minutes). Each client has at most [`MAX_PENDING_PER_CLIENT`]
/// pending (its oldest go first), so no client can crowd out the others; past
/// [`MAX_MEMORY_TEMPORARIES`] in all, the expired go, then new ones are refused.
pub struct MemoryTemporaries<U, G = ()> {
    entries: Mutex<Entries<U, G>>,
}

struct Entries<U, G> {
    by_token: HashMap<String, TemporaryCredentials<U, G>>,
    /// Each client's pending tokens, oldest first (some may be gone already).
    by_client: HashMap<String, std::collections::VecDeque<String>>,
}

impl<U, G> Default for MemoryTemporaries<U, G> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(Entries {
                by_token: HashMap::new(),
                by_client: HashMap::new(),
            }),
        }
    }
}

/// Entries kept at most: past this, the expired go first, then new ones are refused.
pub const MAX_MEMORY_TEMPORARIES: usize = 100_000;
/// Pending temporary credentials one client keeps at most: its oldest go first.
pub const MAX_PENDING_PER_CLIENT: usize = 1_000;

#[derive(Debug, thiserror::Error)]
#[error("too many temporary credentials are pending")]
struct Full;

impl<U, G> Entries<U, G> {
    fn remove(&mut self, token: &str) -> Option<TemporaryCredentials<U, G>> {
        let removed = self.by_token.remove(token)?;
        if let Some(tokens) = self.by_client.get_mut(removed.consumer_key.as_str()) {
            tokens.retain(|t| t != token);
            if tokens.is_empty() {
                self.by_client.remove(removed.consumer_key.as_str());
            }
        }
        Some(removed)
    }
}

impl<U, G> MemoryTemporaries<U, G> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<U, G>> {
        // A poisoned lock only means a panic elsewhere mid-insert; the map is whole.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl<U, G> TemporaryStore<U, G> for MemoryTemporaries<U, G>
where
    U: Data,
    G: Data,
{
    async fn save(
        &self,
        temporary: &TemporaryCredentials<U, G>,
        _: &SignedParams,
    ) -> StoreResult<()> {
        let mut entries = self.lock();
        let client = temporary.consumer_key.as_str();
        while entries.by_client.get(client).map_or(0, |t| t.len()) >= MAX_PENDING_PER_CLIENT {
            let oldest = entries
                .by_client
                .get_mut(client)
                .and_then(|tokens| tokens.pop_front());
            if let Some(oldest) = oldest {
                entries.by_token.remove(&oldest);
            }
        }
        if entries.by_token.len() >= MAX_MEMORY_TEMPORARIES {
            let now = super::config::SystemClock.now_secs();
            let expired: Vec<String> = entries
                .by_token
                .iter()
                .filter(|(_, t)| t.expires_at < now)
                .map(|(token, _)| token.clone())
                .collect();
            for token in expired {
                entries.remove(&token);
            }
            if entries.by_token.len() >= MAX_MEMORY_TEMPORARIES {
                return Err(Full.into());
            }
        }
        let token = temporary.token.as_str().to_owned();
        entries
            .by_client
            .entry(client.to_owned())
            .or_default()
            .push_back(token.clone());
        entries.by_token.insert(token, temporary.clone());
        Ok(())
    }

    async fn get(&self, token: &str) -> StoreResult<Option<TemporaryCredentials<U, G>>> {
        Ok(self.lock().by_token.get(token).cloned())
    }

    async fn approve(&self, token: &str, approval: &Approval<U>) -> StoreResult<bool> {
        Ok(match self.lock().by_token.get_mut(token) {
            Some(temporary) if temporary.approval.is_none() => {
                temporary.approval = Some(approval.clone());
                true
            }
            _ => false,
        })
    }

    async fn take(&self, token: &str) -> StoreResult<Option<TemporaryCredentials<U, G>>> {
        Ok(self.lock().remove(token))
    }

    async fn void(&self, token: &str) -> StoreResult<()> {
        self.lock().remove(token);
        Ok(())
    }
}
