//! Where a webhook may be sent: which IP addresses count as public, and the error for a target
//! that may not be sent to. Resolving names is the daemon's (`webhooks/resolve.rs`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The IP address a URL names literally, if its host is one.
pub fn literal_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
        url::Host::Domain(_) => None,
    }
}

/// False for loopback, private (RFC 1918, unique local), link-local, carrier-grade NAT,
/// unspecified, broadcast, multicast and documentation addresses; an IPv4-mapped or
/// IPv4-compatible IPv6 address is judged as its IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => is_public_v4(a),
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = a.segments();
            // ::a.b.c.d (deprecated IPv4-compatible), but not :: or ::1.
            if s[..6] == [0; 6] && !a.is_unspecified() && !a.is_loopback() {
                return is_public_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ));
            }
            is_public_v6(a)
        }
    }
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let [b0, b1, ..] = a.octets();
    !(a.is_loopback()
        || a.is_private()
        || a.is_link_local()
        || a.is_unspecified()
        || a.is_broadcast()
        || a.is_multicast()
        || a.is_documentation()
        || b0 == 0
        || (b0 == 100 && (64..128).contains(&b1)) // 100.64.0.0/10, carrier-grade NAT
        || (b0 == 198 && (b1 == 18 || b1 == 19)) // 198.18.0.0/15, benchmarking
        || b0 >= 240) // reserved
}

fn is_public_v6(a: Ipv6Addr) -> bool {
    let s0 = a.segments()[0];
    !(a.is_loopback()
        || a.is_unspecified()
        || a.is_multicast()
        || a.is_unique_local()
        || a.is_unicast_link_local()
        || (s0 & 0xffc0) == 0xfec0 // site-local (deprecated)
        || s0 == 0x2001 && a.segments()[1] == 0x0db8) // documentation
}

/// A target that may not be sent to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The host did not resolve.
    #[error("cannot resolve `{host}`: {message}")]
    Resolve {
        /// The host.
        host: String,
        /// The resolver's message.
        message: String,
    },
    /// The host resolved to a non-public address and the subscription does not allow it.
    #[error(
        "refused: `{host}` resolves to {addr}, a loopback, private or link-local address (set allow_private to allow it)"
    )]
    Private {
        /// The host.
        host: String,
        /// The first non-public address.
        addr: IpAddr,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_non_public_addresses() {
        let refused = [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "2001:db8::1",
        ];
        for a in refused {
            assert!(!is_public(a.parse().unwrap()), "{a} should be refused");
        }
        let allowed = [
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ];
        for a in allowed {
            assert!(is_public(a.parse().unwrap()), "{a} should be allowed");
        }
    }
}
