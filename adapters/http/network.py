"""The client's address: the socket peer, or X-Forwarded-For when the peer is a trusted proxy.

X-Forwarded-For is read from the right: each hop that is itself a trusted proxy is skipped, and
the first address that is not is the client. A client cannot forge its way past this, because
only the addresses our own proxies appended are trusted.
"""

import ipaddress
from collections.abc import Sequence

from litestar.connection import ASGIConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in proxies)


def client_ip(connection: ASGIConnection, proxies: Sequence[Network]) -> str:
    peer = connection.client.host if connection.client else "0.0.0.0"
    if not proxies or not _trusted(peer, proxies):
        return peer
    forwarded = ",".join(connection.headers.getall("x-forwarded-for", []))
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if _ip(hop) is None:
            return peer  # garbage from a client: do not trust the chain
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


def allowed(address: str, networks: Sequence[Network]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in networks)
