"""The built-in knowledge base: kb/notes (topic pages), kb/rules (one page per rule) and the
plugin catalog (one page per plugin). Always indexed, offline, in seconds."""
from __future__ import annotations

from typing import Any, Iterator

import yaml

from ingest.documents import SourceDoc
from ingest.kbdata import kb_path
from ingest.rulepages import localized_rule, render_rule_markdown, rule_languages
from ingest.ruletext import as_words
from ingest.sources import SourceContext
from ingest.sources.files import SkipDoc, file_to_doc
from ingest.yamlload import safe_load

RULE_URL = "mxdoctor://rules/{id}"
NOTE_URL = "mxdoctor://notes/{id}"
PLUGIN_URL = "mxdoctor://plugins/{name}"


def _kb_files(folder: str, pattern: str, kind: str, ctx: SourceContext) -> Iterator[tuple]:
    """(path, SourceDoc) for each readable file of a kb folder; unreadable ones are warned about."""
    base = kb_path(folder)
    for path in sorted(base.glob(pattern)) if base.is_dir() else []:
        try:
            yield path, file_to_doc(path, f"{folder}/{path.name}", "kb", "", kind=kind)
        except (SkipDoc, OSError) as exc:
            ctx.warn(f"{path}: skipped: {exc}")


def iter_docs(spec: dict[str, Any], ctx: SourceContext) -> Iterator[SourceDoc]:
    for path, doc in _kb_files("notes", "*.md", "note", ctx):
        note_id = doc.meta.get("id") or path.stem.split(".")[0]
        doc.doc_id = f"kb:note:{note_id}" + (f".{doc.lang}" if doc.lang != "en" else "")
        doc.url = NOTE_URL.format(id=note_id)
        doc.meta["note"] = note_id
        yield doc
    for path, doc in _kb_files("rules", "*.yaml", "rule", ctx):
        doc.doc_id = f"kb:rule:{doc.meta['rule']}"
        doc.url = RULE_URL.format(id=doc.meta["rule"])
        yield doc
        yield from translated_rule_pages(path, doc)
    yield from _plugin_pages(ctx)


def translated_rule_pages(path, doc: SourceDoc) -> Iterator[SourceDoc]:
    """The rule's page in each language its `i18n` block has: a document of its own (`<id>.<lang>`),
    so a Chinese question finds and quotes the Chinese page."""
    data = safe_load(path.read_text(encoding="utf-8"))
    for lang in rule_languages(data):
        yield SourceDoc(doc_id=f"{doc.doc_id}.{lang}", source=doc.source, title=f"{data['id']}: "
                        f"{as_words(localized_rule(data, lang)['title'], lang)}", text=render_rule_markdown(data, lang),
                        path=f"{doc.path}#{lang}", url=doc.url, lang=lang, kind=doc.kind, meta=dict(doc.meta))


def _plugin_pages(ctx: SourceContext) -> Iterator[SourceDoc]:
    """One short page per catalog plugin: hooks, role, config files (merged across overlays)."""
    plugins: dict[str, dict] = {}
    base = kb_path("plugins")
    for path in sorted(base.glob("*.yaml")) if base.is_dir() else []:
        try:
            data = safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            ctx.warn(f"{path}: skipped: {exc}")
            continue
        for name, info in (data.get("plugins") or {}).items():
            merged = plugins.setdefault(name, {})
            for k, v in (info or {}).items():
                if v:
                    merged[k] = v
    for name, info in sorted(plugins.items()):
        hooks = info.get("hooks") or []
        lines = [f"# Haraka plugin {name}", ""]
        if info.get("summary"):
            lines += [str(info["summary"]), ""]
        lines += [f"- package: {info.get('package', 'unknown')} {info.get('version', '')}".rstrip(),
                  f"- roles: {', '.join(info.get('roles') or []) or 'unknown'}",
                  f"- config files: {', '.join(info.get('config_files') or []) or 'none'}", "",
                  "## Hooks", ""]
        lines += [f"- `{h['hook']}` → `{h.get('method', '')}` (priority {h.get('priority', 0)})" for h in hooks] \
            or ["- registers no hooks with its default configuration"]
        yield SourceDoc(doc_id=f"kb:plugin:{name}", source="kb", title=f"Haraka plugin {name}",
                        text="\n".join(lines) + "\n", path=f"plugins/{name}", url=PLUGIN_URL.format(name=name),
                        kind="plugin", meta={"plugin": name})
