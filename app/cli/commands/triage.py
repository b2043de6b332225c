"""`mxdoctor triage LOG...`: summarise Haraka / WildDuck logs (text or JSON)."""
from __future__ import annotations

import json
import sys

from app.cli.options import add_haraka_version
from app.core.redact import redact_obj, redact_text
from app.core.triage import render_text, triage


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("triage", help="summarise Haraka/WildDuck logs: outcomes, rejections, errors",
                              description="Read Haraka logs (default, logfmt or JSON format; syslog, journald and "
                                          "docker prefixes are fine) and summarise real SMTP outcomes.")
    p.add_argument("logs", nargs="+", metavar="LOG", help="log file(s); '-' reads standard input")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--timelines", action="store_true", help="also show each transaction's timeline")
    p.add_argument("--max-timelines", type=int, default=200, metavar="N",
                   help="at most N timelines (default: 200)")
    p.add_argument("--no-explain", action="store_true",
                   help="only count: do not explain each kind of WARN+ line, refusal and 4xx/5xx reply")
    add_haraka_version(p)
    p.set_defaults(run=run)


def run(args) -> int:
    sources = [("<stdin>", _stdin_lines()) if path == "-" else path for path in args.logs]
    report = triage(sources, timelines=args.timelines, max_timelines=args.max_timelines,
                    explain=not args.no_explain, haraka_version=args.haraka_version)
    if args.format == "json":
        json.dump(redact_obj(report.to_dict()), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:                       # the examples, timelines and explained lines quote the logs: masked
        sys.stdout.write(redact_text(render_text(report, timelines=args.timelines)))
    return 0


def _stdin_lines():
    from app.core.logs.reader import LineReader
    return LineReader(sys.stdin.buffer).lines()
