//! A sign-in under way, bound to the browser that began it.
//!
//! RFC 5849 §4.2 leaves the binding to the client: a callback URL names a request token
//! and carries a verifier, and anyone holding that URL could finish the flow. If a site
//! finished a flow from the URL alone, an attacker could approve their own account at
//! the service, keep the callback URL, and get it opened in a victim's browser: the
//! victim's account on the site would be linked to the attacker's (or the victim signed
//! in as the attacker). So [`Remote::authorize_redirect`](crate::Remote::authorize_redirect)
//! returns a [`PendingAuthorization`] that the caller keeps for *this* browser (in its
//! server-side session, as Authlib keeps it in the user's session), and
//! [`Remote::authorize_access_token`](crate::Remote::authorize_access_token) takes it
//! back: a callback that does not match it is refused before anything is spent.
//!
//! It carries the temporary credentials themselves, token *and secret*, as Authlib keeps
//! them in the user's session: a caller cannot build one from a callback URL and finish
//! the flow with it, since the URL never holds the secret. Nothing else keeps them, so
//! the caller's store is the one place a sign-in waits: take it out (once) at the
//! callback, and the flow cannot be finished twice from this side either (the service
//! refuses a spent verifier or code in any case, RFC 5849 §2.3, RFC 6749 §4.1.2).
//!
//! OAuth 2 has the same hazard and the same cure (RFC 6749 §10.12): the callback names
//! the flow by its `state`, which is compared in constant time with the one this browser
//! kept, and the PKCE verifier (RFC 7636 §4.1) is kept with it, as OAuth 1's token secret
//! is.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use url::Url;

use crate::callback::{Callback, CallbackError};
#[cfg(any(feature = "client", test))]
use crate::types::RequestToken;
use crate::types::{AccessToken, Token};

/// What one browser started: the remote, what the callback will name the flow by, and
/// the secret that finishes it (OAuth 1's token secret, OAuth 2's PKCE verifier).
/// Serialize it only into server-side storage (a session store, a database): the secret
/// must not travel to the browser. `Debug` hides it.
///
/// `K` is the token the flow ends with (see [`TokenKind`](crate::TokenKind)):
/// [`AccessToken`] for code that knows only OAuth 1, `RemoteToken` for a site with both
/// kinds of remote. It is not stored: [`with_kind`](Self::with_kind) changes it.
#[derive(Serialize, Deserialize)]
#[serde(bound = "")]
pub struct PendingAuthorization<K = AccessToken> {
    remote: String,
    #[serde(flatten)]
    flow: Flow,
    #[serde(skip)]
    kind: PhantomData<fn() -> K>,
}

/// In JSON, an OAuth 1 flow is `{"remote","token","secret"}` and an OAuth 2 flow
/// `{"remote","state","redirect_uri","verifier"}`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
enum Flow {
    /// The temporary credentials (RFC 5849 §2.1): the token, which the callback carries
    /// as `oauth_token`, and its secret, which signs the access-token request (§2.3).
    OAuth1 { token: Token, secret: String },
    /// The `state` (RFC 6749 §4.1.1), which the callback carries back, the redirect URI
    /// the token request must repeat (§4.1.3), and the PKCE verifier (RFC 7636 §4.1).
    /// The state is the flow's public name, as a request token is, so it has the same
    /// type.
    OAuth2 {
        state: Token,
        redirect_uri: String,
        verifier: String,
    },
}

impl<K> Clone for PendingAuthorization<K> {
    fn clone(&self) -> Self {
        Self {
            remote: self.remote.clone(),
            flow: self.flow.clone(),
            kind: PhantomData,
        }
    }
}

impl<K> PartialEq for PendingAuthorization<K> {
    fn eq(&self, other: &Self) -> bool {
        self.remote == other.remote && self.flow == other.flow
    }
}

impl<K> Eq for PendingAuthorization<K> {}

impl<K> std::hash::Hash for PendingAuthorization<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.remote, &self.flow).hash(state);
    }
}

