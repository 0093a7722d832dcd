//! The address guard: webhooks must not become a way into the internal network. A
//! target whose address is loopback, private (RFC 1918, IPv6 unique-local), link-local
//! (the cloud metadata service included), carrier-grade NAT, multicast, broadcast or
//! unspecified is refused unless `WEBHOOK_ALLOWED_NETWORKS` lists it. The check runs on
//! the addresses the connection is actually made to (the client's resolver is this
//! guard), so a name that resolves differently the second time gains nothing.

use ipnet::{IpNet, Ipv4Net};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

/// Which addresses and schemes deliveries may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressGuard {
    allowed: Vec<IpNet>,
    allow_http: bool,
}

/// A refused address, with the class that refused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressRefused {
    /// The host as the URL names it.
    pub host: String,
    /// The address it resolved to.
    pub ip: IpAddr,
    /// Why it is refused (`loopback`, `private`, …).
    pub class: &'static str,
}

impl fmt::Display for AddressRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host == self.ip.to_string() {
            write!(f, "{} is a {} address", self.ip, self.class)?;
        } else {
            write!(
                f,
                "{} resolves to {}, a {} address",
                self.host, self.ip, self.class
            )?;
        }
        write!(f, " and WEBHOOK_ALLOWED_NETWORKS does not allow it")
    }
}

impl std::error::Error for AddressRefused {}

/// A `WEBHOOK_ALLOWED_NETWORKS` entry that is not a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a network (expected CIDRs such as 10.0.0.0/8, fd00::/8 or 127.0.0.1)")]
pub struct NetworkError(pub String);

/// The class of address the guard refuses by default, if `ip` is one.
pub fn forbidden_class(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_class(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_class(v4),
            None => v6_class(v6),
        },
    }
}

fn v4_class(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_link_local() {
        Some("link-local (cloud metadata)")
    } else if ip.is_private() {
        Some("private")
    } else if a == 100 && (64..128).contains(&b) {
        Some("carrier-grade NAT")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else {
        None
    }
}

fn v6_class(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xfe00 == 0xfc00 {
        Some("unique-local (private)")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

impl AddressGuard {
    /// The local host's default: loopback allowed (receivers on this machine), http too.
    pub fn local_default() -> Self {
        Self {
            allowed: vec![
                IpNet::V4(
                    Ipv4Net::new(Ipv4Addr::new(127, 0, 0, 0), 8).expect("8 is a valid prefix"),
                ),
                IpNet::from(IpAddr::V6(Ipv6Addr::LOCALHOST)),
            ],
            allow_http: true,
        }
    }

    /// The Lambda host's default: nothing private, https only.
    pub fn lambda_default() -> Self {
        Self {
            allowed: Vec::new(),
            allow_http: false,
        }
    }

    /// Replaces the allowed networks with `networks` (`WEBHOOK_ALLOWED_NETWORKS`:
    /// CIDRs or single addresses, separated by commas or spaces).
    pub fn with_allowed_networks(mut self, networks: &str) -> Result<Self, NetworkError> {
        self.allowed = networks
            .split([',', ' '])
            .filter(|part| !part.trim().is_empty())
            .map(|part| {
                let part = part.trim();
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| NetworkError(part.to_owned()))
            })
            .collect::<Result<_, _>>()?;
        Ok(self)
    }

    /// `base` with a host's overrides: `WEBHOOK_ALLOWED_NETWORKS` (replacing the allowed
    /// networks when set) and `WEBHOOK_ALLOW_HTTP`.
    pub fn configured(
        base: Self,
        allowed_networks: Option<&str>,
        allow_http: Option<bool>,
    ) -> Result<Self, NetworkError> {
        let mut guard = match allowed_networks {
            Some(networks) => base.with_allowed_networks(networks)?,
            None => base,
        };
        if let Some(allow) = allow_http {
            guard = guard.with_http(allow);
        }
        Ok(guard)
    }

    /// Allows or forbids plain http targets.
    pub fn with_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Whether plain http targets are allowed.
    pub fn allows_http(&self) -> bool {
        self.allow_http
    }

    /// Checks one address of `host`.
    pub fn check(&self, host: &str, ip: IpAddr) -> Result<(), AddressRefused> {
        let Some(class) = forbidden_class(ip) else {
            return Ok(());
        };
        let canonical = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            IpAddr::V4(_) => ip,
        };
        if self
            .allowed
            .iter()
            .any(|net| net.contains(&ip) || net.contains(&canonical))
        {
            return Ok(());
        }
        Err(AddressRefused {
            host: host.to_owned(),
            ip,
            class,
        })
    }

    /// The resolver the HTTP client connects through.
    pub(crate) fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver {
            guard: self.clone(),
        })
    }
}

/// Resolves names with the system resolver, then refuses the answer if any address
/// is forbidden.
pub(crate) struct GuardedResolver {
    guard: AddressGuard,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            for addr in &addrs {
                guard.check(&host, addr.ip())?;
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn every_forbidden_class_is_recognised() {
        for (address, class) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local (cloud metadata)"),
            ("100.64.0.1", "carrier-grade NAT"),
            ("224.0.0.1", "multicast"),
            ("0.0.0.0", "unspecified"),
            ("255.255.255.255", "reserved"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fd00:ec2::254", "unique-local (private)"),
            ("fc00::1", "unique-local (private)"),
            ("fe80::1", "link-local"),
            ("ff02::1", "multicast"),
            ("::ffff:10.0.0.1", "private"),
        ] {
            assert_eq!(forbidden_class(ip(address)), Some(class), "{address}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert_eq!(forbidden_class(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn the_defaults_and_the_allow_list() {
        let local = AddressGuard::local_default();
        assert!(local.check("localhost", ip("127.0.0.1")).is_ok());
        assert!(local.check("x", ip("::1")).is_ok());
        assert!(local.check("x", ip("10.0.0.1")).is_err());
        let lambda = AddressGuard::lambda_default();
        let refused = lambda.check("evil.example", ip("127.0.0.1")).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "evil.example resolves to 127.0.0.1, a loopback address and WEBHOOK_ALLOWED_NETWORKS does not allow it"
        );
        assert!(lambda.check("x", ip("93.184.216.34")).is_ok());
        let allowed = lambda
            .with_allowed_networks("10.0.0.0/8, fd00::/8")
            .unwrap();
        assert!(allowed.check("x", ip("10.9.9.9")).is_ok());
        assert!(allowed.check("x", ip("::ffff:10.9.9.9")).is_ok());
        assert!(allowed.check("x", ip("fd00:ec2::254")).is_ok());
        assert!(
            allowed.check("x", ip("127.0.0.1")).is_err(),
            "the list replaces the default"
        );
        assert_eq!(
            AddressGuard::local_default()
                .with_allowed_networks("10.0.0.0/33")
                .unwrap_err(),
            NetworkError("10.0.0.0/33".into())
        );
    }
}
