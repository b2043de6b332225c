"""Talk SMTP to one server and record every reply, each step bounded in time.

Why its own module: `mxdoctor probe` (a server the admin runs) and `mxdoctor replay` (a Haraka
started on loopback) show the same thing, the real dialogue. Nothing here raises for what a server
says or does: a 5xx, a closed connection, a refused port, a silent port or a failed TLS handshake
all end up in the Session, the last as a Failure with a sentence an admin can act on.
Safety: only the one host given is contacted; DATA is sent only when asked; RSET (when a
transaction was started but not sent) and QUIT end every session.
"""
from __future__ import annotations

import hashlib
import re
import smtplib
import socket
import ssl
import time
import uuid
from dataclasses import asdict, dataclass, field

from app.live.failures import Failure, describe_failure, no_starttls, refused_at

DEFAULT_TIMEOUT = 30.0


@dataclass
class Reply:
    """One real reply. `code` None: no reply came (the server closed the connection or went silent)."""
    stage: str                 # banner ehlo starttls ehlo_tls mail rcpt data data_end rset quit
    code: int | None
    text: str                  # the reply's lines joined by "\n", without codes
    target: str | None = None  # the recipient of a rcpt reply
    seconds: float = 0.0       # how long the server took to answer

    @property
    def line(self) -> str:
        """The reply as the client saw it: '550 5.7.1 Relaying denied' (first line only)."""
        first = self.text.split("\n", 1)[0]
        return f"{self.code} {first}" if self.code is not None else first


@dataclass
class TLSInfo:
    version: str = ""
    cipher: str = ""
    verified: bool = False     # checked against the system's CAs (only with verify_tls)
    fingerprint: str = ""      # SHA-256 of the server certificate


class RepliesByStage:
    """Finding a reply by stage (and recipient) in a record of SMTP replies: a probe's Session, and
    the e2e harness's Transcript of what real Haraka answered."""
    replies: list

    def get(self, stage: str, target: str | None = None):
        for r in self.replies:
            if r.stage == stage and (target is None or r.target == target):
                return r
        return None

    def code(self, stage: str, target: str | None = None) -> int | None:
        r = self.get(stage, target)
        return r.code if r else None


@dataclass
class Session(RepliesByStage):
    host: str
    port: int
    helo: str
    mail_from: str
    rcpts: list[str]
    replies: list[Reply] = field(default_factory=list)
    capabilities: list[str] = field(default_factory=list)
    tls: TLSInfo | None = None
    failure: Failure | None = None
    probe_id: str | None = None  # the test message's id, when one was sent
    sent: bool = False           # the server accepted the test message (2xx after the final dot)
    client_ip: str = ""          # the address the server saw this session come from
    helo_localhost: bool = False  # the EHLO name was this host's, and only a localhost name was found


    def to_dict(self) -> dict:
        out = asdict(self)
        out["failure"] = self.failure.to_dict() if self.failure else None
        return out


def new_probe_id() -> str:
    """A unique, greppable id for a test message: it goes in the Message-ID and the Subject."""
    return "mxdoctor-" + uuid.uuid4().hex[:12]


def probe_message(mail_from: str, rcpts: list[str], probe_id: str, helo: str) -> bytes:
    """A small, well-formed test message that says what it is."""
    domain = helo.strip("[]") or "mxdoctor.invalid"
    headers = [
        "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
        f"From: <{mail_from}>" if mail_from else "From: <postmaster@mxdoctor.invalid>",
        "To: " + ", ".join(f"<{r}>" for r in rcpts),
        f"Subject: mxdoctor probe {probe_id}",
        f"Message-ID: <{probe_id}@{domain}>",
        f"X-Mxdoctor-Probe: {probe_id}",
    ]
    body = (f"A test message sent by `mxdoctor probe --send` ({probe_id}).\r\n"
            "It checks that this server accepts and stores mail; it can be deleted.\r\n")
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


