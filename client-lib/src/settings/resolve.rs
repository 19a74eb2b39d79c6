//! How a [`RemoteConfig`] becomes [`Settings`], per protocol: every key checked, and
//! named when it is wrong (unknown `CLIENT_KWARGS`, bad values, the other kind's keys).

use url::Url;

use super::{Common, OAuth1Settings, OAuth2Settings, Settings, TokenEndpointAuth};
use crate::config::{RemoteConfig, setting_key};
use crate::error::ConfigError;
use crate::sign::Placement;
use crate::signature;
use crate::types::ClientCredentials;

impl RemoteConfig {
    /// Checks the configuration of remote `name` and turns it into settings. Unknown
    /// `CLIENT_KWARGS` keys, bad values and keys of the other kind of remote are errors
    /// that name the key.
    pub fn resolve(&self, name: &str) -> Result<Settings, ConfigError> {
        let keys = Keys {
            name,
            kind: if self.is_oauth2() {
                "OAuth 2"
            } else {
                "OAuth 1"
            },
        };
        check_kwargs(self, &keys)?;
        if self.is_oauth2() {
            oauth2(self, &keys).map(Settings::OAuth2)
        } else {
            oauth1(self, &keys).map(Settings::OAuth1)
        }
    }

    /// The value of `CLIENT_KWARGS` key `k`, if given.
    fn kwarg(&self, k: &str) -> Option<&str> {
        self.client_kwargs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }
}

/// The names of one remote's settings, for errors that say which one is wrong.
struct Keys<'a> {
    name: &'a str,
    kind: &'static str,
}

impl Keys<'_> {
    fn key(&self, suffix: &str) -> String {
        setting_key(self.name, suffix)
    }

    fn need(&self, field: &Option<String>, suffix: &str) -> Result<String, ConfigError> {
        field
            .clone()
            .ok_or_else(|| ConfigError::Missing(self.key(suffix)))
    }

    fn secret(&self, config: &RemoteConfig) -> Result<String, ConfigError> {
        config
            .client_secret
            .as_ref()
            .map(|s| s.secret().to_owned())
            .ok_or_else(|| ConfigError::Missing(self.key("CLIENT_SECRET")))
    }

    fn url(&self, field: &Option<String>, suffix: &str) -> Result<Url, ConfigError> {
        absolute_url(&self.key(suffix), &self.need(field, suffix)?)
    }

    fn optional_url(
        &self,
        field: &Option<String>,
        suffix: &str,
    ) -> Result<Option<Url>, ConfigError> {
        field
            .as_deref()
            .map(|v| absolute_url(&self.key(suffix), v))
            .transpose()
    }

    fn not_for_this_kind(&self, suffix: &str) -> ConfigError {
        ConfigError::Bad {
            key: self.key(suffix),
            reason: format!(
                "does not apply to an {} remote (a remote is OAuth 1 when it has a \
                 REQUEST_TOKEN_URL, OAuth 2 when it has none)",
                self.kind
            ),
        }
    }

    fn bad_kwarg(&self, reason: String) -> ConfigError {
        ConfigError::Bad {
            key: self.key("CLIENT_KWARGS"),
            reason,
        }
    }

    fn common(&self, config: &RemoteConfig) -> Result<Common, ConfigError> {
        Ok(Common {
            authorize_url: self.url(&config.authorize_url, "AUTHORIZE_URL")?,
            authorize_params: config.authorize_params.clone(),
            api_base_url: self.optional_url(&config.api_base_url, "API_BASE_URL")?,
        })
    }
}

/// `CLIENT_KWARGS` holds only the keys of its kind of remote.
fn check_kwargs(config: &RemoteConfig, keys: &Keys<'_>) -> Result<(), ConfigError> {
    let known: &[&str] = if config.is_oauth2() {
        &[
            "scope",
            "token_endpoint_auth_method",
            "code_challenge_method",
        ]
    } else {
        &["signature_method", "signature_type", "realm"]
    };
    match config
        .client_kwargs
        .iter()
        .find(|(k, _)| !known.contains(&k.as_str()))
    {
        Some((k, _)) => Err(keys.bad_kwarg(format!(
            "unknown key {k:?} for an {} remote (known: {})",
            keys.kind,
            known.join(", ")
        ))),
        None => Ok(()),
    }
}

