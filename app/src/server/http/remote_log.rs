//! What a log line says of a failed call to a remote: its `host:port` and the whole
//! cause chain, never a URL's query (it may hold a signature or a verifier).

/// Which of a remote's URLs a call went to.
#[derive(Clone, Copy, Debug)]
pub enum Leg {
    /// OAuth 1 temporary credentials (RFC 5849 §2.1); for OAuth 2, the token endpoint.
    RequestToken,
    /// OAuth 1 token credentials (§2.3), or the OAuth 2 token endpoint (RFC 6749 §4.1.3).
    AccessToken,
    /// An OAuth 2 refresh (RFC 6749 §6).
    Refresh,
    /// The API.
    Api,
}

/// `host:port` of `url`, never its path or query (which may hold a signature or a
/// verifier): what a log line names the remote by.
pub fn host_of(url: &url::Url) -> String {
    match (url.host_str(), url.port_or_known_default()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => "-".to_owned(),
    }
}

/// `host:port` of the URL of `remote` that `leg` calls, from its configured settings.
pub fn remote_host(remote: &oauth1::Remote, leg: Leg) -> String {
    use oauth1::Settings;
    let settings = remote.settings();
    let url = match (settings, leg) {
        (Settings::OAuth1(s), Leg::RequestToken) => &s.request_token_url,
        (Settings::OAuth1(s), Leg::AccessToken | Leg::Refresh) => &s.access_token_url,
        (Settings::OAuth2(s), Leg::Refresh) => &s.refresh_token_url,
        (Settings::OAuth2(s), Leg::RequestToken | Leg::AccessToken) => &s.access_token_url,
        (_, Leg::Api) => settings
            .api_base_url()
            .unwrap_or_else(|| settings.authorize_url()),
    };
    host_of(url)
}

/// `err` and every cause under it (`std::error::Error::source`), joined with ": ", for a
/// log line: "could not reach the service: error sending request: client error
/// (Connect): tcp connect error: Connection refused (os error 111)". The HTTP error of
/// `oauth1::Error::Http` has no URL; should a cause still name one, its query (which
/// may hold a signature or a verifier) is cut off.
pub fn causes(err: &oauth1::Error) -> String {
    use std::error::Error as _;
    let mut text = err.to_string();
    let mut last = text.clone();
    // `Http` shows its reqwest error without naming it as its source.
    let mut cause: Option<&dyn std::error::Error> = match err {
        oauth1::Error::Http(e) => e.source(),
        other => other.source(),
    };
    while let Some(e) = cause {
        let said = e.to_string();
        // Some layers repeat their cause in their own words; once is enough.
        if !said.is_empty() && !last.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        last = said;
        cause = e.source();
    }
    without_queries(&text)
}

/// `text` with the query and fragment of every URL in it cut off (`?…` up to the next
/// space).
fn without_queries(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, url) = rest.split_at(at);
        out.push_str(before);
        let end = url
            .find(|c: char| c.is_whitespace() || c == '"' || c == ')' || c == '>')
            .unwrap_or(url.len());
        let (url, after) = url.split_at(end);
        let cut = url.find(['?', '#']).unwrap_or(url.len());
        out.push_str(&url[..cut]);
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_is_named_without_path_or_query() {
        let url =
            url::Url::parse("https://api.x.com/oauth/request_token?oauth_verifier=v").unwrap();
        assert_eq!(host_of(&url), "api.x.com:443");
        let url = url::Url::parse("http://127.0.0.1:8001/oauth/access_token").unwrap();
        assert_eq!(host_of(&url), "127.0.0.1:8001");
        let url = url::Url::parse("http://[::1]:8001/").unwrap();
        assert_eq!(host_of(&url), "[::1]:8001");
    }

    #[test]
    fn a_url_in_a_cause_loses_its_query() {
        assert_eq!(
            without_queries(
                "for url (http://h:1/oauth/access_token?oauth_verifier=v&oauth_signature=s): refused"
            ),
            "for url (http://h:1/oauth/access_token): refused"
        );
        assert_eq!(without_queries("no url here"), "no url here");
    }
}
