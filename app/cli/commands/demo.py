"""`mxdoctor demo [NAME]`: diagnose a built-in example setup, to see what mxdoctor does."""
from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="diagnose a built-in example (the canonical broken WildDuck MX)")
    p.add_argument("name", nargs="?", default="canonical")
    p.add_argument("--format", choices=("text", "json", "markdown", "sarif"), default="text")
    p.set_defaults(run=run)


def run(args) -> int:
    from app.core.diagnose import diagnose
    from app.core.errors import InputError
    from app.core.examples import example_dir, example_names
    from app.core.report import render
    from app.core.simulate.render import render_simulation_text
    root = example_dir(args.name)
    if not root.is_dir():
        raise InputError(f"no example {args.name!r}; known: {', '.join(example_names())}")
    logs = sorted(str(p) for p in (root / "logs").glob("*.log")) if (root / "logs").is_dir() else []
    d = diagnose([str(root / "config")], log_paths=logs)
    sys.stdout.write(render(d, args.format, color=sys.stdout.isatty() and args.format == "text"))
    if args.format == "text" and d.simulation:
        sys.stdout.write("\n" + render_simulation_text(d.simulation))
    return 0
