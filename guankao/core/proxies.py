"""Who is the client: the direct peer, or the address a trusted reverse proxy forwarded.

X-Forwarded-For and the TLS proxy header are believed only when the connection comes from
an address in GUANKAO_TRUSTED_PROXIES; anyone else could write them. The audit trail
(RequestContextMiddleware) and the sign-in lockout (django-axes, AXES_CLIENT_IP_CALLABLE)
both ask `client_address`, so they always agree on who the client is.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries, *, setting: str = "GUANKAO_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """Addresses or CIDR networks, refused loudly when one cannot be read."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError:
            raise ImproperlyConfigured(
                f"{setting}: {entry!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _address(text: str | None):
    try:
        return ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    ip = _address(address)
    if ip is None:
        return False
    return any(ip in network for network in _networks(tuple(settings.GUANKAO_TRUSTED_PROXIES)))


def client_address(request) -> str | None:
    """The peer's address; when the peer is a trusted proxy, the nearest address in
    X-Forwarded-For (read from the right, where each proxy appends) that is not itself a
    trusted proxy. Anything left of that address was written by the client and is ignored."""
    peer = request.META.get("REMOTE_ADDR")
    if not is_trusted_proxy(peer):
        return peer
    nearest = peer
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        ip = _address(hop)
        if ip is None:
            break
        nearest = str(ip)
        if not is_trusted_proxy(nearest):
            break
    return nearest
