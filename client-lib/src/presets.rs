//! Known services, so a user supplies only the key and secret (from code or from
//! `{NAME}_CLIENT_ID` / `{NAME}_CLIENT_SECRET`).

use crate::config::RemoteConfig;

/// X's API v2, which X's current plans serve to OAuth 1.0a user context and OAuth 2.0
/// alike (`GET /2/users/me`, `POST /2/tweets`, …).
pub const X_API_V2: &str = "https://api.x.com/2/";

/// Twitter / X, "Sign in with Twitter", at X's current hosts (`api.x.com`; the old
/// `api.twitter.com` names the same service): `oauth/authenticate` skips the question for a user
/// who already approved the app. Register it as `twitter` and set `TWITTER_CLIENT_ID` and
/// `TWITTER_CLIENT_SECRET` to the app's API key and secret from the developer portal.
pub fn twitter() -> RemoteConfig {
    RemoteConfig {
        request_token_url: Some("https://api.x.com/oauth/request_token".into()),
        access_token_url: Some("https://api.x.com/oauth/access_token".into()),
        authorize_url: Some("https://api.x.com/oauth/authenticate".into()),
        api_base_url: Some("https://api.x.com/1.1/".into()),
        ..RemoteConfig::default()
    }
}

/// A service built from this repository's `provider` crate, served at `base` (such as
/// `http://127.0.0.1:8001/`): the same paths as Twitter's.
pub fn twitter_compatible(base: &str) -> RemoteConfig {
    let base = base.trim_end_matches('/');
    RemoteConfig {
        request_token_url: Some(format!("{base}/oauth/request_token")),
        access_token_url: Some(format!("{base}/oauth/access_token")),
        authorize_url: Some(format!("{base}/oauth/authenticate")),
        api_base_url: Some(format!("{base}/1.1/")),
        ..RemoteConfig::default()
    }
}

/// X's OAuth 2.0 (authorization code with PKCE): register it (as `x`, say) with the
/// OAuth 2.0 client id and secret from the developer portal (`X_CLIENT_ID`,
/// `X_CLIENT_SECRET`); a public client sets `token_endpoint_auth_method=none` in
/// `X_CLIENT_KWARGS` and no secret. `offline.access` asks for a refresh token.
pub fn x_oauth2() -> RemoteConfig {
    RemoteConfig {
        authorize_url: Some("https://x.com/i/oauth2/authorize".into()),
        access_token_url: Some("https://api.x.com/2/oauth2/token".into()),
        refresh_token_url: Some("https://api.x.com/2/oauth2/token".into()),
        revoke_url: Some("https://api.x.com/2/oauth2/revoke".into()),
        api_base_url: Some(X_API_V2.into()),
        client_kwargs: vec![
            (
                "scope".into(),
                "tweet.read users.read offline.access".into(),
            ),
            ("code_challenge_method".into(), "S256".into()),
        ],
        ..RemoteConfig::default()
    }
}

/// This repository's `provider` speaking OAuth 2.0 at `base`, with X's paths.
pub fn x_compatible_oauth2(base: &str) -> RemoteConfig {
    let base = base.trim_end_matches('/');
    RemoteConfig {
        authorize_url: Some(format!("{base}/i/oauth2/authorize")),
        access_token_url: Some(format!("{base}/2/oauth2/token")),
        refresh_token_url: Some(format!("{base}/2/oauth2/token")),
        revoke_url: Some(format!("{base}/2/oauth2/revoke")),
        api_base_url: Some(format!("{base}/2/")),
        ..x_oauth2()
    }
}
