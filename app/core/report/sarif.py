"""SARIF 2.1.0: stable ruleIds and file/line locations, for code-scanning UIs."""
from __future__ import annotations

from typing import Any

from app import __version__

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(data: dict[str, Any]) -> dict[str, Any]:
    rules: dict[str, dict] = {}
    results = []
    for f in data["findings"]:
        rules.setdefault(f["rule"], {
            "id": f["rule"], "name": f["rule"], "shortDescription": {"text": f["title"]},
            "fullDescription": {"text": f["explanation"]},
            "defaultConfiguration": {"level": LEVEL[f["severity"]]},
            "properties": {"category": f["category"]},
            "helpUri": next((c for c in f["citations"] if c.startswith("http")), None),
        })
        locations = [{
            "physicalLocation": {
                "artifactLocation": {"uri": ev["file"]},
                **({"region": {"startLine": ev["line"], "snippet": {"text": ev["text"]}}} if ev.get("line") else {}),
            }
        } for ev in f["evidence"] if ev.get("kind") != "simulation" and ev["file"] not in ("simulation", "logs")]
        result = {"ruleId": f["rule"], "level": LEVEL[f["severity"]], "message": {"text": f["title"]},
                  "locations": locations or [{"physicalLocation": {"artifactLocation": {"uri": "config/plugins"}}}]}
        if f.get("fix") and f["fix"].get("patch"):
            result["properties"] = {"patch": f["fix"]["patch"]}
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
