"""`mxdoctor simulate PATH... [--ip --helo --from --rcpt]`: Haraka's hook order and one transaction."""
from __future__ import annotations

import json
import sys

from app.cli.options import add_haraka_version
from app.core.simulate.render import render_simulation_text


def add_parser(sub) -> None:
    p = sub.add_parser("simulate", help="walk a transaction through the hook pipeline")
    p.add_argument("paths", nargs="+", help="Haraka dir, config dir or files")
    p.add_argument("--ip", help="client IP (default: an outside address)")
    p.add_argument("--helo", help="HELO/EHLO name")
    p.add_argument("--from", dest="mail_from", help="MAIL FROM address")
    p.add_argument("--rcpt", action="append", default=[], help="RCPT TO address (repeatable)")
    p.add_argument("--unknown-user", action="append", default=[], help="recipient WildDuck does not know")
    p.add_argument("--logs", nargs="+", default=[], metavar="FILE", help="logs to take the envelope from")
    p.add_argument("--format", choices=("text", "json"), default="text")
    add_haraka_version(p)
    p.set_defaults(run=run)


def run(args) -> int:
    from app.core.diagnose import keep_events, read_logs
    from app.core.inputs import load_paths
    from app.core.redact import redact_obj, redact_text
    from app.core.simulate import simulate
    from app.core.versions import detect_versions, override
    override(args.haraka_version)
    cs = load_paths(args.paths)
    events, _ = keep_events(read_logs(args.logs, [])) if args.logs else ([], 0)
    env = {"ip": args.ip, "helo": args.helo, "from": args.mail_from, "rcpt": args.rcpt,
           "unknown_users": args.unknown_user}
    sim = simulate(cs, envelope=env, events=events)
    versions = detect_versions(cs, events, args.haraka_version)
    if args.format == "json":
        sys.stdout.write(json.dumps(redact_obj(sim.to_dict() | {"versions": versions.to_dict()}), indent=2) + "\n")
    else:
        sys.stdout.write(redact_text(render_simulation_text(sim) + versions.line() + "\n"))
    return 0
