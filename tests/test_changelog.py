"""Changelogs: read from an npm package (a cached tarball, no network), one release per chunk with
{package, version, date} in a real Chroma store, then looked up for "what changed after your
version about this", and put under a finding in the answer with its citation."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("langchain_core", reason="needs the app extra")

from test_ingest import HASH, assert_consistent, make_tarball, state

from app.core.model import Evidence, Finding
from app.core.versions import Found, Versions
from app.retrieval.changelog import entries, finding_changes, finding_terms, later_changes, message_words
from app.retrieval.index import Index
from ingest.changelog import chunk_changelog, release_of, releases
from ingest.documents import SourceDoc
from ingest.pipeline import ingest

FIXTURES = Path(__file__).parent / "fixtures" / "changelogs"
DEMO = (FIXTURES / "haraka-plugin-demo-CHANGELOG.md").read_text(encoding="utf-8")
RSPAMD = (FIXTURES / "haraka-plugin-rspamd" / "CHANGELOG.md").read_text(encoding="utf-8")
OLD_HARAKA = (FIXTURES / "haraka-Changes.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- chunking

@pytest.mark.parametrize("heading, release", [
    ("[3.3.4] - 2026-09-05", ("3.3.4", "2026-09-05")),
    ("2.8.24 - Mar 12, 2019", ("2.8.24", "2019-03-12")),
    ("3.0.0-alpha.1 - 2022-01-02", ("3.0.0-alpha.1", "2022-01-02")),
    ("v1.0.2", ("1.0.2", "")),
    ("Unreleased", None), ("NEXT - 2021-MM-DD", None), ("Fixed", None), ("3 things we changed", None),
])
def test_release_headings(heading, release):
    assert release_of(heading) == release


def test_one_release_per_section_whatever_the_heading_level():
    got = [(v, d) for v, d, _ in releases(DEMO)]
    assert got == [("1.3.0", "2026-05-24"), ("1.2.1", "2025-03-28"), ("1.2.0", "2025-01-26"), ("1.1.0", "2024-08-21")]
    text = {v: t for v, _, t in releases(DEMO)}
    assert "#### Fixed" in text["1.2.1"] and "#### Changed" in text["1.2.1"]       # sub-sections stay
    assert "### 9.9.9" in text["1.2.0"]                                            # a heading in code is text
    assert "Unreleased" not in " ".join(text.values()) and "no release yet" not in " ".join(text.values())
    assert not any("releases/tag" in t for t in text.values())                     # link definitions dropped


def test_haraka_2_8_changes_md():
    got = releases(OLD_HARAKA)
    assert [(v, d) for v, d, _ in got] == [("2.8.28", "2021-10-14"), ("2.8.27", "2021-01-05")]
    assert "### Fixes" in got[0][2] and "NEXT" not in got[0][2]


def test_chunks_carry_package_version_and_date():
    doc = SourceDoc(doc_id="npm:haraka-plugin-demo@1.3.0:CHANGELOG.md", source="npm:haraka-plugin-demo@1.3.0",
                    title="haraka-plugin-demo changelog", text=DEMO, path="CHANGELOG.md",
                    url="https://github.com/example/demo/blob/v1.3.0/CHANGELOG.md", kind="changelog",
                    meta={"package": "haraka-plugin-demo"})
    chunks = chunk_changelog(doc)
    assert [(c.metadata["package"], c.metadata["version"], c.metadata["date"]) for c in chunks] == [
        ("haraka-plugin-demo", "1.3.0", "2026-05-24"), ("haraka-plugin-demo", "1.2.1", "2025-03-28"),
        ("haraka-plugin-demo", "1.2.0", "2025-01-26"), ("haraka-plugin-demo", "1.1.0", "2024-08-21")]
    assert all(c.metadata["kind"] == "changelog" and c.id for c in chunks)
    assert chunks[0].metadata["heading"] == "haraka-plugin-demo changelog › [1.3.0] - 2026-05-24"
    assert chunks[0].metadata["anchor"] == "130---2026-05-24"


def test_entries_keep_sub_items_with_their_parent():
    text = "- outbound\n  - client_pool: use tls_socket\n    - sock.name is JSON\n- fix: x #12\n  wrapped\n"
    assert entries(text) == [
        "outbound", "outbound: client_pool: use tls_socket; sock.name is JSON", "fix: x #12 wrapped"]


# --------------------------------------------------------------------------- the npm source and the store

def changelog_home(tmp_path: Path, monkeypatch, package: str, version: str, text: str, name: str = "CHANGELOG.md",
                   home: Path | None = None) -> Path:
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))     # any npm call would fail loudly
    home = home or tmp_path / "home"
    make_tarball(home / "cache" / "npm" / f"{package}-{version}.tgz", {
        f"package/{name}": text, "package/README.md": f"# {package}\n\nA plugin.\n",
        "package/docs/CHANGELOG.md": "# not the package's changelog: not at the root\n"})
    spec = {"type": "npm", "package": package, "version": version, "paths": [], "changelog": True,
            "repo_url": f"https://github.com/example/{package}/blob/v{version}"}
    summary = ingest([spec], home=home, embedding=HASH)
    assert not summary.warnings, summary.warnings
    return home


def test_the_npm_source_reads_the_changelog_alone_one_release_per_chunk(tmp_path, monkeypatch):
    home = changelog_home(tmp_path, monkeypatch, "haraka-plugin-demo", "1.3.0", DEMO)
    st = state(home)
    assert_consistent(st)
    assert set(st["manifest"].docs) == {"npm:haraka-plugin-demo@1.3.0:CHANGELOG.md"}     # paths: [] -> no README
    metas = sorted(st["metas"].values(), key=lambda m: m["chunk"])
    assert [(m["kind"], m["package"], m["version"], m["date"]) for m in metas] == [
        ("changelog", "haraka-plugin-demo", v, d) for v, d in
        [("1.3.0", "2026-05-24"), ("1.2.1", "2025-03-28"), ("1.2.0", "2025-01-26"), ("1.1.0", "2024-08-21")]]
    assert metas[0]["title"] == "haraka-plugin-demo changelog"
    assert metas[0]["url"] == "https://github.com/example/haraka-plugin-demo/blob/v1.3.0/CHANGELOG.md"


def test_old_haraka_names_it_changes_md(tmp_path, monkeypatch):
    home = changelog_home(tmp_path, monkeypatch, "Haraka", "2.8.28", OLD_HARAKA, name="Changes.md")
    metas = list(state(home)["metas"].values())
    assert {(m["package"], m["version"]) for m in metas} == {("haraka", "2.8.28"), ("haraka", "2.8.27")}


# --------------------------------------------------------------------------- the lookup

@pytest.fixture
def demo_index(tmp_path, monkeypatch) -> Index:
    return Index(changelog_home(tmp_path, monkeypatch, "haraka-plugin-demo", "1.3.0", DEMO), HASH)


def test_later_releases_that_mention_the_terms(demo_index):
    got = later_changes("haraka-plugin-demo", "1.2.0", names=["demo"], words=["recipient", "counter", "reconnect"],
                        index=demo_index, limit=5)
    assert [(c.version, c.refs) for c in got] == [("1.2.1", ["#14"]), ("1.3.0", ["haraka/Haraka#3604"])]
    assert got[0].text == "fix(rcpt): the recipient counter was reset by every RSET (#14)"
    assert got[0].date == "2025-03-28" and got[0].since == "1.2.0" and not got[0].maybe_have
    assert got[0].passage.kind == "changelog" and got[0].passage.link.endswith("CHANGELOG.md#121---2025-03-28")
    assert "### [1.2.1] - 2025-03-28" in got[0].passage.text


def test_nothing_later_nothing_unrelated_nothing_for_a_non_version(demo_index):
    assert later_changes("haraka-plugin-demo", "1.3.0", ["demo"], ["recipient"], demo_index) == []
    assert later_changes("haraka-plugin-demo", "1.0.0", ["demo"], ["mongodb"], demo_index) == []
    assert later_changes("haraka-plugin-demo", "github:x/y", ["demo"], ["recipient"], demo_index) == []
    assert later_changes("haraka-plugin-other", "1.0.0", ["demo"], ["recipient"], demo_index) == []
    # two words are enough without a name; one word alone is not
    assert [c.version for c in later_changes("haraka-plugin-demo", "1.0.0", [], ["crash", "disconnect"],
                                             demo_index)] == ["1.1.0"]
    assert later_changes("haraka-plugin-demo", "1.0.0", [], ["crash"], demo_index) == []


def test_a_range_may_already_include_the_fix(demo_index):
    got = later_changes("haraka-plugin-demo", "^1.1.0", ["demo"], ["recipient", "counter"], demo_index)
    assert got and got[0].version == "1.2.1" and got[0].maybe_have
    got = later_changes("haraka-plugin-demo", "~1.1.0", ["demo"], ["recipient", "counter"], demo_index)
    assert got and not got[0].maybe_have


def test_a_findings_terms_come_from_its_plugin_names_and_log_messages():
    line = "[CRIT] [4D950DEC-1A2B.1] [core] Plugin rspamd timed out on hook data_post - make sure it calls the callback"
    assert message_words(line) == ["rspamd", "timed", "data_post"]
    assert message_words('[INFO] [X.1] [core]  hook=data_post plugin=rspamd retval=DENYSOFT msg="plugin timeout"') == \
        ["timeout"]
    f = Finding("MXD501", "error", "logs: plugin rspamd timed out on hook data_post (1 time(s))", "timeouts", "",
                evidence=[Evidence("haraka.log", 1, line, "log")])
    names, words = finding_terms(f, {"rspamd", "wildduck", "tls"})
    assert names == ["rspamd"] and words == ["timed", "data_post"]


def test_a_finding_gets_the_fix_of_its_plugin_release(tmp_path, monkeypatch):
    index = Index(changelog_home(tmp_path, monkeypatch, "haraka-plugin-rspamd", "1.7.0", RSPAMD), HASH)
    line = "[CRIT] [4D950DEC-1A2B.1] [core] Plugin rspamd timed out on hook data_post - make sure it calls the callback"
    f = Finding("MXD501", "error", "logs: plugin rspamd timed out on hook data_post", "timeouts", "",
                evidence=[Evidence("haraka.log", 1, line, "log")])
    known = Versions(found=[Found("haraka-plugin-rspamd", "1.6.1", "package-lock.json", 9, "package-lock.json")])
    got = finding_changes(f, known, index)
    assert [(c.package, c.version, c.refs) for c in got] == [("haraka-plugin-rspamd", "1.7.0", ["#61"])]
    assert finding_changes(f, Versions(), index) == []                           # versions unknown: nothing
    older = Versions(found=[Found("haraka-plugin-rspamd", "1.5.0", "npm-ls.txt", 2, "npm ls")])
    assert [c.version for c in finding_changes(f, older, index)] == ["1.6.0"]    # as good a match, and earlier
    assert [c.version for c in finding_changes(f, older, index, limit=3)] == ["1.6.0", "1.7.0"]


LOCK = '{"lockfileVersion": 3, "packages": {"node_modules/haraka-plugin-rspamd": {"version": "1.6.1"}}}\n'
LOG = ("[CRIT] [4D950DEC-1A2B-4C3D-8E9F-0A1B2C3D4E5F.1] [core] Plugin rspamd timed out on hook data_post - make sure "
       "it calls the callback\n"
       "[INFO] [4D950DEC-1A2B-4C3D-8E9F-0A1B2C3D4E5F.1] [core]  hook=data_post plugin=rspamd function=rspamd_data_post "
       'params="" retval=DENYSOFT msg="plugin timeout"\n')


def test_the_answer_says_fixed_in_with_the_citation(tmp_path, monkeypatch):
    from app.answer import Session
    from app.answer.llm_settings import LLMSettings
    index = Index(changelog_home(tmp_path, monkeypatch, "haraka-plugin-rspamd", "1.7.0", RSPAMD), HASH)
    s = Session(texts=[("config/plugins", "rspamd\nwildduck\n"), ("package-lock.json", LOCK)], log_text=LOG,
                home=tmp_path / "answers", settings=LLMSettings(), index=index, persist=False)
    a = s.ask("why is mail deferred after DATA?", use_llm=False)
    line = next(x for x in a.answer.split("\n") if "haraka-plugin-rspamd 1.7.0" in x)
    assert line.startswith("**Fixed in haraka-plugin-rspamd 1.7.0** (#61): \"fix: a scan that timed out")
    assert "you run 1.6.1." in line
    n = int(line.rsplit("[", 1)[1].rstrip("]"))
    cited = a.passages[n - 1]
    assert cited["source"] == "npm:haraka-plugin-rspamd@1.7.0" and "### [1.7.0] - 2026-10-02" in cited["text"]
    assert cited["url"].endswith("CHANGELOG.md#170---2026-10-02")
    # without a known version there is no such line
    s = Session(texts=[("config/plugins", "rspamd\nwildduck\n")], log_text=LOG, home=tmp_path / "answers",
                settings=LLMSettings(), index=index, persist=False)
    assert "haraka-plugin-rspamd 1.7.0" not in s.ask("why is mail deferred after DATA?", use_llm=False).answer


def test_changelog_chunks_answer_only_questions_about_releases(tmp_path, monkeypatch):
    from app.retrieval.passages import question_passages
    index = Index(changelog_home(tmp_path, monkeypatch, "haraka-plugin-rspamd", "1.7.0", RSPAMD), HASH)
    assert not question_passages("rspamd scan timed out", index, fired=set())
    assert question_passages("which rspamd release fixed the timed out scan?", index, fired=set())
    assert json.dumps([p.to_dict() for p in question_passages("rspamd 1.7.0 timeout", index, fired=set())])
