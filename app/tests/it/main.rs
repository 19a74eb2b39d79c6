//! The site's integration tests: sign-in binding, storage, guards and headers, faults, logs, server functions and the journeys.
//! One binary with a module per concern, so the dependency tree is linked once.

mod support;

mod binding;
mod cache;
mod faults;
mod guards;
mod headers;
mod health;
mod instances;
mod journey;
mod logs;
mod oauth2;
mod playground;
mod remote_errors;
mod server_fns;
mod sessions;
