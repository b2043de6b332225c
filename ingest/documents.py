"""What sources produce: one SourceDoc per page, with enough origin to link a citation back."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ingest.tokenize import text_lang


@dataclass
class SourceDoc:
    doc_id: str              # stable across runs: "<source>:<path>"
    source: str              # source name: "kb", "npm:Haraka@3.3.4", "folder:wiki", "url"
    title: str
    text: str                # Markdown (HTML and rST are converted before this point)
    path: str = ""           # path inside the source
    url: str = ""            # where a citation links: http(s) URL, wiki URL or file:// path
    lang: str = "en"
    kind: str = "doc"        # note | rule | plugin | upstream | wiki | doc
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        for part in (self.title, self.url, self.lang, self.kind, self.text):
            h.update(part.encode("utf-8", "replace"))
            h.update(b"\x00")
        return h.hexdigest()[:24]


def looks_chinese(text: str) -> bool:
    """A page is Chinese when its first 2000 characters hold more than 20 Chinese ones, and more
    than one in twenty."""
    return text_lang(text[:2000], min_chars=21, min_share=Fraction(1, 20)) == "zh"
