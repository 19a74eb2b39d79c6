//! A remote's configuration: given in code, read from `{NAME}_*` environment variables,
//! or both (code wins, the environment fills the gaps), like Authlib's Flask registry.
//! As in Authlib, a remote with a request-token URL is OAuth 1 and one without is OAuth 2.
//! Plain settings only: the live hooks (token store, compliance) are given at
//! `Registry::register_with`.

use url::Url;

use crate::encode::decode_form;
pub use crate::error::ConfigError;
use crate::sign::Placement;
use crate::signature::{self, SignatureMethod};
use crate::types::{ClientCredentials, ConsumerSecret};

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

    /// Checks the configuration of remote `name` and turns it into settings. Unknown
    /// `CLIENT_KWARGS` keys, bad values and keys of the other kind of remote are errors
    /// that name the key.
    pub fn resolve(&self, name: &str) -> Result<Settings, ConfigError> {
        let prefix = prefix_of(name);
        let key = |suffix: &str| format!("{prefix}_{suffix}");
        let need = |field: &Option<String>, suffix: &str| {
            field
                .clone()
                .ok_or_else(|| ConfigError::Missing(key(suffix)))
        };
        let secret = |field: &Option<ConsumerSecret>| {
            field
                .as_ref()
                .map(|s| s.secret().to_owned())
                .ok_or_else(|| ConfigError::Missing(key("CLIENT_SECRET")))
        };
        let url = |field: &Option<String>, suffix: &str| -> Result<Url, ConfigError> {
            let value = need(field, suffix)?;
            absolute_url(&key(suffix), &value)
        };
        let optional_url = |field: &Option<String>, suffix: &str| match field {
            Some(v) => absolute_url(&key(suffix), v).map(Some),
            None => Ok(None),
        };
        let kwargs_key = key("CLIENT_KWARGS");
        let kind = if self.is_oauth2() {
            "OAuth 2"
        } else {
            "OAuth 1"
        };
        let not_for_this_kind = |suffix: &str| ConfigError::Bad {
            key: key(suffix),
            reason: format!(
                "does not apply to an {kind} remote (a remote is OAuth 1 when it has a \
                 REQUEST_TOKEN_URL, OAuth 2 when it has none)"
            ),
        };
        let known: &[&str] = if self.is_oauth2() {
            &[
                "scope",
                "token_endpoint_auth_method",
                "code_challenge_method",
            ]
        } else {
            &["signature_method", "signature_type", "realm"]
        };
        if let Some((k, _)) = self
            .client_kwargs
            .iter()
            .find(|(k, _)| !known.contains(&k.as_str()))
        {
            return Err(ConfigError::Bad {
                key: kwargs_key,
                reason: format!(
                    "unknown key {k:?} for an {kind} remote (known: {})",
                    known.join(", ")
                ),
            });
        }
        let kwarg = |k: &str| {
            self.client_kwargs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let common = || -> Result<Common, ConfigError> {
            Ok(Common {
                authorize_url: url(&self.authorize_url, "AUTHORIZE_URL")?,
                authorize_params: self.authorize_params.clone(),
                api_base_url: optional_url(&self.api_base_url, "API_BASE_URL")?,
            })
        };

        if self.is_oauth2() {
            if !self.request_token_params.is_empty() {
                return Err(not_for_this_kind("REQUEST_TOKEN_PARAMS"));
            }
            let auth = match kwarg("token_endpoint_auth_method") {
                None | Some("client_secret_basic") => TokenEndpointAuth::ClientSecretBasic,
                Some("client_secret_post") => TokenEndpointAuth::ClientSecretPost,
                Some("none") => TokenEndpointAuth::None,
                Some(other) => {
                    return Err(ConfigError::Bad {
                        key: kwargs_key,
                        reason: format!(
                            "token_endpoint_auth_method {other:?} must be client_secret_basic, \
                             client_secret_post or none"
                        ),
                    });
                }
            };
            // RFC 7636 §4.2: `plain` only for a client that cannot do SHA-256; every
            // client here can.
            if let Some(method) = kwarg("code_challenge_method")
                && method != "S256"
            {
                return Err(ConfigError::Bad {
                    key: kwargs_key,
                    reason: format!("code_challenge_method {method:?} must be S256"),
                });
            }
            let client_id = need(&self.client_id, "CLIENT_ID")?;
            let client_secret = match auth {
                TokenEndpointAuth::None => None,
                _ => Some(secret(&self.client_secret)?),
            };
            let common = common()?;
            let access_token_url = url(&self.access_token_url, "ACCESS_TOKEN_URL")?;
            return Ok(Settings::OAuth2(OAuth2Settings {
                client_id,
                client_secret: client_secret.map(oauth2::ClientSecret::new),
                refresh_token_url: optional_url(&self.refresh_token_url, "REFRESH_TOKEN_URL")?
                    .unwrap_or_else(|| access_token_url.clone()),
                access_token_url,
                access_token_params: self.access_token_params.clone(),
                refresh_token_params: self.refresh_token_params.clone(),
                revoke_url: optional_url(&self.revoke_url, "REVOKE_URL")?,
                scope: kwarg("scope")
                    .map(|s| s.split_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default(),
                auth,
                common,
            }));
        }

        for (set, suffix) in [
            (self.refresh_token_url.is_some(), "REFRESH_TOKEN_URL"),
            (
                !self.refresh_token_params.is_empty(),
                "REFRESH_TOKEN_PARAMS",
            ),
            (self.revoke_url.is_some(), "REVOKE_URL"),
        ] {
            if set {
                return Err(not_for_this_kind(suffix));
            }
        }
        let client = ClientCredentials::new(
            need(&self.client_id, "CLIENT_ID")?,
            secret(&self.client_secret)?,
        );
        let common = common()?;
        let mut request_token_url = url(&self.request_token_url, "REQUEST_TOKEN_URL")?;
        append(&mut request_token_url, &self.request_token_params);
        let mut access_token_url = url(&self.access_token_url, "ACCESS_TOKEN_URL")?;
        append(&mut access_token_url, &self.access_token_params);
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
        Ok(Settings::OAuth1(OAuth1Settings {
            client,
            request_token_url,
            access_token_url,
            method,
            placement,
            realm: kwarg("realm").map(str::to_owned),
            common,
        }))
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

/// A remote's checked configuration, of one kind or the other.
#[derive(Clone, Debug)]
pub enum Settings {
    OAuth1(OAuth1Settings),
    OAuth2(OAuth2Settings),
}

/// What both kinds have.
#[derive(Clone)]
pub struct Common {
    pub authorize_url: Url,
    pub authorize_params: Vec<(String, String)>,
    pub api_base_url: Option<Url>,
}

impl Settings {
    fn common(&self) -> &Common {
        match self {
            Settings::OAuth1(s) => &s.common,
            Settings::OAuth2(s) => &s.common,
        }
    }

    pub fn authorize_url(&self) -> &Url {
        &self.common().authorize_url
    }

    pub fn authorize_params(&self) -> &[(String, String)] {
        &self.common().authorize_params
    }

    pub fn api_base_url(&self) -> Option<&Url> {
        self.common().api_base_url.as_ref()
    }

    pub fn is_oauth2(&self) -> bool {
        matches!(self, Settings::OAuth2(_))
    }
}

/// An OAuth 1 remote's checked configuration.
#[derive(Clone)]
pub struct OAuth1Settings {
    pub client: ClientCredentials,
    /// With the request-token parameters in its query.
    pub request_token_url: Url,
    /// With the access-token parameters in its query.
    pub access_token_url: Url,
    pub method: &'static dyn SignatureMethod,
    pub placement: Placement,
    pub realm: Option<String>,
    pub common: Common,
}

impl std::fmt::Debug for OAuth1Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth1Settings")
            .field("client", &self.client)
            .field("request_token_url", &self.request_token_url.as_str())
            .field("access_token_url", &self.access_token_url.as_str())
            .field("authorize_url", &self.common.authorize_url.as_str())
            .field(
                "api_base_url",
                &self.common.api_base_url.as_ref().map(Url::as_str),
            )
            .field("method", &self.method.name())
            .field("placement", &self.placement)
            .finish_non_exhaustive()
    }
}

/// How an OAuth 2 client authenticates at the token endpoint (RFC 6749 §2.3.1; the
/// names are RFC 7591 §2's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenEndpointAuth {
    /// HTTP Basic with the form-encoded id and secret (§2.3.1), the default.
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the body (§2.3.1, "NOT RECOMMENDED" but common).
    ClientSecretPost,
    /// A public client (§2.1): `client_id` in the body, no secret; PKCE protects the code.
    None,
}

