"""The client's address. Behind the TLS proxy every request comes from the
proxy; only when its address is listed in TRUSTED_PROXIES is its
X-Forwarded-For header believed (otherwise anyone could forge the header)."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in proxies)


def _parse(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address) -> bool:
    return address is not None and any(address in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR; behind a trusted proxy, the right-most X-Forwarded-For hop
    that is not itself a trusted proxy (the peer the proxy saw)."""
    remote = request.META.get("REMOTE_ADDR")
    if not _trusted(_parse(remote or "")):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return remote  # a malformed header: fall back to what we know
        if not _trusted(address):
            return str(address)
    return remote
