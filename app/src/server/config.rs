//! The site's configuration, from the environment (see `app/.env.sample` and the README's
//! configuration table). Remotes are listed in `SITE_REMOTES`; each is configured by the
//! `oauth1` registry's `{NAME}_*` variables, plus `{NAME}_BRAND` for its display name.

use crate::server::plumbing::store_kind::StoreKind;

mod remotes;
use remotes::{api_v2, remotes};
pub use remotes::{brand, remote_defaults};

#[derive(Clone, Debug)]
pub struct SiteConfig {
    /// `SITE_LISTEN`, else cargo-leptos' `LEPTOS_SITE_ADDR`, default `127.0.0.1:3000`.
    pub listen: String,
    /// `SITE_PUBLIC_URL`: where browsers reach the site; callbacks are built from it.
    pub public_url: url::Url,
    /// `DATABASE_URL`, default `sqlite://data/site.db`.
    pub database_url: String,
    /// `SITE_REMOTES`, default `chirp,warble`, and `chirp2`, `twitter`, `x` when
    /// `CHIRP2_CLIENT_ID`, `TWITTER_CLIENT_ID`, `X_CLIENT_ID` are set.
    pub remotes: Vec<String>,
    /// `PENDING_SIGN_IN_STORE` (formerly `TEMP_CREDENTIAL_STORE`): where sign-ins under
    /// way wait with their temporary credentials, `sql` (default) or `redis`.
    pub pending_sign_ins: StoreKind,
    /// `SESSION_STORE`: `sql` (default) or `redis` (with `REDIS_URL`).
    pub sessions: StoreKind,
    /// `REDIS_PREFIX`, default `site:`: starts every Redis key of the site, temporary
    /// sign-ins under way under `{prefix}tc:`, sessions under `{prefix}session:`.
    pub redis_prefix: String,
    /// `SITE_OUTBOUND_TIMEOUT_SECS`, default 10: the longest any call to a provider may
    /// take, connecting included.
    pub outbound_timeout: std::time::Duration,
    /// `{NAME}_API_V2_URL` of each OAuth 1.0a remote whose profile page and posting go
    /// through API v2 (`GET /2/users/me`, `GET /2/users/{id}/tweets`, `POST /2/tweets`,
    /// signed with OAuth 1.0a user context) rather than v1.1's timeline calls, which most
    /// X plans no longer serve. `twitter` defaults to `https://api.x.com/2/`. (OAuth 2.0
    /// remotes always use v2, at their `{NAME}_API_BASE_URL`.)
    pub api_v2: std::collections::BTreeMap<String, url::Url>,
    /// `SITE_SIGN_INS_PER_ADDRESS` per `SITE_SIGN_IN_WINDOW_SECS`, default 30 per 300:
    /// how many sign-ins one client address may start (`throttle.rs`).
    pub sign_ins_per_address: u32,
    pub sign_in_window: std::time::Duration,
    /// `SWEEP_INTERVAL_SECS`, default 60: how often expired sessions and abandoned
    /// sign-ins are deleted (`storage::EXPIRING`).
    pub sweep_interval: std::time::Duration,
    /// `TRUSTED_PROXY`: the reverse proxy in front, whose right-most `X-Forwarded-For`
    /// entry is then the client address (`plumbing::client_addr`).
    pub trusted_proxy: Option<std::net::IpAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{key} = {value:?}: {reason}")]
    Bad {
        key: &'static str,
        value: String,
        reason: String,
    },
    #[error("remote {remote:?}: {source}")]
    Remote {
        remote: String,
        source: oauth1::Error,
    },
}

/// A setting as given: `None` when unset or blank.
type Get<'a> = &'a dyn Fn(&str) -> Option<String>;

impl SiteConfig {
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
        let (listen, public_url) = addresses(&get)?;
        let remotes = remotes(&get)?;
        let (pending_sign_ins, sessions) = stores(&get)?;
        Ok(Self {
            sign_ins_per_address: whole(&get, "SITE_SIGN_INS_PER_ADDRESS", 30, 1_000_000)?,
            sign_in_window: std::time::Duration::from_secs(u64::from(whole(
                &get,
                "SITE_SIGN_IN_WINDOW_SECS",
                300,
                86_400,
            )?)),
            sweep_interval: std::time::Duration::from_secs(u64::from(whole(
                &get,
                "SWEEP_INTERVAL_SECS",
                60,
                86_400,
            )?)),
            trusted_proxy: trusted_proxy(&get)?,
            outbound_timeout: outbound_timeout(&get)?,
            api_v2: api_v2(&get, &remotes)?,
            listen,
            public_url,
            database_url: get("DATABASE_URL").unwrap_or_else(|| "sqlite://data/site.db".to_owned()),
            remotes,
            pending_sign_ins,
            sessions,
            redis_prefix: get("REDIS_PREFIX").unwrap_or_else(|| "site:".to_owned()),
        })
    }

    /// The callback URL of remote `name`: `{SITE_PUBLIC_URL}authorize/{name}`.
    pub fn callback(&self, name: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}/authorize/{name}")
    }
}

