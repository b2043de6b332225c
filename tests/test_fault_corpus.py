"""The committed Haraka fault corpus (tests/fixtures/haraka-faults) is well-formed.

Reads fixtures only (no node): every file the manifest lists is there, every WARN+ line and
refusal it names is that very line of the file, the manifest names all of them (the classifier
in tests/e2e/fault_lines.py finds the same set), every log has one, and the versions, formats
and scenarios are the promised ones. Regenerate with `python -m tests.e2e.fault_corpus`.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

try:
    from e2e.fault_lines import explainable
    from e2e.fault_scenarios import SCENARIOS
except ImportError:                      # run from the repo root with PYTHONPATH=$PWD
    from tests.e2e.fault_lines import explainable
    from tests.e2e.fault_scenarios import SCENARIOS

CORPUS = Path(__file__).resolve().parent / "fixtures" / "haraka-faults"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
FILES = MANIFEST["files"]
# 2.8.28's logger.js already knows LOGFMT and JSON, so every version has all three formats
PROMISED = {"2.8.28": ["default", "logfmt", "json"], "3.0.4": ["default", "logfmt", "json"],
            "3.3.4": ["default", "logfmt", "json"]}
KINDS = {"warn", "hook", "result", "reply", "last_reply"}
MAX_BYTES = 2_500_000


def _lines(entry: dict) -> list[str]:
    return (CORPUS / entry["path"]).read_text(encoding="utf-8").splitlines()


def _ids(entries):
    return [e["path"] for e in entries]


def test_versions_and_formats_are_the_promised_ones():
    assert {v: info["formats"] for v, info in MANIFEST["versions"].items()} == PROMISED
    assert any(v.startswith("3.0.") for v in MANIFEST["versions"])
    produced = {(f["version"], f["format"]) for f in FILES}
    assert produced == {(v, fmt) for v, fmts in PROMISED.items() for fmt in fmts}


def test_every_scenario_is_there_or_said_why_not():
    skipped = {(n["version"], n["scenario"]) for n in MANIFEST["not_produced"] if "scenario" in n}
    assert all(n.get("why") for n in MANIFEST["not_produced"])
    want = {(v, fmt, sc.id) for v, fmts in PROMISED.items() for fmt in fmts for sc in SCENARIOS
            if (v, sc.id) not in skipped}
    assert {(f["version"], f["format"], f["scenario"]) for f in FILES} == want


def test_every_file_is_where_the_manifest_says():
    listed = {f["path"] for f in FILES}
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.log")}
    assert listed == on_disk
    for f in FILES:
        assert f["path"] == f"{f['version']}/{f['format']}/{f['scenario']}.log"
        assert f["fault"].strip() and "\n" not in f["fault"]


@pytest.mark.parametrize("entry", FILES, ids=_ids(FILES))
def test_each_listed_line_is_that_line_of_the_file(entry):
    lines = _lines(entry)
    assert entry["lines"], "a fault log without a single WARN+ line or refusal"
    for item in entry["lines"]:
        assert 1 <= item["n"] <= len(lines)
        assert lines[item["n"] - 1] == item["text"]
        assert set(item["kind"].split("+")) <= KINDS
        assert item["emitter"] and not item["emitter"].startswith("?"), item


@pytest.mark.parametrize("entry", FILES, ids=_ids(FILES))
def test_the_manifest_names_every_warn_line_and_refusal(entry):
    assert explainable(_lines(entry), entry["format"], set(entry["plugins"])) == entry["lines"]


@pytest.mark.parametrize("entry", FILES, ids=_ids(FILES))
def test_the_injected_fault_shows_in_the_log(entry):
    lines = _lines(entry)
    assert entry["fault_shows_at"]
    assert all(1 <= n <= len(lines) for n in entry["fault_shows_at"])


def test_emitters_of_refusals_come_from_the_plugin_field():
    for f in FILES:
        for item in f["lines"]:
            if "hook" in item["kind"].split("+"):
                assert item["how"] == "plugin field" and item["emitter"] in f["plugins"], item


def test_logs_are_stable_and_modest():
    total = 0
    for p in CORPUS.rglob("*"):
        if p.is_file():
            total += p.stat().st_size
            if p.suffix == ".log":
                assert "/tmp/haraka-fault-" not in p.read_text(encoding="utf-8"), p
    assert total < MAX_BYTES


def test_each_version_has_a_protocol_level_log():
    for version in PROMISED:
        assert any(f["version"] == version and f["loglevel"] == "protocol" for f in FILES)


def test_plugins_are_installed_except_the_missing_one():
    for f in FILES:
        missing = {name for name, src in f["plugins"].items() if src == "not installed"}
        assert missing == ({"wildduck"} if f["scenario"] == "plugin_not_installed" else set()), f["path"]
