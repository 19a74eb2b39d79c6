//! What the site keeps: its database, the users and their linked accounts (the
//! registry's token store), sign-ins under way, and web sessions.

pub mod accounts;
pub mod db;
pub mod pending_sign_ins;
pub mod sessions;

/// A storage failure as the registry reports it (its hooks return `oauth1::Error`).
pub(crate) fn store_error(e: impl std::fmt::Display) -> oauth1::Error {
    oauth1::Error::Store(e.to_string())
}