class _Dialogue:
    """One connection's steps; each records its reply and says whether the session goes on."""

    def __init__(self, session: Session, timeout: float, verify_tls: bool):
        self.s = session
        self.timeout = timeout
        self.verify_tls = verify_tls
        self.client = smtplib.SMTP(timeout=timeout)
        # smtplib names the TLS server (SNI, hostname check) by _host, which connect() does not set
        self.client._host = session.host
        self.in_transaction = False

    def step(self, stage: str, send, target: str | None = None) -> Reply | None:
        """Run `send` (returning smtplib's (code, bytes)); record the reply. None when it failed."""
        start = time.monotonic()
        try:
            code, raw = send()
        except (OSError, smtplib.SMTPException) as exc:
            self.s.failure = describe_failure(exc, stage, self.s.host, self.s.port, self.timeout)
            self.s.replies.append(Reply(stage, None, self.s.failure.message, target, time.monotonic() - start))
            return None
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        reply = Reply(stage, None if code == -1 else code, text, target, round(time.monotonic() - start, 3))
        self.s.replies.append(reply)
        return reply

    def greet(self) -> bool:
        banner = self.step("banner", lambda: self.client.connect(self.s.host, self.s.port))
        if self.client.sock is not None:
            self.s.client_ip = str(self.client.sock.getsockname()[0])
        if banner is None or not _ok(banner):
            return False
        return self.ehlo("ehlo")

    def ehlo(self, stage: str) -> bool:
        reply = self.step(stage, lambda: self.client.ehlo(self.s.helo))
        if reply is None or not _ok(reply):
            return False
        self.s.capabilities = reply.text.split("\n")[1:]
        return True

    def starttls(self) -> bool:
        if not self.client.has_extn("starttls"):
            self.s.failure = no_starttls()
            return False
        context = ssl.create_default_context()
        if not self.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        reply = self.step("starttls", lambda: self.client.starttls(context=context))
        if reply is None or not _ok(reply):
            return False
        sock = self.client.sock
        der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
        self.s.tls = TLSInfo(version=sock.version() or "", cipher=(sock.cipher() or ("",))[0],
                             verified=self.verify_tls, fingerprint=hashlib.sha256(der).hexdigest() if der else "")
        return self.ehlo("ehlo_tls")

    def transaction(self, send: bool) -> None:
        mail = self.step("mail", lambda: self.client.docmd("MAIL", f"FROM:<{self.s.mail_from}>"))
        if mail is None:
            return
        self.in_transaction = True
        if not _ok(mail):
            return
        accepted = []
        for rcpt in self.s.rcpts:
            reply = self.step("rcpt", lambda r=rcpt: self.client.docmd("RCPT", f"TO:<{r}>"), rcpt)
            if reply is None:
                return
            if _ok(reply):
                accepted.append(rcpt)
        if send and accepted:
            self.data(accepted)

    def data(self, accepted: list[str]) -> None:
        reply = self.step("data", lambda: self.client.docmd("DATA"))
        if reply is None or reply.code != 354:
            return
        self.s.probe_id = self.s.probe_id or new_probe_id()
        body = re.sub(rb"(?m)^\.", b"..", probe_message(self.s.mail_from, accepted, self.s.probe_id, self.s.helo))
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        end = self.step("data_end", lambda: (self.client.send(body + b".\r\n"), self.client.getreply())[1])
        if end is not None and _ok(end):
            self.s.sent = True
            self.in_transaction = False

    def close(self) -> None:
        """RSET an unfinished transaction, QUIT, close: politely, but only on a usable connection."""
        usable = self.client.sock is not None and (self.s.failure is None or self.s.failure.alive)
        if usable and self.in_transaction:
            self.step("rset", lambda: self.client.docmd("RSET"))
        if self.client.sock is not None and (self.s.failure is None or self.s.failure.alive):
            failure = self.s.failure
            if self.step("quit", lambda: self.client.docmd("QUIT")) is None:
                self.s.failure = failure            # closing before answering QUIT is no failure
                self.s.replies.pop()
        self.client.close()


def _ok(reply: Reply) -> bool:
    return reply.code is not None and 200 <= reply.code < 400


def localhost_like(name: str) -> bool:
    name = name.strip().lower().rstrip(".")
    return (not name or name in ("localhost", "::1", "ip6-localhost") or name.startswith(("localhost.", "127."))
            or name.endswith(".localhost"))


def default_helo() -> str:
    """This host's name for EHLO: its hostname, else its FQDN, whichever is not a localhost name
    (getfqdn() says 'localhost' on many machines whose hostname is fine); 'localhost' when both are."""
    for name in (socket.gethostname(), socket.getfqdn()):
        if not localhost_like(name):
            return name
    return "localhost"


def talk(host: str, port: int = 25, *, rcpts: list[str], mail_from: str, helo: str | None = None,
         starttls: bool = False, send: bool = False, timeout: float = DEFAULT_TIMEOUT,
         verify_tls: bool = False, probe_id: str | None = None) -> Session:
    """One SMTP session with `host`: banner, EHLO, [STARTTLS, EHLO], MAIL, each RCPT, and with `send`
    a small test message to the accepted recipients; every reply recorded, none raised."""
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    session = Session(host, port, helo or default_helo(), mail_from, list(rcpts), probe_id=probe_id)
    session.helo_localhost = not helo and localhost_like(session.helo)
    dialogue = _Dialogue(session, timeout, verify_tls)
    try:
        if dialogue.greet() and (not starttls or dialogue.starttls()):
            dialogue.transaction(send)
        if session.failure is None:
            session.failure = _refused_step(session)
    finally:
        dialogue.close()
    return session


def _refused_step(session: Session) -> Failure | None:
    """A session the server ended early (refused banner, EHLO, STARTTLS or MAIL) as a Failure of kind
    'reply': the session is fine, the server said no, and that is the finding."""
    for r in session.replies:
        if r.stage in ("banner", "ehlo", "ehlo_tls", "starttls", "mail") and r.code is not None and r.code >= 400:
            return refused_at(r.stage, r.line)
    return None
