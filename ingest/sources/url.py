"""http(s) pages, for users who have internet. Fetched at ingest time, cached by URL."""
from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from typing import Any, Iterator

from ingest.convert import html_to_markdown
from ingest.documents import SourceDoc, looks_chinese
from ingest.sources import SourceContext, source_name
from ingest.sources.files import MAX_DOC_BYTES, first_heading

TIMEOUT = 20


def fetch(url: str) -> tuple[str, str]:
    """(content type, text). Raises OSError/URLError on failure."""
    req = urllib.request.Request(url, headers={"User-Agent": "mxdoctor-ingest"})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 - user-listed URLs only
        data = resp.read(MAX_DOC_BYTES + 1)
        ctype = resp.headers.get("Content-Type", "")
    if len(data) > MAX_DOC_BYTES:
        raise OSError(f"over {MAX_DOC_BYTES} bytes")
    return ctype, data.decode("utf-8", errors="replace")


def iter_docs(spec: dict[str, Any], ctx: SourceContext) -> Iterator[SourceDoc]:
    urls = spec.get("urls") or [spec["url"]]
    name = source_name(spec)
    for url in urls:
        if ctx.offline:
            ctx.warn(f"{url}: offline mode; not fetched")
            continue
        try:
            ctype, text = fetch(url)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            ctx.warn(f"{url}: not fetched ({exc}); skipped")
            continue
        title = ""
        if "html" in ctype or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
            title, text = html_to_markdown(text)
        if not text.strip():
            ctx.warn(f"{url}: empty page; skipped")
            continue
        key = hashlib.sha1(url.encode()).hexdigest()[:12]
        yield SourceDoc(doc_id=f"{name}:{key}", source=name, title=title or first_heading(text) or url, text=text,
                        path=url, url=url, lang="zh" if looks_chinese(text) else "en", kind="upstream")