/// `SITE_LISTEN` and `SITE_PUBLIC_URL` (by default the listen address over http).
fn addresses(get: Get) -> Result<(String, url::Url), ConfigError> {
    // cargo-leptos names the address in LEPTOS_SITE_ADDR (its `site-addr`).
    let (key, listen) = match (get("SITE_LISTEN"), get("LEPTOS_SITE_ADDR")) {
        (Some(listen), _) => ("SITE_LISTEN", listen),
        (None, Some(addr)) => ("LEPTOS_SITE_ADDR", addr),
        (None, None) => ("SITE_LISTEN", "127.0.0.1:3000".to_owned()),
    };
    if let Err(e) = listen.trim().parse::<std::net::SocketAddr>() {
        return Err(ConfigError::Bad {
            key,
            value: listen,
            reason: format!("{e}: use an address and a port, such as 127.0.0.1:3000"),
        });
    }
    let public = get("SITE_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}/"));
    let public_url = url::Url::parse(&public).map_err(|e| ConfigError::Bad {
        key: "SITE_PUBLIC_URL",
        value: public.clone(),
        reason: e.to_string(),
    })?;
    Ok((listen, public_url))
}

/// `PENDING_SIGN_IN_STORE` (or its older name `TEMP_CREDENTIAL_STORE`) and
/// `SESSION_STORE`, each `sql` or `redis` (at `REDIS_URL`).
fn stores(get: Get) -> Result<(StoreKind, StoreKind), ConfigError> {
    let kind = |key: &'static str, value: Option<String>| {
        StoreKind::from_vars(value.as_deref(), get("REDIS_URL").as_deref()).map_err(|reason| {
            ConfigError::Bad {
                key,
                value: value.clone().unwrap_or_default(),
                reason,
            }
        })
    };
    let pending = match get("PENDING_SIGN_IN_STORE") {
        Some(value) => kind("PENDING_SIGN_IN_STORE", Some(value))?,
        None => kind("TEMP_CREDENTIAL_STORE", get("TEMP_CREDENTIAL_STORE"))?,
    };
    Ok((pending, kind("SESSION_STORE", get("SESSION_STORE"))?))
}

/// `SITE_OUTBOUND_TIMEOUT_SECS`, default 10.
fn outbound_timeout(get: Get) -> Result<std::time::Duration, ConfigError> {
    let timeout = get("SITE_OUTBOUND_TIMEOUT_SECS").unwrap_or_else(|| "10".to_owned());
    match timeout.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 600.0 => Ok(std::time::Duration::from_secs_f64(secs)),
        _ => Err(ConfigError::Bad {
            key: "SITE_OUTBOUND_TIMEOUT_SECS",
            value: timeout,
            reason: "a number of seconds above 0, at most 600".into(),
        }),
    }
}

/// A whole-number setting from 1 to `max`.
fn whole(get: Get, key: &'static str, default: u32, max: u32) -> Result<u32, ConfigError> {
    let value = get(key).unwrap_or_else(|| default.to_string());
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(ConfigError::Bad {
            key,
            value,
            reason: format!("a whole number from 1 to {max}"),
        }),
    }
}

