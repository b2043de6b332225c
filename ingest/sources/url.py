"""http(s) pages, for users who have internet. Fetched at ingest time, cached by URL.

Fetched through `ingest.safefetch`: loopback, private, link-local and metadata addresses are
refused (after DNS, at every redirect) unless the operator sets MXDOCTOR_ALLOW_PRIVATE_URLS=1,
because what is fetched here is indexed and shown to every session of a shared app.
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterator

from ingest import safefetch
from ingest.convert import html_to_markdown
from ingest.documents import SourceDoc, looks_chinese
from ingest.netguard import URLRefused
from ingest.settings import settings
from ingest.sources import SourceContext, source_name
from ingest.sources.files import MAX_DOC_BYTES, first_heading

TIMEOUT = 20


def fetch(url: str) -> tuple[str, str]:
    """(content type, text). Raises URLRefused (a ValueError) or OSError on failure."""
    ctype, data, _ = safefetch.fetch(url, allow_private=settings().allow_private_urls, timeout=TIMEOUT,
                                     max_bytes=MAX_DOC_BYTES)
    return ctype, data.decode("utf-8", errors="replace")


def iter_docs(spec: dict[str, Any], ctx: SourceContext) -> Iterator[SourceDoc]:
    urls = spec.get("urls") or [spec["url"]]
    name = source_name(spec)
    refused = 0
    for url in urls:
        if ctx.offline:
            ctx.warn(f"{url}: offline mode; not fetched")
            continue
        try:
            ctype, text = fetch(url)
        except URLRefused as exc:
            ctx.warn(f"{exc}; not fetched")
            refused += 1
            if refused == len(urls):      # a decision, not an outage: what was indexed from it goes
                ctx.refused.add(name)
            continue
        except (OSError, ValueError) as exc:
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
