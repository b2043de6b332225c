"""A tiny SMTP server on loopback that accepts every message and records it: the stand-in for the
host smtp_forward / smtp_proxy hand mail on to, so the replay shows what would have left.

Why our own: smtpd left the standard library (3.12) and aiosmtpd is one more dependency for a
dozen commands. It speaks just enough SMTP for Haraka's forwarder (EHLO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT); STARTTLS is not offered, so the forwarder talks in the clear, on loopback.
"""
from __future__ import annotations

import socketserver
import threading
from dataclasses import asdict, dataclass, field

LOOPBACK = "127.0.0.1"
IDLE_TIMEOUT = 30.0
MAX_MESSAGE = 30_000_000


@dataclass
class Received:
    mail_from: str
    rcpts: list[str] = field(default_factory=list)
    size: int = 0
    subject: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


class _Handler(socketserver.StreamRequestHandler):
    timeout = IDLE_TIMEOUT

    def say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self.say("220 mxdoctor-replay-sink ESMTP (records, delivers nothing)")
        current: Received | None = None
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            verb, _, arg = raw.decode("utf-8", "replace").strip().partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                self.say("250-mxdoctor-replay-sink\r\n250 8BITMIME" if verb == "EHLO" else "250 mxdoctor-replay-sink")
            elif verb == "MAIL":
                current = Received(_address(arg))
                self.say("250 sender OK")
            elif verb == "RCPT" and current is not None:
                current.rcpts.append(_address(arg))
                self.say("250 recipient OK")
            elif verb == "DATA" and current is not None and current.rcpts:
                self.say("354 go ahead")
                self._data(current)
                self.server.received.append(current)
                current = None
                self.say("250 recorded by mxdoctor replay (not delivered)")
            elif verb == "RSET":
                current = None
                self.say("250 reset")
            elif verb == "NOOP":
                self.say("250 OK")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("503 bad sequence of commands")

    def _data(self, msg: Received) -> None:
        while True:
            line = self.rfile.readline(65536)
            if not line or line in (b".\r\n", b".\n"):
                return
            msg.size += len(line)
            text = line.decode("utf-8", "replace")
            if not msg.subject and text.lower().startswith("subject:"):
                msg.subject = text[8:].strip()[:200]
            if msg.size > MAX_MESSAGE:
                return


def _address(arg: str) -> str:
    _, _, rest = arg.partition(":")
    return rest.strip().split(" ", 1)[0].strip("<>")


class Sink(socketserver.ThreadingTCPServer):
    """`with Sink() as sink:` listens on 127.0.0.1:sink.port; `sink.received` lists what came."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0):
        super().__init__((LOOPBACK, port), _Handler)
        self.received: list[Received] = []
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> "Sink":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
