"""Run a real, throw-away Haraka on loopback and talk SMTP to it.

This is the oracle for mxdoctor's simulator and log parser: whatever these helpers record is
what Haraka really answered and really printed. The server itself is app.live.haraka.server
(shared with `mxdoctor replay`); this module gives it the tests' default install and adds the
SMTP client the tests use.
"""
from __future__ import annotations

import os
import smtplib
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.live.haraka import server as _server
from app.live.haraka.server import (
    DISCONNECT_RE,
    LOG_FORMATS,
    LOOPBACK,
    START_TIMEOUT,
    STOP_GRACE,
    HarakaError,
    haraka_cli,
    node_binary,
)
from app.live.smtp import RepliesByStage

__all__ = ["DISCONNECT_RE", "LOG_FORMATS", "LOOPBACK", "SMTP_TIMEOUT", "START_TIMEOUT", "STOP_GRACE", "HarakaError",
           "HarakaServer", "Reply", "Transcript", "default_install_dir", "default_message", "free_port", "haraka_cli",
           "node_binary", "send"]

SMTP_TIMEOUT = 15.0       # per socket operation; above the 2 s never_next plugin timeout


def free_port() -> int:
    """A free loopback port (tests may swap this function to force a collision)."""
    return _server.free_port()


class HarakaServer(_server.HarakaServer):
    """app.live.haraka.server.HarakaServer with the tests' Haraka when no install_dir is given."""

    def __init__(self, config: dict[str, str], plugins_dir_files: dict[str, str] | None = None,
                 log_format: str = "default", timestamps: bool = False, *,
                 install_dir: str | os.PathLike | None = None, **kwargs) -> None:
        super().__init__(config, plugins_dir_files, log_format, timestamps,
                         install_dir=install_dir or default_install_dir(), **kwargs)

    def pick_port(self) -> int:
        return free_port()


def default_install_dir() -> Path:
    """The Haraka to use when none is given: tests/haraka_install.py's, else /tmp/haraka-try."""
    try:
        from haraka_install import haraka_dir  # tests/ is on sys.path via tests/conftest.py
    except ImportError:
        try:
            from tests.haraka_install import haraka_dir
        except ImportError:
            haraka_dir = None
    found = haraka_dir() if haraka_dir else None
    return Path(found) if found else Path("/tmp/haraka-try")


# --------------------------------------------------------------------------- the client

@dataclass
class Reply:
    """One real SMTP reply. code None = the server closed the connection instead of replying."""
    stage: str                 # banner ehlo helo mail rcpt data data_end
    code: int | None
    text: str
    target: str | None = None  # the recipient of a rcpt reply

    def __str__(self) -> str:
        return f"{self.stage}{'(' + self.target + ')' if self.target else ''}: {self.code} {self.text}"


@dataclass
class Transcript(RepliesByStage):
    replies: list[Reply] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(map(str, self.replies))


def default_message(mail_from: str, rcpts: list[str], *, date: bool = True) -> bytes:
    """A small, well-formed message; `date=False` leaves out the Date header."""
    headers = [f"From: <{mail_from}>", f"To: {', '.join(f'<{r}>' for r in rcpts)}",
               "Subject: mxdoctor e2e", f"Message-ID: <{time.time_ns()}@mxdoctor.test>"]
    if date:
        headers.insert(0, "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()))
    return ("\r\n".join(headers) + "\r\n\r\nHello from the mxdoctor e2e tests.\r\n").encode()


def send(server: HarakaServer, helo: str, mail_from: str, rcpts: list[str],
         data: bytes | str | None = None, *, esmtp: bool = True,
         timeout: float = SMTP_TIMEOUT) -> Transcript:
    """One SMTP transaction; every reply is recorded and none raises (4xx/5xx included).

    Stages run while the connection is open: DATA is sent even when every RCPT was refused, so
    the transcript also shows what Haraka says then. A closed connection ends the transcript
    with a code-None reply.
    """
    if data is None:
        data = default_message(mail_from, rcpts)
    if isinstance(data, str):
        data = data.encode()
    t = Transcript()
    client = smtplib.SMTP(timeout=timeout)
    stage, target = "banner", None
    try:
        t.replies.append(_reply("banner", client.connect(LOOPBACK, server.port)))
        stage = "ehlo" if esmtp else "helo"
        t.replies.append(_reply(stage, client.ehlo(helo) if esmtp else client.helo(helo)))
        stage = "mail"
        t.replies.append(_reply(stage, client.docmd("MAIL", f"FROM:<{mail_from}>")))
        for rcpt in rcpts:
            stage, target = "rcpt", rcpt
            t.replies.append(_reply(stage, client.docmd("RCPT", f"TO:<{rcpt}>"), rcpt))
        stage, target = "data", None
        data_reply = _reply(stage, client.docmd("DATA"))
        t.replies.append(data_reply)
        if data_reply.code == 354:
            stage = "data_end"
            body = smtplib._quote_periods(data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            client.send(body + b".\r\n")
            t.replies.append(_reply(stage, client.getreply()))
        stage = "quit"
        client.docmd("QUIT")
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        if stage != "quit":
            t.replies.append(Reply(stage, None, f"connection closed: {exc}", target))
    finally:
        client.close()
    return t


def _reply(stage: str, code_text: tuple[int, bytes], target: str | None = None) -> Reply:
    code, text = code_text
    if code == -1:                      # smtplib's way of saying "no valid reply line"
        return Reply(stage, None, text.decode("utf-8", "replace"), target)
    return Reply(stage, code, text.decode("utf-8", "replace"), target)
