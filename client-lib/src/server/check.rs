//! The checks that need secrets and state, in the order RFC 5849 §3.2 and §3.3 call for,
//! cheapest first: the timestamp window (both directions), the signature (in constant
//! time), and only then the nonce. Recording the nonce last means a request with a bad
//! signature can neither fill the store nor use up a real client's nonce.

use super::config::ServerConfig;
use super::error::ServerError;
use super::nonce::{NonceKey, NonceStore};
use super::store::ClientRecord;
use crate::types::{Timestamp, TokenSecret};
use crate::verify::{SignedParams, VerifyError, check_timestamp};

pub(crate) async fn verify<C>(
    config: &ServerConfig,
    nonces: &dyn NonceStore,
    params: &SignedParams,
    client: &ClientRecord<C>,
    token_secret: Option<&TokenSecret>,
) -> Result<(), ServerError> {
    // Both are required even with PLAINTEXT (§3.1 makes them optional there): without
    // them a captured request could be replayed.
    let timestamp =
        params
            .timestamp
            .ok_or(ServerError::BadRequest(VerifyError::MissingParameter(
                "oauth_timestamp",
            )))?;
    let nonce =
        params
            .nonce
            .as_ref()
            .ok_or(ServerError::BadRequest(VerifyError::MissingParameter(
                "oauth_nonce",
            )))?;
    let now = config.now();
    let window = config.timestamp_window_secs;
    check_timestamp(timestamp, Timestamp::from_secs(now), window)?;
    check_signature(params, client, token_secret)?;
    let key = NonceKey {
        consumer_key: params.consumer_key.as_str(),
        token: params.token.as_ref().map_or("", |t| t.as_str()),
        timestamp: timestamp.as_secs(),
        nonce: nonce.as_str(),
    };
    // Remembered for as long as its timestamp could still be accepted.
    let expires_at = timestamp.as_secs() + window + 1;
    if nonces.insert_once(key, now, expires_at).await? {
        Ok(())
    } else {
        Err(ServerError::NonceReused)
    }
}

/// §3.4: a client that registered a public key signs with RSA-SHA1 and nothing else (its
/// shared secret, which the server also holds, signs nothing then); a client without one
/// signs with the shared-secret methods only.
fn check_signature<C>(
    params: &SignedParams,
    client: &ClientRecord<C>,
    token_secret: Option<&TokenSecret>,
) -> Result<(), ServerError> {
    let method = params.signature_method().name();
    let unsupported =
        || ServerError::BadRequest(VerifyError::UnsupportedSignatureMethod(method.to_owned()));
    match (&client.public_key, method == "RSA-SHA1") {
        (Some(key), true) => Ok(key.verify(params)?),
        (None, false) => Ok(params.verify_signature(&client.secret, token_secret)?),
        _ => Err(unsupported()),
    }
}
