"""Why a session with a server could not go on, in words an admin can act on.

Why not the exception text: 'Connection unexpectedly closed: timed out' does not say whether the
host is down, the port is filtered, or something listens there and keeps quiet; each of those has a
different next step. The kinds are stable (a test and the UI key on them).
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass

KINDS = ("refused", "timeout", "silent", "dns", "unreachable", "tls", "closed", "protocol", "reply")


@dataclass
class Failure:
    kind: str        # one of KINDS
    stage: str       # the step it happened at (banner, ehlo, starttls, mail, rcpt, data, data_end)
    message: str     # one sentence with the next step
    alive: bool = False  # the connection is still usable (RSET/QUIT may be sent)


def describe_failure(exc: BaseException, stage: str, host: str, port: int, timeout: float) -> Failure:
    """The Failure an exception raised while talking to host:port at `stage` means."""
    where = f"{host}:{port}"
    if isinstance(exc, socket.gaierror):
        return Failure("dns", stage, f"cannot resolve {host} ({exc.strerror or exc}): check the name, "
                                     "or give the address")
    if isinstance(exc, ConnectionRefusedError):
        return Failure("refused", stage, (
            f"{where} refused the connection: nothing listens there (is Haraka running, and does `listen` in "
            "config/smtp.ini include this address and port?), or a firewall rejects it"))
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Failure("tls", stage, (
            f"the certificate of {where} does not verify ({exc.verify_message or exc}): senders that insist on "
            "a valid certificate (MTA-STS enforce, DANE) will not deliver; install a certificate a public CA "
            "signed, with its chain, as config/tls_cert.pem"))
    if isinstance(exc, ssl.SSLError):
        return Failure("tls", stage, (
            f"the TLS handshake with {where} failed ({exc.reason or exc}): check config/tls.ini and that the "
            "key and certificate in config/ load (Haraka logs why at start-up)"))
    if isinstance(exc, (TimeoutError, socket.timeout)) and stage == "banner":
        return Failure("timeout", stage, (
            f"no answer from {where} within {timeout:g} s: the host is down or a firewall drops the packets "
            "(many ISPs and clouds block outbound port 25)"))
    if isinstance(exc, smtplib.SMTPServerDisconnected) or isinstance(exc, (TimeoutError, socket.timeout)):
        return _disconnected(str(exc), stage, where, timeout)
    if isinstance(exc, OSError):
        return Failure("unreachable", stage, f"cannot reach {where}: {exc.strerror or exc}")
    return Failure("protocol", stage, f"the SMTP dialogue with {where} broke off at {stage}: {exc}")


def _disconnected(text: str, stage: str, where: str, timeout: float) -> Failure:
    if "timed out" in text.lower():
        if stage == "banner":
            return Failure("silent", stage, (
                f"connected to {where}, but no greeting came within {timeout:g} s: it is not an SMTP server, "
                "or something holds connections there (a proxy, a tarpit, a server still starting)"))
        return Failure("timeout", stage, (
            f"{where} gave no reply to {stage.upper()} within {timeout:g} s: a plugin on that hook is slow or "
            "stuck (a DNS list, an unreachable backend); its timeout is in the plugin's config, and Haraka "
            "logs 'timed out' for it"))
    return Failure("closed", stage, (
        f"{where} closed the connection at {stage} without a reply: a plugin disconnected (DENYDISCONNECT), "
        "too many bad commands, or Haraka's worker crashed; its log says which"))
