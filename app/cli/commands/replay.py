"""`mxdoctor replay CONFIG_DIR --rcpt ADDR`: the config run on real Haraka, on loopback, explained."""
from __future__ import annotations

import argparse
import json
import sys

from app.cli.options import add_haraka_version


def add_parser(sub) -> None:
    from app.live.replay.outcome import exit_code_help
    p = sub.add_parser("replay", help="run one transaction through your config on real Haraka (loopback only)",
                       epilog=exit_code_help() + ". SIGTERM, SIGHUP and Ctrl-C stop Haraka and remove the sandbox "
                       "before exiting (128 + the signal's number).",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config_dir", help="Haraka config dir (or the dir holding config/)")
    p.add_argument("--rcpt", action="append", default=[], required=True, help="RCPT TO address (repeatable)")
    p.add_argument("--from", dest="mail_from", default="sender@example.net", help="MAIL FROM address")
    p.add_argument("--helo", default="client.example.net", help="EHLO name")
    p.add_argument("--unknown", action="append", default=[], metavar="ADDR",
                   help="a --rcpt the WildDuck stand-in does not know (default: it knows every --rcpt)")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.add_argument("--keep", action="store_true", help="leave the sandbox dir in place (for debugging)")
    add_haraka_version(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from app.core.errors import InputError
    from app.core.redact import redact_text
    from app.live import stopping
    from app.live.replay.words import say
    stopping.install()
    try:
        return _replay(args)
    except stopping.Stopped as exc:
        cleaned = "; ".join(exc.cleaned) or say(args.lang, "stopped_nothing")
        print(redact_text(say(args.lang, "stopped", signal=exc.name, cleaned=cleaned)), file=sys.stderr, flush=True)
        return exc.exit_code
    except (InputError, KeyboardInterrupt):
        raise
    except Exception as exc:      # noqa: BLE001 - no input may end in a traceback: one line, exit 2
        print(redact_text(f"mxdoctor replay: could not replay {args.config_dir}: {type(exc).__name__}: {exc} "
                          "(if the config is readable, this is a bug in mxdoctor: please report this line)"),
              file=sys.stderr)
        return 2


def _replay(args) -> int:
    from app.core.redact import redact_obj, redact_text
    from app.live.replay.render import render_markdown, render_text
    from app.live.replay.run import ReplayUnavailable, replay
    try:
        report = replay(args.config_dir, rcpts=args.rcpt, mail_from=args.mail_from, helo=args.helo,
                        haraka_version=args.haraka_version, unknown=args.unknown, keep=args.keep, lang=args.lang)
    except ReplayUnavailable as exc:
        print(f"mxdoctor replay: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        sys.stdout.write(json.dumps(redact_obj(report.to_dict()), indent=2, ensure_ascii=False) + "\n")
    elif args.format == "markdown":
        sys.stdout.write(redact_text(render_markdown(report, args.lang)))
    else:
        sys.stdout.write(redact_text(render_text(report, args.lang)))
    return report.exit_code
