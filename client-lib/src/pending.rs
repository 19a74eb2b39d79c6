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

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use url::Url;

use crate::callback::{Callback, CallbackError};
use crate::types::Token;

/// What one browser started: the remote and the request token. Nothing secret (the token
/// is in the authorization URL too; its secret stays in the temporary-credential cache),
/// so it may be serialized into a session store.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PendingAuthorization {
    pub remote: String,
    pub token: Token,
}

impl PendingAuthorization {
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
        PendingAuthorization {
            remote: "chirp".into(),
            token: Token::new(token),
        }
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
