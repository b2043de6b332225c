"""Fetch one http(s) page for a URL source without letting the URL reach inside the operator's network.

Each hop is checked by `ingest.netguard.check_url` (scheme, then every address its host resolves
to), the connection goes to the address that was checked (no second DNS lookup a rebinding name
could answer differently), TLS still verifies the host name, and redirects are followed here,
one at a time, so a public page that redirects to 127.0.0.1 or 169.254.169.254 is refused before
anything connects there. Proxies from the environment are not used: a proxy would resolve the
name itself, out of reach of the check.
"""
from __future__ import annotations

import http.client
import socket
import ssl
from typing import Callable
from urllib.parse import urljoin

from ingest.netguard import Resolver, Target, URLRefused, check_url, system_resolver

MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "mxdoctor-ingest"
Route = Callable[[str, int], tuple[str, int]]


def direct(address: str, port: int) -> tuple[str, int]:
    """Connect to the checked address itself (tests route a checked address to a loopback server)."""
    return address, port


def _connect(target: Target, timeout: float, route: Route) -> socket.socket:
    last: OSError | None = None
    for address in target.addresses:
        try:
            return socket.create_connection(route(address, target.port), timeout=timeout)
        except OSError as exc:
            last = exc
    raise OSError(f"cannot connect to {target.host}: {last}")


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float, route: Route):
        super().__init__(target.host, target.port, timeout=timeout)
        self.target, self.route = target, route

    def connect(self) -> None:
        self.sock = _connect(self.target, self.timeout, self.route)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float, route: Route):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self.target, self.route = target, route

    def connect(self) -> None:
        sock = _connect(self.target, self.timeout, self.route)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _get(target: Target, timeout: float, route: Route, max_bytes: int) -> tuple[int, http.client.HTTPMessage, bytes]:
    cls = _PinnedHTTPS if target.parts.scheme.lower() == "https" else _PinnedHTTP
    conn = cls(target, timeout, route)
    path = (target.parts.path or "/") + (f"?{target.parts.query}" if target.parts.query else "")
    try:
        conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/*;q=0.9, */*;q=0.1"})
        resp = conn.getresponse()
        body = b"" if resp.status in REDIRECTS else resp.read(max_bytes + 1)
        return resp.status, resp.headers, body
    except http.client.HTTPException as exc:
        raise OSError(f"bad HTTP response from {target.host}: {exc.__class__.__name__}") from None
    finally:
        conn.close()


def _checked(url: str, came_from: str | None, allow_private: bool, resolve: Resolver) -> Target:
    try:
        return check_url(url, allow_private=allow_private, resolve=resolve)
    except URLRefused as exc:
        if came_from is None:
            raise
        raise URLRefused(f"redirect from {came_from}: {exc}") from None


def fetch(url: str, *, allow_private: bool = False, timeout: float = 20, max_bytes: int = 8 * 1024 * 1024,
          resolve: Resolver = system_resolver, route: Route = direct,
          max_redirects: int = MAX_REDIRECTS) -> tuple[str, bytes, str]:
    """(content type, body, final URL). URLRefused for a URL or redirect the guard refuses;
    OSError for network failures, HTTP errors, too many redirects or a body over `max_bytes`."""
    current, came_from = url.strip(), None
    for _ in range(max_redirects + 1):
        target = _checked(current, came_from, allow_private, resolve)
        status, headers, body = _get(target, timeout, route, max_bytes)
        if status in REDIRECTS:
            location = headers.get("Location")
            if not location:
                raise OSError(f"HTTP {status} from {current} without a Location")
            came_from, current = current, urljoin(current, location.strip())
            continue
        if not 200 <= status < 300:
            raise OSError(f"HTTP {status} from {current}")
        if len(body) > max_bytes:
            raise OSError(f"over {max_bytes} bytes")
        return headers.get("Content-Type", ""), body, current
    raise OSError(f"more than {max_redirects} redirects from {url}")
