"""SSRF: a URL source never makes the server fetch from inside the operator's network.

Every case is tried against real HTTP servers on loopback (tests/counting_httpd.py): the guard
refuses it with a message that says why, and the server behind it receives 0 requests. The same
case with the operator's allowance (allow_private, i.e. MXDOCTOR_ALLOW_PRIVATE_URLS=1) does reach
that server, so each refusal is one the test could see fail.

No packet leaves the machine: names are resolved by the system for numeric forms and localhost,
by a table for the test's own names, and every address that is neither loopback nor unspecified
is *routed* to a loopback server (`route`, the seam `ingest.safefetch.fetch` takes), which stands
for the public site or for the internal service behind a private address.
"""
from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from counting_httpd import CountingServer, ipv6_loopback  # noqa: E402

from ingest.netguard import URLRefused, address_kind, check_url_to_add, system_resolver  # noqa: E402
from ingest.safefetch import fetch  # noqa: E402

PUBLIC = ("93.184.215.14", "93.184.215.15")       # global addresses: routed to the loopback "site"
NAMES = {"docs.example.com": [PUBLIC[0]], "docs2.example.com": [PUBLIC[1]],
         "wiki.loop.test": ["127.0.0.1"], "wiki.loop6.test": ["::1"], "mapped.test": ["::ffff:127.0.0.1"],
         "mixed.test": [PUBLIC[0], "127.0.0.1"], "intranet.test": ["10.0.0.5"],
         "metadata.test": ["169.254.169.254"], "cgnat.test": ["100.64.0.9"]}
HAS_V6 = ipv6_loopback()


class Net:
    """The site (public stand-in), the internal service (loopback, and stand-in for private
    addresses) and, where IPv6 works, an internal service on ::1."""

    def __init__(self, site: CountingServer, inside: CountingServer, inside6: CountingServer | None):
        self.site, self.inside, self.inside6 = site, inside, inside6
        self.resolved: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        self.resolved.append(host)
        return list(NAMES[host]) if host in NAMES else system_resolver(host, port)

    def route(self, address: str, port: int) -> tuple[str, int]:
        ip = ipaddress.ip_address(address)
        ip = getattr(ip, "ipv4_mapped", None) or ip
        if address in PUBLIC:
            return "127.0.0.1", self.site.port
        if ip.is_loopback or ip.is_unspecified:
            return address, port                    # the real loopback target itself
        return "127.0.0.1", self.inside.port        # any other address: the inside server, never the address

    def get(self, url: str, allow_private: bool = False):
        return fetch(url, allow_private=allow_private, resolve=self.resolve, route=self.route, timeout=5)

    def reset(self) -> None:
        for s in (self.site, self.inside, self.inside6):
            if s is not None:
                s.requests.clear()
                s.redirects.clear()
        self.resolved.clear()


@pytest.fixture(scope="module")
def net_servers():
    with CountingServer(title="Public docs", text="public page") as site, CountingServer() as inside:
        if HAS_V6:
            with CountingServer("::1") as inside6:
                yield Net(site, inside, inside6)
        else:
            yield Net(site, inside, None)


@pytest.fixture
def net(net_servers):
    net_servers.reset()
    return net_servers


def _target(net: Net, which: str) -> CountingServer:
    server = {"inside": net.inside, "inside6": net.inside6, "site": net.site}[which]
    if server is None:
        pytest.skip("no IPv6 loopback here")
    return server


def _refused_and_untouched(net: Net, url: str, which: str, words: tuple[str, ...]) -> None:
    server = _target(net, which)
    with pytest.raises(URLRefused) as err:
        net.get(url)
    assert len(server.requests) == 0, f"{url} reached the {which} server"
    for w in words:
        assert w in str(err.value), str(err.value)


def _allowed_reaches(net: Net, url: str, which: str) -> None:
    server = _target(net, which)
    net.reset()
    ctype, body, _ = net.get(url, allow_private=True)
    assert len(server.requests) == 1 and b"<h1>" in body


# ------------------------------------------------------------------ loopback, by every spelling

LOOPBACK = {
    "127.0.0.1": ("http://127.0.0.1:{p}/secret", "inside"),
    "localhost": ("http://localhost:{p}/secret", "inside"),
    "LOCALHOST": ("http://LOCALHOST:{p}/secret", "inside"),
    "127.1": ("http://127.1:{p}/secret", "inside"),
    "decimal": ("http://2130706433:{p}/secret", "inside"),
    "hex": ("http://0x7f000001:{p}/secret", "inside"),
    "octal": ("http://0177.0.0.1:{p}/secret", "inside"),
    "0.0.0.0": ("http://0.0.0.0:{p}/secret", "inside"),
    "v4-mapped": ("http://[::ffff:127.0.0.1]:{p}/secret", "inside"),
    "::1": ("http://[::1]:{p6}/secret", "inside6"),
}


