//! A remote's configuration: given in code, read from `{NAME}_*` environment variables,
//! or both (code wins, the environment fills the gaps), like Authlib's Flask registry.

use std::sync::Arc;

use url::Url;

use crate::encode::decode_form;
use crate::registry::{Compliance, TokenStore};
use crate::sign::Placement;
use crate::signature::{self, SignatureMethod};
use crate::types::ClientCredentials;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set: give it in code or in the environment")]
    Missing(String),
    #[error("{key} = {value:?} is not an absolute URL: {reason}")]
    BadUrl {
        key: String,
        value: String,
        reason: String,
    },
    #[error("{key}: {reason}")]
    Bad { key: String, reason: String },
}

/// Everything about one remote. `None` and empty fields may be filled from the environment.
#[derive(Clone, Default)]
pub struct RemoteConfig {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub request_token_url: Option<String>,
    /// Sent with the request-token call, e.g. `x_auth_access_type=write`.
    pub request_token_params: Vec<(String, String)>,
    pub access_token_url: Option<String>,
    pub access_token_params: Vec<(String, String)>,
    pub authorize_url: Option<String>,
    /// Added to the authorization URL, e.g. `force_login=true`.
    pub authorize_params: Vec<(String, String)>,
    /// Relative API paths are joined to this; it should end with `/`.
    pub api_base_url: Option<String>,
    /// `signature_method` (`HMAC-SHA1`, `HMAC-SHA256`, `PLAINTEXT`), `signature_type`
    /// (`HEADER`, `QUERY`, `BODY`) and `realm`.
    pub client_kwargs: Vec<(String, String)>,
    /// This remote's token store, in place of the registry's.
    pub token_store: Option<Arc<dyn TokenStore>>,
    /// Adjusts each API request before it is signed (a service's quirks go here).
    pub compliance: Option<Compliance>,
}

impl std::fmt::Debug for RemoteConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteConfig")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("request_token_url", &self.request_token_url)
            .field("access_token_url", &self.access_token_url)
            .field("authorize_url", &self.authorize_url)
            .field("api_base_url", &self.api_base_url)
            .finish_non_exhaustive()
    }
}

/// `a=b&c=d`, or a JSON object of strings (`{"a":"b"}`) as Authlib users write them.
pub fn parse_params(key: &str, text: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let text = text.trim();
    if !text.starts_with('{') {
        return Ok(decode_form(text));
    }
    let bad = |reason: String| ConfigError::Bad {
        key: key.to_owned(),
        reason,
    };
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| bad(format!("not a JSON object: {e}")))?;
    map.into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k, s)),
            serde_json::Value::Bool(b) => Ok((k, b.to_string())),
            serde_json::Value::Number(n) => Ok((k, n.to_string())),
            other => Err(bad(format!("{k} must be a string, not {other}"))),
        })
        .collect()
}

impl RemoteConfig {
    /// Fills unset fields from `{NAME}_*` variables of the process environment.
    pub fn from_env(self, name: &str) -> Result<Self, ConfigError> {
        self.from_lookup(name, |k| std::env::var(k).ok())
    }

    /// Fills unset fields from `{NAME}_*` looked up with `lookup`.
    pub fn from_lookup(
        mut self,
        name: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let prefix = name.to_ascii_uppercase().replace('-', "_");
        let var = |suffix: &str| {
            let key = format!("{prefix}_{suffix}");
            lookup(&key)
                .filter(|v| !v.trim().is_empty())
                .map(|v| (key, v))
        };
        let fill = |field: &mut Option<String>, suffix: &str| {
            if field.is_none() {
                *field = var(suffix).map(|(_, v)| v.trim().to_owned());
            }
        };
        fill(&mut self.client_id, "CLIENT_ID");
        fill(&mut self.client_secret, "CLIENT_SECRET");
        fill(&mut self.request_token_url, "REQUEST_TOKEN_URL");
        fill(&mut self.access_token_url, "ACCESS_TOKEN_URL");
        fill(&mut self.authorize_url, "AUTHORIZE_URL");
        fill(&mut self.api_base_url, "API_BASE_URL");
        for (field, suffix) in [
            (&mut self.request_token_params, "REQUEST_TOKEN_PARAMS"),
            (&mut self.access_token_params, "ACCESS_TOKEN_PARAMS"),
            (&mut self.authorize_params, "AUTHORIZE_PARAMS"),
            (&mut self.client_kwargs, "CLIENT_KWARGS"),
        ] {
            if field.is_empty()
                && let Some((key, value)) = var(suffix)
            {
                *field = parse_params(&key, &value)?;
            }
        }
        Ok(self)
    }

