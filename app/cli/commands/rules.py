"""`mxdoctor rules [list|show ID|validate [DIR]|schema]`: browse the rule catalogue (each rule is its
own doc page), check a rule folder (schema and each rule's own examples), print the schema."""
from __future__ import annotations

import json
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("rules", help="list rules, show one rule's page, validate a rule folder, print the schema")
    p.add_argument("action", nargs="?", choices=("list", "show", "validate", "schema"), default="list")
    p.add_argument("target", nargs="?", help="rule id for 'show' (e.g. MXD101); rule folder for 'validate'")
    p.add_argument("--rules", action="append", default=[], metavar="DIR", help="extra rule folder")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of a rule's page")
    p.add_argument("--table", action="store_true", help="schema: the README's table of predicates instead")
    p.add_argument("--no-examples", action="store_true", help="validate: check the schema only")
    p.set_defaults(run=run)


def _validate(args, rules, problems) -> int:
    from pathlib import Path

    from app.core.rules.examples import failing_examples
    folder = Path(args.target).resolve() if args.target else None
    mine = [r for r in rules if folder is None or Path(r.path).resolve().parent == folder]
    failing = {} if args.no_examples else {r.id: failing_examples(r) for r in mine}
    for rule in mine:
        for why in failing.get(rule.id, []):
            print(f"{rule.path}: {rule.id} {why}", file=sys.stderr)
    bad = sum(1 for v in failing.values() if v)
    print(f"{len(mine)} rule(s) valid, {len(problems)} invalid" +
          ("" if args.no_examples else f"; {len(mine) - bad} with all examples passing, {bad} with failing examples"))
    return 1 if problems or bad else 0


def run(args) -> int:
    from app.core.errors import InputError
    from app.core.model import Problem
    from app.core.rules.loader import load_rules
    from app.core.rules.pages import rule_page_markdown, rule_to_dict
    if args.action == "schema":
        from app.core.rules.schema.export import predicate_table, schema_text
        sys.stdout.write(predicate_table() + "\n" if args.table else schema_text())
        return 0
    problems: list[Problem] = []
    extra = [*args.rules, *([args.target] if args.action == "validate" and args.target else [])]
    rules = load_rules(extra, problems=problems)
    for p in problems:
        print(f"mxdoctor: {p}", file=sys.stderr)
    if args.action == "validate":
        return _validate(args, rules, problems)
    if args.action == "show":
        rule = next((r for r in rules if r.id == (args.target or "").upper()), None)
        if rule is None:
            raise InputError(f"no rule {args.target!r}; try 'mxdoctor rules list'")
        if args.format == "json":
            print(json.dumps(rule_to_dict(rule), indent=2, ensure_ascii=False))
        else:
            print(rule_page_markdown(rule, args.lang))
        return 0
    if args.format == "json":
        print(json.dumps([rule_to_dict(r) for r in rules], indent=2, ensure_ascii=False))
    else:
        from app.core.rules.pages import rule_words
        for r in rules:
            print(f"{r.id}  {r.severity:<7}  {r.category:<11} {rule_words(r, args.lang)['title']}")
    return 0
