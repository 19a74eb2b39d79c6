//! Every setting the provider reads, with its default: the list `provider serve --help`
//! prints after its options (a test in `config` checks it against what is read).

/// Every setting the provider reads, with its default, as `provider serve --help` lists
/// them (a test checks the list against what `from_lookup` reads).
pub const SETTINGS: &[(&str, &str)] = &[
    (
        "PROVIDER_BRAND",
        "name on its pages and in its cookie [Chirp]",
    ),
    ("PROVIDER_LISTEN", "address to listen on [127.0.0.1:8001]"),
    (
        "PROVIDER_PUBLIC_URL",
        "URL clients use; base strings are rebuilt from it [http://{PROVIDER_LISTEN}]",
    ),
    (
        "DATABASE_URL",
        "sqlite:// file or postgres:// URL [sqlite://data/{brand}.db]",
    ),
    (
        "NONCE_STORE",
        "memory, sql, redis or auto [auto: redis with REDIS_URL, else memory]",
    ),
    ("SESSION_STORE", "sql or redis [sql]"),
    (
        "REDIS_URL",
        "Redis for nonces or sessions [redis://127.0.0.1:6379]",
    ),
    (
        "REDIS_PREFIX",
        "start of every Redis key [oauth1-provider:]",
    ),
    (
        "TIMESTAMP_WINDOW_SECS",
        "accepted clock difference of oauth_timestamp [300]",
    ),
    (
        "REQUEST_TOKEN_TTL_SECS",
        "lifetime of temporary credentials [600]",
    ),
    (
        "OAUTH2_ACCESS_TOKEN_TTL_SECS",
        "lifetime of an OAuth 2.0 access token [7200]",
    ),
    (
        "ALLOW_PLAINTEXT_OVER_HTTP",
        "accept PLAINTEXT over http, a local demo only [false]",
    ),
    (
        "SWEEP_INTERVAL_SECS",
        "how often expired rows are deleted [60]",
    ),
    (
        "LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS",
        "sign-in attempts per window [10]",
    ),
    (
        "LOGIN_ATTEMPTS_PER_ACCOUNT",
        "sign-in attempts per window [100]",
    ),
    (
        "LOGIN_ATTEMPTS_PER_ADDRESS",
        "sign-in attempts per window [100]",
    ),
    (
        "LOGIN_WINDOW_SECS",
        "the window of the sign-in and sign-up quotas [300]",
    ),
    ("SIGNUPS_PER_ADDRESS", "sign-ups per window [10]"),
    (
        "TRUSTED_PROXY",
        "IP of the reverse proxy whose X-Forwarded-For is believed [none]",
    ),
    (
        "PROVIDER_DEBUGGER_URL",
        "signature debugger a refused signature's 401 body points to [none]",
    ),
    ("LOG_FORMAT", "text or json [text]"),
    ("RUST_LOG", "log filter [info,sqlx=warn]"),
];

/// [`SETTINGS`] as the text after `provider serve --help`.
pub fn settings_help() -> String {
    let width = SETTINGS
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    let mut text = String::from("Settings, from the environment or provider/.env ([default]):\n");
    for (name, meaning) in SETTINGS {
        text.push_str(&format!("  {name:width$}  {meaning}\n"));
    }
    text
}
