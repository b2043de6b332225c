"""`mxdoctor probe`: one SMTP session with a server the admin runs, every reply attributed to
Haraka's core or the plugin that produced it, beside the simulator's prediction when the config
is given, and with `--send` the places the test message should show up.

Safety (smtp.talk): only the host given is contacted, every step is bounded by `timeout`, RSET/QUIT
end the session, and DATA is sent only with `send`.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from app.core.catalog import load_catalog
from app.core.model import ConfigSet
from app.live.attribute import Attribution, attribute
from app.live.compare import ComparisonReport, compare, reconcile
from app.live.nextsteps import NextSteps, next_steps
from app.live.smtp import DEFAULT_TIMEOUT, Session, talk

ACCEPTED, REFUSED, FAILED = "accepted", "refused", "failed"
EXIT_CODES = {ACCEPTED: 0, REFUSED: 1, FAILED: 3}      # 2 stays "bad input", as in every command
DIALOGUE_STAGES = ("banner", "ehlo", "starttls", "ehlo_tls", "mail", "rcpt", "data", "data_end")
_BANNER_VERSION = re.compile(r"\bHaraka/(\d+\.\d+\.\d+)\b")
_TARGET = re.compile(r"^\[(?P<v6>[^\]]+)\](?::(?P<v6port>\d+))?$|^(?P<host>[^:\[\]\s/]+)(?::(?P<port>\d+))?$")


def parse_target(text: str, default_port: int = 25) -> tuple[str, int]:
    """'mx.example.com', 'mx.example.com:587', '192.0.2.1:2525', '[2001:db8::1]:25' or a bare IPv6
    address -> (host, port). ValueError for anything else."""
    text = text.strip()
    m = _TARGET.match(text)
    bare = text.count(":") >= 2 and not text.startswith("[")             # a bare IPv6: no port can follow
    v6 = m.group("v6") if m else (text if bare else None)
    if v6 is not None and not _is_ipv6(v6):
        raise ValueError(f"not an IPv6 address: {v6!r}")
    if m is None:
        if v6 is not None:
            return v6, default_port
        raise ValueError(f"not a host or host:port: {text!r} (write an IPv6 address with a port as [addr]:port)")
    host = m.group("v6") or m.group("host")
    port = int(m.group("v6port") or m.group("port") or default_port)
    if not 0 < port < 65536:
        raise ValueError(f"port out of range: {port}")
    return host, port


_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")


def check_addresses(rcpts: list[str], mail_from: str | None) -> None:
    """Refuse, before any connection, an address that is plainly not one (no '@', spaces, several
    '@', angle brackets): the server's 501 for it would say nothing about its config.
    ValueError naming the address."""
    for what, address in [("--rcpt", r) for r in rcpts] + ([("--from", mail_from)] if mail_from else []):
        if not _ADDRESS.match(address or ""):
            raise ValueError(f"{what} {address!r} is not an email address (write user@domain, without <>)")


def _is_ipv6(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


@dataclass
class ProbeReport:
    host: str
    port: int
    session: Session
    attributions: list[Attribution]
    version: str | None = None            # Haraka's release the attribution read its messages at
    version_from: str = ""                # given | banner | ""
    comparison: ComparisonReport | None = None
    next: NextSteps | None = None
    config_paths: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """accepted: every step and recipient accepted (and the message, when sent); refused: the
        server answered 4xx/5xx somewhere; failed: it could not be talked to (refused port, silence,
        timeout, TLS, a closed connection)."""
        failure = self.session.failure
        if failure is not None and failure.kind != "reply":
            return FAILED
        if failure is not None or any(r.code is not None and r.code >= 400 for r in self.session.replies
                                      if r.stage in DIALOGUE_STAGES):
            return REFUSED
        return ACCEPTED

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def to_dict(self) -> dict:
        return {"host": self.host, "port": self.port, "outcome": self.outcome, "exit_code": self.exit_code,
                "version": self.version, "version_from": self.version_from,
                "session": self.session.to_dict(),
                "replies": [{"stage": r.stage, "target": r.target, "code": r.code, "text": r.text,
                             "seconds": r.seconds, "attribution": a.to_dict()}
                            for r, a in zip(self.session.replies, self.attributions)],
                "comparison": self.comparison.to_dict() if self.comparison else None,
                "next": self.next.to_dict() if self.next else None, "config": self.config_paths}


def _version(session: Session, given: str | None) -> tuple[str | None, str]:
    if given:
        return given, "given"
    banner = session.get("banner")
    m = _BANNER_VERSION.search(banner.text) if banner is not None else None
    return (m.group(1), "banner") if m else (None, "")


def probe(host: str, port: int = 25, *, rcpts: list[str], mail_from: str | None = None, helo: str | None = None,
          starttls: bool = False, send: bool = False, timeout: float = DEFAULT_TIMEOUT, verify_tls: bool = False,
          config_paths: list[str] | None = None, haraka_version: str | None = None,
          config: ConfigSet | None = None) -> ProbeReport:
    """Talk to host:port, then explain every reply. `mail_from` None is the null sender <>; no `rcpts`
    checks the greeting, EHLO, TLS and MAIL only (the CLI asks for one; the MCP tool may not). The
    server's config, for the simulator's prediction: `config_paths` (read here) or `config` (already read)."""
    check_addresses(list(rcpts), mail_from)          # bad input fails before any connection
    config = config if config is not None else _load(config_paths)
    session = talk(host, port, rcpts=list(rcpts), mail_from=mail_from or "", helo=helo, starttls=starttls,
                   send=send, timeout=timeout, verify_tls=verify_tls)
    version, version_from = _version(session, haraka_version)
    catalog = load_catalog()
    comparison = compare(config, session) if config is not None else None
    attributions = [attribute(r, version=version, catalog=catalog, config=config,
                              step=comparison.step_for(r) if comparison is not None else None)
                    for r in session.replies]
    if comparison is not None:
        reconcile(comparison, attributions, catalog)
    return ProbeReport(host, port, session, attributions, version, version_from, comparison,
                       next_steps(session, config, catalog), list(config_paths or []))


def _load(paths: list[str] | None) -> ConfigSet | None:
    if not paths:
        return None
    from app.core.inputs import load_paths
    return load_paths(list(paths))
