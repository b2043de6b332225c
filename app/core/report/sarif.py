"""SARIF 2.1.0: stable ruleIds and file/line locations, for code-scanning UIs.

Viewers turn `uri` and `helpUri` into links: a file name from a paste is percent-encoded into a
relative reference (`javascript:x` becomes `javascript%3Ax`), and only http(s) citations become
a rule's help link. Texts go in `text` fields only, which viewers show as plain text.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from app import __version__
from app.core.report.sarif_fixes import sarif_fixes

LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def artifact_uri(name: str) -> str:
    """A file name as a relative URI reference: no scheme, no character a link could break on."""
    return quote(name.lstrip("/"), safe="/._-~+@,=")


def file_uris(data: dict[str, Any]) -> Callable[[str], str]:
    """A file's URI as code scanning needs it: its path as given on the command line, relative to
    where mxdoctor ran (the repository's root in CI), so `mxdoctor check etc/haraka/config` points
    at etc/haraka/config/plugins; a pasted file, or one outside that directory, keeps its name."""
    paths = (data.get("inputs") or {}).get("paths") or {}

    def uri(name: str) -> str:
        given = paths.get(name)
        if given and not PurePath(given).is_absolute() and ".." not in PurePath(given).parts:
            return artifact_uri(PurePath(given).as_posix())
        return artifact_uri(name)
    return uri


def _edited_first(locations: list[dict], fixes: list[dict]) -> list[dict]:
    """The line the fix edits as the result's primary location (code scanning shows the first one):
    for MXD101 that is rcpt_to.in_host_list's line, not wildduck's, though both are evidence."""
    regions = [(c["artifactLocation"]["uri"], r["deletedRegion"])
               for fx in fixes for c in fx["artifactChanges"] for r in c["replacements"]]

    def not_edited(loc: dict) -> bool:
        p = loc["physicalLocation"]
        line = (p.get("region") or {}).get("startLine") or 0
        return not any(uri == p["artifactLocation"]["uri"] and
                       region["startLine"] <= line <= region.get("endLine", region["startLine"])
                       for uri, region in regions)
    return sorted(locations, key=not_edited)


def render_sarif(data: dict[str, Any]) -> dict[str, Any]:
    uri = file_uris(data)
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
                "artifactLocation": {"uri": uri(ev["file"])},
                **({"region": {"startLine": ev["line"], "snippet": {"text": ev["text"]}}} if ev.get("line") else {}),
            }
        } for ev in f["evidence"] if ev.get("kind") != "simulation" and ev["file"] not in ("simulation", "logs")]
        result = {"ruleId": f["rule"], "level": LEVEL[f["severity"]], "message": {"text": f["title"]},
                  "locations": locations or [{"physicalLocation": {"artifactLocation": {"uri": uri("config/plugins")}}}]}
        if f.get("fix") and f["fix"].get("patch"):
            result["properties"] = {"patch": f["fix"]["patch"]}
        fixes = sarif_fixes(f.get("fix"), uri)
        if fixes:
            result["fixes"] = fixes
            result["locations"] = _edited_first(result["locations"], fixes)
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
