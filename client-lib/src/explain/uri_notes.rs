//! What becoming a base string URI (§3.4.1.2) did to a URL as typed: the scheme and
//! host lower-cased, the default port, the query and the fragment dropped.

use url::Url;

/// A part of a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UriPart {
    Scheme,
    Host,
    Port,
    Query,
    Fragment,
}

/// A part of the URL that is not in the base string URI, as it was typed: `:443`,
/// `?a=1` (its parameters are signed as parameters instead, §3.4.1.3.1), `#top`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dropped {
    pub part: UriPart,
    pub text: String,
}

/// The scheme or host, typed with capitals and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LowerCased {
    pub part: UriPart,
    pub from: String,
    pub to: String,
}

/// Compares the URL as typed (`raw`) with the parsed one to tell what §3.4.1.2 dropped
/// and lower-cased. A URL typed in some form this does not recognise just gets fewer
/// notes.
pub(super) fn uri_notes(raw: &str, url: &Url) -> (Vec<Dropped>, Vec<LowerCased>) {
    let mut dropped = Vec::new();
    let mut lower_cased = Vec::new();
    if let Some((scheme, host, port)) = typed_authority(raw) {
        if scheme != url.scheme() && scheme.eq_ignore_ascii_case(url.scheme()) {
            lower_cased.push(LowerCased {
                part: UriPart::Scheme,
                from: scheme.to_owned(),
                to: url.scheme().to_owned(),
            });
        }
        let parsed_host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if host != parsed_host && host.eq_ignore_ascii_case(&parsed_host) {
            lower_cased.push(LowerCased {
                part: UriPart::Host,
                from: host.to_owned(),
                to: parsed_host,
            });
        }
        if let Some(port) = port.filter(|p| !p.is_empty())
            && url.port().is_none()
        {
            dropped.push(Dropped {
                part: UriPart::Port,
                text: format!(":{port}"),
            });
        }
    }
    if let Some(query) = url.query() {
        dropped.push(Dropped {
            part: UriPart::Query,
            text: format!("?{query}"),
        });
    }
    if let Some(fragment) = url.fragment() {
        dropped.push(Dropped {
            part: UriPart::Fragment,
            text: format!("#{fragment}"),
        });
    }
    (dropped, lower_cased)
}

/// Scheme, host and port (without its `:`) as typed in `scheme://user@host:port/...`.
fn typed_authority(raw: &str) -> Option<(&str, &str, Option<&str>)> {
    let (scheme, rest) = raw.trim().split_once(':')?;
    let rest = rest.strip_prefix("//")?;
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = rest.get(..end)?;
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host_port)| host_port);
    // An IPv6 host is in brackets and holds colons itself.
    let split_at = match host_port.rfind(']') {
        Some(close) => host_port.get(close..)?.find(':').map(|at| close + at),
        None => host_port.find(':'),
    };
    Some(match split_at {
        Some(at) => (scheme, host_port.get(..at)?, host_port.get(at + 1..)),
        None => (scheme, host_port, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(raw: &str) -> (Vec<Dropped>, Vec<LowerCased>) {
        uri_notes(raw, &Url::parse(raw).unwrap())
    }

    #[test]
    fn the_rfc_example_drops_port_and_query_and_lower_cases_scheme_and_host() {
        // RFC 5849 §3.4.1.2.
        let (dropped, lower_cased) = notes("HTTP://EXAMPLE.COM:80/r%20v/X?id=123");
        assert_eq!(
            dropped,
            [
                Dropped {
                    part: UriPart::Port,
                    text: ":80".into()
                },
                Dropped {
                    part: UriPart::Query,
                    text: "?id=123".into()
                }
            ]
        );
        assert_eq!(
            lower_cased,
            [
                LowerCased {
                    part: UriPart::Scheme,
                    from: "HTTP".into(),
                    to: "http".into()
                },
                LowerCased {
                    part: UriPart::Host,
                    from: "EXAMPLE.COM".into(),
                    to: "example.com".into()
                }
            ]
        );
    }

    #[test]
    fn a_port_that_is_not_the_default_is_kept_and_fragments_are_dropped() {
        let (dropped, lower_cased) = notes("https://user@www.example.net:8080/#frag");
        assert_eq!(
            dropped,
            [Dropped {
                part: UriPart::Fragment,
                text: "#frag".into()
            }]
        );
        assert!(lower_cased.is_empty());
        let (dropped, _) = notes("http://[::1]:80/a");
        assert_eq!(dropped.first().map(|d| d.part), Some(UriPart::Port));
        assert!(notes("http://[::1]:8001/a").0.is_empty());
        assert_eq!(notes("http://example.com/").0, []);
    }
}
