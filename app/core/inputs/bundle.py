"""A support bundle: one directory holding what an admin would paste, laid out by kind.

`config/` (a Haraka config dir), `logs/*` (log files), `plugins/*` (local plugin sources),
`paste.txt` (a raw multi-file paste) and any other file as context (docker-compose.yml,
dbs.toml, resolv.conf...). The scenario cases, the ask dev set and their tests all read this
layout, so it is turned into `diagnose()` / `Session` arguments in one place.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

NOT_CONTEXT = {"config", "logs", "plugins", "paste.txt", "case.yaml", "README.md"}


def bundle_inputs(root: Path) -> dict[str, Any]:
    """Keyword arguments for `diagnose()` (and `app.answer.Session`) from a bundle directory."""
    root = Path(root)
    paths = [str(root / "config")] if (root / "config").is_dir() else []
    paths += [str(p) for p in sorted(root.iterdir()) if p.name not in NOT_CONTEXT and not p.name.startswith(".")]
    plugins = sorted((root / "plugins").glob("*")) if (root / "plugins").is_dir() else []
    logs = sorted((root / "logs").glob("*")) if (root / "logs").is_dir() else []
    paste = root / "paste.txt"
    return {"paths": paths or None,
            "texts": [(f"plugins/{p.name}", p.read_bytes()) for p in plugins] or None,
            "log_paths": [str(p) for p in logs] or None,
            "paste": paste.read_bytes() if paste.is_file() else None}