def _fill(net: Net, url: str) -> str:
    return url.format(p=net.inside.port, p6=net.inside6.port if net.inside6 else 0, s=net.site.port)


@pytest.mark.parametrize("case", sorted(LOOPBACK))
def test_loopback_is_refused(net, case):
    url, which = LOOPBACK[case]
    _refused_and_untouched(net, _fill(net, url), which, ("refused", "MXDOCTOR_ALLOW_PRIVATE_URLS=1"))


@pytest.mark.parametrize("case", sorted(LOOPBACK))
def test_loopback_control_reaches_the_server_when_allowed(net, case):
    url, which = LOOPBACK[case]
    _allowed_reaches(net, _fill(net, url), which)


# ------------------------------------------------------------------ private, link-local, metadata, reserved

PRIVATE = {
    "10/8": ("10.0.0.1", "private"), "10/8 top": ("10.255.255.254", "private"),
    "172.16/12": ("172.16.0.1", "private"), "172.31": ("172.31.255.254", "private"),
    "192.168/16": ("192.168.1.1", "private"), "link-local": ("169.254.1.1", "link-local"),
    "aws metadata": ("169.254.169.254", "cloud metadata"), "alibaba metadata": ("100.100.100.200", "cloud metadata"),
    "aws v6 metadata": ("[fd00:ec2::254]", "cloud metadata"), "ula": ("[fc00::1]", "private"),
    "v6 link-local": ("[fe80::1]", "link-local"), "cgnat": ("100.64.0.1", "non-public"),
    "multicast": ("224.0.0.1", "multicast"), "reserved": ("240.0.0.1", "reserved"),
    "broadcast": ("255.255.255.255", "reserved"), "benchmark": ("198.18.0.1", "private"),
    "documentation v6": ("[2001:db8::1]", "private"), "unspecified v6": ("[::]", "unspecified"),
    "v4-mapped private": ("[::ffff:10.0.0.1]", "private"),
}


@pytest.mark.parametrize("case", sorted(PRIVATE))
def test_private_ranges_are_refused(net, case):
    host, kind = PRIVATE[case]
    _refused_and_untouched(net, f"http://{host}:{net.inside.port}/latest/meta-data/", "inside",
                           (f"a {kind} address", "refused"))


@pytest.mark.parametrize("case", [c for c in sorted(PRIVATE) if c not in ("unspecified v6",)])
def test_private_control_reaches_the_stand_in_when_allowed(net, case):
    _allowed_reaches(net, f"http://{PRIVATE[case][0]}:{net.inside.port}/x", "inside")


# ------------------------------------------------------------------ names that resolve inside

DNS = {
    "to 127.0.0.1": ("http://wiki.loop.test:{p}/", "inside", "wiki.loop.test resolves to 127.0.0.1"),
    "to ::1": ("http://wiki.loop6.test:{p6}/", "inside6", "resolves to ::1"),
    "to v4-mapped": ("http://mapped.test:{p}/", "inside", "a loopback address"),
    "public + loopback": ("http://mixed.test:{p}/", "inside", "mixed.test resolves to 127.0.0.1"),
    "to 10.0.0.5": ("http://intranet.test/", "inside", "a private address"),
    "to metadata": ("http://metadata.test/latest/", "inside", "a cloud metadata address"),
    "to 100.64/10": ("http://cgnat.test/", "inside", "a non-public address"),
    "localhost (system resolver)": ("http://localhost:{p}/", "inside", "a loopback address"),
}


@pytest.mark.parametrize("case", sorted(DNS))
def test_names_resolving_inside_are_refused(net, case):
    url, which, words = DNS[case]
    _refused_and_untouched(net, _fill(net, url), which, (words,))


def test_a_rebinding_name_is_connected_at_the_address_that_was_checked(net, monkeypatch):
    answers = iter([[PUBLIC[0]], ["127.0.0.1"], ["127.0.0.1"]])
    monkeypatch.setattr(net, "resolve", lambda host, port: next(answers))   # public first, then loopback
    _, body, _ = net.get(f"http://rebind.test:{net.inside.port}/")
    assert b"public page" in body and len(net.site.requests) == 1 and not net.inside.requests


# ------------------------------------------------------------------ redirects, checked at every hop

REDIRECTS = {
    "302 to 127.0.0.1": ("http://127.0.0.1:{p}/secret", "inside"),
    "301 to localhost": ((301, "http://localhost:{p}/secret"), "inside"),
    "307 to a loopback name": ((307, "http://wiki.loop.test:{p}/secret"), "inside"),
    "308 to metadata": ((308, "http://169.254.169.254/latest/meta-data/iam/"), "inside"),
    "303 to an intranet name": ((303, "http://intranet.test/admin"), "inside"),
    "scheme-relative": ("//127.0.0.1:{p}/secret", "inside"),
    "to ::1": ("http://[::1]:{p6}/secret", "inside6"),
    "chain public, public, loopback": ("http://docs2.example.com:{s}/hop2", "inside"),
}


