"""Which network addresses an outbound request may connect to: global unicast only, unless allow-listed.

The decision is made on the address the socket actually connects to (edge.http resolves once and
connects to the address it checked), so a name that resolves to a public address when checked and to
127.0.0.1 when connecting (DNS rebinding) cannot slip through.
"""

import ipaddress
from collections.abc import Iterable

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# IPv6 forms that carry an IPv4 address inside them; the IPv4 address is what a gateway reaches.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d
_V4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT ::ffff:0:a.b.c.d
# Not global, though Python 3.11's is_global says so (its tables predate RFC 8215 and RFC 3879, and
# miss IANA's 192.0.0.0/24, where Oracle Cloud serves instance metadata on 192.0.0.192).
_NOT_GLOBAL = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("fec0::/10"),
    ipaddress.IPv4Network("192.0.0.0/24"),
)


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address embeds (mapped, compatible, 6to4, Teredo, NAT64, SIIT)."""
    if address.version == 4:
        return []
    found = []
    if address.ipv4_mapped:
        found.append(address.ipv4_mapped)
    if address.sixtofour:
        found.append(address.sixtofour)
    if address.teredo:
        found.extend(address.teredo)  # (server, client): the client is the one behind the NAT
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in network for network in (*_NAT64, _V4_COMPATIBLE, _V4_TRANSLATED)):
        found.append(low32)
    return found


def _is_public(address: IPAddress) -> bool:
    if not address.is_global or address.is_multicast or address.is_reserved or address.is_link_local:
        return False
    if address.version == 6 and address.is_site_local:
        return False
    return not any(address in network for network in _NOT_GLOBAL if network.version == address.version)


def allowed_networks() -> list[IPNetwork]:
    """Networks reachable besides the public internet (EDGE_ALLOWED_NETWORKS: loopback in dev and tests)."""
    return [ipaddress.ip_network(net, strict=False) for net in getattr(settings, "EDGE_ALLOWED_NETWORKS", [])]


def address_refusal(address: IPAddress, allowed: Iterable[IPNetwork] | None = None) -> str:
    """Why this address may not be connected to, or "" if it may."""
    allowed = list(allowed_networks() if allowed is None else allowed)
    if any(address in network for network in allowed if network.version == address.version):
        return ""
    # The well-known NAT64 prefix is global where a gateway serves it: the IPv4 address inside decides.
    if not _is_public(address) and address not in _NAT64[0]:
        return f"{address} is not a public address"
    for inner in embedded_ipv4(address):
        if not _is_public(inner) and not any(inner in network for network in allowed if network.version == 4):
            return f"{address} embeds the non-public address {inner}"
    return ""


def parse(value: str) -> IPAddress:
    """An address as getaddrinfo gives it (an IPv6 scope id like %eth0 dropped)."""
    return ipaddress.ip_address(value.split("%")[0])
