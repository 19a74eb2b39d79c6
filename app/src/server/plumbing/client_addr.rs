//! Who the client is, for throttling: the connection's peer address, or behind a trusted
//! reverse proxy (`TRUSTED_PROXY`) the address that proxy saw. `X-Forwarded-For` is
//! believed only from the proxy, and only the entry it appended: anyone can write their own.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// The client behind `peer`: when `peer` is the trusted proxy, the right-most
/// `X-Forwarded-For` entry, which that proxy appended (entries to its left came from the
/// client and prove nothing); else, or when there is no usable entry, `peer` itself.
pub fn client_address(
    peer: Option<IpAddr>,
    trusted_proxy: Option<IpAddr>,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    let peer = peer.map(|p| p.to_canonical());
    if peer.is_none() || peer != trusted_proxy.map(|t| t.to_canonical()) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|line| line.to_str().ok())
        .and_then(|line| line.rsplit(',').next())
        .map(str::trim)
        .and_then(|entry| {
            entry
                .parse::<IpAddr>()
                .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
                .ok()
        });
    forwarded.map(|ip| ip.to_canonical()).or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_trusted_proxy_may_name_the_client_and_only_its_own_entry_counts() {
        let proxy = IpAddr::from([10, 0, 0, 2]);
        let headers = |lines: &[&str]| {
            let mut map = HeaderMap::new();
            for line in lines {
                map.append("x-forwarded-for", line.parse().unwrap());
            }
            map
        };
        let spoofed = headers(&["192.0.2.66, 203.0.113.9"]);
        let client = Some(IpAddr::from([203, 0, 113, 9]));
        assert_eq!(client_address(Some(proxy), Some(proxy), &spoofed), client);
        // Not from the proxy, or no proxy configured: the header is the client's word.
        let other = Some(IpAddr::from([198, 51, 100, 1]));
        assert_eq!(client_address(other, Some(proxy), &spoofed), other);
        assert_eq!(client_address(Some(proxy), None, &spoofed), Some(proxy));
        assert_eq!(client_address(None, Some(proxy), &spoofed), None);
        // Several header lines: the last line's last entry; a port or brackets are fine.
        let lines = headers(&["192.0.2.66", "198.51.100.5 , 203.0.113.9:4711"]);
        assert_eq!(client_address(Some(proxy), Some(proxy), &lines), client);
        let v6 = headers(&["[2001:db8::7]:443"]);
        assert_eq!(
            client_address(Some(proxy), Some(proxy), &v6),
            Some("2001:db8::7".parse().unwrap())
        );
        // Missing or unusable: the proxy's own address, never an error.
        for bad in [
            headers(&[]),
            headers(&["unknown"]),
            headers(&["203.0.113.9, "]),
        ] {
            assert_eq!(client_address(Some(proxy), Some(proxy), &bad), Some(proxy));
        }
        // An IPv4-mapped peer is the same proxy.
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        assert_eq!(client_address(Some(mapped), Some(proxy), &spoofed), client);
    }
}
