//! What the registry's tests share: the small OAuth 1.0a and OAuth 2 servers they sign in
//! at, and a browser that follows one redirect.

pub mod oauth1_server;
pub mod oauth2_server;

use url::Url;

/// No `{NAME}_*` variables: a test's remotes are configured in code alone.
pub fn no_env(_: &str) -> Option<String> {
    None
}

/// Follows the authorization URL the way a browser would, returning the callback URL.
pub async fn visit(url: &Url) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(url.as_str()).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    response.headers()["location"].to_str().unwrap().to_owned()
}
