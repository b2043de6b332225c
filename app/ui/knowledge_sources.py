"""Adding sources from the app: a folder, URLs, or uploaded documents (kept under the data dir).

Input comes from a web form, so each value is checked before it reaches the sources file:
folders must exist, URLs must be http(s) and public (ingest.netguard), uploaded names are reduced
to a safe base name. Whether a session may add sources at all is app.ui.permissions' question.
"""
from __future__ import annotations

import re
from pathlib import Path

from ingest.sources.files import MAX_DOC_BYTES, SUFFIXES
from ingest.sourcesfile import add_user_source

UPLOAD_DIR = "uploads"
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.I)


def add_folder(path: str, url_base: str, home: Path) -> tuple[bool, str]:
    folder = Path((path or "").strip()).expanduser()
    if not str(path or "").strip() or not folder.is_dir():
        return False, f"{path!r} is not a folder on this machine"
    spec = {"type": "folder", "path": str(folder.resolve())}
    if (url_base or "").strip():
        if not URL_RE.match(url_base.strip()):
            return False, "the URL base must start with http:// or https://"
        spec["url_base"] = url_base.strip()
    add_user_source(spec, home)
    return True, f"added folder {spec['path']}; re-index to include it"


def add_urls(text: str, home: Path) -> tuple[bool, str]:
    """Each URL must be http(s) and name no internal address (ingest.netguard, as the fetch checks
    again at every hop); one refused, none added."""
    from ingest.netguard import URLRefused, check_url_to_add
    from ingest.settings import settings
    urls = [u.strip() for u in (text or "").splitlines() if u.strip()]
    bad = [u for u in urls if not URL_RE.match(u)]
    if not urls or bad:
        return False, f"not an http(s) URL: {bad[0]}" if bad else "no URL given"
    allow = settings().allow_private_urls
    try:
        for u in urls:
            check_url_to_add(u, allow_private=allow)
    except URLRefused as exc:
        return False, f"{exc}; no URL was added"
    for u in urls:
        add_user_source({"type": "url", "url": u}, home)
    return True, f"added {len(urls)} URL(s); re-index to fetch them"


def safe_name(name: str) -> str:
    base = re.sub(r"[^\w.\-]+", "_", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip("._")
    return base or "document.txt"


def add_uploaded(files: list[tuple[str, bytes]], home: Path) -> tuple[bool, str]:
    """Save documents under <data dir>/uploads and make that folder a source."""
    folder = Path(home) / UPLOAD_DIR
    saved, skipped = [], []
    for name, data in files:
        target = safe_name(name)
        if Path(target).suffix.lower() not in SUFFIXES or len(data) > MAX_DOC_BYTES:
            skipped.append(name)
            continue
        folder.mkdir(parents=True, exist_ok=True)
        (folder / target).write_bytes(data)
        saved.append(target)
    if not saved:
        return False, "nothing saved" + (f" (skipped: {', '.join(skipped)})" if skipped else "")
    add_user_source({"type": "folder", "path": str(folder.resolve()), "name": "uploads"}, home)
    note = f"; skipped {', '.join(skipped)}" if skipped else ""
    return True, f"saved {', '.join(saved)} to {folder}{note}; re-index to include them"