    /// Fills the fields still unset from `defaults` (such as a preset), so that values
    /// already given (in code or from the environment) win over them.
    pub fn or(mut self, defaults: RemoteConfig) -> Self {
        fn pick<T>(value: &mut Option<T>, default: Option<T>) {
            if value.is_none() {
                *value = default;
            }
        }
        fn pick_list(value: &mut Vec<(String, String)>, default: Vec<(String, String)>) {
            if value.is_empty() {
                *value = default;
            }
        }
        pick(&mut self.client_id, defaults.client_id);
        pick(&mut self.client_secret, defaults.client_secret);
        pick(&mut self.request_token_url, defaults.request_token_url);
        pick(&mut self.access_token_url, defaults.access_token_url);
        pick(&mut self.authorize_url, defaults.authorize_url);
        pick(&mut self.api_base_url, defaults.api_base_url);
        pick(&mut self.token_store, defaults.token_store);
        pick(&mut self.compliance, defaults.compliance);
        pick_list(
            &mut self.request_token_params,
            defaults.request_token_params,
        );
        pick_list(&mut self.access_token_params, defaults.access_token_params);
        pick_list(&mut self.authorize_params, defaults.authorize_params);
        pick_list(&mut self.client_kwargs, defaults.client_kwargs);
        self
    }

