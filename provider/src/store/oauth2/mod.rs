//! OAuth 2.0's tables: clients with their redirect URIs, authorization codes, and the
//! access and refresh tokens of each family, with the families revoked.

pub mod clients;
pub mod codes;
pub mod connections;
pub mod tokens;
