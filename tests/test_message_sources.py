"""Every file:line the message index records, at every indexed release, really holds that message.

Why: the index tells an admin "this line was printed by tls_socket.js:398 in 3.3.4" and links to it.
Each package's tarball (npm pack, cached under the mxdoctor cache dir; git tags for a package that is
not on npm) is read at each release and the recorded line (or the few after it, for a call written
over several lines) must hold the message's text, or for a message with no fixed text, its call; a
text that reaches the call through a name (a const, a helper's parameter) must be in the same file
(most of its words: it may be built from pieces over several lines).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from app.core.messages import in_span
from ingest.home import cache_home
from ingest.kbdata import kb_dir
from ingest.npmpack import pack_many

FILES = sorted((kb_dir() / "messages").glob("*.yaml"))
WINDOW = 8            # a call's arguments may start a few lines below the call itself
GIT_MIRRORS = {"haraka-plugin-wildduck": os.environ.get("MXDOCTOR_WILDDUCK_PLUGIN_GIT",
                                                        "/work/.mirror/zone-eu+haraka-plugin-wildduck/repo")}
CALL_WORDS = {"log": ("log", "error", "warn", "info", "debug", "crit", "notice", "emerg", "alert", "err"),
              "reply": ("next", "respond", "cb", "callback", "done", "res.", "Error"), "throw": ("throw",),
              "api": ("res.", "status", "code", "Error", "error")}


def _needle(template: str) -> str:
    """The longest run of plain characters in the template's fixed text (quotes and escapes aside)."""
    literal = template.replace("{{", "{").replace("}}", "}").split("{}")
    runs = [r for part in literal for r in re.findall(r"[A-Za-z0-9_ .,:;=/()-]{4,}", part)]
    return max((r.strip() for r in runs), key=len, default="")


def _sources(package: str, version: str) -> dict[str, list[str]]:
    """{path in package: lines} of every .js file of the release."""
    if package in GIT_MIRRORS:
        tag_out = subprocess.run(["git", "--git-dir", GIT_MIRRORS[package], "tag"], capture_output=True, text=True,
                                 check=True).stdout.split()
        tag = next(t for t in tag_out if t.lstrip("v") == version)
        data = subprocess.run(["git", "--git-dir", GIT_MIRRORS[package], "archive", tag], capture_output=True,
                              check=True).stdout
        import io
        tar = tarfile.open(fileobj=io.BytesIO(data))
        strip = 0
    else:
        tar = tarfile.open(pack_many([(package, version)], cache_home() / "npm")[(package, version)])
        strip = 1
    out = {}
    with tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith(("js", ".cjs", ".mjs")):
                path = "/".join(member.name.split("/")[strip:])
                out[path] = tar.extractfile(member).read().decode("utf-8", "replace").splitlines()
    return out


def _check_release(doc: dict, version: str) -> list[str]:
    files = _sources(doc["package"], version)
    bad = []
    for m in doc["messages"]:
        line = next((ln for span, ln in m["at"].items() if in_span(version, span)), None)
        if line is None:
            continue
        lines = files.get(m["file"])
        if lines is None:
            bad.append(f"{doc['package']}@{version} {m['file']}: no such file")
            continue
        window = "\n".join(lines[line - 1:line - 1 + WINDOW])
        needle = _needle(m["template"])
        words = re.findall(r"[A-Za-z0-9_]{4,}", needle)     # a literal may be split over '...' + '...'
        call = any(w in window for w in CALL_WORDS[m["kind"]]) or "penalize" in window or "(" in window
        ok = all(w in window for w in words) if words else call
        if not ok and words and call:
            # the text came through a name (`const msg = ...; next(DENY, msg)`, a helper's parameter),
            # maybe built over several lines: the call is at the line, (nearly) all its words in the file
            whole = "\n".join(lines)
            ok = sum(w in whole for w in words) >= 0.6 * len(words)
        if not ok:
            bad.append(f"{doc['package']}@{version} {m['file']}:{line} lacks {needle or m['kind']!r}")
    return bad


def _doc(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_recorded_line_holds_its_message(path):
    doc = _doc(path)
    if doc["package"] in GIT_MIRRORS:
        if not Path(GIT_MIRRORS[doc["package"]]).is_dir():
            pytest.skip(f"{doc['package']} is not on npm and no git mirror is here")
    elif not shutil.which("npm"):
        if os.environ.get("CI"):
            pytest.fail("npm is needed to fetch the indexed releases")
        pytest.skip("npm is not installed")
    if doc["package"] not in GIT_MIRRORS:        # every release in a few npm calls, not one call each
        pack_many([(doc["package"], v) for v in doc["versions"]], cache_home() / "npm")
    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = [p for bad in pool.map(lambda v: _check_release(doc, v), doc["versions"]) for p in bad]
    checked = sum(len(m["at"]) for m in doc["messages"])
    assert not problems, f"{len(problems)} of {checked} recorded places do not hold their message:\n" + \
        "\n".join(problems[:20])
