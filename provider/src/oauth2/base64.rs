//! The two base64 forms OAuth 2.0 needs, small enough to keep here: base64url without
//! padding for PKCE challenges (RFC 7636 §4.2, Appendix A) and standard base64 decoding
//! for HTTP Basic client credentials (RFC 7617 §2, RFC 6749 §2.3.1).

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// RFC 4648 §5 without `=` padding (RFC 7636 Appendix A).
pub fn url_no_pad(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(URL_SAFE[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// RFC 4648 §4 with padding, strictly: `None` for any other character, a bad length or
/// bits left over.
pub fn decode_standard(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let body = bytes
        .strip_suffix(b"==")
        .or_else(|| bytes.strip_suffix(b"="));
    let body = body.unwrap_or(bytes);
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let value = STANDARD.iter().position(|&s| s == c)? as u32;
            n |= value << (18 - 6 * i);
        }
        let produced = chunk.len() * 6 / 8;
        // Bits below the last whole byte must be zero (RFC 4648 §3.5).
        if chunk.len() < 4 && n & ((1 << (24 - 8 * produced)) - 1) != 0 {
            return None;
        }
        for i in 0..produced {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
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
