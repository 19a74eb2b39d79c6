//! RSA-SHA1, RFC 5849 §3.4.3: RSASSA-PKCS1-v1_5 (RFC 3447 §8.2) over SHA-1, signed with
//! the client's private key and verified with the public key the server holds for it.
//!
//! Unlike the HMAC methods, no secret is shared: the consumer and token secrets play no
//! part (§3.4.3), so a server that only ever sees a public key cannot sign as the client
//! (the server half accepts nothing else from a client that registered one).
//! Keys are read from PEM, PKCS#1 (`RSA PRIVATE KEY`, `RSA PUBLIC KEY`) or PKCS#8 / SPKI
//! (`PRIVATE KEY`, `PUBLIC KEY`), as OpenSSL writes them.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Verifier as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{PrivateKey, PublicKey};

use crate::signature::SignatureMethod;

/// The moduli accepted, in bits, for both halves. Shorter keys are too weak to mean much
/// (oauthlib's test vectors use 1024); keys come from forms (a developer page, the
/// playground), and the cost of an RSA operation grows with the cube of the size: a
/// 16,384-bit private key took seconds to sign with. 4,096 bits is what `openssl genrsa`
/// users reach for at most.
pub const KEY_BITS: std::ops::RangeInclusive<usize> = 1024..=4096;

/// The most PEM text read, in bytes: a 4,096-bit private key is about 3,300. Parsing is
/// refused past this before it starts.
pub const MAX_PEM_BYTES: usize = 8 * 1024;

/// The largest public exponent accepted, in bits: 65537 (`F4`, what every tool writes)
/// has 17. A verification costs one modular power per bit of the exponent.
pub const MAX_EXPONENT_BITS: u32 = 17;

/// Why a PEM key could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RsaKeyError {
    /// Not PEM, not RSA, or the other half of the pair.
    #[error(
        "not an RSA {0} key in PEM: paste the whole block, from -----BEGIN to -----END, with its line breaks (`openssl genrsa 2048` makes one)"
    )]
    NotPem(&'static str),
    /// A modulus outside [`KEY_BITS`], an exponent past [`MAX_EXPONENT_BITS`], or more
    /// than [`MAX_PEM_BYTES`] of text.
    #[error(
        "the RSA key is too small or too large: use 1024 to 4096 bits with the exponent 65537 (`openssl genrsa 2048`)"
    )]
    Size,
}

/// RSA-SHA1 for a client: signs with its private key. As a [`SignatureMethod`] it
/// ignores the secrets it is given (§3.4.3).
#[derive(Clone)]
pub struct RsaSha1 {
    key: SigningKey<sha1::Sha1>,
}

impl fmt::Debug for RsaSha1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RsaSha1([private key])")
    }
}

impl RsaSha1 {
    /// Reads a private key: `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1) or
    /// `-----BEGIN PRIVATE KEY-----` (PKCS#8, unencrypted).
    pub fn from_pem(pem: &str) -> Result<Self, RsaKeyError> {
        let pem = bounded(pem)?;
        let key = PrivateKey::from_pkcs1_pem(pem)
            .or_else(|_| PrivateKey::from_pkcs8_pem(pem))
            .map_err(|_| RsaKeyError::NotPem("private"))?;
        check_size(key.as_ref())?;
        Ok(Self {
            key: SigningKey::new(key),
        })
    }

    /// The public half, for a server to verify with.
    pub fn public_key(&self) -> RsaSha1PublicKey {
        let public: &PrivateKey = self.key.as_ref();
        RsaSha1PublicKey {
            key: VerifyingKey::new(public.to_public_key()),
        }
    }

    /// The signature of a base string, in base64 (§3.4.3). Blinded with a fresh random
    /// value, so the time it takes says nothing of the key; the result is deterministic.
    pub fn sign_base_string(&self, base_string: &str) -> String {
        match self
            .key
            .try_sign_with_rng(&mut rand::rng(), base_string.as_bytes())
        {
            Ok(signature) => BASE64.encode(signature.to_bytes()),
            // Signing with a key that parsed cannot fail; an empty signature is refused
            // by any server should it ever happen.
            Err(_) => String::new(),
        }
    }
}

