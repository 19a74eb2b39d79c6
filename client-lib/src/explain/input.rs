//! What a playground sends: one request to sign, as plain text fields (serde, so a page
//! can hand it over as JSON), and the checks that turn bad input into an [`ExplainError`].

use url::Url;

use super::ExplainError;
use crate::sign::Placement;

/// A request to sign and everything signing it takes. Nonce and timestamp are inputs
/// (§3.3), so the result is reproducible.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct SigningInput {
    /// The HTTP method, such as `POST`.
    pub method: String,
    /// The full URL, query included: its query parameters are signed (§3.4.1.3.1).
    pub url: String,
    /// An `application/x-www-form-urlencoded` body, or empty (§3.4.1.3.1).
    #[serde(default)]
    pub body: String,
    pub consumer_key: String,
    pub consumer_secret: String,
    #[serde(default)]
    pub token: Option<String>,
    #[serde(default)]
    pub token_secret: Option<String>,
    /// `HMAC-SHA1`, `HMAC-SHA256`, `PLAINTEXT` (§3.4) or, with the `rsa` feature,
    /// `RSA-SHA1`.
    #[serde(default = "default_signature_method")]
    pub signature_method: String,
    /// The client's private key in PEM, for RSA-SHA1 (§3.4.3), which signs with it in
    /// place of the secrets.
    #[serde(default)]
    pub rsa_private_key: Option<String>,
    /// Header (§3.5.1), query (§3.5.3) or body (§3.5.2).
    #[serde(default)]
    pub placement: Placement,
    /// The header's `realm` (§3.5.1); never signed.
    #[serde(default)]
    pub realm: Option<String>,
    /// `oauth_callback`, for the temporary-credentials request (§2.1).
    #[serde(default)]
    pub callback: Option<String>,
    /// `oauth_verifier`, for the token request (§2.3).
    #[serde(default)]
    pub verifier: Option<String>,
    /// Whether `oauth_version="1.0"` is sent (optional, §3.1).
    #[serde(default = "yes")]
    pub version: bool,
    pub nonce: String,
    /// Seconds since the Unix epoch (§3.3).
    pub timestamp: u64,
}

fn default_signature_method() -> String {
    "HMAC-SHA1".to_owned()
}

fn yes() -> bool {
    true
}

/// An HTTP method is a token (RFC 9110 §9.1); here letters, digits, `-` and `_`, which
/// also keeps `&` out of the first part of the base string (§3.4.1.1).
pub(super) fn check_method(method: &str) -> Result<(), ExplainError> {
    let ok = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ExplainError::BadMethod(method.to_owned()))
    }
}

pub(super) fn parse_url(url: &str) -> Result<Url, ExplainError> {
    let bad = |reason: String| ExplainError::BadUrl {
        url: url.to_owned(),
        reason,
    };
    let parsed = Url::parse(url).map_err(|e| bad(e.to_string()))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host".to_owned()));
    }
    Ok(parsed)
}

/// A form body as a browser sends one: `name=value` pairs joined by `&`, each `%`
/// followed by two hex digits, the escaped bytes UTF-8, and no raw spaces or control
/// characters (those mean the body is something else, JSON or text). The signer itself
/// reads any text leniently, as the form decoder does; a teaching page points at it.
pub(super) fn check_form(body: &str) -> Result<(), ExplainError> {
    let bad = |reason: String| Err(ExplainError::MalformedBody(reason));
    let bytes = body.as_bytes();
    for (at, &b) in bytes.iter().enumerate() {
        if b == b'%'
            && !(bytes.get(at + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(at + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            return bad(format!(
                "the `%` at byte {at} is not followed by two hex digits"
            ));
        }
        if b.is_ascii_whitespace() || b.is_ascii_control() {
            return bad(format!(
                "byte {at} is a raw space or control character (a form writes a space as %20 or +)"
            ));
        }
    }
    for part in body.split('&') {
        let decoded = part.replace('+', " ");
        if percent_encoding::percent_decode_str(&decoded)
            .decode_utf8()
            .is_err()
        {
            return bad(format!("{part:?} decodes to bytes that are not UTF-8"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_checked_and_others_refused() {
        for good in [
            "",
            "a=1",
            "status=Hello%20Ladies+%2B",
            "c2&a3=2+q",
            "a=&=b",
            "é=1",
        ] {
            assert_eq!(check_form(good), Ok(()), "{good:?}");
        }
        for bad in ["a=%zz", "a=%4", "a=%", "{\"a\": 1}", "a=1\n", "a=%FF"] {
            assert!(
                matches!(check_form(bad), Err(ExplainError::MalformedBody(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn methods_and_urls_are_checked() {
        assert!(check_method("POST").is_ok());
        assert!(check_method("m-search").is_ok());
        for bad in ["", "GET&x", "GE T"] {
            assert_eq!(check_method(bad), Err(ExplainError::BadMethod(bad.into())));
        }
        assert!(parse_url("https://example.com/a?b=c").is_ok());
        for bad in ["not a url", "/relative", "mailto:a@example.com", "https://"] {
            assert!(
                matches!(parse_url(bad), Err(ExplainError::BadUrl { .. })),
                "{bad:?}"
            );
        }
    }
}
