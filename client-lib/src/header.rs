//! The `Authorization: OAuth ...` header (RFC 5849 §3.5.1): rendering and a strict,
//! total parser.
//!
//! Grammar accepted by the parser (the RFC's, with optional whitespace around commas):
//!
//! ```text
//! header = "OAuth" 1*SP [ param *( *SP "," *SP param ) ] *SP
//! param  = name "=" DQUOTE value DQUOTE      ; name and value percent-encoded (§3.6)
//! ```
//!
//! Anything else is a [`HeaderError`], never a panic.

use crate::encode::encode;
use percent_encoding::percent_decode_str;

/// Why an `Authorization` header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("the Authorization header does not use the OAuth scheme")]
    NotOAuth,
    #[error("parameter {index} of the Authorization header has no name")]
    EmptyName { index: usize },
    #[error("parameter {index} of the Authorization header has no `=`")]
    MissingEquals { index: usize },
    #[error("the value of parameter {index} of the Authorization header is not in double quotes")]
    UnquotedValue { index: usize },
    #[error("the value of parameter {index} of the Authorization header has no closing quote")]
    UnterminatedValue { index: usize },
    #[error("parameter {index} of the Authorization header is followed by {found:?}, not a comma")]
    ExpectedComma { index: usize, found: char },
    #[error("parameter {index} of the Authorization header has invalid percent-encoding")]
    BadEncoding { index: usize },
}

/// Renders `OAuth realm="...", name="value", ...`. The realm comes first and is not
/// percent-encoded beyond what a quoted string needs (§3.5.1); names and values are
/// encoded as §3.6.
pub fn render<'a, I>(realm: Option<&str>, params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let encoded: Vec<_> = params
        .into_iter()
        .map(|(k, v)| (encode(k), encode(v)))
        .collect();
    render_encoded(realm, encoded.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
}

/// [`render`] for names and values that are already encoded (§3.6).
pub(crate) fn render_encoded<'a, I>(realm: Option<&str>, params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::with_capacity(384);
    out.push_str("OAuth ");
    let mut first = true;
    if let Some(realm) = realm {
        push_realm(&mut out, realm);
        first = false;
    }
    for (name, value) in params {
        if !first {
            out.push_str(", ");
        }
        first = false;
        out.push_str(name);
        out.push_str("=\"");
        out.push_str(value);
        out.push('"');
    }
    out
}

