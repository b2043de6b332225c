"""Read one document file of any supported format into a SourceDoc (shared by kb and folder)."""
from __future__ import annotations

from pathlib import Path

import yaml

from ingest.convert import html_to_markdown, rst_to_markdown
from ingest.documents import SourceDoc, looks_chinese
from ingest.frontmatter import split_front_matter
from ingest.rulepages import render_rule_markdown
from ingest.ruletext import as_words
from ingest.textio import decode
from ingest.yamlload import safe_load

MAX_DOC_BYTES = 8 * 1024 * 1024
SUFFIXES = {".md", ".markdown", ".html", ".htm", ".txt", ".rst", ".yaml", ".yml"}


class SkipDoc(Exception):
    """This file cannot be indexed; the message says why (the run goes on)."""


def read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_DOC_BYTES:
        raise SkipDoc(f"{size} bytes is over the {MAX_DOC_BYTES}-byte limit for one document")
    decoded = decode(path.read_bytes())   # BOMs and UTF-16 exports too, never raises
    if decoded.binary:
        raise SkipDoc("binary file")
    text = decoded.text
    if decoded.replaced > max(20, len(text) // 50):
        raise SkipDoc(f"not UTF-8 text ({decoded.replaced} undecodable bytes)")
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def first_heading(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def file_to_doc(path: Path, rel: str, source: str, url: str, kind: str = "doc") -> SourceDoc:
    """Raises SkipDoc for unusable files."""
    text = read_text(path)
    suffix = path.suffix.lower()
    meta: dict = {}
    title = ""
    if suffix in (".html", ".htm"):
        title, text = html_to_markdown(text)
    elif suffix == ".rst":
        text = rst_to_markdown(text)
    elif suffix in (".yaml", ".yml"):
        try:
            data = safe_load(text)
        except yaml.YAMLError as exc:
            raise SkipDoc(f"invalid YAML: {getattr(exc, 'problem', exc)}") from None
        if not (isinstance(data, dict) and {"id", "title", "severity", "explanation"} <= set(data)):
            raise SkipDoc("YAML that is not a rule file")
        text, kind, title = render_rule_markdown(data), "rule", f"{data['id']}: {as_words(str(data['title']))}"
        meta = {"rule": data["id"], "severity": data["severity"]}
    elif suffix in (".md", ".markdown"):
        meta, text, err = split_front_matter(text)
        if err:
            raise SkipDoc(err)
    if not text.strip():
        raise SkipDoc("empty document")
    title = str(meta.get("title") or title or first_heading(text) or path.stem)
    lang = str(meta.get("lang") or ("zh" if looks_chinese(text) else "en"))
    doc_key = str(meta.get("id") or rel)
    if lang != "en" and meta.get("id"):
        doc_key = f"{doc_key}.{lang}"
    return SourceDoc(doc_id=f"{source}:{doc_key}", source=source, title=title, text=text, path=rel, url=url,
                     lang=lang, kind=str(meta.get("kind") or kind), meta=meta)
