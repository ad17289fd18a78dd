//! Keeping webhook deliveries off the suite's own networks: URLs that resolve to anything
//! but a public address (loopback, private, link-local, cloud metadata, reserved, and the
//! IPv6 forms of those; see [`address`]) are refused unless settings allow them, both when
//! a subscription is made and at every connection (against DNS rebinding).

mod address;

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

pub use address::is_public;

/// Resolves `host` and checks every address; an error says why the target is refused.
pub async fn check_host(host: &str, port: u16, allow_private: bool) -> Result<(), String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{host} has no address"));
    }
    if let Some(refused) = addrs.iter().find(|a| !allow_private && !is_public(a.ip())) {
        return Err(match host.parse::<std::net::IpAddr>() {
            Ok(_) => format!("{host} is not a public address"),
            Err(_) => format!(
                "{host} resolves to {}, which is not a public address",
                refused.ip()
            ),
        });
    }
    Ok(())
}

/// A DNS resolver for the webhook client that drops non-public addresses.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = addrs
                .into_iter()
                .filter(|a| allow || is_public(a.ip()))
                .collect();
            if allowed.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host}: refused, not a public address").into();
                return Err(err);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

pub fn guarded_resolver(allow_private: bool) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver { allow_private })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn localhost_is_refused_unless_allowed() {
        assert!(check_host("localhost", 80, false).await.is_err());
        assert!(check_host("localhost", 80, true).await.is_ok());
    }

    #[tokio::test]
    async fn an_ipv6_literal_carrying_an_internal_ipv4_address_is_refused() {
        for host in ["::ffff:127.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a00:1::1"] {
            assert!(check_host(host, 80, false).await.is_err(), "{host}");
        }
    }
}
