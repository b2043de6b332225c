"""A real HTTP server on loopback that counts what reaches it: the target of the SSRF tests.

Each server answers GET with a page, or with a redirect set per path (`server.redirects`), and
records every request (path, headers) it receives, so a test can say "0 requests arrived" of a
URL the guard refused, and "1 arrived" of the same URL when the operator allows it.
"""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = "<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        server: CountingServer = self.server.owner        # type: ignore[attr-defined]
        server.requests.append({"path": self.path, "headers": dict(self.headers)})
        target = server.redirects.get(self.path.split("?", 1)[0])
        if target:
            status, location = target if isinstance(target, tuple) else (302, target)
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = PAGE.format(title=server.title, text=server.text).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


class CountingServer:
    """`with CountingServer() as s:` → a page at `s.url('/')`; `s.requests` lists what arrived."""

    def __init__(self, host: str = "127.0.0.1", title: str = "Internal page", text: str = "internal secret 4711"):
        cls = _Server6 if ":" in host else ThreadingHTTPServer
        self.httpd = cls((host, 0), _Handler)
        self.httpd.owner = self                           # type: ignore[attr-defined]
        self.httpd.daemon_threads = True
        self.host, self.title, self.text = host, title, text
        self.requests: list[dict] = []
        self.redirects: dict[str, str | tuple[int, str]] = {}
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> "CountingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def ipv6_loopback() -> bool:
    """Whether ::1 can be bound here (containers may have IPv6 off)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False
