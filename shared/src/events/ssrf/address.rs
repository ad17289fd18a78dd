//! Which IP addresses a webhook may reach: the globally reachable ones, nothing else.
//!
//! IPv4 follows the IANA special-purpose address registry as the `ip_network` crate
//! encodes it (`Ipv4Network::is_global`: this network, private, shared, loopback,
//! link-local, IETF protocol assignments, documentation, benchmarking, reserved,
//! broadcast), narrowed where a webhook has no business: multicast, the two anycast
//! addresses the crate lets through in 192.0.0.0/24, and the deprecated 6to4 relay anycast.
//!
//! IPv6 is a table of our own, because the crate's IPv6 notion looks at the prefix only:
//! it calls `::ffff:127.0.0.1`, `64:ff9b::a9fe:a9fe` (NAT64 of the metadata service) and
//! `ff0e::1` global. Here an address is public when it lies in `2000::/3`, the only space
//! IANA hands out for global unicast, outside the special blocks below; the forms that carry
//! an IPv4 address (mapped, SIIT-translated, IPv4-compatible, NAT64, 6to4) are judged by the
//! IPv4 address they carry, since that is where a packet ends up.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ip_network::{Ipv4Network, Ipv6Network};

/// True for addresses a webhook may reach on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_is_public(v4),
        IpAddr::V6(v6) => v6_is_public(v6),
    }
}

/// IPv4 blocks refused beyond the crate's notion of global.
const V4_ALSO_REFUSED: &[(Ipv4Addr, u8)] = &[
    // Multicast: not in the special-purpose registry, never a host to post to.
    (Ipv4Addr::new(224, 0, 0, 0), 4),
    // IETF protocol assignments: the crate keeps 192.0.0.9 and .10 (PCP and TURN anycast)
    // global; no webhook lives there.
    (Ipv4Addr::new(192, 0, 0, 0), 24),
    // 6to4 relay anycast (RFC 7526, deprecated): a router, not a receiver.
    (Ipv4Addr::new(192, 88, 99, 0), 24),
];

fn v4_is_public(ip: Ipv4Addr) -> bool {
    Ipv4Network::from(ip).is_global() && !V4_ALSO_REFUSED.iter().any(|&(n, len)| v4_in(ip, n, len))
}

fn v4_in(ip: Ipv4Addr, net: Ipv4Addr, len: u8) -> bool {
    Ipv4Network::new(net, len).is_ok_and(|n| n.contains(ip))
}

/// Special blocks inside `2000::/3` that are not globally reachable (or not receivers).
const V6_REFUSED_IN_GLOBAL_UNICAST: &[(Ipv6Addr, u8)] = &[
    // IETF protocol assignments: Teredo (2001::/32, which also hides an IPv4 client),
    // benchmarking (2001:2::/48), ORCHID, AMT and AS112 anycast; none is a receiver.
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23),
    // Documentation (RFC 3849, RFC 9637).
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32),
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20),
];

const GLOBAL_UNICAST: (Ipv6Addr, u8) = (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3);

fn v6_is_public(ip: Ipv6Addr) -> bool {
    if let Some(v4) = carried_ipv4(ip) {
        return v4_is_public(v4);
    }
    let (net, len) = GLOBAL_UNICAST;
    v6_in(ip, net, len)
        && !V6_REFUSED_IN_GLOBAL_UNICAST
            .iter()
            .any(|&(n, len)| v6_in(ip, n, len))
}

fn v6_in(ip: Ipv6Addr, net: Ipv6Addr, len: u8) -> bool {
    Ipv6Network::new(net, len).is_ok_and(|n| n.contains(ip))
}

