"""Which addresses a server-side fetch may reach: public ones only, unless the operator allows more.

A URL source is fetched by the server, and what it fetches is indexed for every session, so a URL
naming a loopback, private, link-local or cloud-metadata address would turn the ingest into a
reader of the operator's internal services. The check is made on the addresses the host name
resolves to (a name is only a pointer), every one of them, and the fetch then connects to the
address that was checked (`ingest.safefetch`), so a second DNS answer cannot swap it.
`MXDOCTOR_ALLOW_PRIVATE_URLS=1` lets an operator index an intranet wiki on purpose.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Callable
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

SCHEMES = {"http": 80, "https": 443}
ALLOW_HINT = "MXDOCTOR_ALLOW_PRIVATE_URLS=1 allows it"
# cloud metadata services: AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba, Oracle
METADATA = {ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200",
                                              "192.0.0.192")}


class URLRefused(ValueError):
    """A URL the ingest will not fetch; the message says why, in words an operator can act on."""


@dataclass(frozen=True)
class Target:
    """A checked URL: its parts and the addresses a connection may use."""

    url: str
    parts: SplitResult
    host: str
    port: int
    addresses: tuple[str, ...]


def address_kind(ip: IPAddress) -> str | None:
    """What makes an address internal ("loopback", "private", ...), or None for a public one."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped                         # ::ffff:127.0.0.1 is 127.0.0.1
    checks = (("cloud metadata", ip in METADATA), ("loopback", ip.is_loopback),
              ("unspecified", ip.is_unspecified), ("link-local", ip.is_link_local),
              ("multicast", ip.is_multicast), ("reserved", ip.is_reserved), ("private", ip.is_private))
    for kind, hit in checks:
        if hit:
            return kind
    return None if ip.is_global else "non-public"   # shared (100.64/10), documentation, 6to4 of those...


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (numeric forms like 2130706433 included)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


def split_url(url: str) -> tuple[SplitResult, str, int]:
    """(parts, host, port) of an http(s) URL; URLRefused for any other scheme or a URL without host."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise URLRefused(f"refused {text!r}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        shown = f"{scheme}://" if scheme else "a URL without http:// or https://"
        raise URLRefused(f"refused {text!r}: {shown} is not fetched (only http and https URLs are)")
    if not parts.hostname:
        raise URLRefused(f"refused {text!r}: the URL names no host")
    if any(c.isspace() or c == "\\" for c in text):
        raise URLRefused(f"refused {text!r}: spaces and backslashes make it ambiguous")
    return parts, parts.hostname, port or SCHEMES[scheme]


def check_addresses(url: str, host: str, addresses: list[str], allow_private: bool) -> tuple[str, ...]:
    if not addresses:
        raise OSError(f"{host} has no address")
    if not allow_private:
        for a in addresses:
            kind = address_kind(ipaddress.ip_address(a))
            if kind:
                via = "" if a == host.strip("[]") else f"{host} resolves to {a}, "
                raise URLRefused(f"refused {url}: {via}a {kind} address ({ALLOW_HINT})")
    return tuple(addresses)


def check_url(url: str, *, allow_private: bool = False, resolve: Resolver = system_resolver) -> Target:
    """The URL with the addresses a fetch may connect to. URLRefused when any is internal,
    OSError when the name does not resolve."""
    parts, host, port = split_url(url)
    addresses = check_addresses(url.strip(), host, resolve(host, port), allow_private)
    return Target(url=url.strip(), parts=parts, host=host, port=port, addresses=addresses)


def check_url_to_add(url: str, *, allow_private: bool = False, resolve: Resolver = system_resolver) -> str:
    """At the moment a URL is added (CLI, app): a bad scheme or an internal address is refused now;
    a name that does not resolve yet is kept (an offline machine), the fetch checks it again."""
    try:
        check_url(url, allow_private=allow_private, resolve=resolve)
    except OSError:             # not resolvable now; URLRefused (a ValueError) goes through
        pass
    return url.strip()


def is_loopback_host(host: str | None) -> bool:
    """True when `host` (an address or a name) means this machine only: 127.0.0.0/8, ::1, localhost."""
    name = (host or "").strip().strip("[]").lower()
    if not name:
        return False
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        found = system_resolver(name, 0)
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(a).is_loopback for a in found)
