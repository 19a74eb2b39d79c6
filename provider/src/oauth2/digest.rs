//! What the database keeps instead of a credential: its SHA-256 digest, hex-encoded. Codes,
//! tokens and client secrets are long random strings, so a digest cannot be reversed by
//! guessing, and a copy of the database holds nothing that works against the API.

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Whether `value` has the stored digest, compared in constant time.
pub fn matches(value: &str, digest: &str) -> bool {
    bool::from(sha256_hex(value).as_bytes().ct_eq(digest.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256_in_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(matches("abc", &sha256_hex("abc")));
        assert!(!matches("abd", &sha256_hex("abc")));
    }
}