impl<K> std::fmt::Debug for PendingAuthorization<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PendingAuthorization");
        d.field("remote", &self.remote);
        match &self.flow {
            Flow::OAuth1 { token, .. } => d.field("token", token).field("secret", &"[redacted]"),
            Flow::OAuth2 {
                state,
                redirect_uri,
                ..
            } => d
                .field("state", state)
                .field("redirect_uri", redirect_uri)
                .field("verifier", &"[redacted]"),
        };
        d.finish()
    }
}

impl<K> PendingAuthorization<K> {
    /// A new OAuth 1 sign-in of `remote` with the temporary credentials it was issued.
    #[cfg(any(feature = "client", test))]
    pub(crate) fn new(remote: &str, issued: RequestToken) -> Self {
        Self {
            remote: remote.to_owned(),
            flow: Flow::OAuth1 {
                token: issued.token,
                secret: issued.secret.into_secret(),
            },
            kind: PhantomData,
        }
    }

    /// A new OAuth 2 sign-in of `remote` with `state` and the PKCE `verifier`.
    #[cfg(any(feature = "client", test))]
    pub(crate) fn new_oauth2(
        remote: &str,
        state: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Self {
        Self {
            remote: remote.to_owned(),
            flow: Flow::OAuth2 {
                state: Token::new(state),
                redirect_uri: redirect_uri.to_owned(),
                verifier: verifier.to_owned(),
            },
            kind: PhantomData,
        }
    }

    /// The same sign-in, ending with another kind of token.
    pub fn with_kind<K2>(self) -> PendingAuthorization<K2> {
        PendingAuthorization {
            remote: self.remote,
            flow: self.flow,
            kind: PhantomData,
        }
    }

    pub fn remote(&self) -> &str {
        &self.remote
    }

    /// OAuth 1: the request token. OAuth 2: the `state`, which the callback carries in
    /// its place ([`callback_key`](Self::callback_key) says the same as a `&str`).
    pub fn token(&self) -> &Token {
        match &self.flow {
            Flow::OAuth1 { token, .. } => token,
            Flow::OAuth2 { state, .. } => state,
        }
    }

    /// What the callback URL names this flow by: `oauth_token` for OAuth 1 (RFC 5849
    /// §2.2), `state` for OAuth 2 (RFC 6749 §4.1.2). A site files the sign-in under it
    /// and finds it again with [`Remote::callback_key`](crate::Remote::callback_key).
    pub fn callback_key(&self) -> &str {
        self.token().as_str()
    }

    pub fn is_oauth2(&self) -> bool {
        matches!(self.flow, Flow::OAuth2 { .. })
    }

    /// OAuth 2: the redirect URI the authorization request named (RFC 6749 §4.1.3).
    pub fn redirect_uri(&self) -> Option<&str> {
        match &self.flow {
            Flow::OAuth1 { .. } => None,
            Flow::OAuth2 { redirect_uri, .. } => Some(redirect_uri),
        }
    }

    /// OAuth 1: the temporary credentials, to sign the access-token request with
    /// (RFC 5849 §2.3).
    #[cfg(feature = "client")]
    pub(crate) fn request_token(&self) -> Option<RequestToken> {
        match &self.flow {
            Flow::OAuth1 { token, secret } => {
                Some(RequestToken::new(token.as_str(), secret.as_str()))
            }
            Flow::OAuth2 { .. } => None,
        }
    }

    /// OAuth 2: the PKCE verifier, for the token request (RFC 7636 §4.5).
    #[cfg(feature = "client")]
    pub(crate) fn verifier(&self) -> Option<&str> {
        match &self.flow {
            Flow::OAuth1 { .. } => None,
            Flow::OAuth2 { verifier, .. } => Some(verifier),
        }
    }

    /// Whether OAuth 1 `callback` finishes this flow of `remote`. The token is compared
    /// in constant time, so a guesser learns nothing from how long a refusal takes.
    pub fn matches(&self, remote: &str, callback: &Callback) -> bool {
        !self.is_oauth2() && self.same(remote, callback.token().as_str())
    }

    fn same(&self, remote: &str, key: &str) -> bool {
        let same_key: bool = self
            .token()
            .as_str()
            .as_bytes()
            .ct_eq(key.as_bytes())
            .into();
        same_key && self.remote == remote
    }

    /// [`matches`](Self::matches) as a `Result`: [`CallbackError::NotThisBrowser`] if not.
    pub fn check(&self, remote: &str, callback: &Callback) -> Result<(), CallbackError> {
        if self.matches(remote, callback) {
            Ok(())
        } else {
            Err(CallbackError::NotThisBrowser)
        }
    }

    /// Whether an OAuth 2 callback's `state` is this flow's, of `remote`, compared in
    /// constant time (RFC 6749 §10.12): [`CallbackError::NotThisBrowser`] if not, or if
    /// the callback has none.
    pub fn check_state(&self, remote: &str, state: Option<&str>) -> Result<(), CallbackError> {
        match state {
            Some(state) if self.is_oauth2() && self.same(remote, state) => Ok(()),
            _ => Err(CallbackError::NotThisBrowser),
        }
    }
}

/// What [`Remote::authorize_redirect`](crate::Remote::authorize_redirect) returns: where to
/// send the browser, and what to keep for it until the callback.
#[derive(Clone, Debug)]
pub struct AuthorizationRedirect<K = AccessToken> {
    pub url: Url,
    pub pending: PendingAuthorization<K>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(token: &str) -> PendingAuthorization {
        PendingAuthorization::new("chirp", RequestToken::new(token, "the-token-secret"))
    }

