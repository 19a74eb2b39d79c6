//! Configuration, from environment variables only (documented in `.env.sample`), so the
//! same binary runs as "Chirp" on one port and "Warble" on another.

use std::net::{IpAddr, SocketAddr};

use url::Url;

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
    pub session_store: SessionStoreKind,
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
        let get = |name: &'static str, default: &str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let invalid = |name: &'static str, reason: String| ConfigError::Invalid { name, reason };

        let brand = get("PROVIDER_BRAND", "Chirp");
        let listen: SocketAddr = get("PROVIDER_LISTEN", "127.0.0.1:8001")
            .parse()
            .map_err(|e| invalid("PROVIDER_LISTEN", format!("{e}")))?;
        let public_url = get("PROVIDER_PUBLIC_URL", &format!("http://{listen}"));
        let public_url =
            Url::parse(&public_url).map_err(|e| invalid("PROVIDER_PUBLIC_URL", format!("{e}")))?;
        let default_db = format!("sqlite://data/{}.db", brand.to_ascii_lowercase());
        let database_url = get("DATABASE_URL", &default_db);
        let nonce_store = match get("NONCE_STORE", "auto").as_str() {
            "memory" => NonceStoreKind::Memory,
            "sql" => NonceStoreKind::Sql,
            "redis" => NonceStoreKind::Redis(get("REDIS_URL", "redis://127.0.0.1:6379")),
            // Redis when configured, else the memory map: right for one process. Postgres
            // is how several instances share a database, and memory nonces would let a
            // request be replayed once per instance, so there the choice must be explicit.
            "auto" => match lookup("REDIS_URL").filter(|v| !v.is_empty()) {
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
        };
        let session_store = SessionStoreKind::from_vars(
            lookup("SESSION_STORE").as_deref(),
            lookup("REDIS_URL")
                .as_deref()
                .filter(|v| !v.trim().is_empty()),
        )
        .map_err(|reason| invalid("SESSION_STORE", reason))?;
        let number = |name: &'static str, default: &str| {
            get(name, default)
                .parse::<u64>()
                .map_err(|e| invalid(name, format!("{e}")))
        };
        let flag = |name: &'static str| match get(name, "false").to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            other => Err(invalid(name, format!("{other:?}: expected true or false"))),
        };
        let count = |name: &'static str, default: &str| {
            let n = number(name, default)?;
            u32::try_from(n)
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| invalid(name, format!("{n}: expected 1 to {}", u32::MAX)))
        };
        let login_window_secs = number("LOGIN_WINDOW_SECS", "300")?;
        if login_window_secs == 0 {
            return Err(invalid("LOGIN_WINDOW_SECS", "must be at least 1".into()));
        }
        let trusted_proxy = lookup("TRUSTED_PROXY")
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<IpAddr>())
            .transpose()
            .map_err(|e| invalid("TRUSTED_PROXY", format!("{e}: expected one IP address")))?;
        Ok(Self {
            brand,
            listen,
            secure_cookies: public_url.scheme() == "https",
            public_url,
            database_url,
            nonce_store,
            session_store,
            redis_prefix: get("REDIS_PREFIX", "oauth1-provider:"),
            timestamp_window_secs: number("TIMESTAMP_WINDOW_SECS", "300")?,
            request_token_ttl_secs: number("REQUEST_TOKEN_TTL_SECS", "600")?,
            oauth2_access_token_ttl_secs: number("OAUTH2_ACCESS_TOKEN_TTL_SECS", "7200")?.max(1),
            allow_plaintext_over_http: flag("ALLOW_PLAINTEXT_OVER_HTTP")?,
            sweep_interval_secs: number("SWEEP_INTERVAL_SECS", "60")?.max(1),
            login_attempts_per_account_and_address: count(
                "LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS",
                "10",
            )?,
            login_attempts_per_account: count("LOGIN_ATTEMPTS_PER_ACCOUNT", "100")?,
            login_attempts_per_address: count("LOGIN_ATTEMPTS_PER_ADDRESS", "100")?,
            login_window_secs,
            signups_per_address: count("SIGNUPS_PER_ADDRESS", "10")?,
            trusted_proxy,
        })
    }
}

/// Where sessions are kept, as configured by `SESSION_STORE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionStoreKind {
    /// The service's own database: shared by the instances on it.
    Sql,
    /// Redis at this URL: shared too, and no database round trip per page.
    Redis(String),
}

