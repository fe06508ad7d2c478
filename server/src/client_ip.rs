//! The client's address behind reverse proxies. Only a peer listed in
//! `TRUSTED_PROXIES` is believed about `X-Forwarded-For`; the client is then
//! the right-most address in that header that is not a trusted proxy (every
//! address to its left was written by the client itself and proves nothing).

use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// Parses `TRUSTED_PROXIES`: addresses and CIDR ranges, separated by commas
/// or spaces (e.g. `10.0.0.0/8, 127.0.0.1, ::1`).
pub fn parse_trusted(list: &str) -> Result<Vec<IpNet>, String> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("TRUSTED_PROXIES: {s:?} is neither an address nor a CIDR range"))
        })
        .collect()
}

fn parse_hop(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    s.parse::<IpAddr>().ok().or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The client's address, from the peer's and the `X-Forwarded-For` header
/// values in the order received.
pub fn client_ip<'a>(peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.into_iter().flat_map(|v| v.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A malformed entry was not written by a proxy we trust: stop at it.
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_believed() {
        let trusted = parse_trusted("10.0.0.0/8, 127.0.0.1").unwrap();
        assert_eq!(client_ip(ip("198.51.100.1"), ["203.0.113.5"], &trusted), ip("198.51.100.1"), "untrusted peer: its own address");
        assert_eq!(client_ip(ip("127.0.0.1"), ["203.0.113.5"], &trusted), ip("203.0.113.5"));
        assert_eq!(client_ip(ip("127.0.0.1"), [], &trusted), ip("127.0.0.1"), "no header: the proxy itself");
        assert_eq!(client_ip(ip("127.0.0.1"), ["203.0.113.5"], &[]), ip("127.0.0.1"), "nothing trusted by default");
    }

    #[test]
    fn the_right_most_untrusted_hop_wins_over_what_the_client_wrote() {
        let trusted = parse_trusted("10.0.0.0/8 127.0.0.1").unwrap();
        // The client wrote "1.2.3.4"; the outer proxy appended the real address, then an inner proxy its own.
        assert_eq!(client_ip(ip("127.0.0.1"), ["1.2.3.4, 203.0.113.5, 10.1.2.3"], &trusted), ip("203.0.113.5"));
        assert_eq!(client_ip(ip("127.0.0.1"), ["1.2.3.4", "203.0.113.5, 10.1.2.3"], &trusted), ip("203.0.113.5"), "several header lines");
        assert_eq!(client_ip(ip("127.0.0.1"), ["garbage, 203.0.113.5"], &trusted), ip("203.0.113.5"));
        assert_eq!(client_ip(ip("127.0.0.1"), ["203.0.113.5, garbage"], &trusted), ip("127.0.0.1"), "a malformed last hop is not believed");
        assert_eq!(client_ip(ip("127.0.0.1"), ["10.9.9.9, 10.1.1.1"], &trusted), ip("10.9.9.9"), "all trusted: the left-most");
        assert_eq!(client_ip(ip("127.0.0.1"), ["[2001:db8::1]:443"], &trusted), ip("2001:db8::1"));
        assert_eq!(client_ip(ip("::1"), ["203.0.113.5"], &parse_trusted("::1").unwrap()), ip("203.0.113.5"));
    }

    #[test]
    fn bad_settings_are_refused_with_the_value() {
        assert!(parse_trusted("").unwrap().is_empty());
        let e = parse_trusted("10.0.0.0/8, proxy.local").unwrap_err();
        assert!(e.contains("proxy.local"), "{e}");
        assert!(parse_trusted("10.0.0.0/33").is_err());
    }
}
