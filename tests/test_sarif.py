"""SARIF output is valid SARIF 2.1.0 (checked against the OASIS schema, taken from an npm package
at test time) and carries each verified fix as `fixes[]` that, applied, gives the fixed file."""
from __future__ import annotations

import json
import os
import shutil
import tarfile

import pytest

from app.core.diagnose import diagnose
from app.core.examples import example_files
from app.core.report import render
from ingest.npmpack import pack

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
