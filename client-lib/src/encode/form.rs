//! Forms (`application/x-www-form-urlencoded` queries and bodies) as signing reads and
//! writes them: decoded (§3.4.1.3.1), encoded, and re-encoded into §3.6's encoding.

use std::borrow::Cow;

use super::{encode, encode_into, escaped, is_unreserved};

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

/// The pairs of a form body or query (§3.4.1.3.1) with names and values in the §3.6
/// encoding, straight from their form encoding: the same as [`decode_form`] followed by
/// [`encode`], in one pass, and borrowed where the text is already in that encoding (as a
/// body this crate built is).
pub fn reencode_form(input: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    input
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (reencode_component(name), reencode_component(value))
        })
}

/// One name or value of a form: see [`reencode_form`].
fn reencode_component(raw: &str) -> Cow<'_, str> {
    if is_canonical(raw) {
        return Cow::Borrowed(raw);
    }
    match reencode_ascii(raw) {
        Some(encoded) => Cow::Owned(encoded),
        // Escaped bytes above 0x7F: decode them as text (invalid UTF-8 becoming U+FFFD,
        // as the form decoder does), then encode.
        None => {
            let text = raw.replace('+', " ");
            let decoded = percent_encoding::percent_decode_str(&text).decode_utf8_lossy();
            Cow::Owned(encode(&decoded).into_owned())
        }
    }
}

/// The value of a hex digit, either case.
fn hex_value(digit: Option<&u8>) -> Option<u8> {
    match *digit? {
        d @ b'0'..=b'9' => Some(d - b'0'),
        d @ b'A'..=b'F' => Some(d - b'A' + 10),
        d @ b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    }
}

/// The value of an upper-case hex digit, as §3.6 writes them.
fn upper_hex_value(digit: Option<&u8>) -> Option<u8> {
    digit
        .filter(|d| !d.is_ascii_lowercase())
        .and_then(|d| hex_value(Some(d)))
}

/// Whether a form component is already its own §3.6 encoding: unreserved characters and
/// upper-case escapes of the other ASCII bytes only.
fn is_canonical(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if is_unreserved(b) {
            i += 1;
            continue;
        }
        if b == b'%'
            && let (Some(hi), Some(lo)) = (
                upper_hex_value(bytes.get(i + 1)),
                upper_hex_value(bytes.get(i + 2)),
            )
        {
            let byte = hi << 4 | lo;
            if byte < 0x80 && !is_unreserved(byte) {
                i += 3;
                continue;
            }
        }
        return false;
    }
    true
}

/// The §3.6 encoding of a form component, or `None` if it escapes a byte above 0x7F.
fn reencode_ascii(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len() + 8);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => push_byte(&mut out, b' '),
            b'%' => match (hex_value(bytes.get(i + 1)), hex_value(bytes.get(i + 2))) {
                (Some(hi), Some(lo)) => {
                    let byte = hi << 4 | lo;
                    if byte >= 0x80 {
                        return None;
                    }
                    push_byte(&mut out, byte);
                    i += 2;
                }
                // A `%` that starts no escape stands for itself.
                _ => push_byte(&mut out, b'%'),
            },
            // Bytes of a character written as itself (UTF-8) are escaped one by one.
            _ => push_byte(&mut out, b),
        }
        i += 1;
    }
    Some(out)
}

/// Appends one byte, bare when unreserved, else escaped.
fn push_byte(out: &mut String, byte: u8) {
    if is_unreserved(byte) {
        out.push(char::from(byte));
    } else {
        push_escaped(out, byte);
    }
}

/// Appends `%XX` for `byte`.
fn push_escaped(out: &mut String, byte: u8) {
    out.push_str(escaped(byte));
}
