//! OAuth 2 tokens: the access-token response of RFC 6749 §5.1, kept with an absolute
//! expiry so a stored token knows when to be refreshed (§6), and sent as a bearer token
//! (RFC 6750 §2.1).

use crate::types::{BearerToken, RefreshToken, Timestamp};

/// How long before its expiry a token is treated as expired: a call made with it would
/// race the clock at the service, so it is refreshed first.
pub const REFRESH_MARGIN_SECS: u64 = 60;

/// An OAuth 2 access token with what came with it. Secrets print `[redacted]` in `Debug`
/// and it does not implement `Serialize`: a token store writes its fields itself.
#[derive(Clone, PartialEq)]
pub struct OAuth2Token {
    pub access_token: BearerToken,
    /// `Bearer` for every service this crate knows (RFC 6750); compared without case.
    pub token_type: String,
    pub refresh_token: Option<RefreshToken>,
    /// Seconds since the Unix epoch: `expires_in` (§5.1) added to the time it arrived.
    /// `None` when the service did not say.
    pub expires_at: Option<u64>,
    /// The granted scope, space-separated (§3.3); `None` when the service did not say,
    /// which means as requested (§5.1).
    pub scope: Option<String>,
    /// Every other field of the response (an `id_token`, a user id, ...).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Debug for OAuth2Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2Token")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("refresh_token", &self.refresh_token)
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            // Names only: an extension field may be a credential too.
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl OAuth2Token {
    /// A bearer token that does not expire and cannot be refreshed.
    pub fn bearer(access_token: impl Into<String>) -> Self {
        Self {
            access_token: BearerToken::new(access_token),
            token_type: "Bearer".into(),
            refresh_token: None,
            expires_at: None,
            scope: None,
            extra: serde_json::Map::new(),
        }
    }

    /// Whether the token has expired at `now`, or will within `margin` seconds.
    pub fn expires_within(&self, now: Timestamp, margin: u64) -> bool {
        self.expires_at
            .is_some_and(|at| at <= now.as_secs().saturating_add(margin))
    }

    /// Whether a call now should refresh it first ([`REFRESH_MARGIN_SECS`]).
    pub fn needs_refresh(&self) -> bool {
        self.expires_within(Timestamp::now(), REFRESH_MARGIN_SECS)
    }

    /// Whether it is a bearer token (RFC 6750), the only kind this crate sends. The
    /// token type is case-insensitive (RFC 6749 §5.1), and services send `bearer` too.
    pub fn is_bearer(&self) -> bool {
        self.token_type.eq_ignore_ascii_case("bearer")
    }

    /// An extra response field as text, such as a user id.
    pub fn extra_str(&self, name: &str) -> Option<&str> {
        self.extra.get(name).and_then(|v| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_extra_values_stay_out_of_debug() {
        let mut token = OAuth2Token::bearer("at-secret");
        token.refresh_token = Some(RefreshToken::new("rt-secret"));
        token
            .extra
            .insert("id_token".into(), serde_json::json!("jwt-secret"));
        let printed = format!("{token:?}");
        for secret in ["at-secret", "rt-secret", "jwt-secret"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("id_token"));
    }

    #[test]
    fn a_token_expiring_within_the_margin_needs_refreshing() {
        let mut token = OAuth2Token::bearer("t");
        assert!(!token.expires_within(Timestamp::from_secs(1000), 60));
        token.expires_at = Some(1059);
        assert!(token.expires_within(Timestamp::from_secs(1000), 60));
        token.expires_at = Some(1061);
        assert!(!token.expires_within(Timestamp::from_secs(1000), 60));
    }
}
