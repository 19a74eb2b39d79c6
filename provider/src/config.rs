//! Configuration, from environment variables (documented in `provider/.env.sample` and
//! by `provider serve --help`), so the same binary runs as "Chirp" and as "Warble".

use std::net::{IpAddr, SocketAddr};

use url::Url;

use crate::plumbing::store_kind::StoreKind;

mod help;
pub use help::{SETTINGS, settings_help};

/// Which store records nonces (RFC 5849 §3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NonceStoreKind {
    /// One process: a map in memory.
    Memory,
    /// The provider's database: shared by every instance on it.
    Sql,
    /// Redis: shared by every instance, and fast.
    Redis(String),
}

#[derive(Clone, Debug)]
pub struct Config {
    /// The brand shown on every page and in `WWW-Authenticate` realms, e.g. "Chirp".
    pub brand: String,
    pub listen: SocketAddr,
    /// The URL clients use to reach this provider. Signature base strings are rebuilt
    /// from it (RFC 5849 §3.4.1.2), never from `Host` or `X-Forwarded-*` headers.
    pub public_url: Url,
    pub database_url: String,
    pub nonce_store: NonceStoreKind,
    /// `SESSION_STORE`: `sql` (default) or `redis` (with `REDIS_URL`).
    pub session_store: StoreKind,
    /// Starts every Redis key, so several deployments can share one Redis.
    pub redis_prefix: String,
    /// Accepted clock difference for `oauth_timestamp`, in both directions (§3.3).
    pub timestamp_window_secs: u64,
    /// Lifetime of temporary credentials (§2.1).
    pub request_token_ttl_secs: u64,
    /// `OAUTH2_ACCESS_TOKEN_TTL_SECS`: lifetime of an OAuth 2.0 access token (RFC 6749
    /// §5.1 `expires_in`), two hours as on X. A shorter one lets a demo or a browser test
    /// see a refresh happen.
    pub oauth2_access_token_ttl_secs: u64,
    /// Whether session cookies get the `Secure` attribute (set behind HTTPS).
    pub secure_cookies: bool,
    /// `ALLOW_PLAINTEXT_OVER_HTTP`: accept PLAINTEXT signatures although the public URL is
    /// plain http (a local demo only). RFC 5849 §3.4.4 allows PLAINTEXT only over a
    /// secure channel: it sends both secrets as they are.
    pub allow_plaintext_over_http: bool,
    /// How often expired request tokens, nonces and sessions are swept, in seconds.
    pub sweep_interval_secs: u64,
    /// Sign-in attempts allowed in each `login_window_secs`, past which `POST /login`
    /// answers 429 with `Retry-After`: per account from one client address (tight),
    /// per client address over all accounts, and per account from anywhere (loose,
    /// against guessing spread over many addresses).
    pub login_attempts_per_account_and_address: u32,
    pub login_attempts_per_account: u32,
    pub login_attempts_per_address: u32,
    pub login_window_secs: u64,
    /// `SIGNUPS_PER_ADDRESS`: accounts a client address may try to create in each
    /// `login_window_secs`; past it `POST /signup` answers 429 with `Retry-After`.
    pub signups_per_address: u32,
    /// `TRUSTED_PROXY`: the address of the reverse proxy in front of this server, if any.
    /// A request from it is counted under the right-most `X-Forwarded-For` entry (the
    /// address the proxy saw); from anywhere else the header is ignored.
    pub trusted_proxy: Option<IpAddr>,
    /// `PROVIDER_DEBUGGER_URL`: a signature debugger (the site's `/debugger`) that the
    /// body of a 401 for a refused signature points to, as Twitter's errors point to its
    /// docs. An absolute http(s) URL; unset, the bodies are Twitter's exactly.
    pub debugger_url: Option<Url>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let r = Reader(lookup);
        let brand = r.get("PROVIDER_BRAND", "Chirp");
        let listen: SocketAddr = r
            .get("PROVIDER_LISTEN", "127.0.0.1:8001")
            .parse()
            .map_err(|e| invalid("PROVIDER_LISTEN", format!("{e}")))?;
        let public_url = r.get("PROVIDER_PUBLIC_URL", &format!("http://{listen}"));
        let public_url =
            Url::parse(&public_url).map_err(|e| invalid("PROVIDER_PUBLIC_URL", format!("{e}")))?;
        let default_db = format!("sqlite://data/{}.db", brand.to_ascii_lowercase());
        let database_url = r.get("DATABASE_URL", &default_db);
        let nonce_store = nonce_store(&r, &database_url)?;
        let session_store = StoreKind::from_vars(
            r.set("SESSION_STORE").as_deref(),
            r.set("REDIS_URL").as_deref(),
        )
        .map_err(|reason| invalid("SESSION_STORE", reason))?;
        let login_window_secs = r.number("LOGIN_WINDOW_SECS", "300")?;
        if login_window_secs == 0 {
            return Err(invalid("LOGIN_WINDOW_SECS", "must be at least 1".into()));
        }
        let trusted_proxy = r
            .set("TRUSTED_PROXY")
            .map(|v| v.trim().parse::<IpAddr>())
            .transpose()
            .map_err(|e| invalid("TRUSTED_PROXY", format!("{e}: expected one IP address")))?;
        let debugger_url = r
            .set("PROVIDER_DEBUGGER_URL")
            .map(|v| absolute_http_url(v.trim()))
            .transpose()
            .map_err(|reason| invalid("PROVIDER_DEBUGGER_URL", reason))?;
        Ok(Self {
            brand,
            listen,
            secure_cookies: public_url.scheme() == "https",
            public_url,
            database_url,
            nonce_store,
            session_store,
            redis_prefix: r.get("REDIS_PREFIX", "oauth1-provider:"),
            timestamp_window_secs: r.number("TIMESTAMP_WINDOW_SECS", "300")?,
            request_token_ttl_secs: r.number("REQUEST_TOKEN_TTL_SECS", "600")?,
            oauth2_access_token_ttl_secs: r.number("OAUTH2_ACCESS_TOKEN_TTL_SECS", "7200")?.max(1),
            allow_plaintext_over_http: r.flag("ALLOW_PLAINTEXT_OVER_HTTP")?,
            sweep_interval_secs: r.number("SWEEP_INTERVAL_SECS", "60")?.max(1),
            login_attempts_per_account_and_address: r
                .count("LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS", "10")?,
            login_attempts_per_account: r.count("LOGIN_ATTEMPTS_PER_ACCOUNT", "100")?,
            login_attempts_per_address: r.count("LOGIN_ATTEMPTS_PER_ADDRESS", "100")?,
            login_window_secs,
            signups_per_address: r.count("SIGNUPS_PER_ADDRESS", "10")?,
            trusted_proxy,
            debugger_url,
        })
    }
}

