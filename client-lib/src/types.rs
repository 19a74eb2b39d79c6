//! Every protocol value is a type (RFC 5849 §1.1 terminology).
//!
//! Public values (keys, tokens, nonces) are plain newtypes over `String`. Secrets are
//! newtypes whose `Debug` prints `[redacted]` and whose value is read through `.secret()`,
//! so a stray `{:?}` in a log line never leaks them. Request tokens (temporary credentials,
//! §2.1) and access tokens (token credentials, §2.3) are distinct types, so one cannot be
//! passed where the other belongs.

use std::fmt;

macro_rules! public_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

macro_rules! secret_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// `Debug` prints `[redacted]`; the value is read with [`Self::secret`]. It does
        /// not implement `Serialize`, so it cannot end up in a JSON response by accident.
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }
            /// The secret itself. Call sites that read it are the ones to audit.
            pub fn secret(&self) -> &str {
                &self.0
            }
            pub fn into_secret(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

public_value!(
    /// `oauth_consumer_key`: identifies the client (RFC 5849 §3.1).
    ConsumerKey
);
public_value!(
    /// `oauth_token`: identifies a set of token credentials, temporary or not (§3.1).
    Token
);
public_value!(
    /// `oauth_nonce`: unique per timestamp, client and token (§3.3).
    Nonce
);
secret_value!(
    /// The client's shared secret (§2).
    ConsumerSecret
);
secret_value!(
    /// `oauth_token_secret` of temporary or token credentials (§2.1, §2.3).
    TokenSecret
);
secret_value!(
    /// `oauth_verifier`: proves the resource owner approved the request (§2.2).
    Verifier
);
secret_value!(
    /// An OAuth 2 `access_token` (RFC 6749 §5.1), sent as a bearer token (RFC 6750 §2.1).
    BearerToken
);
secret_value!(
    /// An OAuth 2 `refresh_token` (RFC 6749 §1.5, §6).
    RefreshToken
);
secret_value!(
    /// An OAuth 2 authorization `code` from the callback (RFC 6749 §4.1.2).
    AuthorizationCode
);

/// `oauth_timestamp`: seconds since the Unix epoch (§3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs)
    }
    pub const fn as_secs(self) -> u64 {
        self.0
    }
    /// The current time, from the system clock.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self(secs)
    }

    /// The current time, from the browser's clock: std's `SystemTime::now` panics on
    /// wasm32-unknown-unknown. `Date.now()` is whole milliseconds since the epoch.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    pub fn now() -> Self {
        Self((js_sys::Date::now() / 1000.0) as u64)
    }
}

/// The decimal digits of `n`, written into `buf`: a number as text without allocating.
pub(crate) fn decimal(n: u64, buf: &mut [u8; 20]) -> &str {
    let mut n = n;
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[start..]).unwrap_or_default()
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Nonce {
    /// 32 random alphanumeric characters from the operating system's CSPRNG.
    pub fn generate() -> Self {
        use rand::RngExt as _;
        use rand::distr::Alphanumeric;
        let nonce: String = rand::rng()
            .sample_iter(Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        Self(nonce)
    }
}

/// Client credentials: the consumer key and secret (§1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientCredentials {
    pub key: ConsumerKey,
    pub secret: ConsumerSecret,
}

impl ClientCredentials {
    pub fn new(key: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            key: ConsumerKey::new(key),
            secret: ConsumerSecret::new(secret),
        }
    }
}

/// Token and secret, whatever their stage in the flow. Signing takes any of them.
pub trait TokenCredentials: Send + Sync {
    fn token(&self) -> &Token;
    fn token_secret(&self) -> &TokenSecret;
}

/// Temporary credentials from the request-token leg (§2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestToken {
    pub token: Token,
    pub secret: TokenSecret,
}

/// Token credentials from the access-token leg (§2.3), with the extra fields the
/// service returned (Twitter sends `user_id` and `screen_name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken {
    pub token: Token,
    pub secret: TokenSecret,
    /// Every other field of the response, in order.
    pub extra: Vec<(String, String)>,
}

impl RequestToken {
    pub fn new(token: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            token: Token::new(token),
            secret: TokenSecret::new(secret),
        }
    }
}

impl AccessToken {
    pub fn new(token: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            token: Token::new(token),
            secret: TokenSecret::new(secret),
            extra: Vec::new(),
        }
    }
    /// An extra response field by name, such as `user_id` or `screen_name`.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl TokenCredentials for RequestToken {
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_secret(&self) -> &TokenSecret {
        &self.secret
    }
}

impl TokenCredentials for AccessToken {
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_secret(&self) -> &TokenSecret {
        &self.secret
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_writes_every_digit() {
        let mut buf = [0; 20];
        for n in [0, 7, 10, 1318622958, u64::MAX] {
            assert_eq!(decimal(n, &mut buf), n.to_string());
        }
    }

    use super::*;

    #[test]
    fn secrets_print_redacted_in_debug() {
        let creds = ClientCredentials::new("key", "hunter2");
        let token = AccessToken::new("tok", "s3cret");
        let verifier = Verifier::new("v3rifier");
        let printed = format!("{creds:?} {token:?} {verifier:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(!printed.contains("v3rifier"), "{printed}");
        assert!(printed.contains("[redacted]"));
        assert!(printed.contains("key") && printed.contains("tok"));
    }

    #[test]
    fn generated_nonces_are_long_alphanumeric_and_distinct() {
        let a = Nonce::generate();
        let b = Nonce::generate();
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