/// The IPv4 address an IPv6 address stands for, in the forms where one does.
/// The local-use NAT64 prefix `64:ff9b:1::/48` is not among them: it is never global, and
/// where its IPv4 address sits depends on the operator's prefix length.
fn carried_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // IPv4-compatible ::a.b.c.d (deprecated; also covers :: and ::1), IPv4-mapped
        // ::ffff:a.b.c.d and SIIT-translated ::ffff:0:a.b.c.d.
        [0, 0, 0, 0, 0, 0 | 0xffff, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] => Some(low),
        // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        // 6to4 2002:AABB:CCDD::/48 (RFC 3056).
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    /// Each refused range: one address inside it, and the nearest address outside it that
    /// is public (none where the neighbours are refused too).
    #[rustfmt::skip] // one range a line, as a table
    const REFUSED: &[(&str, &str, Option<&str>)] = &[
        ("0.0.0.0/8 this network",              "0.1.2.3",                                 Some("1.0.0.0")),
        ("0.0.0.0/32 unspecified",              "0.0.0.0",                                 Some("1.0.0.0")),
        ("10.0.0.0/8 private",                  "10.1.2.3",                                Some("11.0.0.0")),
        ("10.0.0.0/8 private, below",           "10.0.0.0",                                Some("9.255.255.255")),
        ("100.64.0.0/10 shared (CGNAT)",        "100.64.0.1",                              Some("100.128.0.0")),
        ("100.64.0.0/10 shared, below",         "100.64.0.0",                              Some("100.63.255.255")),
        ("127.0.0.0/8 loopback",                "127.0.0.1",                               Some("128.0.0.0")),
        ("169.254.0.0/16 link-local, metadata", "169.254.169.254",                         Some("169.255.0.0")),
        ("172.16.0.0/12 private",               "172.31.255.255",                          Some("172.32.0.0")),
        ("192.0.0.0/24 IETF, PCP anycast",      "192.0.0.9",                               Some("192.0.1.0")),
        ("192.0.0.0/24 IETF, TURN anycast",     "192.0.0.10",                              Some("191.255.255.255")),
        ("192.0.2.0/24 documentation",          "192.0.2.1",                               Some("192.0.3.0")),
        ("192.88.99.0/24 6to4 relay anycast",   "192.88.99.1",                             Some("192.88.100.0")),
        ("192.168.0.0/16 private",              "192.168.1.1",                             Some("192.169.0.0")),
        ("198.18.0.0/15 benchmarking",          "198.19.255.255",                          Some("198.20.0.0")),
        ("198.18.0.0/15 benchmarking, below",   "198.18.0.0",                              Some("198.17.255.255")),
        ("198.51.100.0/24 documentation",       "198.51.100.7",                            Some("198.51.101.0")),
        ("203.0.113.0/24 documentation",        "203.0.113.9",                             Some("203.0.114.0")),
        ("224.0.0.0/4 multicast",               "239.255.255.250",                         Some("223.255.255.255")),
        ("240.0.0.0/4 reserved",                "240.0.0.1",                               Some("223.255.255.255")),
        ("255.255.255.255/32 broadcast",        "255.255.255.255",                         None),
        ("::/128 unspecified",                  "::",                                      None),
        ("::1/128 loopback",                    "::1",                                     None),
        ("::/96 IPv4-compatible",               "::10.0.0.1",                              Some("::11.0.0.0")),
        ("::ffff:0:0/96 IPv4-mapped",           "::ffff:127.0.0.1",                        Some("::ffff:128.0.0.0")),
        ("::ffff:0:0/96 IPv4-mapped metadata",  "::ffff:169.254.169.254",                  Some("::ffff:169.255.0.0")),
        ("::ffff:0:0:0/96 SIIT",                "::ffff:0:169.254.169.254",                Some("::ffff:0:169.255.0.0")),
        ("::ffff:0:0:0/96 SIIT reserved",       "::ffff:0:240.0.0.1",                      Some("::ffff:0:223.255.255.255")),
        ("64:ff9b::/96 NAT64",                  "64:ff9b::10.0.0.1",                       Some("64:ff9b::11.0.0.0")),
        ("64:ff9b::/96 NAT64 benchmarking",     "64:ff9b::198.18.0.1",                     Some("64:ff9b::198.20.0.0")),
        ("64:ff9b:1::/48 local-use NAT64",      "64:ff9b:1::8.8.8.8",                      None),
        ("100::/64 discard-only",               "100::1",                                  None),
        ("2001::/23 IETF protocol assignments", "2001:1ff:ffff::1",                        Some("2001:200::")),
        ("2001::/32 Teredo",                    "2001:0:4136:e378:8000:63bf:3fff:fdd2",    Some("2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff")),
        ("2001:2::/48 benchmarking",            "2001:2::1",                               Some("2001:200::")),
        ("2001:db8::/32 documentation",         "2001:db8::1",                             Some("2001:db9::")),
        ("2001:db8::/32 documentation, below",  "2001:db8::",                              Some("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")),
        ("2002::/16 6to4 of a private address", "2002:c0a8:101::1",                        Some("2002:c0a9::1")),
        ("2002::/16 6to4 of loopback",          "2002:7f00:1::",                           Some("2002:8000::")),
        ("3fff::/20 documentation",             "3fff:fff:ffff::1",                        Some("3fff:1000::")),
        ("5f00::/16 SRv6 SIDs",                 "5f00::1",                                 None),
        ("outside 2000::/3, above",             "4000::1",                                 Some("3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")),
        ("outside 2000::/3, below",             "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Some("2000::")),
        ("fc00::/7 unique local, AWS metadata", "fd00:ec2::254",                           None),
        ("fe80::/10 link-local",                "fe80::1",                                 None),
        ("fec0::/10 site-local",                "fec0::1",                                 None),
        ("ff00::/8 multicast, global scope",    "ff0e::1",                                 None),
    ];

    #[test]
    fn every_special_range_is_refused_and_its_nearest_public_neighbour_is_not() {
        for (range, inside, outside) in REFUSED {
            assert!(!public(inside), "{range}: {inside} must be refused");
            if let Some(outside) = outside {
                assert!(public(outside), "{range}: {outside} must be public");
            }
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "192.0.1.1",
            "2606:4700::1111",
            "2001:4860:4860::8888",
            "2a00:1450:4001::200e",
        ] {
            assert!(public(ip), "{ip}");
        }
    }

    #[test]
    fn forms_that_carry_ipv4_are_judged_by_the_address_they_carry() {
        for (carrier, carried) in [
            ("::ffff:8.8.8.8", "8.8.8.8"),
            ("::ffff:0:8.8.8.8", "8.8.8.8"),
            ("::8.8.8.8", "8.8.8.8"),
            ("64:ff9b::8.8.8.8", "8.8.8.8"),
            ("2002:808:808::1", "8.8.8.8"),
            ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
            ("2002:a9fe:a9fe::", "169.254.169.254"),
        ] {
            let ip: Ipv6Addr = carrier.parse().unwrap();
            assert_eq!(
                carried_ipv4(ip),
                Some(carried.parse().unwrap()),
                "{carrier}"
            );
        }
    }
}
