//! The provider's storage boundary for OAuth: apps and their credentials, OAuth 1.0a's
//! tokens (and their tables as `oauth1::server`'s stores), OAuth 2.0's beside them, web
//! sessions, and the one sweeper of what expires. The Twitter API's own records (users,
//! statuses) keep their rules beside their SQL, in `users` and `statuses`.

pub mod apps;
pub mod expiry;
pub mod grant_cache;
pub mod oauth1;
pub mod oauth2;
pub mod sessions;
pub mod tokens;
