"""SARIF 2.1.0: stable ruleIds and file/line locations, for code-scanning UIs.

Viewers turn `uri` and `helpUri` into links: a file name from a paste is percent-encoded into a
relative reference (`javascript:x` becomes `javascript%3Ax`), and only http(s) citations become
a rule's help link. Texts go in `text` fields only, which viewers show as plain text.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from app import __version__
from app.core.report.sarif_fixes import sarif_fixes

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(name: str) -> str:
    """A file name as a relative URI reference: no scheme, no character a link could break on."""
    return quote(name.lstrip("/"), safe="/._-~+@,=")


def render_sarif(data: dict[str, Any]) -> dict[str, Any]:
    rules: dict[str, dict] = {}
    results = []
    for f in data["findings"]:
        rules.setdefault(f["rule"], {
            "id": f["rule"], "name": f["rule"], "shortDescription": {"text": f["title"]},
            "fullDescription": {"text": f["explanation"]},
            "defaultConfiguration": {"level": LEVEL[f["severity"]]},
            "properties": {"category": f["category"]},
            "helpUri": next((c for c in f["citations"] if re.match(r"^https?://[^\s<>\"]+$", c, re.I)), None),
        })
        locations = [{
            "physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(ev["file"])},
                **({"region": {"startLine": ev["line"], "snippet": {"text": ev["text"]}}} if ev.get("line") else {}),
            }
        } for ev in f["evidence"] if ev.get("kind") != "simulation" and ev["file"] not in ("simulation", "logs")]
        result = {"ruleId": f["rule"], "level": LEVEL[f["severity"]], "message": {"text": f["title"]},
                  "locations": locations or [{"physicalLocation": {"artifactLocation": {"uri": "config/plugins"}}}]}
        if f.get("fix") and f["fix"].get("patch"):
            result["properties"] = {"patch": f["fix"]["patch"]}
        fixes = sarif_fixes(f.get("fix"), artifact_uri)
        if fixes:
            result["fixes"] = fixes
        results.append(result)
    for r in rules.values():
        if r["helpUri"] is None:
            del r["helpUri"]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            **({"language": data["lang"]} if data.get("lang") else {}),
            "tool": {"driver": {"name": "mxdoctor", "version": __version__,
                                "rules": list(rules.values())}},
            "results": results,
        }],
    }
