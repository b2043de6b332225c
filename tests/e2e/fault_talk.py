"""The client side of the fault scenarios: short SMTP conversations that never raise.

A talk function takes the running HarakaServer and returns a Talked: how many connections it
opened (the generator waits for as many disconnect lines) and the replies it got, one string
each ("stage: code text"), kept in the manifest beside the log.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from typing import Callable

from .harness import LOOPBACK, SMTP_TIMEOUT, HarakaServer, default_message, send

HELO = "client.example.net"
SENDER = "sender@example.net"
ALICE = "alice@example.com"           # in host_list
BOB = "bob@example.com"
CAROL = "carol@example.com"
NOBODY = "nobody@other.test"          # outside host_list
BARE_IP_HELO = "192.0.2.1"


@dataclass
class Talked:
    connections: int = 0
    replies: list[str] = field(default_factory=list)

    def add(self, stage: str, reply: tuple[int, bytes] | None, error: str = "") -> int | None:
        if reply is None:
            self.replies.append(f"{stage}: closed {error}".rstrip())
            return None
        code, text = reply
        self.replies.append(f"{stage}: {code} {text.decode('utf-8', 'replace')}".replace("\n", " | "))
        return code


Talk = Callable[[HarakaServer], Talked]


def one_mail(rcpts: list[str] | None = None, sender: str = SENDER) -> Talk:
    """One ordinary transaction: EHLO, MAIL, RCPT(s), DATA with a small message, QUIT."""
    rcpts = rcpts or [ALICE]

    def talk(server: HarakaServer) -> Talked:
        t = send(server, HELO, sender, rcpts, default_message(sender, rcpts))
        return Talked(1, [str(r).replace("\n", " | ") for r in t.replies])
    return talk


def big_message(size: int = 6000) -> Talk:
    """One transaction whose message is `size` bytes of body (MAIL without a SIZE parameter, so
    the limit is only found at the end of DATA)."""
    def talk(server: HarakaServer) -> Talked:
        body = default_message(SENDER, [ALICE]) + (b"x" * 70 + b"\r\n") * (size // 72)
        t = send(server, HELO, SENDER, [ALICE], body)
        return Talked(1, [str(r).replace("\n", " | ") for r in t.replies])
    return talk


def _client(server: HarakaServer, talked: Talked) -> smtplib.SMTP | None:
    client = smtplib.SMTP(timeout=SMTP_TIMEOUT)
    talked.connections += 1
    try:
        talked.add("banner", client.connect(LOOPBACK, server.port))
    except (smtplib.SMTPException, OSError) as exc:
        talked.add("banner", None, str(exc))
        client.close()
        return None
    return client


def _script(client: smtplib.SMTP, talked: Talked, steps: list[tuple[str, str, str]]) -> bool:
    """Run (stage, verb, args) commands until the server closes; False when it did."""
    for stage, verb, args in steps:
        try:
            talked.add(stage, client.docmd(verb, args))
        except (smtplib.SMTPException, OSError) as exc:
            talked.add(stage, None, str(exc))
            return False
    return True


def _finish(client: smtplib.SMTP, talked: Talked, still_open: bool) -> None:
    if still_open:
        _script(client, talked, [("quit", "QUIT", "")])
    client.close()


def helo_fallback() -> Talk:
    """EHLO with a bare IP; when refused, HELO with the same; then MAIL and RCPT anyway."""
    def talk(server: HarakaServer) -> Talked:
        talked = Talked()
        client = _client(server, talked)
        if client is None:
            return talked
        open_ = _script(client, talked, [("ehlo", "EHLO", BARE_IP_HELO)])
        if open_ and not talked.replies[-1].startswith("ehlo: 2"):
            open_ = _script(client, talked, [("helo", "HELO", BARE_IP_HELO)])
        if open_:
            open_ = _script(client, talked, [("mail", "MAIL", f"FROM:<{SENDER}>"),
                                             ("rcpt", "RCPT", f"TO:<{ALICE}>")])
        _finish(client, talked, open_)
        return talked
    return talk


def limit_abuse() -> Talk:
    """Two connections: four recipients in one transaction, then unrecognized commands."""
    def talk(server: HarakaServer) -> Talked:
        talked = Talked()
        client = _client(server, talked)
        if client is not None:
            steps = [("ehlo", "EHLO", HELO), ("mail", "MAIL", f"FROM:<{SENDER}>")]
            steps += [("rcpt", "RCPT", f"TO:<{r}>") for r in (ALICE, BOB, CAROL, f"dave@{ALICE.split('@')[1]}")]
            _finish(client, talked, _script(client, talked, steps))
        client = _client(server, talked)
        if client is not None:
            steps = [("ehlo", "EHLO", HELO)] + [("unknown", verb, "") for verb in ("XYZZY", "PLUGH", "FROB")]
            _finish(client, talked, _script(client, talked, steps))
        return talked
    return talk


def starttls_mail() -> Talk:
    """EHLO; STARTTLS when offered (no certificate check); then one mail in whatever state the
    connection is in. A failed handshake ends the conversation."""
    def talk(server: HarakaServer) -> Talked:
        talked = Talked()
        client = _client(server, talked)
        if client is None:
            return talked
        try:
            open_ = talked.add("ehlo", client.ehlo(HELO)) is not None
        except (smtplib.SMTPException, OSError) as exc:
            open_ = talked.add("ehlo", None, str(exc)) is not None
        if open_ and client.has_extn("starttls"):
            open_ = _starttls(client, talked)
        if open_:
            open_ = _script(client, talked, [("mail", "MAIL", f"FROM:<{SENDER}>"),
                                             ("rcpt", "RCPT", f"TO:<{ALICE}>")])
        _finish(client, talked, open_)
        return talked
    return talk


def _starttls(client: smtplib.SMTP, talked: Talked) -> bool:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        code = talked.add("starttls", client.starttls(context=ctx))
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        talked.add("starttls", None, f"handshake failed: {exc}")
        return False
    if code != 220:
        return True
    return _script(client, talked, [("ehlo", "EHLO", HELO)])