/// Appends `realm="..."`: a quoted-string (RFC 2617), which may not hold a bare `"` or
/// `\\`, so those are escaped; the realm is not percent-encoded (§3.5.1).
pub(crate) fn push_realm(out: &mut String, realm: &str) {
    out.push_str("realm=\"");
    for c in realm.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Parses an `Authorization` header value into decoded name/value pairs, in order,
/// `realm` included (callers drop it from the signature, §3.4.1.3.1).
pub fn parse(header: &str) -> Result<Vec<(String, String)>, HeaderError> {
    let rest = strip_scheme(header).ok_or(HeaderError::NotOAuth)?;
    let bytes = rest.as_bytes();
    // A signed request has seven or eight: one allocation.
    let mut params = Vec::with_capacity(8);
    let mut i = skip_spaces(bytes, 0);
    let mut index = 0;
    while i < bytes.len() {
        // name
        let name_start = i;
        while i < bytes.len() && bytes[i] != b'=' && bytes[i] != b',' && !is_space(bytes[i]) {
            i += 1;
        }
        if i == name_start {
            return Err(HeaderError::EmptyName { index });
        }
        let name = &rest[name_start..i];
        if bytes.get(i) != Some(&b'=') {
            return Err(HeaderError::MissingEquals { index });
        }
        i += 1;
        // value
        let value = if name == "realm" {
            let (value, next) = quoted_string(rest, i, index)?;
            i = next;
            value
        } else {
            if bytes.get(i) != Some(&b'"') {
                return Err(HeaderError::UnquotedValue { index });
            }
            let start = i + 1;
            let end = rest[start..]
                .find('"')
                .map(|n| start + n)
                .ok_or(HeaderError::UnterminatedValue { index })?;
            i = end + 1;
            decode(&rest[start..end], index)?
        };
        params.push((decode(name, index)?, value));
        index += 1;
        // separator
        i = skip_spaces(bytes, i);
        match bytes.get(i) {
            None => break,
            Some(b',') => {
                i = skip_spaces(bytes, i + 1);
                if i == bytes.len() {
                    return Err(HeaderError::EmptyName { index });
                }
            }
            Some(_) => {
                let found = rest[i..].chars().next().unwrap_or(' ');
                return Err(HeaderError::ExpectedComma {
                    index: index - 1,
                    found,
                });
            }
        }
    }
    Ok(params)
}

/// The text after `OAuth` and at least one space; the scheme name is case-insensitive.
fn strip_scheme(header: &str) -> Option<&str> {
    let header = header.trim_start_matches([' ', '\t']);
    let scheme = header.get(..5)?;
    if !scheme.eq_ignore_ascii_case("OAuth") {
        return None;
    }
    let rest = &header[5..];
    match rest.as_bytes().first() {
        None => Some(rest),
        Some(b) if is_space(*b) => Some(rest),
        Some(_) => None,
    }
}

/// A realm is an RFC 2617 quoted-string, so it may hold `\"`; it is not percent-encoded.
fn quoted_string(rest: &str, mut i: usize, index: usize) -> Result<(String, usize), HeaderError> {
    let bytes = rest.as_bytes();
    if bytes.get(i) != Some(&b'"') {
        return Err(HeaderError::UnquotedValue { index });
    }
    i += 1;
    let mut value = Vec::new();
    loop {
        match bytes.get(i) {
            None => return Err(HeaderError::UnterminatedValue { index }),
            Some(b'"') => break,
            Some(b'\\') => {
                let escaped = bytes
                    .get(i + 1)
                    .ok_or(HeaderError::UnterminatedValue { index })?;
                value.push(*escaped);
                i += 2;
            }
            Some(b) => {
                value.push(*b);
                i += 1;
            }
        }
    }
    let value = String::from_utf8(value).map_err(|_| HeaderError::BadEncoding { index })?;
    Ok((value, i + 1))
}

fn decode(encoded: &str, index: usize) -> Result<String, HeaderError> {
    // Reject `%` not followed by two hex digits: percent_decode would pass it through.
    let b = encoded.as_bytes();
    for (pos, _) in encoded.match_indices('%') {
        let ok = b.get(pos + 1).is_some_and(u8::is_ascii_hexdigit)
            && b.get(pos + 2).is_some_and(u8::is_ascii_hexdigit);
        if !ok {
            return Err(HeaderError::BadEncoding { index });
        }
    }
    percent_decode_str(encoded)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| HeaderError::BadEncoding { index })
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && is_space(bytes[i]) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn renders_realm_first_then_encoded_params() {
        let header = render(
            Some("Example"),
            [
                ("oauth_consumer_key", "0685bd9184jfhq22"),
                ("oauth_callback", "http://a/b c"),
            ],
        );
        assert_eq!(
            header,
            "OAuth realm=\"Example\", oauth_consumer_key=\"0685bd9184jfhq22\", \
             oauth_callback=\"http%3A%2F%2Fa%2Fb%20c\""
        );
    }

    #[test]
    fn parses_the_rfc_example_header() {
        // RFC 5849 §3.5.1.
        let header = r#"OAuth realm="Example",
        oauth_consumer_key="0685bd9184jfhq22",
        oauth_token="ad180jjd733klru7",
        oauth_signature_method="HMAC-SHA1",
        oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D",
        oauth_timestamp="137131200",
        oauth_nonce="4572616e48616d6d65724c61686176",
        oauth_version="1.0""#
            .replace('\n', "");
        let params = parse(&header).unwrap();
        assert_eq!(params[0], ("realm".into(), "Example".into()));
        assert_eq!(
            params[4],
            (
                "oauth_signature".into(),
                "wOJIO9A2W5mFwDgiDvZbTSMK/PY=".into()
            )
        );
        assert_eq!(params.len(), 8);
    }

    #[test]
    fn render_then_parse_round_trips() {
        let input = [("oauth_a", "x y/z"), ("oauth_b", ""), ("oauth_c", "☃\"")];
        let header = render(Some("r \"q\""), input);
        let mut expected = pairs(&[("realm", "r \"q\"")]);
        expected.extend(pairs(&input));
        assert_eq!(parse(&header).unwrap(), expected);
    }

    #[test]
    fn scheme_is_case_insensitive_and_spaces_are_optional_around_commas() {
        assert_eq!(
            parse("oauth a=\"1\",b=\"2\" ,  c=\"3\"  ").unwrap(),
            pairs(&[("a", "1"), ("b", "2"), ("c", "3")])
        );
        assert_eq!(parse("OAuth").unwrap(), vec![]);
    }

    #[test]
    fn malformed_headers_are_errors() {
        use HeaderError::*;
        let cases: &[(&str, HeaderError)] = &[
            ("Basic abc", NotOAuth),
            ("OAuthx a=\"1\"", NotOAuth),
            ("", NotOAuth),
            ("OAuth a", MissingEquals { index: 0 }),
            ("OAuth a=1", UnquotedValue { index: 0 }),
            ("OAuth a=\"1", UnterminatedValue { index: 0 }),
            (
                "OAuth a=\"1\" b=\"2\"",
                ExpectedComma {
                    index: 0,
                    found: 'b',
                },
            ),
            ("OAuth a=\"1\",", EmptyName { index: 1 }),
            ("OAuth =\"1\"", EmptyName { index: 0 }),
            ("OAuth a=\"%G1\"", BadEncoding { index: 0 }),
            ("OAuth a=\"%4\"", BadEncoding { index: 0 }),
            ("OAuth a=\"%FF\"", BadEncoding { index: 0 }),
            ("OAuth realm=\"x\\", UnterminatedValue { index: 0 }),
        ];
        for (header, expected) in cases {
            assert_eq!(parse(header).as_ref(), Err(expected), "{header:?}");
        }
    }

    #[test]
    fn the_parser_never_panics_on_arbitrary_prefixes() {
        let header = "OAuth realm=\"a\\\"b\", oauth_x=\"%E2%98%83\", é=\"1\"";
        for end in 0..=header.len() {
            if let Some(prefix) = header.get(..end) {
                let _ = parse(prefix);
            }
        }
        assert!(parse(header).is_ok());
    }
}
