//! The signature base string (RFC 5849 §3.4.1): method, base string URI and normalized
//! request parameters, each encoded and joined with `&`.

use std::borrow::Cow;

use crate::encode::{encode, encode_into};
use url::Url;

use crate::types::decimal;

/// The base string URI of §3.4.1.2: scheme and host in lower case, the port only when it
/// is not the scheme's default, the path as sent (`/` when empty), no query, no fragment.
///
/// `url::Url` already lower-cases the scheme and host of `http`/`https` URLs and reports
/// no port when it is the default one, so only the assembling is left to do here.
pub fn base_string_uri(url: &Url) -> String {
    let mut out = String::with_capacity(url.as_str().len());
    base_string_uri_pieces(url, |piece| out.push_str(piece));
    out
}

/// Hands the pieces of the base string URI to `push`, in order: the signer encodes them
/// straight into the base string, without building the URI first.
fn base_string_uri_pieces(url: &Url, mut push: impl FnMut(&str)) {
    push(url.scheme());
    push("://");
    if let Some(host) = url.host_str() {
        push(&lower_case(host));
    }
    if let Some(port) = url.port() {
        push(":");
        push(decimal(port.into(), &mut [0; 20]));
    }
    let path = url.path();
    push(if path.is_empty() { "/" } else { path });
}

/// The host in lower case. `url` lower-cases the hosts of `http` and `https` URLs itself;
/// other schemes keep theirs as written.
fn lower_case(host: &str) -> Cow<'_, str> {
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        Cow::Borrowed(host)
    }
}

/// Normalizes request parameters as §3.4.1.3.2: each name and value is encoded (§3.6),
/// the pairs are sorted by encoded name, then by encoded value, and joined as
/// `name=value` with `&`. Repeated names and empty values are kept.
pub fn normalize_parameters<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    normalize_encoded_parameters(params.into_iter().map(|(k, v)| (encode(k), encode(v))))
}

/// The sorting and joining of §3.4.1.3.2 alone, for names and values encoded already:
/// [`normalize_parameters`] after its encoding (§3.6), or with another encoding, to show
/// what a client that encodes differently signs (`explain`).
pub fn normalize_encoded_parameters<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (Cow<'a, str>, Cow<'a, str>)>,
{
    let mut encoded: Vec<(Cow<'a, str>, Cow<'a, str>)> = params.into_iter().collect();
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

/// The signature base string of §3.4.1.1 from its three parts as text: the method in
/// upper case, then the base string URI (§3.4.1.2) and the normalized parameters
/// (§3.4.1.3.2), each encoded (§3.6), joined by `&`. [`signature_base_string`] builds the
/// same from a URL and the parameters; this form lets a part be swapped for another.
pub fn join_base_string(
    method: &str,
    base_string_uri: &str,
    normalized_parameters: &str,
) -> String {
    let mut out = String::with_capacity(
        method.len() + 2 * (base_string_uri.len() + normalized_parameters.len()) + 2,
    );
    out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    out.push('&');
    encode_into(&mut out, base_string_uri);
    out.push('&');
    encode_into(&mut out, normalized_parameters);
    out
}

/// Appends the §3.6 encoding of text that is already encoded: it holds only unreserved
/// characters and `%`, so encoding it again turns each `%` into `%25` and nothing else.
fn push_encoded_again(out: &mut String, encoded: &str) {
    let mut rest = encoded;
    // A plain loop over the bytes: the values are short, too short for `find`'s set-up
    // to pay off (callgrind: a third of the instructions of this function).
    while let Some(at) = rest.bytes().position(|b| b == b'%') {
        let Some((run, tail)) = rest.split_at_checked(at) else {
            break;
        };
        out.push_str(run);
        out.push_str("%25");
        rest = tail.get(1..).unwrap_or_default();
    }
    out.push_str(rest);
}

/// The signature base string of §3.4.1.1 from its three parts: the upper-case method,
/// the encoded base string URI and the encoded normalized parameters.
pub fn signature_base_string<'a, I>(method: &str, url: &Url, params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut encoded: Vec<EncodedParam<'_>> = params
        .into_iter()
        .map(|(k, v)| {
            let (k, v) = (encode(k), encode(v));
            // Borrowed means nothing was escaped, so there is no `%` either.
            let plain = matches!((&k, &v), (Cow::Borrowed(_), Cow::Borrowed(_)));
            (k, v, plain)
        })
        .collect();
    signature_base_string_encoded(method, url, &[], &mut encoded)
}

/// A parameter in the §3.6 encoding: name, value, and whether both are known to hold no
/// `%` (nothing was escaped), so that encoding them again can be skipped.
pub(crate) type EncodedParam<'a> = (Cow<'a, str>, Cow<'a, str>, bool);

/// [`signature_base_string`] from parameters already encoded (§3.6): `sorted` in the
/// order of §3.4.1.3.2 already (a signer's protocol parameters), `others` in any order.
/// Only `others` is sorted; the two are then merged.
///
/// The normalized parameters are written encoded in one pass (`=` as `%3D`, `&` as
/// `%26`) instead of being built and then encoded as a second string.
pub(crate) fn signature_base_string_encoded(
    method: &str,
    url: &Url,
    sorted: &[EncodedParam<'_>],
    others: &mut [EncodedParam<'_>],
) -> String {
    // §3.4.1.3.2: by name, then by value (the flag never decides: it follows from them).
    others.sort_unstable();
    let params_len: usize = sorted
        .iter()
        .chain(others.iter())
        .map(|(k, v, _)| k.len() + v.len() + 6)
        .sum();
    let mut out = String::with_capacity(method.len() + 2 * url.as_str().len() + 2 * params_len);
    if method.bytes().any(|b| b.is_ascii_lowercase()) {
        out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    } else {
        out.push_str(method);
    }
    out.push('&');
    base_string_uri_pieces(url, |piece| encode_into(&mut out, piece));
    out.push('&');
    let (mut sorted, mut others) = (sorted.iter().peekable(), others.iter().peekable());
    let mut first = true;
    loop {
        let next = match (sorted.peek(), others.peek()) {
            (Some(a), Some(b)) if b < a => others.next(),
            (Some(_), _) => sorted.next(),
            (None, _) => others.next(),
        };
        let Some((k, v, plain)) = next else { break };
        if !first {
            out.push_str("%26");
        }
        first = false;
        if *plain {
            out.push_str(k);
            out.push_str("%3D");
            out.push_str(v);
        } else {
            push_encoded_again(&mut out, k);
            out.push_str("%3D");
            push_encoded_again(&mut out, v);
        }
    }
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
    fn the_joined_parts_are_the_base_string() {
        for (method, url, params) in [
            (
                "post",
                "HTTP://Example.com:80/r%20v?x=1",
                vec![("b", "2 3"), ("a", "é")],
            ),
            ("GET", "https://example.com:8443/", vec![]),
        ] {
            let url = Url::parse(url).unwrap();
            assert_eq!(
                join_base_string(
                    method,
                    &base_string_uri(&url),
                    &normalize_parameters(params.iter().copied())
                ),
                signature_base_string(method, &url, params.iter().copied())
            );
        }
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