impl SessionStoreKind {
    /// Reads `SESSION_STORE` (`sql` or `redis`, default `sql`) and, for Redis, `REDIS_URL`.
    pub fn from_vars(store: Option<&str>, redis_url: Option<&str>) -> Result<Self, String> {
        match store.map(str::trim).unwrap_or("sql") {
            "" | "sql" => Ok(Self::Sql),
            "redis" => Ok(Self::Redis(
                redis_url
                    .unwrap_or("redis://127.0.0.1:6379")
                    .trim()
                    .to_owned(),
            )),
            other => Err(format!("{other:?}: expected sql or redis")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_describe_a_local_chirp() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.brand, "Chirp");
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:8001/");
        assert_eq!(config.database_url, "sqlite://data/chirp.db");
        assert_eq!(config.nonce_store, NonceStoreKind::Memory);
        assert_eq!(config.timestamp_window_secs, 300);
    }

    #[test]
    fn a_redis_url_selects_the_redis_nonce_store() {
        let config =
            Config::from_lookup(|k| (k == "REDIS_URL").then(|| "redis://r:1".into())).unwrap();
        assert_eq!(
            config.nonce_store,
            NonceStoreKind::Redis("redis://r:1".into())
        );
    }

    #[test]
    fn sessions_are_in_the_database_unless_redis_is_asked_for() {
        let with = |vars: &[(&str, &str)]| {
            Config::from_lookup(|k| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            })
        };
        let redis = [("REDIS_URL", "redis://r:1")];
        assert_eq!(with(&redis).unwrap().session_store, SessionStoreKind::Sql);
        let config = with(&[("REDIS_URL", "redis://r:1"), ("SESSION_STORE", "redis")]).unwrap();
        assert_eq!(
            config.session_store,
            SessionStoreKind::Redis("redis://r:1".into())
        );
        let err = with(&[("SESSION_STORE", "memcached")]).unwrap_err();
        assert!(err.to_string().starts_with("SESSION_STORE"), "{err}");
    }

    #[test]
    fn auto_nonces_on_postgres_without_redis_refuse_to_start() {
        let with = |vars: &[(&str, &str)]| {
            Config::from_lookup(|k| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            })
        };
        let postgres = ("DATABASE_URL", "postgres://db/chirp");
        let err = with(&[postgres]).unwrap_err();
        assert!(err.to_string().starts_with("NONCE_STORE"), "{err}");
        let err = with(&[postgres, ("NONCE_STORE", "auto")]).unwrap_err();
        assert!(err.to_string().contains("NONCE_STORE=redis"), "{err}");
        for (explicit, kind) in [
            ("memory", NonceStoreKind::Memory),
            ("sql", NonceStoreKind::Sql),
        ] {
            let config = with(&[postgres, ("NONCE_STORE", explicit)]).unwrap();
            assert_eq!(config.nonce_store, kind);
        }
        let config = with(&[postgres, ("REDIS_URL", "redis://r:1")]).unwrap();
        assert_eq!(
            config.nonce_store,
            NonceStoreKind::Redis("redis://r:1".into())
        );
    }

    #[test]
    fn plaintext_over_http_is_off_unless_asked_for() {
        assert!(
            !Config::from_lookup(|_| None)
                .unwrap()
                .allow_plaintext_over_http
        );
        let on = Config::from_lookup(|k| (k == "ALLOW_PLAINTEXT_OVER_HTTP").then(|| "true".into()));
        assert!(on.unwrap().allow_plaintext_over_http);
        let bad =
            Config::from_lookup(|k| (k == "ALLOW_PLAINTEXT_OVER_HTTP").then(|| "maybe".into()));
        assert!(
            bad.unwrap_err()
                .to_string()
                .starts_with("ALLOW_PLAINTEXT_OVER_HTTP")
        );
    }

    #[test]
    fn a_trusted_proxy_is_one_ip_address_or_none() {
        let with = |v: &str| {
            let v = v.to_owned();
            Config::from_lookup(move |k| (k == "TRUSTED_PROXY").then(|| v.clone()))
        };
        assert_eq!(Config::from_lookup(|_| None).unwrap().trusted_proxy, None);
        assert_eq!(
            with(" 10.0.0.2 ").unwrap().trusted_proxy,
            Some(IpAddr::from([10, 0, 0, 2]))
        );
        let err = with("10.0.0.0/8").unwrap_err();
        assert!(err.to_string().starts_with("TRUSTED_PROXY"), "{err}");
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err =
            Config::from_lookup(|k| (k == "PROVIDER_LISTEN").then(|| "nope".into())).unwrap_err();
        assert!(err.to_string().starts_with("PROVIDER_LISTEN"), "{err}");
    }
}
