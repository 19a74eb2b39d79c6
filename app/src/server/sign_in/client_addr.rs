//! Who the client of a request is, for the sign-in quota (`throttle.rs`), by the rule the
//! provider uses too (`plumbing::client_addr`: `X-Forwarded-For` only from `TRUSTED_PROXY`).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request};

use crate::server::plumbing::client_addr::client_address;

/// The client of `request`. `None` when the server was not started with connect info
/// (`into_make_service_with_connect_info`, as `spawn` and `run` do): such clients then
/// share one quota.
pub fn of(request: &Request, trusted_proxy: Option<IpAddr>) -> Option<IpAddr> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    client_address(peer, trusted_proxy, request.headers())
}
