//! PKCE (RFC 7636): the challenge the client sends to the authorization endpoint and the
//! verifier it shows the token endpoint. Only S256: RFC 7636 §4.2 allows `plain` only
//! when a client cannot do SHA-256 ("If the client is capable of using S256, it MUST use
//! S256"), every client today can, and with `plain` the challenge on the front channel
//! *is* the verifier, so anyone who sees the authorization URL can redeem a stolen code.

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::base64;

/// RFC 7636 §4.1: `code-verifier = 43*128unreserved`; §4.2 gives the challenge the same
/// form (a S256 challenge is always 43 characters).
pub fn well_formed(value: &str) -> bool {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    (43..=128).contains(&value.len()) && value.bytes().all(unreserved)
}

/// RFC 7636 §4.2: `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
pub fn s256(verifier: &str) -> String {
    base64::url_no_pad(&Sha256::digest(verifier.as_bytes()))
}

/// RFC 7636 §4.6: the verifier matches the stored S256 challenge, compared in constant
/// time.
pub fn verify(verifier: &str, challenge: &str) -> bool {
    well_formed(verifier) && bool::from(s256(verifier).as_bytes().ct_eq(challenge.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_rfc_7636_appendix_b_example_matches() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
        assert!(verify(VERIFIER, CHALLENGE));
    }

    #[test]
    fn another_or_malformed_verifier_does_not_match() {
        assert!(!verify(&VERIFIER.replace('d', "e"), CHALLENGE));
        assert!(!verify(CHALLENGE, CHALLENGE));
        assert!(!verify("short", &s256("short")));
        assert!(!verify(&"a".repeat(129), &s256(&"a".repeat(129))));
        assert!(well_formed(&"a~.-_".repeat(9)));
        assert!(!well_formed(&format!("{}+", "a".repeat(43))));
    }
}