/// An OAuth 2 remote's checked configuration.
#[derive(Clone)]
pub struct OAuth2Settings {
    pub client_id: String,
    /// `None` for a public client.
    pub client_secret: Option<oauth2::ClientSecret>,
    pub access_token_url: Url,
    pub access_token_params: Vec<(String, String)>,
    pub refresh_token_url: Url,
    pub refresh_token_params: Vec<(String, String)>,
    pub revoke_url: Option<Url>,
    /// Requested at authorization (RFC 6749 §3.3).
    pub scope: Vec<String>,
    pub auth: TokenEndpointAuth,
    pub common: Common,
}

impl std::fmt::Debug for OAuth2Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth2Settings")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("authorize_url", &self.common.authorize_url.as_str())
            .field("access_token_url", &self.access_token_url.as_str())
            .field("refresh_token_url", &self.refresh_token_url.as_str())
            .field("scope", &self.scope)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
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

    fn oauth1(s: Settings) -> OAuth1Settings {
        match s {
            Settings::OAuth1(s) => s,
            other => panic!("{other:?}"),
        }
    }

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
        let s = oauth1(s);
        assert_eq!(s.client.key.as_str(), "key");
        assert_eq!(
            s.request_token_url.as_str(),
            "http://127.0.0.1:8001/oauth/request_token?x_auth_access_type=write"
        );
        assert_eq!(
            s.common.authorize_params,
            [("force_login".into(), "true".into())]
        );
        assert_eq!(s.method.name(), "HMAC-SHA256");
        assert_eq!(s.placement, Placement::Query);
        assert_eq!(
            s.common.api_base_url.unwrap().as_str(),
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
        assert_eq!(oauth1(s).client.key.as_str(), "from-code");
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
            s.authorize_url().as_str(),
            "http://127.0.0.1:8001/oauth/authenticate"
        );
        let s = RemoteConfig::default()
            .from_lookup("chirp", env(&CHIRP[..2]))
            .unwrap()
            .or(crate::presets::twitter())
            .resolve("chirp")
            .unwrap();
        assert_eq!(
            s.authorize_url().as_str(),
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