    #[test]
    fn debug_hides_the_secret_and_the_verifier() {
        let shown = format!("{:?}", pending("t"));
        assert!(
            shown.contains("\"t\"") && !shown.contains("the-token-secret"),
            "{shown}"
        );
        let p: PendingAuthorization =
            PendingAuthorization::new_oauth2("x", "st8", "https://s/cb", "the-pkce-verifier");
        let shown = format!("{p:?}");
        assert!(
            shown.contains("st8") && !shown.contains("the-pkce-verifier"),
            "{shown}"
        );
    }

    #[test]
    fn a_callback_for_the_flow_this_browser_began_matches() {
        let cb = Callback::parse("oauth_token=t1&oauth_verifier=v").unwrap();
        assert!(pending("t1").matches("chirp", &cb));
        let denied = Callback::parse("denied=t1").unwrap();
        assert!(pending("t1").check("chirp", &denied).is_ok());
    }

    #[test]
    fn a_callback_for_another_flow_or_remote_does_not() {
        let cb = Callback::parse("oauth_token=t2&oauth_verifier=v").unwrap();
        assert!(matches!(
            pending("t1").check("chirp", &cb),
            Err(CallbackError::NotThisBrowser)
        ));
        assert!(!pending("t2").matches("warble", &cb));
        assert!(
            !pending("t").matches("chirp", &cb),
            "a prefix is not a match"
        );
    }

    #[test]
    fn an_oauth2_flow_is_named_by_its_state_and_checked_against_it() {
        let p: PendingAuthorization =
            PendingAuthorization::new_oauth2("x", "st8", "https://s/cb", "v");
        assert_eq!(p.callback_key(), "st8");
        assert!(p.check_state("x", Some("st8")).is_ok());
        for (remote, state) in [("x", Some("st")), ("x", None), ("y", Some("st8"))] {
            assert_eq!(
                p.check_state(remote, state),
                Err(CallbackError::NotThisBrowser)
            );
        }
        let cb = Callback::parse("oauth_token=st8&oauth_verifier=v").unwrap();
        assert!(
            !p.matches("x", &cb),
            "an OAuth 1 callback does not finish it"
        );
    }

    #[test]
    fn both_kinds_round_trip_through_json() {
        let p = pending("t1");
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(
            json.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["remote", "secret", "token"]
        );
        let back: PendingAuthorization = serde_json::from_value(json).unwrap();
        assert_eq!(back, p);
        let p: PendingAuthorization =
            PendingAuthorization::new_oauth2("x", "s", "https://s/cb", "v");
        let back: PendingAuthorization =
            serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.redirect_uri(), Some("https://s/cb"));
    }
}
