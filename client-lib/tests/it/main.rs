//! The oauth1 crate's integration tests: vectors, explainer, client, registry, server, interop.
//! One binary with a module per concern, so the dependency tree is linked once.

#[cfg(feature = "client")]
mod support;

#[cfg(feature = "explain")]
mod diagnose;
mod differential;
#[cfg(feature = "explain")]
mod explain;
mod fuzz_corpus;
mod vectors;

#[cfg(feature = "client")]
mod authlib_interop;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod oauth2;
#[cfg(all(feature = "axum", feature = "client"))]
mod own_provider;
#[cfg(feature = "server")]
mod server_rules;
#[cfg(feature = "client")]
mod spans;