/// RFC 6749 with PKCE (RFC 7636): the client's authentication at the token endpoint, the
/// endpoints, the scope.
fn oauth2(config: &RemoteConfig, keys: &Keys<'_>) -> Result<OAuth2Settings, ConfigError> {
    if !config.request_token_params.is_empty() {
        return Err(keys.not_for_this_kind("REQUEST_TOKEN_PARAMS"));
    }
    let auth = match config.kwarg("token_endpoint_auth_method") {
        None | Some("client_secret_basic") => TokenEndpointAuth::ClientSecretBasic,
        Some("client_secret_post") => TokenEndpointAuth::ClientSecretPost,
        Some("none") => TokenEndpointAuth::None,
        Some(other) => {
            return Err(keys.bad_kwarg(format!(
                "token_endpoint_auth_method {other:?} must be client_secret_basic, \
                 client_secret_post or none"
            )));
        }
    };
    // RFC 7636 §4.2: `plain` only for a client that cannot do SHA-256; every client here
    // can.
    if let Some(method) = config.kwarg("code_challenge_method")
        && method != "S256"
    {
        return Err(keys.bad_kwarg(format!("code_challenge_method {method:?} must be S256")));
    }
    let client_id = keys.need(&config.client_id, "CLIENT_ID")?;
    let client_secret = match auth {
        TokenEndpointAuth::None => None,
        _ => Some(keys.secret(config)?),
    };
    let common = keys.common(config)?;
    let access_token_url = keys.url(&config.access_token_url, "ACCESS_TOKEN_URL")?;
    Ok(OAuth2Settings {
        client_id,
        client_secret: client_secret.map(oauth2::ClientSecret::new),
        refresh_token_url: keys
            .optional_url(&config.refresh_token_url, "REFRESH_TOKEN_URL")?
            .unwrap_or_else(|| access_token_url.clone()),
        access_token_url,
        access_token_params: config.access_token_params.clone(),
        refresh_token_params: config.refresh_token_params.clone(),
        revoke_url: keys.optional_url(&config.revoke_url, "REVOKE_URL")?,
        scope: config
            .kwarg("scope")
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        auth,
        common,
    })
}

/// RFC 5849: the client credentials, the three endpoints with their parameters, and how
/// requests are signed.
fn oauth1(config: &RemoteConfig, keys: &Keys<'_>) -> Result<OAuth1Settings, ConfigError> {
    for (set, suffix) in [
        (config.refresh_token_url.is_some(), "REFRESH_TOKEN_URL"),
        (
            !config.refresh_token_params.is_empty(),
            "REFRESH_TOKEN_PARAMS",
        ),
        (config.revoke_url.is_some(), "REVOKE_URL"),
    ] {
        if set {
            return Err(keys.not_for_this_kind(suffix));
        }
    }
    let client = ClientCredentials::new(
        keys.need(&config.client_id, "CLIENT_ID")?,
        keys.secret(config)?,
    );
    let common = keys.common(config)?;
    let mut request_token_url = keys.url(&config.request_token_url, "REQUEST_TOKEN_URL")?;
    append(&mut request_token_url, &config.request_token_params);
    let mut access_token_url = keys.url(&config.access_token_url, "ACCESS_TOKEN_URL")?;
    append(&mut access_token_url, &config.access_token_params);
    let method = signature::builtin(config.kwarg("signature_method").unwrap_or("HMAC-SHA1"))
        .ok_or_else(|| {
            keys.bad_kwarg("signature_method must be HMAC-SHA1, HMAC-SHA256 or PLAINTEXT".into())
        })?;
    let placement = match config
        .kwarg("signature_type")
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("HEADER") => Placement::Header,
        Some("QUERY") => Placement::Query,
        Some("BODY") => Placement::Body,
        Some(_) => {
            return Err(keys.bad_kwarg("signature_type must be HEADER, QUERY or BODY".into()));
        }
    };
    Ok(OAuth1Settings {
        client,
        request_token_url,
        access_token_url,
        method,
        placement,
        realm: config.kwarg("realm").map(str::to_owned),
        common,
    })
}

fn absolute_url(key: &str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value.trim()).map_err(|e| ConfigError::BadUrl {
        key: key.to_owned(),
        value: value.to_owned(),
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::BadUrl {
            key: key.to_owned(),
            value: value.to_owned(),
            reason: "only http and https are supported".into(),
        });
    }
    Ok(url)
}

fn append(url: &mut Url, params: &[(String, String)]) {
    if !params.is_empty() {
        url.query_pairs_mut().extend_pairs(params);
    }
}
