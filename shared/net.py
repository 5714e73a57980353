"""Outbound targets that cannot reach inside the network: the address rules for webhook URLs (SSRF).

A target is refused when its host is, or resolves to, an address that is not globally routable: loopback,
private (RFC 1918, RFC 4193), link-local, CGNAT (RFC 6598), multicast, unspecified or reserved, in any
spelling (``2130706433``, ``0x7f000001``, ``0177.1``, IPv4-mapped or NAT64 IPv6), and when its name is one
that only exists inside a network (``localhost``, ``metadata.google.internal``, ``*.internal``, ...).
Delivery checks again against the address it is about to connect to, and connects to that very address,
so a name that changes its answer after the subscription was accepted (DNS rebinding) is caught.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

INTERNAL_NAMES = frozenset(
    {"localhost", "metadata", "metadata.google.internal", "metadata.goog", "instance-data"}
)
INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa", ".intranet", ".lan")
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
CGNAT = ipaddress.IPv4Network("100.64.0.0/10")


class TargetRefused(ValueError):
    """The target may not be reached from here; the message says why, for the caller."""


@dataclass(frozen=True)
class PinnedTarget:
    """Where to connect: the checked address, and the name for the Host header and TLS (SNI)."""

    url: str
    host: str
    address: str


def literal_address(host: str) -> IPAddress | None:
    """The IP address a URL host spells, in standard or legacy notation; None for a name."""
    candidate = host.strip("[]")
    try:
        return _unwrap(ipaddress.ip_address(candidate))
    except ValueError:
        pass
    # inet_aton accepts what browsers and libc resolvers accept: 2130706433, 0x7f000001, 0177.0.0.1, 127.1.
    if candidate and all(ch in "0123456789abcdefxABCDEFX." for ch in candidate):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(candidate))
        except OSError:
            return None
    return None


def _unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address hidden in an IPv4-mapped, 6to4 or NAT64 IPv6 address, else the address itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in NAT64_PREFIX:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_problem(address: IPAddress) -> str | None:
    """Why ``address`` is not a public internet address, or None when it is."""
    address = _unwrap(address)
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_link_local:
        return "a link-local address (cloud metadata services live there)"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return "a carrier-grade NAT address (RFC 6598)"
    if address.is_private:
        return "a private network address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def name_problem(host: str) -> str | None:
    """Why a host name is internal-only, or None."""
    name = host.lower().rstrip(".")
    if name in INTERNAL_NAMES or name.endswith(INTERNAL_SUFFIXES) or "." not in name:
        return f"{host} is a name that only exists inside a network"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for ``host``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses in any spelling."""
    if host.lower().rstrip(".") in {"localhost", "localhost.localdomain"}:
        return True
    address = literal_address(host)
    return address is not None and address.is_loopback


def check_host(
    host: str, port: int, *, resolver: Resolver | None, allow_loopback: bool, strict: bool = True
) -> list[str]:
    """The addresses to connect to for ``host``; TargetRefused when any of them is internal.

    With ``strict`` off a name that does not resolve (yet) is accepted with no addresses: subscriptions may
    name a host before it exists, and every delivery checks again, strictly.
    """
    if allow_loopback and is_loopback_host(host):
        return [str(literal_address(host) or "127.0.0.1")]
    address = literal_address(host)
    if address is not None:
        problem = address_problem(address)
        if problem:
            raise TargetRefused(f"{host} is {problem}")
        return [str(address)]
    problem = name_problem(host)
    if problem:
        raise TargetRefused(problem)
    if resolver is None:
        return []
    try:
        resolved = resolver(host, port)
    except OSError as exc:
        if not strict:
            return []
        raise TargetRefused(f"{host} does not resolve ({exc})") from exc
    if not resolved:
        if not strict:
            return []
        raise TargetRefused(f"{host} does not resolve")
    for text in resolved:
        problem = address_problem(ipaddress.ip_address(text.split("%", 1)[0]))
        if problem:
            raise TargetRefused(f"{host} resolves to {text}, {problem}")
    return list(resolved)


def pin_target(url: str, *, resolver: Resolver, allow_loopback: bool) -> PinnedTarget:
    """Resolve and check ``url``'s host now, and give the URL that connects to the checked address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = check_host(host, port, resolver=resolver, allow_loopback=allow_loopback)
    address = addresses[0]
    netloc_host = f"[{address}]" if ":" in address else address
    netloc = f"{netloc_host}:{parts.port}" if parts.port else netloc_host
    return PinnedTarget(url=parts._replace(netloc=netloc).geturl(), host=host, address=address)


def target_url_problem(url: str, *, allow_http_loopback: bool, resolver: Resolver | None) -> str | None:
    """Why a webhook target URL is refused, or None: https to public hosts; http only to loopback when allowed."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError as exc:
        # urlsplit refuses some strings outright (e.g. an unbalanced "[" reads as a broken IPv6 host).
        return f"not a valid URL: {exc}"
    if not host:
        return "the URL has no host"
    if parts.username or parts.password:
        return "credentials in the URL are not allowed; authenticate the signature instead"
    if parts.scheme not in ("http", "https"):
        return "only https URLs are accepted"
    loopback = is_loopback_host(host)
    if parts.scheme == "http" and not loopback:
        return "https is required (http is accepted only for loopback targets in development)"
    if loopback and not allow_http_loopback:
        return "loopback targets are refused here (allowed only by a development setting)"
    try:
        check_host(
            host, parts.port or 443, resolver=resolver, allow_loopback=allow_http_loopback, strict=False
        )
    except TargetRefused as exc:
        return f"the target cannot be reached from here: {exc}"
    return None
