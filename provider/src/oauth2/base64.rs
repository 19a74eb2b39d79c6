//! The two base64 forms OAuth 2.0 needs, from the `base64` crate: base64url without
//! padding for PKCE challenges (RFC 7636 §4.2, Appendix A) and strict standard base64
//! decoding for HTTP Basic client credentials (RFC 7617 §2, RFC 6749 §2.3.1).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// RFC 4648 §5 without `=` padding (RFC 7636 Appendix A).
pub fn url_no_pad(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// RFC 4648 §4 with padding, strictly: `None` for any other character, a bad length or
/// bits left over (the crate's `STANDARD` engine requires canonical padding and zero
/// trailing bits).
pub fn decode_standard(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10.
    const VECTORS: [(&str, &str); 7] = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn rfc_4648_vectors_decode_and_encode() {
        for (plain, encoded) in VECTORS {
            assert_eq!(decode_standard(encoded).unwrap(), plain.as_bytes());
            assert_eq!(url_no_pad(plain.as_bytes()), encoded.trim_end_matches('='));
        }
        assert_eq!(url_no_pad(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn malformed_base64_is_refused() {
        for bad in ["Zg=", "Zh==", "Z===", "Zm9v!", "Zm 9", "=Zg="] {
            assert_eq!(decode_standard(bad), None, "{bad}");
        }
    }
}
