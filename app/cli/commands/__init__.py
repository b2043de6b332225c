"""One module per CLI subcommand. Each exposes `add_parser(subparsers)` and `run(args) -> int`.

Commands only parse arguments, call plain functions, and render; no logic lives here.
"""
from __future__ import annotations

import importlib

COMMANDS = ["check", "simulate", "replay", "triage", "catalog", "messages", "rules", "demo", "ingest", "app", "ask", "feedback", "settings",
            "mcp", "probe"]


def load_commands():
    mods = []
    for name in COMMANDS:
        try:
            mods.append(importlib.import_module(f"app.cli.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"app.cli.commands.{name}":
                raise
    return mods
