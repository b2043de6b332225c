"""Render a Diagnosis: text for people, Markdown for a wiki, JSON for tools, SARIF for code hosts.

Every renderer starts from `Diagnosis.to_dict()`, which is already redacted, so no format can
leak a secret the others mask.
"""
from __future__ import annotations

from app.core.report.markdown import render_markdown
from app.core.report.sarif import render_sarif
from app.core.report.text import render_text

FORMATS = ("text", "json", "markdown", "sarif")


def render(diagnosis, fmt: str, color: bool = False, base_url: str | None = None, lang: str = "en") -> str:
    """`base_url`: where the app serves its pages, so a wiki export links notes and rules there
    (without it they link to a References section inside the export). `lang`: the words of the
    findings, the verdict and the report's own labels (en, zh)."""
    import json
    data = diagnosis.to_dict(lang)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_markdown(data, base_url=base_url)
    if fmt == "sarif":
        return json.dumps(render_sarif(data), indent=2, ensure_ascii=False) + "\n"
    return render_text(data, color=color)
