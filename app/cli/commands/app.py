"""`mxdoctor app [--port P] [--home DIR]`: index kb/ if needed, then serve the Streamlit app.

Headless (no browser is opened, nothing is phoned home), on loopback unless --address says
otherwise: the app shows pasted configs, so exposing it is a deliberate choice.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2] / "ui" / "main.py"


def add_parser(sub) -> None:
    p = sub.add_parser("app", help="open the web app: paste, diagnose, ask, learn")
    p.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p.add_argument("--address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--home", help="data directory (default: MXDOCTOR_HOME or the user data dir)")
    p.set_defaults(run=run)


MAX_FILE_MB = 50        # a log is read up to 50 MB (app.ui.uploads.MAX_LOG_BYTES)


def max_upload_mb() -> int:
    """One file's upload limit: what a log may be, and never more than the session's cap."""
    from ingest.settings import settings
    return max(1, min(MAX_FILE_MB, settings().upload_mb))


def streamlit_command(port: int, address: str) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(MAIN),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            "--server.address", address,
            "--server.port", str(port),
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
            "--server.maxUploadSize", str(max_upload_mb()),
            "--client.toolbarMode", "viewer",
            "--theme.base", "light"]


def prepare_index(home: Path) -> None:
    """On a fresh machine, index the built-in kb/ before the server starts (offline, with progress)."""
    from app.cli.progress import ProgressBar
    from app.retrieval.status import first_start_sources, index_status
    from ingest.embeddings import embedding_name
    from ingest.pipeline import ingest
    emb = embedding_name()
    if index_status(home, emb).ready:
        return
    print(f"mxdoctor: indexing the built-in knowledge base into {home} (first start, {emb})…", file=sys.stderr)
    summary = ingest(first_start_sources(home), home=home, embedding=emb, offline=True,
                     progress=ProgressBar("index"), warn=lambda m: print(f"warning: {m}", file=sys.stderr))
    print(f"mxdoctor: {summary.line()}", file=sys.stderr)


def sharing_notes(address: str) -> list[str]:
    """What browser sessions may do when the app is served beyond loopback, as the operator set it."""
    from ingest.netguard import is_loopback_host
    from ingest.settings import settings
    if is_loopback_host(address):
        return []
    env = settings()
    on = {"MXDOCTOR_ALLOW_UI_SOURCES": env.allow_ui_sources, "MXDOCTOR_ALLOW_LOCAL_PATHS": env.allow_local_paths,
          "MXDOCTOR_ALLOW_SESSION_LLM_ENDPOINT": env.allow_session_llm_endpoint,
          "MXDOCTOR_ALLOW_PRIVATE_URLS": env.allow_private_urls}
    return [f"served beyond loopback; sessions share the knowledge base and the operator's LLM. "
            f"On: {', '.join(k for k, v in on.items() if v) or 'none'}; "
            f"off: {', '.join(k for k, v in on.items() if not v) or 'none'}"]


def run(args) -> int:
    import streamlit  # noqa: F401  - first: on a light install, the CLI says which extra to install

    from ingest.home import data_home
    home = Path(args.home).expanduser() if args.home else data_home()
    os.environ["MXDOCTOR_HOME"] = str(home)
    os.environ["MXDOCTOR_APP_ADDRESS"] = args.address     # the app turns off server-path features off loopback
    prepare_index(home)
    cmd = streamlit_command(args.port, args.address)
    print(f"mxdoctor: serving on http://{args.address}:{args.port}  (Ctrl-C stops it)", file=sys.stderr)
    for line in sharing_notes(args.address):
        print(f"mxdoctor: {line}", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(cmd[0], cmd)    # the server takes over this process (signals go straight to it)
    return 0
