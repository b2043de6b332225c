"""`mxdoctor messages build|explain`: generate the message index from published packages, or
explain log lines with it (what printed them, at which hook, what it means, the source line)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core.errors import InputError


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("messages", help="build the message index, or explain log lines with it",
                                   description="Build kb/messages from the published Haraka, plugin, "
                                   "WildDuck and ZoneMTA packages (needs node and npm), or explain log lines.")
    sub = parser.add_subparsers(dest="messages_command", metavar="ACTION")

    build = sub.add_parser("build", help="index every message of Haraka and its plugins, release by release")
    build.add_argument("--out", metavar="DIR", default=None, help="where to write (default: the shipped kb/messages)")
    build.add_argument("--package", action="append", default=[], metavar="NAME",
                       help="only this package (repeatable); default: Haraka, every haraka-* package it uses, "
                       "wildduck and zone-mta")
    build.add_argument("--haraka", default="2.8.0..3.3.4", metavar="LO..HI", help="Haraka releases to index")
    build.add_argument("--since", default="2018-01-01", metavar="DATE", help="other packages: releases since")
    build.add_argument("--last", type=int, default=None, metavar="N",
                       help="WildDuck and ZoneMTA: their N newest stable releases (default 12)")
    build.add_argument("--git", action="append", default=[], metavar="NAME=GITDIR",
                       help="a package not on npm, from a git mirror's tags (e.g. haraka-plugin-wildduck=DIR)")
    build.add_argument("--jobs", type=int, default=8, help="parallel downloads")
    build.set_defaults(run=run_build)

    explain = sub.add_parser("explain", help="explain log lines (arguments, or a file with -f, or stdin)")
    explain.add_argument("lines", nargs="*", help="log lines")
    explain.add_argument("-f", "--file", metavar="LOG", help="a log file")
    explain.add_argument("--haraka-version", metavar="X", help="the Haraka release that printed them")
    explain.add_argument("--all", action="store_true",
                         help="a file or stdin: also every quiet line whose meaning is known (hook answers, summary "
                         "lines, replies); lines given as arguments always are")
    explain.add_argument("--lang", choices=("en", "zh"), default="en", help="language of what each line means")
    explain.set_defaults(run=run_explain)
    parser.set_defaults(run=lambda args: (parser.print_help(), 2)[1])


def run(args: argparse.Namespace) -> int:
    return args.run(args)


def run_build(args: argparse.Namespace) -> int:
    from app.build.messages import GIT_PACKAGES, build_messages, git_target, plan
    from app.build.stack import LAST
    from app.cli.progress import ProgressBar
    from ingest.home import cache_home
    from ingest.kbdata import kb_dir
    lo, _, hi = args.haraka.partition("..")
    targets = plan((lo, hi or lo), args.since, args.package, last=args.last or LAST)
    for spec in args.git:
        name, _, git_dir = spec.partition("=")
        if not git_dir:
            raise InputError(f"--git wants NAME=GITDIR, got {spec!r}")
        targets.append(git_target(name, Path(git_dir), GIT_PACKAGES.get(name, "")))
    bar = ProgressBar("messages")
    done = {"n": 0}

    def progress(message: str) -> None:
        if " messages over " in message:
            done["n"] += 1
        bar(done["n"] / max(1, len(targets)), message)

    out = Path(args.out) if args.out else kb_dir() / "messages"
    written = build_messages(out, cache_home() / "build-tools", targets, jobs=args.jobs, progress=progress)
    print(f"{len(written)} package file(s) written to {out}")
    return 0


# what explain_events says about every line it explains in bulk (the others are quiet lines asked about)
LOUD_CATEGORIES = ("error", "refusal", "reply", "result")
NOTHING_KNOWN = ("Nothing mxdoctor can explain: no warning or error, refusal, reply, hook answer or Haraka "
                 "summary line here.")
NOTHING_LOUD = ("No line at WARN or above, no refusal and no 4xx/5xx reply: nothing went wrong here (--all also "
                "explains hook answers, summary lines and replies).")


def run_explain(args: argparse.Namespace) -> int:
    from app.core.explain import explain_events
    from app.core.logs.parser import parse_lines
    from app.core.messages import message_index
    if args.file:
        lines = Path(args.file).read_text(encoding="utf-8", errors="replace").splitlines()
    else:
        lines = args.lines or sys.stdin.read().splitlines()
    index = message_index()
    quiet = args.all or (bool(args.lines) and not args.file)      # lines asked about one by one
    explained = explain_events(list(parse_lines(lines, args.file or "pasted.log")), args.haraka_version, index,
                               quiet=quiet)
    if not explained:
        print(NOTHING_KNOWN if quiet else NOTHING_LOUD)
        return 0
    for x in explained:
        if not x.continues:
            _print_line(x, args.haraka_version, args.lang, index)
    return 0


def _print_line(x, version: str | None, lang: str, index) -> None:
    """One explained line: emitter and hook, where its message is printed, what it means (masked)."""
    from app.core.redact import redact_text
    print(redact_text(f"{x.event.file}:{x.event.lineno}: {x.event.raw}"))
    print(f"  emitter: {x.emitter}" + (f" at the {x.hook} hook" if x.hook else ""))
    if x.message is not None:
        _print_source(x.message, version, index)
    elif x.category in LOUD_CATEGORIES:
        print("  source: no indexed message has this text")
    words = x.i18n.get(lang, {}) if lang != "en" else {}
    print(redact_text(f"  means: {words.get('effect') or x.effect}"))
    if x.system is not None:
        print(f"  {x.system.code}: {words.get('means') or x.system.means}")
        print(f"  fix: {words.get('fix') or x.system.fix}")


def _print_source(m, version: str | None, index) -> None:
    print(f"  source: {m.link(version)} ({m.function or 'file level'})")
    print(f"  releases: {m.versions}")
    if m.config_files:
        print(f"  config: {', '.join('config/' + f for f in m.config_files)}"
              + (f" (keys {', '.join(m.config_keys)})" if m.config_keys else ""))
    _print_settings(index.settings_for(m))
    if m.kind == "api":
        print(f"  api: HTTP {m.status or '?'} code {m.code or '(none)'}")


MAX_SETTINGS = 6


def _print_settings(settings: list) -> None:
    """The shipped defaults of the settings a WildDuck or ZoneMTA message's code reads."""
    for s in settings[:MAX_SETTINGS]:
        print(f"  setting: {s.key} = {s.value!r} ({s.link})")
    if len(settings) > MAX_SETTINGS:
        print(f"  ... and {len(settings) - MAX_SETTINGS} more settings")
