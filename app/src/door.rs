//! The server functions' door (server only): who is asking, from the
//! session the middleware resolved, and the server's state. A server
//! function resolves the actor here, calls one service and returns its
//! answer; `?` maps a service's refusal to `AppError`, and the server's
//! middleware gives the response its real HTTP status.

use crate::state::AppState;
use crate::AppError;
use leptos::prelude::use_context;
use services::auth::SignedIn;
use services::Actor;
use store::Store;

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from Leptos context"))
}

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// The signed-in session of this request, if any.
pub fn signed_in() -> Option<SignedIn> {
    request_parts()?.extensions.get::<SignedIn>().cloned()
}

/// The store and the member of staff asking (with where from, for the
/// audit trail). Signed out: `Unauthenticated`.
pub fn staff() -> Result<(Store, Actor), AppError> {
    let mut actor = signed_in().ok_or(AppError::Unauthenticated)?.actor;
    actor.address = Some(client_address());
    Ok((state()?.store, actor))
}

/// Who sent this request: the peer's address, or, when the peer is a
/// trusted proxy (`--trusted-proxy`), the address it says it forwarded for.
pub fn client_address() -> String {
    let Some(parts) = request_parts() else {
        return "unknown".to_string();
    };
    let trusted = use_context::<AppState>()
        .map(|s| s.trusted_proxies)
        .unwrap_or_default();
    address_of(&parts, &trusted)
}

/// The browser's description of itself (`User-Agent`), or "".
pub fn user_agent() -> String {
    request_parts()
        .and_then(|p| {
            p.headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// A proxy address or network trusted to say who it forwards for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedProxy {
    network: std::net::IpAddr,
    prefix: u8,
}

impl std::str::FromStr for TrustedProxy {
    type Err = String;
    /// "10.0.0.5", "10.0.0.0/8", "::1", "fd00::/8".
    fn from_str(s: &str) -> Result<Self, String> {
        let (ip, prefix) = match s.trim().split_once('/') {
            Some((ip, p)) => (ip, Some(p)),
            None => (s.trim(), None),
        };
        let network: std::net::IpAddr = ip.parse().map_err(|_| {
            format!("\"{s}\" is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)")
        })?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("\"{s}\": the prefix length must be 0 to {max}"))?,
        };
        Ok(TrustedProxy { network, prefix })
    }
}

impl TrustedProxy {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        fn bits(ip: std::net::IpAddr) -> (u128, u32) {
            match ip {
                std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
                std::net::IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        }
        let (net, width) = bits(self.network);
        let (addr, addr_width) = bits(ip.to_canonical());
        if width != addr_width {
            return false;
        }
        let host_bits = width - u32::from(self.prefix);
        let mask = if host_bits >= 128 {
            0
        } else {
            (u128::MAX << host_bits) & (u128::MAX >> (128 - width))
        };
        net & mask == addr & mask
    }
}

/// The client's address for a request from `peer`: X-Forwarded-For is read
/// only when the peer is a trusted proxy, from the right, skipping proxies
/// we trust; anything else says nothing (a client can write any header).
pub fn address_of(parts: &http::request::Parts, trusted: &[TrustedProxy]) -> String {
    let Some(peer) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
    else {
        return "unknown".to_string();
    };
    let is_trusted = |ip: std::net::IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(peer) {
        return peer.to_string();
    }
    let forwarded: Vec<String> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .collect();
    for hop in forwarded.iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if is_trusted(ip.to_canonical()) => continue,
            Ok(ip) => return ip.to_canonical().to_string(),
            Err(_) => break,
        }
    }
    peer.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(peer: [u8; 4], xff: Option<&str>) -> http::request::Parts {
        let mut b = http::Request::get("/");
        if let Some(x) = xff {
            b = b.header("x-forwarded-for", x);
        }
        let (mut parts, _) = b.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                peer, 40000,
            ))));
        parts
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let proxy: Vec<TrustedProxy> = vec!["10.0.0.0/8".parse().unwrap()];
        // From the proxy: the client it names (rightmost untrusted hop).
        assert_eq!(
            address_of(&parts([10, 0, 0, 1], Some("203.0.113.7")), &proxy),
            "203.0.113.7"
        );
        assert_eq!(
            address_of(
                &parts([10, 0, 0, 1], Some("198.51.100.1, 203.0.113.7, 10.0.0.9")),
                &proxy
            ),
            "203.0.113.7",
            "a client's own X-Forwarded-For entries to the left are not believed"
        );
        // From anyone else, or without trust configured: the peer.
        assert_eq!(
            address_of(&parts([192, 0, 2, 1], Some("203.0.113.7")), &proxy),
            "192.0.2.1"
        );
        assert_eq!(
            address_of(&parts([10, 0, 0, 1], Some("203.0.113.7")), &[]),
            "10.0.0.1"
        );
        assert_eq!(
            address_of(&parts([10, 0, 0, 1], Some("not an address")), &proxy),
            "10.0.0.1"
        );
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        assert!("proxy".parse::<TrustedProxy>().is_err());
        assert!("::1"
            .parse::<TrustedProxy>()
            .unwrap()
            .contains("::1".parse().unwrap()));
    }
}
