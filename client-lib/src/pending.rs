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
//! It also carries a random binding, made by `authorize_redirect` and kept with the
//! temporary credentials: a caller cannot build one from a callback URL and finish the
//! flow with it, since only the value `authorize_redirect` returned holds the binding.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use url::Url;

use crate::callback::{Callback, CallbackError};
use crate::types::Token;

/// What one browser started: the remote, the request token and the binding. Serialize it
/// only into server-side storage (a session store, a database): the binding is what
/// finishes the flow, so it must not travel to the browser.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PendingAuthorization {
    remote: String,
    token: Token,
    binding: String,
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("remote", &self.remote)
            .field("token", &self.token)
            .field("binding", &"[redacted]")
            .finish()
    }
}

impl PendingAuthorization {
    /// A new sign-in of `remote` with `token`, and a fresh random binding.
    #[cfg(any(feature = "client", test))]
    pub(crate) fn new(remote: &str, token: Token) -> Self {
        use rand::RngExt as _;
        let binding = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        Self {
            remote: remote.to_owned(),
            token,
            binding,
        }
    }

    pub fn remote(&self) -> &str {
        &self.remote
    }

    pub fn token(&self) -> &Token {
        &self.token
    }

    /// The key its temporary credentials are cached under: without the binding, a
    /// callback's token alone finds nothing.
    #[cfg(any(feature = "client", test))]
    pub(crate) fn cache_key(&self) -> String {
        format!("{}:{}:{}", self.remote, self.token.as_str(), self.binding)
    }

    /// Whether `callback` finishes this flow of `remote`. The token is compared in
    /// constant time, so a guesser learns nothing from how long a refusal takes.
    pub fn matches(&self, remote: &str, callback: &Callback) -> bool {
        let same_token: bool = self
            .token
            .as_str()
            .as_bytes()
            .ct_eq(callback.token().as_str().as_bytes())
            .into();
        same_token && self.remote == remote
    }

    /// [`matches`](Self::matches) as a `Result`: [`CallbackError::NotThisBrowser`] if not.
    pub fn check(&self, remote: &str, callback: &Callback) -> Result<(), CallbackError> {
        if self.matches(remote, callback) {
            Ok(())
        } else {
            Err(CallbackError::NotThisBrowser)
        }
    }
}

/// What [`Remote::authorize_redirect`](crate::Remote::authorize_redirect) returns: where to
/// send the browser, and what to keep for it until the callback.
#[derive(Clone, Debug)]
pub struct AuthorizationRedirect {
    pub url: Url,
    pub pending: PendingAuthorization,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(token: &str) -> PendingAuthorization {
        PendingAuthorization::new("chirp", Token::new(token))
    }

    #[test]
    fn each_sign_in_has_its_own_binding_and_debug_hides_it() {
        let (a, b) = (pending("t"), pending("t"));
        assert_ne!(a.cache_key(), b.cache_key());
        assert!(a.cache_key().starts_with("chirp:t:"));
        assert!(!format!("{a:?}").contains(&a.binding));
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
}