def _set_redirects(net: Net, case: str) -> str:
    target, _ = REDIRECTS[case]
    status, location = target if isinstance(target, tuple) else (302, target)
    net.site.redirects["/start"] = (status, _fill(net, location))
    net.site.redirects["/hop2"] = _fill(net, "http://127.0.0.1:{p}/secret")
    return f"http://docs.example.com:{net.site.port}/start"


@pytest.mark.parametrize("case", sorted(REDIRECTS))
def test_redirects_inside_are_refused(net, case):
    _, which = REDIRECTS[case]
    url = _set_redirects(net, case)
    _refused_and_untouched(net, url, which, ("redirect from", "refused"))
    assert net.site.requests                               # the public hop itself was fetched


@pytest.mark.parametrize("case", sorted(REDIRECTS))
def test_redirect_control_reaches_the_inside_when_allowed(net, case):
    _, which = REDIRECTS[case]
    url = _set_redirects(net, case)
    server = _target(net, which)
    net.get(url, allow_private=True)
    assert len(server.requests) == 1


def test_redirect_to_file_is_refused(net):
    net.site.redirects["/start"] = "file:///etc/passwd"
    with pytest.raises(URLRefused, match=r"redirect from .*: refused 'file:///etc/passwd': file:// is not fetched"):
        net.get(f"http://docs.example.com:{net.site.port}/start")


def test_public_pages_and_public_redirects_are_fetched(net):
    net.site.redirects["/moved"] = f"http://docs2.example.com:{net.site.port}/page"
    ctype, body, final = net.get(f"http://docs.example.com:{net.site.port}/moved")
    assert "text/html" in ctype and b"public page" in body and final.endswith("/page")
    assert [r["path"] for r in net.site.requests] == ["/moved", "/page"]
    assert net.site.requests[1]["headers"]["Host"] == f"docs2.example.com:{net.site.port}"


def test_redirect_loops_end(net):
    net.site.redirects["/loop"] = "/loop"
    with pytest.raises(OSError, match="more than 5 redirects"):
        net.get(f"http://docs.example.com:{net.site.port}/loop")
    assert len(net.site.requests) == 6


# ------------------------------------------------------------------ other schemes

SCHEMES = ["file:///etc/passwd", "FILE:///etc/passwd", "file://localhost/etc/passwd", "ftp://127.0.0.1:{p}/",
           "gopher://127.0.0.1:{p}/_GET%20/", "dict://127.0.0.1:{p}/info", "data:text/plain,hello",
           "javascript:alert(1)", "127.0.0.1:{p}/secret", "//127.0.0.1:{p}/secret", "http:///etc/passwd",
           "http://127.0.0.1:{p}\\@docs.example.com/"]


@pytest.mark.parametrize("url", SCHEMES)
def test_other_schemes_are_refused(net, url):
    _refused_and_untouched(net, _fill(net, url), "inside", ("refused",))


def test_file_url_message_is_clear(net):
    with pytest.raises(URLRefused) as err:
        net.get("file:///etc/passwd")
    assert str(err.value) == "refused 'file:///etc/passwd': file:// is not fetched (only http and https URLs are)"


def test_address_kinds():
    kinds = {a: address_kind(ipaddress.ip_address(a)) for a in
             ("127.0.0.1", "::1", "10.1.2.3", "169.254.169.254", "fd00:ec2::254", "8.8.8.8", "2606:4700::1")}
    assert kinds == {"127.0.0.1": "loopback", "::1": "loopback", "10.1.2.3": "private",
                     "169.254.169.254": "cloud metadata", "fd00:ec2::254": "cloud metadata",
                     "8.8.8.8": None, "2606:4700::1": None}


# ------------------------------------------------------------------ adding a URL: the CLI

def test_check_at_add_time_keeps_a_name_that_does_not_resolve_yet():
    def offline(host, port):
        raise OSError("no DNS")
    assert check_url_to_add(" http://wiki.example.com/x ", resolve=offline) == "http://wiki.example.com/x"
    with pytest.raises(URLRefused):
        check_url_to_add("file:///etc/passwd", resolve=offline)


CLI_REFUSED = ["file:///etc/passwd", "http://127.0.0.1:{p}/", "http://169.254.169.254/latest/meta-data/",
               "http://[::1]:{p}/", "gopher://127.0.0.1:{p}/"]


@pytest.mark.parametrize("url", CLI_REFUSED)
def test_cli_add_url_refuses_and_adds_nothing(net, tmp_path, capsys, monkeypatch, url):
    from app.cli import main
    monkeypatch.delenv("MXDOCTOR_ALLOW_PRIVATE_URLS", raising=False)
    code = main(["ingest", "--home", str(tmp_path), "--add-url", "https://93.184.215.14/ok",
                 "--add-url", _fill(net, url)])
    err = capsys.readouterr().err
    assert code == 2 and "refused" in err and "nothing was added" in err
    assert not (tmp_path / "sources.yaml").exists() and not net.inside.requests