impl SignatureMethod for RsaSha1 {
    fn name(&self) -> &'static str {
        "RSA-SHA1"
    }
    fn sign(&self, base_string: &str, _consumer_secret: &str, _token_secret: &str) -> String {
        self.sign_base_string(base_string)
    }
    fn body_hash(&self, body: &[u8]) -> Option<String> {
        // The method's digest, SHA-1, as for HMAC-SHA1.
        crate::signature::HmacSha1.body_hash(body)
    }
    fn verify(&self, base_string: &str, _cs: &str, _ts: &str, signature: &str) -> bool {
        self.public_key().verify(base_string, signature)
    }
}

/// The public key a server holds for a client that signs with RSA-SHA1.
#[derive(Clone)]
pub struct RsaSha1PublicKey {
    key: VerifyingKey<sha1::Sha1>,
}

impl fmt::Debug for RsaSha1PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key: &PublicKey = self.key.as_ref();
        write!(f, "RsaSha1PublicKey({} bits)", modulus_bits(key))
    }
}

impl RsaSha1PublicKey {
    /// Reads a public key: `-----BEGIN PUBLIC KEY-----` (SPKI, what `openssl rsa -pubout`
    /// writes) or `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1). A private key is refused:
    /// a server has no business holding one.
    pub fn from_pem(pem: &str) -> Result<Self, RsaKeyError> {
        let pem = bounded(pem)?;
        let key = PublicKey::from_public_key_pem(pem)
            .or_else(|_| PublicKey::from_pkcs1_pem(pem))
            .map_err(|_| RsaKeyError::NotPem("public"))?;
        check_size(&key)?;
        Ok(Self {
            key: VerifyingKey::new(key),
        })
    }

    /// Whether `signature` (base64, as `oauth_signature` carries it once decoded) is the
    /// client's signature of `base_string` (§3.4.3). Anything that is not base64 of a
    /// signature of the key's length is false.
    pub fn verify(&self, base_string: &str, signature: &str) -> bool {
        let Ok(bytes) = BASE64.decode(signature) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        self.key.verify(base_string.as_bytes(), &signature).is_ok()
    }
}

fn modulus_bits(key: &PublicKey) -> usize {
    key.n().bit_width_vartime() as usize
}

/// The PEM text, trimmed, if it is short enough to parse at all.
fn bounded(pem: &str) -> Result<&str, RsaKeyError> {
    if pem.len() > MAX_PEM_BYTES {
        return Err(RsaKeyError::Size);
    }
    Ok(pem.trim())
}

/// [`KEY_BITS`] and [`MAX_EXPONENT_BITS`], for either half (the `rsa` crate bounds
/// public keys only, and more loosely).
fn check_size(key: &PublicKey) -> Result<(), RsaKeyError> {
    let exponent_bits = key.e().bit_width_vartime();
    if KEY_BITS.contains(&modulus_bits(key)) && exponent_bits <= MAX_EXPONENT_BITS {
        Ok(())
    } else {
        Err(RsaKeyError::Size)
    }
}

/// `RSA-SHA1` as [`verify::receivable`](crate::verify::receivable) finds it on a
/// received request: it knows no key, so it signs nothing and verifies nothing. A server
/// checks such a request with the client's [`RsaSha1PublicKey`]
/// ([`SignedParams::verify_rsa_sha1`](crate::verify::SignedParams::verify_rsa_sha1)).
#[derive(Clone, Copy, Debug, Default)]
pub struct RsaSha1Unkeyed;

impl SignatureMethod for RsaSha1Unkeyed {
    fn name(&self) -> &'static str {
        "RSA-SHA1"
    }
    fn sign(&self, _base_string: &str, _cs: &str, _ts: &str) -> String {
        String::new()
    }
    fn body_hash(&self, body: &[u8]) -> Option<String> {
        // The method's digest, SHA-1, as for HMAC-SHA1.
        crate::signature::HmacSha1.body_hash(body)
    }
    fn verify(&self, _base_string: &str, _cs: &str, _ts: &str, _signature: &str) -> bool {
        false
    }
}
