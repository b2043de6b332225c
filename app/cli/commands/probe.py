"""`mxdoctor probe HOST[:PORT] --rcpt ADDR ...`: talk SMTP to a running server and explain each reply."""
from __future__ import annotations

import sys

EPILOG = """exit codes:
  0  every step and recipient accepted (and the test message, with --send)
  1  the server refused something (a 4xx/5xx reply; the output says which plugin or core)
  2  bad input (a host, an address without user@domain, or an option mxdoctor cannot use); nothing is sent
  3  could not talk to the server (refused port, no answer, silent port, TLS failure, closed connection)

Only HOST is contacted; each step waits at most --timeout seconds; RSET and QUIT end the session;
DATA is sent only with --send."""


def add_parser(sub) -> None:
    import argparse
    p = sub.add_parser("probe", help="talk SMTP to a server and explain every reply (swaks, explained)",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", metavar="HOST[:PORT]", help="the server: mx.example.com, 192.0.2.1:2525, [2001:db8::1]:25")
    p.add_argument("--rcpt", action="append", required=True, metavar="ADDR", help="RCPT TO address (repeatable)")
    p.add_argument("--from", dest="mail_from", metavar="ADDR", help="MAIL FROM address (default: the null sender <>)")
    p.add_argument("--helo", metavar="NAME",
                   help="EHLO name (default: this host's name, not 'localhost' when it has another)")
    p.add_argument("--starttls", action="store_true", help="upgrade with STARTTLS after EHLO")
    p.add_argument("--tls-verify", action="store_true", help="check the certificate against the system's CAs")
    p.add_argument("--send", action="store_true",
                   help="send a small test message with a unique id (a real message; off by default)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S", help="seconds per step (default 30)")
    p.add_argument("--config", action="append", default=[], metavar="DIR",
                   help="the server's Haraka dir or config dir: set the simulator's prediction beside each reply")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.add_argument("--haraka-version", metavar="X", default=None,
                   help="the Haraka release the server runs (default: the Haraka/X.Y.Z its banner shows): replies are "
                        "matched to the messages and source lines of that release")
    p.set_defaults(run=run)


def run(args) -> int:
    from app.core.errors import InputError
    from app.live.probe import check_addresses, parse_target, probe
    from app.live.render import render
    try:
        host, port = parse_target(args.target)
        check_addresses(args.rcpt, args.mail_from)
        if args.timeout <= 0:
            raise ValueError("--timeout must be positive")
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    report = probe(host, port, rcpts=args.rcpt, mail_from=args.mail_from, helo=args.helo, starttls=args.starttls,
                   send=args.send, timeout=args.timeout, verify_tls=args.tls_verify, config_paths=args.config or None,
                   haraka_version=args.haraka_version)
    sys.stdout.write(render(report, args.format, args.lang))
    return report.exit_code
