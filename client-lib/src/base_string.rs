//! The signature base string (RFC 5849 §3.4.1): method, base string URI and normalized
//! request parameters, each encoded and joined with `&`.

use std::borrow::Cow;

use crate::encode::{encode, encode_into};
use url::Url;

/// The base string URI of §3.4.1.2: scheme and host in lower case, the port only when it
/// is not the scheme's default, the path as sent (`/` when empty), no query, no fragment.
///
/// `url::Url` already lower-cases the scheme and host of `http`/`https` URLs and reports
/// no port when it is the default one, so only the assembling is left to do here.
pub fn base_string_uri(url: &Url) -> String {
    let mut out = String::with_capacity(url.as_str().len());
    push_base_string_uri(&mut out, url);
    out
}

fn push_base_string_uri(out: &mut String, url: &Url) {
    out.push_str(url.scheme());
    out.push_str("://");
    if let Some(host) = url.host_str() {
        out.push_str(&host.to_ascii_lowercase());
    }
    if let Some(port) = url.port() {
        out.push(':');
        out.push_str(&port.to_string());
    }
    let path = url.path();
    out.push_str(if path.is_empty() { "/" } else { path });
}

/// Normalizes request parameters as §3.4.1.3.2: each name and value is encoded (§3.6),
/// the pairs are sorted by encoded name, then by encoded value, and joined as
/// `name=value` with `&`. Repeated names and empty values are kept.
pub fn normalize_parameters<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    // Borrowed where nothing needs escaping (most names and values): no allocation.
    let mut encoded: Vec<(Cow<'a, str>, Cow<'a, str>)> = params
        .into_iter()
        .map(|(k, v)| (encode(k), encode(v)))
        .collect();
    encoded.sort_unstable();
    let len = encoded.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len);
    for (i, (k, v)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// The signature base string of §3.4.1.1 from its three parts: the upper-case method,
/// the encoded base string URI and the encoded normalized parameters.
pub fn signature_base_string<'a, I>(method: &str, url: &Url, params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let normalized = normalize_parameters(params);
    let mut uri = String::with_capacity(url.as_str().len());
    push_base_string_uri(&mut uri, url);
    let mut out = String::with_capacity(method.len() + 3 * (uri.len() + normalized.len()) / 2);
    for c in method.chars() {
        out.push(c.to_ascii_uppercase());
    }
    out.push('&');
    encode_into(&mut out, &uri);
    out.push('&');
    encode_into(&mut out, &normalized);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> String {
        base_string_uri(&Url::parse(s).unwrap())
    }

    #[test]
    fn base_string_uri_lowercases_scheme_and_host_and_drops_query() {
        // RFC 5849 §3.4.1.2 example.
        assert_eq!(
            uri("HTTP://EXAMPLE.COM:80/r%20v/X?id=123"),
            "http://example.com/r%20v/X"
        );
        assert_eq!(
            uri("https://www.example.net:8080/?q=1#frag"),
            "https://www.example.net:8080/"
        );
    }

    #[test]
    fn base_string_uri_drops_only_the_default_port() {
        assert_eq!(uri("https://example.com:443/a"), "https://example.com/a");
        assert_eq!(uri("http://example.com:443/a"), "http://example.com:443/a");
        assert_eq!(uri("https://example.com:80/a"), "https://example.com:80/a");
        assert_eq!(
            uri("http://127.0.0.1:8001/oauth"),
            "http://127.0.0.1:8001/oauth"
        );
    }

    #[test]
    fn base_string_uri_keeps_path_case() {
        assert_eq!(
            uri("http://Example.com/Photos/A"),
            "http://example.com/Photos/A"
        );
        assert_eq!(uri("http://example.com"), "http://example.com/");
    }

    #[test]
    fn parameters_sort_by_encoded_name_then_value_keeping_repeats_and_empties() {
        let params = [("b", "2"), ("a", ""), ("b", "1"), ("a b", "x"), ("a", "z")];
        assert_eq!(normalize_parameters(params), "a=&a=z&a%20b=x&b=1&b=2");
    }

    #[test]
    fn sorting_uses_the_encoded_form() {
        // '%' (0x25) sorts before 'A' (0x41): "%C3%A9" < "A" once encoded, though 'é' > 'A'.
        assert_eq!(
            normalize_parameters([("A", "1"), ("é", "2")]),
            "%C3%A9=2&A=1"
        );
    }
}
