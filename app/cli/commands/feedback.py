"""`mxdoctor feedback`: record 👍/👎 on an answer, list the questions nobody answered well."""
from __future__ import annotations

import datetime as dt
import json
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("feedback", help="vote on an answer, or list unanswered / voted-down questions")
    p.add_argument("vote", nargs="?", choices=("up", "down"), help="your verdict on an answer")
    p.add_argument("--question", help="the question that was asked (with a vote)")
    p.add_argument("--answer-file", metavar="FILE", help="the answer (text or `ask --format json` output)")
    p.add_argument("--comment", default="", help="what was wrong or missing")
    p.add_argument("--unanswered", action="store_true", help="list questions that abstained or were voted down")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--clear", action="store_true", help="delete all recorded feedback")
    p.set_defaults(run=run)


def run(args) -> int:
    from app.answer.feedback import clear_feedback, record_feedback, unanswered
    from app.core.errors import InputError
    if args.clear:
        clear_feedback()
        print("feedback cleared")
        return 0
    if args.vote:
        if not args.question:
            raise InputError("a vote needs --question")
        answer, passages, abstained = "", [], False
        if args.answer_file:
            from ingest.textio import decode
            try:
                with open(args.answer_file, "rb") as fh:
                    raw = decode(fh.read()).text
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", file=args.answer_file) from None
            try:
                data = json.loads(raw)
                answer, passages = str(data.get("answer", "")), list(data.get("passages") or [])
                abstained = bool(data.get("abstained"))
            except (ValueError, AttributeError):
                answer = raw
        record_feedback(args.question, answer, args.vote, passages=passages, abstained=abstained,
                        comment=args.comment)
        print("recorded 👍" if args.vote == "up" else "recorded 👎")
        return 0
    if not args.unanswered:
        raise InputError("give a vote (up/down) with --question, or --unanswered")
    items = unanswered()
    if args.format == "json":
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return 0
    if not items:
        print("no unanswered or voted-down questions")
        return 0
    for rec in items:
        when = dt.datetime.fromtimestamp(float(rec.get("time") or 0)).strftime("%Y-%m-%d %H:%M")
        why = "abstained" if rec.get("abstained") else "voted down"
        extra = f" — {rec['comment']}" if rec.get("comment") else ""
        print(f"{when}  [{why}]  {rec.get('question', '')}{extra}")
    return 0