/// `TRUSTED_PROXY`: one IP address, or unset.
fn trusted_proxy(get: Get) -> Result<Option<std::net::IpAddr>, ConfigError> {
    get("TRUSTED_PROXY")
        .map(|value| {
            value.trim().parse().map_err(|_| ConfigError::Bad {
                key: "TRUSTED_PROXY",
                value: value.clone(),
                reason: "one IP address, such as 10.0.0.2".into(),
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<SiteConfig, ConfigError> {
        SiteConfig::from_lookup(&|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn redis_holds_what_it_is_asked_to_under_one_prefix() {
        let plain = config(&[]).unwrap();
        assert_eq!(plain.sessions, StoreKind::Sql);
        assert_eq!(plain.pending_sign_ins, StoreKind::Sql);
        assert_eq!(plain.redis_prefix, "site:");
        let both = config(&[
            ("SESSION_STORE", "redis"),
            ("TEMP_CREDENTIAL_STORE", "redis"),
            ("REDIS_URL", "redis://r:1"),
            ("REDIS_PREFIX", "demo:"),
        ])
        .unwrap();
        assert_eq!(both.sessions, StoreKind::Redis("redis://r:1".into()));
        assert_eq!(
            both.pending_sign_ins,
            StoreKind::Redis("redis://r:1".into())
        );
        assert_eq!(both.redis_prefix, "demo:");
    }

    #[test]
    fn a_bad_listen_address_names_its_variable_and_the_form_it_takes() {
        let err = config(&[("SITE_LISTEN", "nonsense")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("SITE_LISTEN"), "{err}");
        assert!(err.contains("127.0.0.1:3000"), "{err}");
        assert_eq!(
            config(&[("SITE_LISTEN", "0.0.0.0:8080")]).unwrap().listen,
            "0.0.0.0:8080"
        );
    }

    /// `cargo leptos watch` names the address in LEPTOS_SITE_ADDR; SITE_LISTEN wins.
    #[test]
    fn cargo_leptos_s_site_address_is_honoured() {
        let leptos = config(&[("LEPTOS_SITE_ADDR", "127.0.0.1:3005")]).unwrap();
        assert_eq!(leptos.listen, "127.0.0.1:3005");
        let both = config(&[
            ("LEPTOS_SITE_ADDR", "127.0.0.1:3005"),
            ("SITE_LISTEN", "127.0.0.1:3006"),
        ])
        .unwrap();
        assert_eq!(both.listen, "127.0.0.1:3006");
        let err = config(&[("LEPTOS_SITE_ADDR", "nonsense")]).unwrap_err();
        assert!(err.to_string().starts_with("LEPTOS_SITE_ADDR"), "{err}");
    }

    #[test]
    fn a_bad_store_names_its_variable() {
        for key in [
            "SESSION_STORE",
            "PENDING_SIGN_IN_STORE",
            "TEMP_CREDENTIAL_STORE",
        ] {
            let err = config(&[(key, "memcached")]).unwrap_err();
            assert!(err.to_string().starts_with(key), "{err}");
        }
    }

    /// A sign-in under way has one name, `PENDING_SIGN_IN_STORE`; the older
    /// `TEMP_CREDENTIAL_STORE` still works, and the new name wins when both are set.
    #[test]
    fn pending_sign_ins_have_one_setting_and_the_old_name_is_an_alias() {
        let new = config(&[("PENDING_SIGN_IN_STORE", "redis")]).unwrap();
        assert!(matches!(new.pending_sign_ins, StoreKind::Redis(_)));
        let old = config(&[("TEMP_CREDENTIAL_STORE", "redis")]).unwrap();
        assert!(matches!(old.pending_sign_ins, StoreKind::Redis(_)));
        let both = config(&[
            ("PENDING_SIGN_IN_STORE", "sql"),
            ("TEMP_CREDENTIAL_STORE", "redis"),
        ])
        .unwrap();
        assert_eq!(both.pending_sign_ins, StoreKind::Sql);
    }

    #[test]
    fn the_sign_in_quota_and_the_proxy_are_read_and_checked() {
        let plain = config(&[]).unwrap();
        assert_eq!(plain.sign_ins_per_address, 30);
        assert_eq!(plain.sign_in_window.as_secs(), 300);
        assert_eq!(plain.trusted_proxy, None);
        let set = config(&[
            ("SITE_SIGN_INS_PER_ADDRESS", "5"),
            ("SITE_SIGN_IN_WINDOW_SECS", "60"),
            ("TRUSTED_PROXY", "10.0.0.2"),
        ])
        .unwrap();
        assert_eq!(
            (set.sign_ins_per_address, set.sign_in_window.as_secs()),
            (5, 60)
        );
        assert_eq!(set.trusted_proxy, Some([10, 0, 0, 2].into()));
        for (key, value) in [
            ("SITE_SIGN_INS_PER_ADDRESS", "0"),
            ("SITE_SIGN_IN_WINDOW_SECS", "soon"),
            ("TRUSTED_PROXY", "proxy.local"),
        ] {
            let err = config(&[(key, value)]).unwrap_err();
            assert!(err.to_string().starts_with(key), "{err}");
        }
    }

    #[test]
    fn the_oauth2_remotes_join_the_defaults_when_they_have_a_client() {
        assert_eq!(config(&[]).unwrap().remotes, ["chirp", "warble"]);
        let both = config(&[("CHIRP2_CLIENT_ID", "c"), ("X_CLIENT_ID", "x")]).unwrap();
        assert_eq!(both.remotes, ["chirp", "warble", "chirp2", "x"]);
        assert_eq!(brand("chirp2", &|_| None), "Chirp (OAuth 2.0)");
        assert!(remote_defaults("chirp2").request_token_url.is_none());
    }
}
