"""Rule pages and notes as resources, at the addresses every citation of mxdoctor already uses
(`mxdoctor://rules/MXD101`, `mxdoctor://notes/rcpt-in-host-list`), so an assistant can open what an
answer cites. Each page is listed in English; `?lang=zh` gives the Chinese page (English where a
note has no translation)."""
from __future__ import annotations

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.server.mcpserver.resources import FunctionResource

from app.core.errors import InputError
from ingest.kbdata import kb_path
from ingest.sources.kb import NOTE_URL, RULE_URL

MARKDOWN = "text/markdown"


def rule_text(rule_id: str, lang: str | None = "en") -> str:
    from app.core.rules.pages import rule_page_markdown
    from app.mcp.tools import find_rule
    try:
        return rule_page_markdown(find_rule(rule_id), _lang(lang))
    except InputError as exc:
        raise ResourceNotFoundError(str(exc)) from None


def note_text(note_id: str, lang: str | None = "en") -> str:
    from app.core.links import note_markdown
    found = note_markdown(note_id, _lang(lang))
    if found is None:
        raise ResourceNotFoundError(f"no note {note_id!r}")
    title, body = found
    return body if body.lstrip().startswith("# ") else f"# {title}\n\n{body}"


def _lang(lang: str | None) -> str:
    if lang in (None, "", "en", "zh"):
        return lang or "en"
    raise ResourceNotFoundError(f"no pages in {lang!r}: en or zh")


def note_ids() -> list[str]:
    """The notes of the knowledge base (kb/notes/<id>.md; translations are <id>.<lang>.md)."""
    base = kb_path("notes")
    return sorted({p.name.split(".")[0] for p in base.glob("*.md")}) if base.is_dir() else []


def register(server: MCPServer) -> None:
    """Every rule and note listed, and both address templates (with the language) for reading."""
    from app.core.rules.loader import load_rules
    from app.core.rules.pages import rule_words
    for r in load_rules():
        server.add_resource(FunctionResource.from_function(
            _bound(rule_text, r.id), uri=RULE_URL.format(id=r.id), name=f"rule {r.id}",
            title=f"{r.id}: {rule_words(r)['title']}", mime_type=MARKDOWN,
            description=f"mxdoctor rule {r.id} ({r.severity}, {r.category})"))
    for note in note_ids():
        server.add_resource(FunctionResource.from_function(
            _bound(note_text, note), uri=NOTE_URL.format(id=note), name=f"note {note}", mime_type=MARKDOWN,
            description=f"mxdoctor knowledge-base note {note}"))
    server.resource(RULE_URL.format(id="{rule_id}") + "{?lang}", name="rule page", mime_type=MARKDOWN,
                    description="a rule's page; lang=zh for Chinese")(rule_text)
    server.resource(NOTE_URL.format(id="{note_id}") + "{?lang}", name="note", mime_type=MARKDOWN,
                    description="a knowledge-base note; lang=zh for Chinese")(note_text)


def _bound(read, ident: str):
    def page() -> str:
        return read(ident)
    page.__name__ = f"{read.__name__}_{ident}"
    return page
