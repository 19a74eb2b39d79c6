//! A remote's configuration: given in code, read from `{NAME}_*` environment variables,
//! or both (code wins, the environment fills the gaps), like Authlib's Flask registry.
//! As in Authlib, a remote with a request-token URL is OAuth 1 and one without is OAuth 2.
//! Plain settings only: the live hooks (token store, compliance) are given at
//! `Registry::register_with`.

use crate::encode::decode_form;
pub use crate::error::ConfigError;
use crate::types::ConsumerSecret;

/// Everything about one remote. `None` and empty fields may be filled from the environment.
/// Its `Debug` shows no secret (the secret is a redacting [`ConsumerSecret`]).
#[derive(Clone, Debug, Default)]
pub struct RemoteConfig {
    pub client_id: Option<String>,
    /// The client's shared secret (OAuth 1 consumer secret, OAuth 2 client secret);
    /// `Debug` prints `[redacted]`. `Some("...".into())` makes one.
    pub client_secret: Option<ConsumerSecret>,
    /// Set for OAuth 1 (RFC 5849 §2.1); unset, the remote is OAuth 2.
    pub request_token_url: Option<String>,
    /// Sent with the request-token call, e.g. `x_auth_access_type=write`.
    pub request_token_params: Vec<(String, String)>,
    /// OAuth 1: the token-credentials URL (§2.3). OAuth 2: the token endpoint (RFC 6749
    /// §3.2).
    pub access_token_url: Option<String>,
    /// OAuth 1: added to the access-token URL's query. OAuth 2: added to the body of the
    /// code exchange (§4.1.3).
    pub access_token_params: Vec<(String, String)>,
    pub authorize_url: Option<String>,
    /// Added to the authorization URL, e.g. `force_login=true`.
    pub authorize_params: Vec<(String, String)>,
    /// OAuth 2: where to refresh (§6); the token endpoint when unset.
    pub refresh_token_url: Option<String>,
    /// OAuth 2: added to the body of a refresh.
    pub refresh_token_params: Vec<(String, String)>,
    /// OAuth 2: the revocation endpoint (RFC 7009), if the service has one.
    pub revoke_url: Option<String>,
    /// Relative API paths are joined to this; it should end with `/`.
    pub api_base_url: Option<String>,
    /// OAuth 1: `signature_method` (`HMAC-SHA1`, `HMAC-SHA256`, `PLAINTEXT`),
    /// `signature_type` (`HEADER`, `QUERY`, `BODY`) and `realm`.
    /// OAuth 2: `scope`, `token_endpoint_auth_method` (`client_secret_basic`,
    /// `client_secret_post`, `none`) and `code_challenge_method` (`S256`).
    /// Any other key is an error.
    pub client_kwargs: Vec<(String, String)>,
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

fn prefix_of(name: &str) -> String {
    name.to_ascii_uppercase().replace('-', "_")
}

/// The variable that sets `suffix` for remote `name`, such as `CHIRP2_REVOKE_URL`.
pub(crate) fn setting_key(name: &str, suffix: &str) -> String {
    format!("{}_{suffix}", prefix_of(name))
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
        let prefix = prefix_of(name);
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
        if self.client_secret.is_none() {
            self.client_secret = var("CLIENT_SECRET").map(|(_, v)| ConsumerSecret::new(v.trim()));
        }
        fill(&mut self.request_token_url, "REQUEST_TOKEN_URL");
        fill(&mut self.access_token_url, "ACCESS_TOKEN_URL");
        fill(&mut self.authorize_url, "AUTHORIZE_URL");
        fill(&mut self.refresh_token_url, "REFRESH_TOKEN_URL");
        fill(&mut self.revoke_url, "REVOKE_URL");
        fill(&mut self.api_base_url, "API_BASE_URL");
        for (field, suffix) in [
            (&mut self.request_token_params, "REQUEST_TOKEN_PARAMS"),
            (&mut self.access_token_params, "ACCESS_TOKEN_PARAMS"),
            (&mut self.authorize_params, "AUTHORIZE_PARAMS"),
            (&mut self.refresh_token_params, "REFRESH_TOKEN_PARAMS"),
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
    ///
    /// A preset of the other kind of remote does not fill what decides the kind: an
    /// OAuth 1 preset's request-token URL under a remote configured as OAuth 2 (with a
    /// refresh URL, say) would still make it OAuth 1, so give the preset that matches.
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
        pick(&mut self.refresh_token_url, defaults.refresh_token_url);
        pick(&mut self.revoke_url, defaults.revoke_url);
        pick(&mut self.api_base_url, defaults.api_base_url);
        pick_list(
            &mut self.request_token_params,
            defaults.request_token_params,
        );
        pick_list(&mut self.access_token_params, defaults.access_token_params);
        pick_list(&mut self.authorize_params, defaults.authorize_params);
        pick_list(
            &mut self.refresh_token_params,
            defaults.refresh_token_params,
        );
        pick_list(&mut self.client_kwargs, defaults.client_kwargs);
        self
    }

    /// Whether this is an OAuth 2 remote: it has no request-token URL (Authlib's rule).
    pub fn is_oauth2(&self) -> bool {
        self.request_token_url.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_config_prints_no_secret() {
        let config = RemoteConfig {
            client_id: Some("the-id".into()),
            client_secret: Some("hunter2-the-secret".into()),
            ..RemoteConfig::default()
        };
        let printed = format!("{config:?} {config:#?}");
        assert!(printed.contains("the-id"), "{printed}");
        assert!(!printed.contains("hunter2"), "{printed}");
    }
}
