"""`mxdoctor rules [list|show ID]`: browse the rule catalogue (each rule is its own doc page)."""
from __future__ import annotations

import json
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("rules", help="list rules or show one rule's page")
    p.add_argument("action", nargs="?", choices=("list", "show", "validate"), default="list")
    p.add_argument("rule_id", nargs="?", help="rule id for 'show' (e.g. MXD101)")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of a rule's page")
    p.set_defaults(run=run)


def run(args) -> int:
    from app.core.errors import InputError
    from app.core.model import Problem
    from app.core.rules.loader import load_rules
    from app.core.rules.pages import rule_page_markdown, rule_to_dict
    problems: list[Problem] = []
    rules = load_rules(args.rules, problems=problems)
    for p in problems:
        print(f"mxdoctor: {p}", file=sys.stderr)
    if args.action == "validate":
        print(f"{len(rules)} rule(s) valid, {len(problems)} invalid")
        return 1 if problems else 0
    if args.action == "show":
        rule = next((r for r in rules if r.id == (args.rule_id or "").upper()), None)
        if rule is None:
            raise InputError(f"no rule {args.rule_id!r}; try 'mxdoctor rules list'")
        if args.format == "json":
            print(json.dumps(rule_to_dict(rule), indent=2, ensure_ascii=False))
        else:
            print(rule_page_markdown(rule, args.lang))
        return 0
    if args.format == "json":
        print(json.dumps([rule_to_dict(r) for r in rules], indent=2, ensure_ascii=False))
    else:
        for r in rules:
            print(f"{r.id}  {r.severity:<7}  {r.category:<11} {r.title}")
    return 0
