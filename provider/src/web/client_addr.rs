//! The client's address as an extractor, for throttling; the rule that reads it is
//! `plumbing::client_addr`'s, the same as the site's.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::Config;
use crate::plumbing::client_addr::client_address;

/// The client's address, from the connection when the server was started with
/// `into_make_service_with_connect_info` (as [`crate::serve`] and [`crate::spawn`] do).
/// `None` otherwise, and then all such clients share one count. `X-Forwarded-For` is
/// believed only from `TRUSTED_PROXY` (see [`client_address`]): anyone else could pick
/// their own address with it.
pub struct ClientAddr(pub Option<IpAddr>);

impl<S> FromRequestParts<S> for ClientAddr
where
    Arc<Config>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        let trusted = Arc::<Config>::from_ref(state).trusted_proxy;
        Ok(ClientAddr(client_address(peer, trusted, &parts.headers)))
    }
}
