//! The settings the provider reads, their defaults, and the errors that name them.

use super::*;

/// `provider serve --help` lists every variable this file reads, and nothing else.
#[test]
fn the_help_lists_every_setting_read() {
    let source = include_str!("../config.rs");
    let code = &source[..source.find("#[cfg(test)]").unwrap()];
    let code = &code[code.find("impl Config {").unwrap()..];
    let mut read: Vec<&str> = code
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.len() > 3
                && s.as_bytes()[0].is_ascii_uppercase()
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        })
        .collect();
    read.sort_unstable();
    read.dedup();
    let listed: Vec<&str> = SETTINGS.iter().map(|(name, _)| *name).collect();
    for name in &read {
        assert!(listed.contains(name), "{name} is read but not in SETTINGS");
    }
    for name in listed {
        let logging = ["LOG_FORMAT", "RUST_LOG"].contains(&name);
        assert!(
            logging || read.contains(&name),
            "{name} is listed but never read"
        );
        assert!(settings_help().contains(name));
    }
}

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
    let config = Config::from_lookup(|k| (k == "REDIS_URL").then(|| "redis://r:1".into())).unwrap();
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
    assert_eq!(with(&redis).unwrap().session_store, StoreKind::Sql);
    let config = with(&[("REDIS_URL", "redis://r:1"), ("SESSION_STORE", "redis")]).unwrap();
    assert_eq!(config.session_store, StoreKind::Redis("redis://r:1".into()));
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
    let bad = Config::from_lookup(|k| (k == "ALLOW_PLAINTEXT_OVER_HTTP").then(|| "maybe".into()));
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
fn a_debugger_url_is_an_absolute_http_url_or_none() {
    let with = |v: &str| {
        let v = v.to_owned();
        Config::from_lookup(move |k| (k == "PROVIDER_DEBUGGER_URL").then(|| v.clone()))
    };
    assert_eq!(Config::from_lookup(|_| None).unwrap().debugger_url, None);
    assert_eq!(
        with("http://127.0.0.1:3000/debugger")
            .unwrap()
            .debugger_url
            .unwrap()
            .as_str(),
        "http://127.0.0.1:3000/debugger"
    );
    for bad in [
        "/debugger",
        "ftp://example.com/debugger",
        "debugger",
        "mailto:a@b",
    ] {
        let err = with(bad).unwrap_err();
        assert!(
            err.to_string().starts_with("PROVIDER_DEBUGGER_URL"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn a_bad_value_names_its_variable() {
    let err = Config::from_lookup(|k| (k == "PROVIDER_LISTEN").then(|| "nope".into())).unwrap_err();
    assert!(err.to_string().starts_with("PROVIDER_LISTEN"), "{err}");
}
