//! A remote's checked settings, of one kind or the other. [`RemoteConfig::resolve`]
//! (in `resolve`) makes them, every key checked and named when it is wrong.
//!
//! [`RemoteConfig::resolve`]: crate::RemoteConfig::resolve

use url::Url;

use crate::sign::Placement;
use crate::signature::SignatureMethod;
use crate::types::ClientCredentials;

mod resolve;

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
    use crate::config::{RemoteConfig, parse_params};
    use crate::error::ConfigError;

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
            "https://api.x.com/oauth/authenticate"
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
