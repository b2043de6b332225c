"""Render a Diagnosis: text for people, Markdown for a wiki, JSON for tools, SARIF for code hosts.

Every renderer starts from `Diagnosis.to_dict()`, which is already redacted, so no format can
leak a secret the others mask. JSON and SARIF write `<`, `>` and `&` as `\\u` escapes (the same
data to any JSON reader), so an export opened or embedded as HTML holds no live tag.
"""
from __future__ import annotations

from app.core.report.markdown import render_markdown
from app.core.report.sarif import render_sarif
from app.core.report.text import render_text

FORMATS = ("text", "json", "markdown", "sarif")


def render(diagnosis, fmt: str, color: bool = False, base_url: str | None = None, lang: str = "en",
           fixed_out: str | None = None) -> str:
    """`base_url`: where the app serves its pages, so a wiki export links notes and rules there
    (without it they link to a References section inside the export). `lang`: the words of the
    findings, the verdict and the report's own labels (en, zh). `fixed_out`: where the fixed files
    are written (the report then says so instead of how to write them)."""
    data = diagnosis.to_dict(lang)
    if fixed_out and data.get("fixed"):
        data["fixed"]["written_to"] = fixed_out
    if fmt == "json":
        return safe_json(data)
    if fmt == "markdown":
        return render_markdown(data, base_url=base_url)
    if fmt == "sarif":
        return safe_json(render_sarif(data))
    return render_text(data, color=color)


def safe_json(data) -> str:
    """Indented JSON in which `<`, `>`, `&` and the JavaScript line separators appear only as
    `\\u` escapes: outside strings JSON never holds them, so this changes no value."""
    import json
    text = json.dumps(data, indent=2, ensure_ascii=False)
    for c in "<>&\u2028\u2029":
        text = text.replace(c, f"\\u{ord(c):04x}")
    return text + "\n"
