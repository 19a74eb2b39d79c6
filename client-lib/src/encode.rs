//! Percent-encoding as RFC 5849 §3.6 defines it, and form decoding for §3.4.1.3.1.
//!
//! §3.6: text is UTF-8 encoded, the unreserved characters `ALPHA / DIGIT / "-" / "." /
//! "_" / "~"` stay bare, every other byte becomes `%XX` with upper-case hex, and a space
//! is `%20`, never `+`. The `percent-encoding` crate does exactly this with the set
//! below; its output is upper-case hex.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::borrow::Cow;

/// Every byte except the unreserved characters of RFC 5849 §3.6.
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `value` as RFC 5849 §3.6 requires.
pub fn encode(value: &str) -> Cow<'_, str> {
    utf8_percent_encode(value, NOT_UNRESERVED).into()
}

/// Appends the §3.6 encoding of `value` to `out`, without an intermediate allocation.
pub fn encode_into(out: &mut String, value: &str) {
    for chunk in utf8_percent_encode(value, NOT_UNRESERVED) {
        out.push_str(chunk);
    }
}

/// Decodes an `application/x-www-form-urlencoded` string (a query or a form body) into
/// name/value pairs, in order, keeping repeated and empty values (§3.4.1.3.1). `+` is a
/// space there, as the form encoding says.
pub fn decode_form(input: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(input.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Encodes pairs as a form body or query, with the §3.6 encoding (so a space is `%20`).
/// Signing and sending the same bytes avoids any disagreement about `+`.
pub fn encode_form<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, k.as_ref());
        out.push('=');
        encode_into(&mut out, v.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_characters_stay_bare() {
        let unreserved = "ABCXYZabcxyz0189-._~";
        assert_eq!(encode(unreserved), unreserved);
    }

    #[test]
    fn reserved_characters_are_upper_case_hex() {
        assert_eq!(
            encode("!*'();:@&=+$,/?#[]"),
            "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D"
        );
        assert_eq!(encode("%"), "%25");
    }

    #[test]
    fn space_is_percent_20_never_plus() {
        assert_eq!(encode("a b"), "a%20b");
    }

    #[test]
    fn text_is_encoded_as_utf8_bytes() {
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("☃"), "%E2%98%83");
        assert_eq!(encode("😀"), "%F0%9F%98%80");
    }

    #[test]
    fn encode_into_matches_encode() {
        let mut out = String::from("x=");
        encode_into(&mut out, "Ladies + Gentlemen");
        assert_eq!(out, "x=Ladies%20%2B%20Gentlemen");
    }

    #[test]
    fn form_decoding_keeps_order_repeats_and_empty_values() {
        assert_eq!(
            decode_form("b=2&a=&b=1&c+d=e%20f&g"),
            vec![
                ("b".into(), "2".into()),
                ("a".into(), "".into()),
                ("b".into(), "1".into()),
                ("c d".into(), "e f".into()),
                ("g".into(), "".into()),
            ]
        );
    }

    #[test]
    fn form_encoding_round_trips() {
        let pairs = [(
            "status",
            "Hello Ladies + Gentlemen, a signed OAuth request!",
        )];
        let body = encode_form(&pairs);
        assert_eq!(
            body,
            "status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21"
        );
        assert_eq!(
            decode_form(&body),
            vec![(pairs[0].0.to_string(), pairs[0].1.to_string())]
        );
    }
}