/// An absolute `http` or `https` URL with a host, or why not.
fn absolute_http_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("{value:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("{value:?}: expected an absolute http(s) URL"));
    }
    Ok(url)
}

fn invalid(name: &'static str, reason: String) -> ConfigError {
    ConfigError::Invalid { name, reason }
}

/// Settings read through a lookup; each error names its variable.
struct Reader<F>(F);

impl<F: Fn(&str) -> Option<String>> Reader<F> {
    /// The value, when set and not blank.
    fn set(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    fn get(&self, name: &str, default: &str) -> String {
        self.set(name).unwrap_or_else(|| default.to_owned())
    }

    fn number(&self, name: &'static str, default: &str) -> Result<u64, ConfigError> {
        self.get(name, default)
            .parse::<u64>()
            .map_err(|e| invalid(name, format!("{e}")))
    }

    fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self.get(name, "false").to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            other => Err(invalid(name, format!("{other:?}: expected true or false"))),
        }
    }

    /// A count from 1 to `u32::MAX`.
    fn count(&self, name: &'static str, default: &str) -> Result<u32, ConfigError> {
        let n = self.number(name, default)?;
        u32::try_from(n)
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| invalid(name, format!("{n}: expected 1 to {}", u32::MAX)))
    }
}

/// `NONCE_STORE`: memory, sql, redis, or auto (the default).
fn nonce_store<F: Fn(&str) -> Option<String>>(
    r: &Reader<F>,
    database_url: &str,
) -> Result<NonceStoreKind, ConfigError> {
    Ok(match r.get("NONCE_STORE", "auto").as_str() {
        "memory" => NonceStoreKind::Memory,
        "sql" => NonceStoreKind::Sql,
        "redis" => NonceStoreKind::Redis(r.get("REDIS_URL", "redis://127.0.0.1:6379")),
        // Redis when configured, else the memory map: right for one process. Postgres
        // is how several instances share a database, and memory nonces would let a
        // request be replayed once per instance, so there the choice must be explicit.
        "auto" => match r.set("REDIS_URL") {
            Some(url) => NonceStoreKind::Redis(url),
            None if database_url.starts_with("postgres") => {
                return Err(invalid(
                    "NONCE_STORE",
                    "auto picks per-process memory when REDIS_URL is unset, and with a \
                     Postgres DATABASE_URL other instances would accept a nonce this one \
                     has seen: set NONCE_STORE=redis (with REDIS_URL), sql, or memory \
                     for a single instance"
                        .into(),
                ));
            }
            None => NonceStoreKind::Memory,
        },
        other => {
            return Err(invalid(
                "NONCE_STORE",
                format!("{other:?}: expected memory, sql, redis or auto"),
            ));
        }
    })
}

#[cfg(test)]
mod tests;
