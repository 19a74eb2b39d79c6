//! Which remotes the site offers and what each starts from: `SITE_REMOTES`, the defaults
//! before a remote's `{NAME}_*` variables, `{NAME}_BRAND` and `{NAME}_API_V2_URL`.

use oauth1::{RemoteConfig, presets};

use super::{ConfigError, Get};

/// `SITE_REMOTES`, by default the demo's two providers and each remote with a client id.
pub(super) fn remotes(get: Get) -> Result<Vec<String>, ConfigError> {
    let remotes: Vec<String> = match get("SITE_REMOTES") {
        Some(list) => list
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect(),
        None => {
            let mut list = vec!["chirp".to_owned(), "warble".to_owned()];
            // The OAuth 2.0 remotes, and the real services, once they have a client.
            for (name, key) in [
                ("chirp2", "CHIRP2_CLIENT_ID"),
                ("twitter", "TWITTER_CLIENT_ID"),
                ("x", "X_CLIENT_ID"),
            ] {
                if get(key).is_some() {
                    list.push(name.to_owned());
                }
            }
            list
        }
    };
    for name in &remotes {
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ConfigError::Bad {
                key: "SITE_REMOTES",
                value: name.clone(),
                reason: "remote names are letters, digits, - and _".into(),
            });
        }
    }
    Ok(remotes)
}

/// `{NAME}_API_V2_URL` of each remote that has one (`twitter` by default).
pub(super) fn api_v2(
    get: Get,
    remotes: &[String],
) -> Result<std::collections::BTreeMap<String, url::Url>, ConfigError> {
    let mut api_v2 = std::collections::BTreeMap::new();
    for name in remotes {
        let key = format!("{}_API_V2_URL", name.to_ascii_uppercase().replace('-', "_"));
        let value = get(&key).or_else(|| (name == "twitter").then(|| presets::X_API_V2.to_owned()));
        if let Some(value) = value {
            let url = url::Url::parse(&value)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.path().ends_with('/'))
                .ok_or_else(|| ConfigError::Bad {
                    key: "{NAME}_API_V2_URL",
                    value: format!("{key}={value}"),
                    reason: "an http(s) URL ending in /, such as https://api.x.com/2/".into(),
                })?;
            api_v2.insert(name.clone(), url);
        }
    }
    Ok(api_v2)
}

/// The defaults a remote starts from before its `{NAME}_*` variables: the demo providers
/// (Chirp on :8001, Warble on :8002; `chirp2` is Chirp's OAuth 2.0), Twitter's OAuth 1.0a
/// endpoints and X's OAuth 2.0 ones.
pub fn remote_defaults(name: &str) -> RemoteConfig {
    match name {
        "chirp" => presets::twitter_compatible("http://127.0.0.1:8001/"),
        "warble" => presets::twitter_compatible("http://127.0.0.1:8002/"),
        "chirp2" => presets::x_compatible_oauth2("http://127.0.0.1:8001/"),
        "twitter" => presets::twitter(),
        "x" => presets::x_oauth2(),
        _ => RemoteConfig::default(),
    }
}

/// `{NAME}_BRAND`, else the name with a capital: `chirp` → `Chirp`.
pub fn brand(name: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let key = format!("{}_BRAND", name.to_ascii_uppercase().replace('-', "_"));
    lookup(&key)
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| match name {
            "twitter" => "Twitter".to_owned(),
            "chirp2" => "Chirp (OAuth 2.0)".to_owned(),
            "x" => "X".to_owned(),
            _ => {
                let mut chars = name.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            }
        })
}
