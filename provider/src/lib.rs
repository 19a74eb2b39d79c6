//! A Twitter-compatible OAuth 1.0a provider (RFC 5849), with X's OAuth 2.0 (RFC 6749 +
//! RFC 7636) beside it, on Axum, askama and sqlx.
//!
//! [`router`] is the whole HTTP surface; `main.rs` only reads configuration, runs the
//! command line and serves.

pub mod api;
pub mod api_v2;
pub mod config;
pub mod edge;
pub mod error;
pub mod hashing;
pub mod health;
pub mod oauth;
pub mod oauth2;
pub mod plumbing;
pub mod server;
pub mod state;
pub mod statuses;
pub mod store;
pub mod users;
pub mod web;

pub use config::Config;
pub use server::{router, serve, spawn};
pub use state::AppState;
