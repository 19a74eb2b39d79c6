//! OAuth 1.0a (RFC 5849) for clients and servers.
pub mod base_string;
pub mod encode;
pub mod header;
pub mod sign;
pub mod signature;
pub mod types;
pub mod verify;

pub use sign::{Body, Placement, Request, SignError, SignedRequest, Signer};
pub use signature::{HmacSha1, HmacSha256, Plaintext, SignatureMethod};
pub use types::{
    AccessToken, ClientCredentials, ConsumerKey, ConsumerSecret, Nonce, RequestToken, Timestamp,
    Token, TokenCredentials, TokenSecret, Verifier,
};
pub use verify::{IncomingRequest, Location, SignedParams, VerifyError, check_timestamp};
