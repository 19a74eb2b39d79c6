//! A user's token at a remote, of either kind, and the [`TokenStore`] that keeps it.
//!
//! An OAuth 1 remote hands out token credentials ([`AccessToken`], RFC 5849 §2.3), an
//! OAuth 2 remote an access token ([`OAuth2Token`], RFC 6749 §5.1); [`RemoteToken`] is
//! either. Calls that return a token are generic over [`TokenKind`], so code written for
//! one kind keeps its type and a site that has both asks for `RemoteToken`.

use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;

use crate::bearer::OAuth2Token;
use crate::error::Error;
use crate::types::AccessToken;

/// A token of either kind.
#[derive(Clone, Debug, PartialEq)]
pub enum RemoteToken {
    OAuth1(AccessToken),
    OAuth2(OAuth2Token),
}

/// A borrowed [`RemoteToken`], for sending without a clone.
#[derive(Clone, Copy, Debug)]
pub enum TokenRef<'a> {
    OAuth1(&'a AccessToken),
    OAuth2(&'a OAuth2Token),
}

impl RemoteToken {
    pub fn as_ref(&self) -> TokenRef<'_> {
        match self {
            RemoteToken::OAuth1(t) => TokenRef::OAuth1(t),
            RemoteToken::OAuth2(t) => TokenRef::OAuth2(t),
        }
    }

    pub fn oauth1(&self) -> Option<&AccessToken> {
        match self {
            RemoteToken::OAuth1(t) => Some(t),
            RemoteToken::OAuth2(_) => None,
        }
    }

    pub fn oauth2(&self) -> Option<&OAuth2Token> {
        match self {
            RemoteToken::OAuth2(t) => Some(t),
            RemoteToken::OAuth1(_) => None,
        }
    }
}

impl From<AccessToken> for RemoteToken {
    fn from(t: AccessToken) -> Self {
        RemoteToken::OAuth1(t)
    }
}

impl From<OAuth2Token> for RemoteToken {
    fn from(t: OAuth2Token) -> Self {
        RemoteToken::OAuth2(t)
    }
}

/// What a token-returning call may be asked for: [`AccessToken`] (OAuth 1 remotes only),
/// [`OAuth2Token`] (OAuth 2 only) or [`RemoteToken`] (either).
pub trait TokenKind: Clone + Send + Sync + 'static {
    /// Named in [`Error::WrongTokenKind`].
    const KIND: &'static str;
    fn from_remote(token: RemoteToken) -> Result<Self, Error>;
    fn into_remote(self) -> RemoteToken;
    fn token_ref(&self) -> TokenRef<'_>;
}

impl TokenKind for RemoteToken {
    const KIND: &'static str = "a token of either kind";
    fn from_remote(token: RemoteToken) -> Result<Self, Error> {
        Ok(token)
    }
    fn into_remote(self) -> RemoteToken {
        self
    }
    fn token_ref(&self) -> TokenRef<'_> {
        self.as_ref()
    }
}

impl TokenKind for AccessToken {
    const KIND: &'static str = "OAuth 1 token credentials";
    fn from_remote(token: RemoteToken) -> Result<Self, Error> {
        match token {
            RemoteToken::OAuth1(t) => Ok(t),
            RemoteToken::OAuth2(_) => Err(Error::WrongTokenKind(Self::KIND)),
        }
    }
    fn into_remote(self) -> RemoteToken {
        RemoteToken::OAuth1(self)
    }
    fn token_ref(&self) -> TokenRef<'_> {
        TokenRef::OAuth1(self)
    }
}

impl TokenKind for OAuth2Token {
    const KIND: &'static str = "an OAuth 2 token";
    fn from_remote(token: RemoteToken) -> Result<Self, Error> {
        match token {
            RemoteToken::OAuth2(t) => Ok(t),
            RemoteToken::OAuth1(_) => Err(Error::WrongTokenKind(Self::KIND)),
        }
    }
    fn into_remote(self) -> RemoteToken {
        RemoteToken::OAuth2(self)
    }
    fn token_ref(&self) -> TokenRef<'_> {
        TokenRef::OAuth2(self)
    }
}

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

/// Where the tokens of the site's users live (Authlib's `fetch_token` and `update_token`).
/// `user` is the caller's own key for the user, such as a local user id.
///
/// `T` is the kind it keeps: `impl TokenStore for S` keeps OAuth 1 token credentials (as
/// before OAuth 2 came); `impl TokenStore<RemoteToken> for S` keeps both kinds, and is
/// what a registry with OAuth 2 remotes needs (refreshed tokens arrive through
/// `update_token`).
#[async_trait]
pub trait TokenStore<T: TokenKind = AccessToken>: Send + Sync {
    async fn fetch_token(&self, remote: &str, user: &UserKey) -> Result<Option<T>, Error>;

    /// Called when a remote hands out a new token for `user` (a sign-in or a refresh).
    async fn update_token(&self, _remote: &str, _user: &UserKey, _token: &T) -> Result<(), Error> {
        Ok(())
    }
}

/// The store a registry keeps: any store, seen as one of both kinds.
pub type AnyTokenStore = Arc<dyn TokenStore<RemoteToken>>;

/// `store` as a store of both kinds: a token of a kind it does not keep is
/// [`Error::WrongTokenKind`] on `update_token`.
pub fn any_token_store<S, T>(store: Arc<S>) -> AnyTokenStore
where
    S: TokenStore<T> + ?Sized + 'static,
    T: TokenKind,
{
    Arc::new(Erased {
        store,
        kind: PhantomData,
    })
}

struct Erased<S: ?Sized, T> {
    store: Arc<S>,
    kind: PhantomData<fn() -> T>,
}

#[async_trait]
impl<S, T> TokenStore<RemoteToken> for Erased<S, T>
where
    S: TokenStore<T> + ?Sized + 'static,
    T: TokenKind,
{
    async fn fetch_token(
        &self,
        remote: &str,
        user: &UserKey,
    ) -> Result<Option<RemoteToken>, Error> {
        Ok(self
            .store
            .fetch_token(remote, user)
            .await?
            .map(T::into_remote))
    }

    async fn update_token(
        &self,
        remote: &str,
        user: &UserKey,
        token: &RemoteToken,
    ) -> Result<(), Error> {
        let token = T::from_remote(token.clone())?;
        self.store.update_token(remote, user, &token).await
    }
}
