"""`mxdoctor ask QUESTION [PATH...] [--logs FILE...]`: an answer that leads with your findings, with citations."""
from __future__ import annotations

import json
import sys

from app.cli.options import add_haraka_version


def add_parser(sub) -> None:
    p = sub.add_parser("ask", help="ask a question about your config and logs; answers cite their sources")
    p.add_argument("question", nargs="?", help="the question, in English or Chinese")
    p.add_argument("paths", nargs="*", help="Haraka dir, config dir, or files ('-' reads a paste from stdin)")
    p.add_argument("--logs", nargs="+", default=[], metavar="FILE", help="Haraka / WildDuck log files")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-k", type=int, default=6, metavar="N", help="passages to retrieve for the question (default 6)")
    p.add_argument("--rcpt", action="append", default=[], help="recipient to simulate (repeatable)")
    p.add_argument("--no-llm", action="store_true", help="use the offline composer even if an LLM is configured")
    p.add_argument("--show-outbound", action="store_true",
                   help="print exactly what would be sent to the LLM (secrets and addresses masked), send nothing")
    p.add_argument("--stream", action="store_true", help="print the LLM's answer as it arrives (text format)")
    p.add_argument("--session", metavar="ID", help="continue (or start) a stored conversation; follow-ups reuse "
                                                   "its pasted context")
    p.add_argument("--clear-history", action="store_true", help="forget the stored turns of --session (or of all "
                                                                "sessions) and exit")
    add_haraka_version(p)
    p.set_defaults(run=run)


def _session(args):
    from app.answer import Session
    from app.core.errors import InputError
    paths = [p for p in args.paths if p != "-"]
    paste = sys.stdin.buffer.read() if "-" in args.paths else None
    envelope = {"rcpt": args.rcpt} if args.rcpt else None
    given = bool(paths or paste is not None or args.logs)
    if args.session:
        if not given:
            loaded = Session.load(args.session)
            if loaded is not None:
                if args.haraka_version:
                    loaded.set_haraka_version(args.haraka_version)
                return loaded
        return Session(paths or None, paste=paste, log_paths=args.logs or None, envelope=envelope,
                       session_id=args.session, persist=True, haraka_version=args.haraka_version)
    if args.k < 1:
        raise InputError("-k must be at least 1")
    return Session(paths or None, paste=paste, log_paths=args.logs or None, envelope=envelope, persist=False,
                   record_unanswered=True, haraka_version=args.haraka_version)


def _render_text(answer) -> str:
    out = [answer.answer.rstrip(), ""]
    if answer.citation_issues:
        out += ["Citation check: " + "; ".join(answer.citation_issues), ""]
    if answer.passages:
        out.append("来源：" if answer.lang == "zh" else "Sources:")
        for p in answer.passages:
            where = f"{p['title']}" + (f" › {p['heading'].split(' › ')[-1]}" if p["heading"] and
                                       p["heading"].split(" › ")[-1] != p["title"] else "")
            support = f" — \"{p['support']}\"" if p.get("support") else ""
            out.append(f"  [{p['n']}] {where}{support} <{p['url']}>")
        out.append("")
    if answer.llm:
        out.append(f"(answered by {answer.llm['backend']}:{answer.llm['model']}{', cached' if answer.cached else ''})")
    return "\n".join(out).rstrip() + "\n"


def run(args) -> int:
    if args.clear_history:
        from app.answer.history import HistoryStore
        n = HistoryStore().clear(args.session)
        print(f"cleared {n} stored conversation(s)")
        return 0
    if not (args.question or "").strip():
        from app.core.errors import InputError
        raise InputError("ask what? give a question, e.g. mxdoctor ask \"why is mail not stored?\" config/")
    session = _session(args)
    if args.show_outbound:
        from app.answer.prompt import render_outbound
        sys.stdout.write(render_outbound(session.outbound(args.question, k=args.k)))
        return 0
    use_llm = False if args.no_llm else None
    final = None
    streamed = False
    notices: list[str] = []
    for ev in session.stream(args.question, k=args.k, use_llm=use_llm):
        if ev.kind == "notice":
            notices.append(ev.text)
        elif ev.kind == "token" and args.stream and args.format == "text" and session.settings.enabled \
                and use_llm is not False:
            sys.stdout.write(ev.text)
            sys.stdout.flush()
            streamed = True
        elif ev.kind == "final":
            final = ev.answer
    for n in notices:                       # the ones the answer does not already say
        if n not in final.answer:
            print(f"mxdoctor: {n}", file=sys.stderr)
    if args.format == "json":
        sys.stdout.write(json.dumps(final.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        if streamed:
            sys.stdout.write("\n\n----- checked answer -----\n\n")
        sys.stdout.write(_render_text(final))
    return 0
