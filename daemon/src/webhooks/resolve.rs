//! The I/O half of webhook targets: the check of every address a target's host resolves to,
//! and a DNS resolver for the HTTP client that drops non-public addresses, so the address
//! checked is the address connected to. Which addresses count as public is the core's
//! (`scoreline_core::webhooks::target`).

use scoreline_core::webhooks::target::{TargetError, is_public, literal_ip};
use std::net::SocketAddr;

/// Resolve `url`'s host and refuse it if any address it has is not public.
pub async fn check(url: &url::Url) -> Result<(), TargetError> {
    let host = url.host_str().unwrap_or_default().to_owned();
    if let Some(ip) = literal_ip(url) {
        return if is_public(ip) {
            Ok(())
        } else {
            Err(TargetError::Private { host, addr: ip })
        };
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| TargetError::Resolve {
            host: host.clone(),
            message: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(TargetError::Resolve {
            host,
            message: "no address".into(),
        });
    }
    match addrs.iter().find(|a| !is_public(a.ip())) {
        Some(a) => Err(TargetError::Private { host, addr: a.ip() }),
        None => Ok(()),
    }
}

/// The resolver of the client used for subscriptions without `allow_private`: it resolves like
/// the system does and fails when any address is not public, so a name that resolves to a
/// public address when checked and a private one when connecting is still refused.
#[derive(Debug, Default)]
pub struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(a) = addrs.iter().find(|a| !is_public(a.ip())) {
                let e: Box<dyn std::error::Error + Send + Sync> =
                    Box::new(TargetError::Private { host, addr: a.ip() });
                return Err(e);
            }
            let out: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn literal_and_resolved_targets_are_checked() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            check(&u("http://127.0.0.1:9/x")).await,
            Err(TargetError::Private {
                host: "127.0.0.1".into(),
                addr: "127.0.0.1".parse().unwrap()
            })
        );
        assert_eq!(
            check(&u("http://[::1]:9/x")).await,
            Err(TargetError::Private {
                host: "[::1]".into(),
                addr: "::1".parse().unwrap()
            })
        );
        // `localhost` resolves locally (no network) to loopback addresses only.
        assert!(matches!(
            check(&u("http://localhost:9/x")).await,
            Err(TargetError::Private { .. })
        ));
        assert_eq!(check(&u("https://1.1.1.1/x")).await, Ok(()));
    }
}
