//! Signature methods (RFC 5849 §3.4): HMAC-SHA1 (§3.4.2), HMAC-SHA256 (the same
//! construction with SHA-256, as Twitter and RFC 5849's successors use it) and PLAINTEXT
//! (§3.4.4), behind one trait so a service can add its own. RSA-SHA1 (§3.4.3) is in
//! `rsa_sha1`, behind the `rsa` feature.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

use crate::encode::{encode_into, encode_pieces};

/// One signature method, by its `oauth_signature_method` name.
pub trait SignatureMethod: Send + Sync + 'static {
    /// The value of `oauth_signature_method`, such as `HMAC-SHA1`.
    fn name(&self) -> &'static str;

    /// Signs a base string (§3.4.1) with the client's and the token's shared secrets
    /// (an empty token secret when there is no token).
    fn sign(&self, base_string: &str, consumer_secret: &str, token_secret: &str) -> String;

    /// [`sign`](Self::sign), appended to `out` in the §3.6 encoding, as the header and
    /// forms carry it. The HMAC methods override it to build nothing on the heap.
    fn sign_encoded_into(
        &self,
        base_string: &str,
        consumer_secret: &str,
        token_secret: &str,
        out: &mut String,
    ) {
        encode_into(out, &self.sign(base_string, consumer_secret, token_secret));
    }

    /// `oauth_body_hash` of a body that is not form-encoded, with the method's digest;
    /// `None` for methods that do not cover the body (PLAINTEXT).
    fn body_hash(&self, body: &[u8]) -> Option<String>;

    /// Checks a received signature against the expected one in constant time.
    fn verify(
        &self,
        base_string: &str,
        consumer_secret: &str,
        token_secret: &str,
        signature: &str,
    ) -> bool {
        let expected = self.sign(base_string, consumer_secret, token_secret);
        constant_time_eq(expected.as_bytes(), signature.as_bytes())
    }
}

/// Compares two byte strings without an early exit on the first difference, so the time
/// taken says nothing about how much of a guessed signature or verifier was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// The key of §3.4.2 (and the signature of §3.4.4): both secrets encoded, joined by `&`,
/// the `&` kept even when the token secret is empty.
pub fn signing_key(consumer_secret: &str, token_secret: &str) -> String {
    let mut key = String::with_capacity(consumer_secret.len() + token_secret.len() + 1);
    encode_into(&mut key, consumer_secret);
    key.push('&');
    encode_into(&mut key, token_secret);
    key
}

/// HMAC-SHA1, RFC 5849 §3.4.2.
#[derive(Clone, Copy, Debug, Default)]
pub struct HmacSha1;

/// HMAC-SHA256: §3.4.2 with SHA-256 in place of SHA-1.
#[derive(Clone, Copy, Debug, Default)]
pub struct HmacSha256;

/// PLAINTEXT, RFC 5849 §3.4.4: the signature is the key itself, so it must only be used
/// over TLS.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plaintext;

/// Hands the key of §3.4.2 to `f`, built on the stack when the secrets are short (as
/// they are in practice: this runs on every request a client signs).
fn with_signing_key<R>(consumer_secret: &str, token_secret: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = [0u8; 256];
    let mut len = 0;
    let mut fits = true;
    let mut push = |piece: &str| match buf.get_mut(len..len + piece.len()) {
        Some(place) => {
            place.copy_from_slice(piece.as_bytes());
            len += piece.len();
        }
        None => fits = false,
    };
    encode_pieces(consumer_secret, &mut push);
    push("&");
    encode_pieces(token_secret, &mut push);
    match buf.get(..len) {
        Some(key) if fits => f(key),
        _ => f(signing_key(consumer_secret, token_secret).as_bytes()),
    }
}

/// The MAC of `text` under `key`, in base64, handed to `f` from a buffer on the stack.
fn hmac_base64<M: Mac + KeyInit, R>(key: &[u8], text: &str, f: impl FnOnce(&str) -> R) -> R {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here; the fallback
    // keeps this path free of panics all the same.
    let Ok(mut mac) = <M as KeyInit>::new_from_slice(key) else {
        return f("");
    };
    mac.update(text.as_bytes());
    let digest = mac.finalize().into_bytes();
    // Room for the base64 of a 64-byte digest.
    let mut buf = [0u8; 88];
    let written = BASE64.encode_slice(digest, &mut buf).unwrap_or(0);
    let text = buf
        .get(..written)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or_default();
    f(text)
}

/// HMAC over the base string with the key of §3.4.2, the result in base64 handed to `f`.
fn hmac_sign<M: Mac + KeyInit, R>(
    base_string: &str,
    consumer_secret: &str,
    token_secret: &str,
    f: impl FnOnce(&str) -> R,
) -> R {
    with_signing_key(consumer_secret, token_secret, |key| {
        hmac_base64::<M, R>(key, base_string, f)
    })
}

fn digest_base64<D: sha1::Digest>(body: &[u8]) -> String {
    BASE64.encode(D::digest(body))
}

// The two HMAC methods are one generic implementation (`hmac_sign`, `digest_base64`)
// bound to their digest. A blanket impl over a digest trait would also make the four
// lines below one, but it would stop other crates adding signature methods of their own.
impl SignatureMethod for HmacSha1 {
    fn name(&self) -> &'static str {
        "HMAC-SHA1"
    }
    fn sign(&self, base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
        hmac_sign::<hmac::Hmac<sha1::Sha1>, _>(
            base_string,
            consumer_secret,
            token_secret,
            str::to_owned,
        )
    }
    fn sign_encoded_into(
        &self,
        base_string: &str,
        consumer_secret: &str,
        token_secret: &str,
        out: &mut String,
    ) {
        hmac_sign::<hmac::Hmac<sha1::Sha1>, _>(base_string, consumer_secret, token_secret, |sig| {
            encode_into(out, sig)
        })
    }
    fn body_hash(&self, body: &[u8]) -> Option<String> {
        Some(digest_base64::<sha1::Sha1>(body))
    }
}

