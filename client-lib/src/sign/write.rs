//! The signed protocol parameters written where they travel (§3.5): the
//! `Authorization` header, or a form for the query or the body.

use crate::base_string::EncodedParam;
use crate::header;

/// Writes the encoded protocol parameters with `oauth_signature` in its sorted place,
/// as `name="value"` joined by `, ` (header) or `name=value` joined by `&` (form):
/// `signature` writes the signature's encoded value.
fn write_params(
    out: &mut String,
    oauth: &[EncodedParam<'_>],
    quoted: bool,
    signature: impl FnOnce(&mut String),
) {
    let (separator, quote) = if quoted { (", ", "\"") } else { ("&", "") };
    let at = oauth.partition_point(|(k, _, _)| k.as_ref() < "oauth_signature");
    let (before, after) = oauth.split_at(at);
    let pair = |out: &mut String, k: &str, v: &str| {
        out.push_str(k);
        out.push('=');
        out.push_str(quote);
        out.push_str(v);
        out.push_str(quote);
    };
    for (k, v, _) in before {
        pair(out, k, v);
        out.push_str(separator);
    }
    out.push_str("oauth_signature=");
    out.push_str(quote);
    signature(out);
    out.push_str(quote);
    for (k, v, _) in after {
        out.push_str(separator);
        pair(out, k, v);
    }
}

/// The `Authorization` header value (§3.5.1): realm first, then the parameters.
pub(super) fn header(
    realm: Option<&str>,
    oauth: &[EncodedParam<'_>],
    signature: impl FnOnce(&mut String),
) -> String {
    let len: usize = oauth.iter().map(|(k, v, _)| k.len() + v.len() + 5).sum();
    let mut out = String::with_capacity(len + 96 + realm.map_or(0, |r| 2 * r.len() + 10));
    out.push_str("OAuth ");
    if let Some(realm) = realm {
        header::push_realm(&mut out, realm);
        out.push_str(", ");
    }
    write_params(&mut out, oauth, true, signature);
    out
}

/// Appends the protocol parameters as a form (§3.5.2, §3.5.3), `%20` for a space.
pub(super) fn push_form(
    out: &mut String,
    oauth: &[EncodedParam<'_>],
    signature: impl FnOnce(&mut String),
) {
    write_params(out, oauth, false, signature);
}
