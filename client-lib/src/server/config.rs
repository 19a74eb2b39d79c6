//! What a [`super::Server`] is configured with: its public URL, the timestamp window,
//! the lifetime of temporary credentials, bounds on what a request may carry, the
//! PLAINTEXT policy, and the clock (which tests set).

use std::sync::Arc;

use url::Url;

/// Seconds since the Unix epoch, from somewhere.
pub trait Clock: Send + Sync {
    fn now(&self) -> u64;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl SystemClock {
    pub(crate) fn now_secs(self) -> u64 {
        crate::types::Timestamp::now().as_secs()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        self.now_secs()
    }
}

#[derive(Clone)]
pub struct ServerConfig {
    /// The URL the server is reached at, as clients write it (`https://api.example/`).
    /// Every signature base string is built from it and the request's path and query
    /// (RFC 5849 §3.4.1.2): `Host` and `X-Forwarded-*` are never trusted, since a client
    /// could otherwise choose the URL its signature is checked against.
    pub public_url: Url,
    /// How far `oauth_timestamp` may be from the server's clock, either way (§3.3).
    /// Nonces are remembered for as long.
    pub timestamp_window_secs: u64,
    /// How long temporary credentials live (§2.1: "short-lived").
    pub temporary_ttl_secs: u64,
    /// The longest `oauth_nonce` taken; a nonce holds RFC 3986 unreserved characters.
    pub max_nonce_len: usize,
    /// The longest `oauth_callback` taken (each pending request stores one).
    pub max_callback_len: usize,
    /// The largest body read (the caller should not read more).
    pub max_body: usize,
    /// The most parameters a request may carry, every location together.
    pub max_params: usize,
    /// PLAINTEXT sends both secrets as the signature (§3.4.4: only over TLS). Refused
    /// when the public URL is `http` unless this is set (a local demo).
    pub allow_plaintext_over_http: bool,
    /// Whether `oauth_callback=oob` (a PIN shown to the person) is accepted.
    pub allow_oob: bool,
    pub clock: Arc<dyn Clock>,
}

impl ServerConfig {
    /// The defaults: a five-minute window, temporary credentials for fifteen minutes,
    /// nonces of 64 characters, callbacks of 2 KiB, 64 KiB bodies, 1,024 parameters,
    /// PLAINTEXT over https only, `oob` allowed, the system clock.
    pub fn new(public_url: Url) -> Self {
        Self {
            public_url,
            timestamp_window_secs: 300,
            temporary_ttl_secs: 900,
            max_nonce_len: 64,
            max_callback_len: 2048,
            max_body: 64 * 1024,
            max_params: crate::verify::MAX_PARAMETERS,
            allow_plaintext_over_http: false,
            allow_oob: true,
            clock: Arc::new(SystemClock),
        }
    }

    pub(crate) fn now(&self) -> u64 {
        self.clock.now()
    }

    /// The realm of `WWW-Authenticate` challenges: the public URL.
    pub fn realm(&self) -> String {
        self.public_url.as_str().replace('"', "")
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("public_url", &self.public_url.as_str())
            .field("timestamp_window_secs", &self.timestamp_window_secs)
            .field("temporary_ttl_secs", &self.temporary_ttl_secs)
            .field("allow_plaintext_over_http", &self.allow_plaintext_over_http)
            .field("allow_oob", &self.allow_oob)
            .finish_non_exhaustive()
    }
}