impl SignatureMethod for HmacSha256 {
    fn name(&self) -> &'static str {
        "HMAC-SHA256"
    }
    fn sign(&self, base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
        hmac_sign::<hmac::Hmac<sha2::Sha256>, _>(
            base_string,
            consumer_secret,
            token_secret,
            str::to_owned,
        )
    }
    fn sign_encoded_into(
        &self,
        base_string: &str,
        consumer_secret: &str,
        token_secret: &str,
        out: &mut String,
    ) {
        hmac_sign::<hmac::Hmac<sha2::Sha256>, _>(
            base_string,
            consumer_secret,
            token_secret,
            |sig| encode_into(out, sig),
        )
    }
    fn body_hash(&self, body: &[u8]) -> Option<String> {
        Some(digest_base64::<sha2::Sha256>(body))
    }
}

impl SignatureMethod for Plaintext {
    fn name(&self) -> &'static str {
        "PLAINTEXT"
    }
    fn sign(&self, _base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
        signing_key(consumer_secret, token_secret)
    }
    fn body_hash(&self, _body: &[u8]) -> Option<String> {
        None
    }
}

/// The built-in methods, looked up by their `oauth_signature_method` name.
pub fn builtin(name: &str) -> Option<&'static dyn SignatureMethod> {
    match name {
        "HMAC-SHA1" => Some(&HmacSha1),
        "HMAC-SHA256" => Some(&HmacSha256),
        "PLAINTEXT" => Some(&Plaintext),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_joins_encoded_secrets_with_an_ampersand() {
        assert_eq!(signing_key("kd94hf93k423kf44", ""), "kd94hf93k423kf44&");
        assert_eq!(signing_key("a b", "c&d"), "a%20b&c%26d");
    }

    #[test]
    fn plaintext_signature_is_the_key() {
        // RFC 5849 §3.4.4 example.
        assert_eq!(
            Plaintext.sign("ignored", "djr9rjt0jd78jf88", "jjd99$tj88uiths3"),
            "djr9rjt0jd78jf88&jjd99%24tj88uiths3"
        );
    }

    #[test]
    fn hmac_sha1_matches_rfc_2202_test_case_2() {
        // Key "Jefe" is written as the consumer secret "Jefe" with no `&`: use the MAC
        // directly through the helper to check the primitive itself.
        let sig = hmac_base64::<hmac::Hmac<sha1::Sha1>, _>(
            b"Jefe",
            "what do ya want for nothing?",
            str::to_owned,
        );
        // 0xeffcdf6ae5eb2fa2d27416d5f184df9c259a7c79
        assert_eq!(sig, "7/zfauXrL6LSdBbV8YTfnCWafHk=");
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231_test_case_2() {
        let sig = hmac_base64::<hmac::Hmac<sha2::Sha256>, _>(
            b"Jefe",
            "what do ya want for nothing?",
            str::to_owned,
        );
        // 0x5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
        assert_eq!(sig, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    }

    #[test]
    fn long_secrets_sign_as_short_ones_do() {
        // Past the stack buffer, the key is built on the heap: the same key either way.
        for len in [1, 40, 85, 200, 300] {
            let cs = "é&".repeat(len);
            let ts = "~ ".repeat(len);
            let key = signing_key(&cs, &ts);
            let direct =
                hmac_base64::<hmac::Hmac<sha1::Sha1>, _>(key.as_bytes(), "base", str::to_owned);
            assert_eq!(HmacSha1.sign("base", &cs, &ts), direct, "{len}");
            with_signing_key(&cs, &ts, |k| assert_eq!(k, key.as_bytes()));
            let mut encoded = String::new();
            HmacSha256.sign_encoded_into("base", &cs, &ts, &mut encoded);
            assert_eq!(
                encoded,
                crate::encode::encode(&HmacSha256.sign("base", &cs, &ts))
            );
        }
    }

    #[test]
    fn verify_accepts_the_right_signature_and_rejects_others() {
        let sig = HmacSha1.sign("base", "cs", "ts");
        assert!(HmacSha1.verify("base", "cs", "ts", &sig));
        assert!(!HmacSha1.verify("base", "cs", "other", &sig));
        assert!(!HmacSha1.verify("base2", "cs", "ts", &sig));
        assert!(!HmacSha1.verify("base", "cs", "ts", ""));
    }

    #[test]
    fn body_hash_uses_the_method_digest() {
        // SHA-1("Hello World!") = 2ef7bde608ce5404e97d5f042f95f89f1c232871
        assert_eq!(
            HmacSha1.body_hash(b"Hello World!").as_deref(),
            Some("Lve95gjOVATpfV8EL5X4nxwjKHE=")
        );
        // SHA-256 of the empty body.
        assert_eq!(
            HmacSha256.body_hash(b"").as_deref(),
            Some("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        );
        assert_eq!(Plaintext.body_hash(b"x"), None);
    }

    #[test]
    fn builtin_methods_are_found_by_name() {
        for name in ["HMAC-SHA1", "HMAC-SHA256", "PLAINTEXT"] {
            assert_eq!(builtin(name).map(|m| m.name()), Some(name));
        }
        assert!(builtin("RSA-SHA1").is_none());
        assert!(builtin("hmac-sha1").is_none());
    }
}