    /// Checks the configuration of remote `name` and turns it into settings.
    pub fn resolve(&self, name: &str) -> Result<Settings, ConfigError> {
        let prefix = name.to_ascii_uppercase().replace('-', "_");
        let need = |field: &Option<String>, suffix: &str| {
            field
                .clone()
                .ok_or_else(|| ConfigError::Missing(format!("{prefix}_{suffix}")))
        };
        let url = |field: &Option<String>, suffix: &str| -> Result<Url, ConfigError> {
            let value = need(field, suffix)?;
            absolute_url(&format!("{prefix}_{suffix}"), &value)
        };
        let client = ClientCredentials::new(
            need(&self.client_id, "CLIENT_ID")?,
            need(&self.client_secret, "CLIENT_SECRET")?,
        );
        let mut request_token_url = url(&self.request_token_url, "REQUEST_TOKEN_URL")?;
        append(&mut request_token_url, &self.request_token_params);
        let mut access_token_url = url(&self.access_token_url, "ACCESS_TOKEN_URL")?;
        append(&mut access_token_url, &self.access_token_params);
        let api_base_url = match &self.api_base_url {
            Some(v) => Some(absolute_url(&format!("{prefix}_API_BASE_URL"), v)?),
            None => None,
        };
        let kwarg = |k: &str| {
            self.client_kwargs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let kwargs_key = format!("{prefix}_CLIENT_KWARGS");
        let method = match kwarg("signature_method") {
            None => signature::builtin("HMAC-SHA1"),
            Some(m) => signature::builtin(m),
        }
        .ok_or_else(|| ConfigError::Bad {
            key: kwargs_key.clone(),
            reason: "signature_method must be HMAC-SHA1, HMAC-SHA256 or PLAINTEXT".into(),
        })?;
        let placement = match kwarg("signature_type")
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            None | Some("HEADER") => Placement::Header,
            Some("QUERY") => Placement::Query,
            Some("BODY") => Placement::Body,
            Some(_) => {
                return Err(ConfigError::Bad {
                    key: kwargs_key,
                    reason: "signature_type must be HEADER, QUERY or BODY".into(),
                });
            }
        };
        Ok(Settings {
            client,
            request_token_url,
            access_token_url,
            authorize_url: url(&self.authorize_url, "AUTHORIZE_URL")?,
            authorize_params: self.authorize_params.clone(),
            api_base_url,
            method,
            placement,
            realm: kwarg("realm").map(str::to_owned),
        })
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("client", &self.client)
            .field("request_token_url", &self.request_token_url.as_str())
            .field("access_token_url", &self.access_token_url.as_str())
            .field("authorize_url", &self.authorize_url.as_str())
            .field("api_base_url", &self.api_base_url.as_ref().map(Url::as_str))
            .field("method", &self.method.name())
            .field("placement", &self.placement)
            .finish_non_exhaustive()
    }
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

/// A remote's checked configuration.
#[derive(Clone)]
pub struct Settings {
    pub client: ClientCredentials,
    /// With the request-token parameters in its query.
    pub request_token_url: Url,
    /// With the access-token parameters in its query.
    pub access_token_url: Url,
    pub authorize_url: Url,
    pub authorize_params: Vec<(String, String)>,
    pub api_base_url: Option<Url>,
    pub method: &'static dyn SignatureMethod,
    pub placement: Placement,
    pub realm: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    const CHIRP: &[(&str, &str)] = &[
        ("CHIRP_CLIENT_ID", "key"),
        ("CHIRP_CLIENT_SECRET", "secret"),
        (
            "CHIRP_REQUEST_TOKEN_URL",
            "http://127.0.0.1:8001/oauth/request_token",
        ),
        ("CHIRP_REQUEST_TOKEN_PARAMS", "x_auth_access_type=write"),
        (
            "CHIRP_ACCESS_TOKEN_URL",
            "http://127.0.0.1:8001/oauth/access_token",
        ),
        (
            "CHIRP_AUTHORIZE_URL",
            "http://127.0.0.1:8001/oauth/authenticate",
        ),
        ("CHIRP_AUTHORIZE_PARAMS", r#"{"force_login": true}"#),
        ("CHIRP_API_BASE_URL", "http://127.0.0.1:8001/1.1/"),
        (
            "CHIRP_CLIENT_KWARGS",
            "signature_method=HMAC-SHA256&signature_type=query",
        ),
    ];

    #[test]
    fn every_key_is_read_from_the_environment() {
        let s = RemoteConfig::default()
            .from_lookup("chirp", env(CHIRP))
            .unwrap()
            .resolve("chirp")
            .unwrap();
        assert_eq!(s.client.key.as_str(), "key");
        assert_eq!(
            s.request_token_url.as_str(),
            "http://127.0.0.1:8001/oauth/request_token?x_auth_access_type=write"
        );
        assert_eq!(s.authorize_params, [("force_login".into(), "true".into())]);
        assert_eq!(s.method.name(), "HMAC-SHA256");
        assert_eq!(s.placement, Placement::Query);
        assert_eq!(
            s.api_base_url.unwrap().as_str(),
            "http://127.0.0.1:8001/1.1/"
        );
    }

    #[test]
    fn code_wins_over_the_environment() {
        let s = RemoteConfig {
            client_id: Some("from-code".into()),
            ..Default::default()
        }
        .from_lookup("chirp", env(CHIRP))
        .unwrap()
        .resolve("chirp")
        .unwrap();
        assert_eq!(s.client.key.as_str(), "from-code");
    }

    #[test]
    fn the_environment_wins_over_a_preset() {
        let s = RemoteConfig::default()
            .from_lookup("chirp", env(CHIRP))
            .unwrap()
            .or(crate::presets::twitter())
            .resolve("chirp")
            .unwrap();
        assert_eq!(
            s.authorize_url.as_str(),
            "http://127.0.0.1:8001/oauth/authenticate"
        );
        let s = RemoteConfig::default()
            .from_lookup("chirp", env(&CHIRP[..2]))
            .unwrap()
            .or(crate::presets::twitter())
            .resolve("chirp")
            .unwrap();
        assert_eq!(
            s.authorize_url.as_str(),
            "https://api.twitter.com/oauth/authenticate"
        );
    }

    #[test]
    fn a_missing_key_is_named() {
        let err = RemoteConfig::default()
            .from_lookup("warble", env(&[("WARBLE_CLIENT_ID", "k")]))
            .unwrap()
            .resolve("warble")
            .unwrap_err();
        assert_eq!(err, ConfigError::Missing("WARBLE_CLIENT_SECRET".into()));
        assert_eq!(
            err.to_string(),
            "WARBLE_CLIENT_SECRET is not set: give it in code or in the environment"
        );
    }

    #[test]
    fn bad_values_are_errors() {
        let mut vars = CHIRP.to_vec();
        vars[2] = ("CHIRP_REQUEST_TOKEN_URL", "/oauth/request_token");
        let err = RemoteConfig::default()
            .from_lookup("chirp", env(&vars))
            .unwrap()
            .resolve("chirp")
            .unwrap_err();
        assert!(
            matches!(err, ConfigError::BadUrl { ref key, .. } if key == "CHIRP_REQUEST_TOKEN_URL")
        );
        let mut vars = CHIRP.to_vec();
        vars[8] = ("CHIRP_CLIENT_KWARGS", "signature_method=RSA-MD5");
        assert!(
            RemoteConfig::default()
                .from_lookup("chirp", env(&vars))
                .unwrap()
                .resolve("chirp")
                .is_err()
        );
        assert!(parse_params("K", r#"{"a": [1]}"#).is_err());
    }
}
