"""The ingestion pipeline end to end, with real parts: real files, real chunking, a real Chroma
PersistentClient in a temp dir, the real bm25s lexical index. Plumbing tests use the `hash-64`
embedding (fast, deterministic); one test runs the default `e5-int8` model to prove it works offline.

tests/fixtures/docs/wiki is a small "team wiki export" written for these tests: Markdown with
front matter, HTML, plain text, reStructuredText, a rule YAML, a Chinese page, and folders
(`_drafts`, `.trash`) and a PNG that must never be indexed.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import socket
import tarfile
from pathlib import Path

import yaml

from app.retrieval.index import Index
from app.retrieval.search import search
from ingest import embeddings as embeddings_mod
from ingest.embeddings import get_embeddings
from ingest.kbdata import kb_path
from ingest.lexical import LexicalIndex
from ingest.manifest import Manifest
from ingest.pipeline import ingest, lexical_path
from ingest.store import all_chunks, vector_store

WIKI = Path(__file__).parent / "fixtures" / "docs" / "wiki"
HASH = "hash-64"
WIKI_URL = "https://wiki.example.net/mail"


def state(home: Path, embedding: str = HASH) -> dict:
    """Everything an ingest leaves behind, read back from disk through the real store."""
    store = vector_store(home, get_embeddings(embedding), embedding)
    ids, texts, metas = all_chunks(store)
    manifest = Manifest.load(home / "manifest.json")
    lexical = LexicalIndex.load(lexical_path(home, embedding))
    return {"ids": ids, "texts": dict(zip(ids, texts)), "metas": dict(zip(ids, metas)),
            "manifest": manifest, "lexical_ids": lexical.ids}


def assert_consistent(st: dict) -> None:
    """No duplicates ever; the store, the manifest and the lexical index describe the same chunks."""
    ids = st["ids"]
    assert len(ids) == len(set(ids)), "duplicate chunk ids in the store"
    manifest_ids = [c for e in st["manifest"].docs.values() for c in e["chunks"]]
    assert len(manifest_ids) == len(set(manifest_ids)), "a chunk id listed twice in the manifest"
    assert len(ids) == len(manifest_ids)
    assert set(ids) == set(manifest_ids)
    assert sorted(st["lexical_ids"]) == sorted(ids)
    for cid, meta in st["metas"].items():
        assert cid in st["manifest"].docs[meta["doc_id"]]["chunks"]


def wiki_spec(path: Path, **extra) -> dict:
    return {"type": "folder", "path": str(path), "name": "folder:wiki", **extra}


def copy_wiki(tmp_path: Path) -> Path:
    dest = tmp_path / "wiki"
    shutil.copytree(WIKI, dest)
    return dest


def chunks_of(st: dict, doc_id: str) -> list[tuple[str, str, dict]]:
    out = [(cid, st["texts"][cid], m) for cid, m in st["metas"].items() if m["doc_id"] == doc_id]
    return sorted(out, key=lambda t: t[2]["chunk"])


# ---------------------------------------------------------------- 1. the built-in kb source

def test_kb_source_indexes_every_note_rule_and_plugin_page(tmp_path):
    summary = ingest([{"type": "kb"}], home=tmp_path, embedding=HASH)
    assert not summary.warnings
    st = state(tmp_path)
    assert_consistent(st)
    docs = st["manifest"].docs

    notes = sorted(kb_path("notes").glob("*.md"))
    assert notes
    for path in notes:
        note_id, _, rest = path.name.partition(".")
        lang = rest[:-3] if rest != "md" else "en"
        doc_id = f"kb:note:{note_id}" + (f".{lang}" if lang != "en" else "")
        assert doc_id in docs, f"{path.name} not indexed"
        chunks = chunks_of(st, doc_id)
        assert chunks, f"{doc_id} has no chunks"
        for _, _, meta in chunks:
            assert meta["url"] == f"mxdoctor://notes/{note_id}"
            assert meta["lang"] == lang
            assert meta["title"] and meta["kind"] == "note" and "heading" in meta
        if lang == "zh":
            assert any("\u4e00" <= ch <= "\u9fff" for ch in meta["title"] + chunks[0][1])

    rules = sorted(kb_path("rules").glob("*.yaml"))
    assert rules
    translated = 0
    for path in rules:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rule_id = data["id"]
        for lang in data.get("i18n") or {}:      # each translation is a page of its own, in its language
            zh = chunks_of(st, f"kb:rule:{rule_id}.{lang}")
            assert zh and all(m["lang"] == lang and m["rule"] == rule_id for _, _, m in zh), (rule_id, lang)
            translated += 1
        chunks = chunks_of(st, f"kb:rule:{rule_id}")
        assert chunks, f"rule {rule_id} not indexed"
        assert all(m["url"] == f"mxdoctor://rules/{rule_id}" and m["rule"] == rule_id for _, _, m in chunks)
        assert chunks[0][2]["title"].startswith(f"{rule_id}: ")
        assert any(m["heading"] for _, _, m in chunks), "rule pages have Why/Fix sections"

    plugins = set()
    for path in kb_path("plugins").glob("*.yaml"):
        plugins |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("plugins") or {})
    assert "rcpt_to.in_host_list" in plugins and "wildduck" in plugins
    for name in plugins:
        chunks = chunks_of(st, f"kb:plugin:{name}")
        assert chunks, f"plugin page {name} not indexed"
        assert chunks[0][2]["url"] == f"mxdoctor://plugins/{name}"
        assert chunks[0][2]["plugin"] == name

    assert len(docs) == len(notes) + len(rules) + translated + len(plugins)
    assert {e["lang"] for e in docs.values()} == {"en", "zh"}


# ---------------------------------------------------------------- 2. a folder source (team wiki)

def test_folder_source_formats_links_and_code_blocks(tmp_path):
    summary = ingest([wiki_spec(WIKI, url_base=WIKI_URL)], home=tmp_path, embedding=HASH)
    assert not summary.warnings, summary.warnings
    st = state(tmp_path)
    assert_consistent(st)
    docs = st["manifest"].docs
    assert set(docs) == {"folder:wiki:runbooks/restart-haraka.md", "folder:wiki:mail-flow.html",
                         "folder:wiki:oncall.txt", "folder:wiki:wildduck-setup.rst",
                         "folder:wiki:MXD950.yaml", "folder:wiki:zh/投递排查.md"}
    everything = "\n".join(st["texts"].values())
    assert "must not be indexed" not in everything            # _drafts/ and .trash/ are skipped

    md = chunks_of(st, "folder:wiki:runbooks/restart-haraka.md")
    assert md[0][2]["title"] == "Restarting Haraka after a plugin change"   # from the front matter
    assert all(m["url"] == f"{WIKI_URL}/runbooks/restart-haraka" for _, _, m in md)
    assert not any("owner: mail-team" in t for _, t, _ in md)               # front matter is not text
    # the section is bigger than one chunk, yet the fenced block stays whole and verbatim
    section = [t for _, t, m in md if m["heading"].endswith("Checking the config before the restart")]
    assert len(section) >= 2
    source = (WIKI / "runbooks" / "restart-haraka.md").read_text(encoding="utf-8")
    block = source[source.index("```yaml"):source.index("```", source.index("```yaml") + 3) + 3]
    holding = [t for _, t, _ in md if "```yaml" in t]
    assert len(holding) == 1 and block in holding[0], "the YAML block was cut or its indentation lost"
    assert "  url: mongodb://127.0.0.1:27017/wildduck" in holding[0]

    html = chunks_of(st, "folder:wiki:mail-flow.html")
    html_text = "\n".join(t for _, t, _ in html)
    assert html[0][2]["title"] == "Inbound mail flow"
    assert html[0][2]["url"] == f"{WIKI_URL}/mail-flow"
    assert "# Inbound mail flow" in html_text and "## Recipient validation" in html_text
    assert {m["heading"] for _, _, m in html} >= {"Inbound mail flow › Recipient validation"}
    assert "trackingId" not in html_text and "console.log" not in html_text and "Wiki home" not in html_text
    assert "font-family" not in html_text
    assert "```\nplugins:\n  - wildduck\n```" in html_text

    txt = chunks_of(st, "folder:wiki:oncall.txt")
    assert txt[0][2]["url"] == f"{WIKI_URL}/oncall.txt"
    assert "swaks --server mx1" in txt[0][1]

    rst = chunks_of(st, "folder:wiki:wildduck-setup.rst")
    assert rst[0][2]["title"] == "WildDuck on mail2"
    assert any(m["heading"] == "WildDuck on mail2 › Installation › Configuration" for _, _, m in rst)
    assert "=====" not in "\n".join(t for _, t, _ in rst)

    rule = chunks_of(st, "folder:wiki:MXD950.yaml")
    assert rule[0][2]["kind"] == "rule" and rule[0][2]["rule"] == "MXD950"
    assert rule[0][2]["title"].startswith("MXD950: ")

    zh = chunks_of(st, "folder:wiki:zh/投递排查.md")
    assert zh[0][2]["lang"] == "zh"
    assert zh[0][2]["url"] == f"{WIKI_URL}/zh/%E6%8A%95%E9%80%92%E6%8E%92%E6%9F%A5"

    # and citations come back through search with the wiki link
    hits = search("wildduck plugin rcpt hook MongoDB users", k=3, index=Index(tmp_path, HASH))
    assert hits and hits[0].url.startswith(WIKI_URL + "/")


def test_folder_without_url_base_links_to_the_file(tmp_path):
    ingest([wiki_spec(WIKI)], home=tmp_path, embedding=HASH)
    entry = Manifest.load(tmp_path / "manifest.json").docs["folder:wiki:oncall.txt"]
    assert entry["url"] == (WIKI / "oncall.txt").resolve().as_uri()


# ---------------------------------------------------------------- 3. incremental runs

def test_incremental_skip_change_delete(tmp_path):
    wiki = copy_wiki(tmp_path)
    home = tmp_path / "home"
    first = ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    assert first.added == 6 and first.chunks > 0
    before = state(home)
    assert_consistent(before)

    again = ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    assert (again.chunks, again.added, again.updated, again.removed) == (0, 0, 0, 0)
    assert again.skipped == again.documents == 6
    assert state(home)["ids"] == before["ids"]

    # change one file: only it is re-chunked, its old chunks are gone, the others untouched
    page = wiki / "oncall.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\n4. Page the database team if the replica set is degraded.\n",
                    encoding="utf-8")
    old_ids = {cid for cid, _, _ in chunks_of(before, "folder:wiki:oncall.txt")}
    changed = ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    assert (changed.updated, changed.added, changed.skipped) == (1, 0, 5)
    after = state(home)
    assert_consistent(after)
    new_ids = {cid for cid, _, _ in chunks_of(after, "folder:wiki:oncall.txt")}
    assert new_ids and not (old_ids & new_ids)
    assert not old_ids & set(after["ids"])
    assert set(before["ids"]) - old_ids == set(after["ids"]) - new_ids
    assert "replica set is degraded" in "".join(after["texts"][i] for i in new_ids)
    assert changed.chunks == len(new_ids)

    # only the title changes (front matter): same texts and vectors, but the metadata must follow
    md = wiki / "runbooks" / "restart-haraka.md"
    md.write_text(md.read_text(encoding="utf-8").replace("title: Restarting Haraka after a plugin change",
                                                         "title: Haraka restart runbook"), encoding="utf-8")
    retitled = ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    assert retitled.updated == 1 and retitled.chunks == 0
    st = state(home)
    assert_consistent(st)
    assert {m["title"] for _, _, m in chunks_of(st, "folder:wiki:runbooks/restart-haraka.md")} == \
        {"Haraka restart runbook"}

    # delete a file: its chunks are pruned, from the store, the manifest and the lexical index
    (wiki / "wildduck-setup.rst").unlink()
    gone = {cid for cid, _, _ in chunks_of(st, "folder:wiki:wildduck-setup.rst")}
    deleted = ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    assert deleted.removed == 1 and deleted.documents == 5
    final = state(home)
    assert_consistent(final)
    assert "folder:wiki:wildduck-setup.rst" not in final["manifest"].docs
    assert not gone & set(final["ids"]) and not gone & set(final["lexical_ids"])
    assert not search("WildDuck IMAP listener imap.toml", mode="lexical", index=Index(home, HASH)) or \
        all(p.doc_id != "folder:wiki:wildduck-setup.rst"
            for p in search("WildDuck IMAP listener imap.toml", mode="lexical", index=Index(home, HASH)))


def test_an_edit_at_the_top_re_embeds_only_the_chunks_it_touched(tmp_path):
    """Chunk ids are content-addressed, so a new first paragraph does not renumber the chunks below."""
    folder = tmp_path / "pages"
    folder.mkdir()
    sections = [f"## Section {n}\n\n" + f"Paragraph {n} about queue retries and deferrals. " * 20 for n in range(8)]
    page = folder / "long.md"
    page.write_text("# Long page\n\nIntro.\n\n" + "\n\n".join(sections), encoding="utf-8")
    spec = {"type": "folder", "path": str(folder), "name": "pages"}
    first = ingest([spec], home=tmp_path / "home", embedding=HASH)
    assert first.chunks >= 8
    added = "\n\n".join(f"New paragraph {n}: " + "the relay was rebuilt last week. " * 20 for n in range(2))
    page.write_text(f"# Long page\n\n{added}\n\nIntro.\n\n" + "\n\n".join(sections), encoding="utf-8")
    edited = ingest([spec], home=tmp_path / "home", embedding=HASH)
    assert edited.updated == 1 and edited.chunks == 2          # the intro grew from one chunk to two
    st = state(tmp_path / "home")
    assert_consistent(st)
    # the chunks below kept their ids (not re-embedded) but their position was relabelled
    assert [m["chunk"] for _, _, m in chunks_of(st, "pages:long.md")] == list(range(first.chunks + 1))


def test_identical_chunks_in_one_document_get_distinct_ids(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "twice.md").write_text("# A\n\nSame text.\n\n# A\n\nSame text.\n", encoding="utf-8")
    summary = ingest([{"type": "folder", "path": str(folder), "name": "p"}], home=tmp_path / "home", embedding=HASH)
    st = state(tmp_path / "home")
    assert_consistent(st)
    assert summary.total_chunks == 2 and len(set(st["texts"].values())) == 1


def test_a_missing_store_is_refilled_even_though_the_manifest_says_unchanged(tmp_path):
    """The manifest is not the truth: point the same home at an empty store (deleted chroma dir,
    another Chroma server) and the next run re-adds what is missing."""
    wiki = copy_wiki(tmp_path)
    home = tmp_path / "home"
    ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    expected = state(home)
    store = vector_store(home, get_embeddings(HASH), HASH)
    victims = [cid for cid, _, _ in chunks_of(expected, "folder:wiki:mail-flow.html")]
    store.delete(ids=victims)
    again = ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    assert again.chunks == len(victims) and again.skipped == 5
    st = state(home)
    assert_consistent(st)
    assert st["texts"] == expected["texts"] and st["metas"] == expected["metas"]


def test_chunks_left_by_a_crash_are_removed_even_if_the_page_was_reverted(tmp_path):
    """The exact state a kill between "add the new chunks" and "save the manifest" leaves, made
    deterministically: the new version's chunks are in the store, the manifest still describes the
    old version — and then the page is reverted, so the manifest hash matches again."""
    from ingest.chunking import chunk_doc
    from ingest.sources.files import file_to_doc
    wiki = copy_wiki(tmp_path)
    home = tmp_path / "home"
    ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    clean = state(home)
    page = wiki / "oncall.txt"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\n4. A line that was indexed but never recorded.\n", encoding="utf-8")
    doc = file_to_doc(page, "oncall.txt", "folder:wiki", page.resolve().as_uri())
    store = vector_store(home, get_embeddings(HASH), HASH)
    new = chunk_doc(doc)
    store.add_documents(new, ids=[c.id for c in new])          # ...and the process is killed here
    page.write_text(original, encoding="utf-8")
    again = ingest([wiki_spec(wiki)], home=home, embedding=HASH)
    assert again.skipped == 6 and again.chunks == 0
    st = state(home)
    assert_consistent(st)
    assert st["texts"] == clean["texts"] and sorted(st["lexical_ids"]) == sorted(clean["lexical_ids"])


def test_two_folder_sources_with_the_same_name_do_not_prune_each_other(tmp_path):
    a, b = tmp_path / "a" / "docs", tmp_path / "b" / "docs"
    for d, word in ((a, "alpha"), (b, "bravo")):
        d.mkdir(parents=True)
        (d / f"{word}.md").write_text(f"# {word}\n\nThe {word} page about relaying.\n", encoding="utf-8")
    (a / "same.md").write_text("# first\n\nfirst copy\n", encoding="utf-8")
    (b / "same.md").write_text("# second\n\nsecond copy\n", encoding="utf-8")
    specs = [{"type": "folder", "path": str(a)}, {"type": "folder", "path": str(b)}]
    summary = ingest(specs, home=tmp_path / "home", embedding=HASH)
    again = ingest(specs, home=tmp_path / "home", embedding=HASH)
    st = state(tmp_path / "home")
    assert_consistent(st)
    assert {"folder:docs:alpha.md", "folder:docs:bravo.md", "folder:docs:same.md"} == set(st["manifest"].docs)
    assert any("same.md" in w for w in summary.warnings)
    assert again.removed == 0 and again.chunks == 0


# ---------------------------------------------------------------- 5. malformed documents

def test_malformed_documents_are_skipped_with_a_warning(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "good.md").write_text("# Good page\n\nHaraka listens on port 25.\n", encoding="utf-8")
    (folder / "windows.txt").write_bytes("Exported from Windows: smtp relay notes\r\n".encode("utf-16"))
    (folder / "bom-crlf.md").write_bytes(b"\xef\xbb\xbf# BOM page\r\n\r\nCRLF line endings here.\r\n")
    (folder / "salvage.html").write_text("<html><body><h1>Unclosed<p>Still readable text <div><b>bold",
                                         encoding="utf-8")
    bad = {
        "screenshot.md": bytes(range(256)) * 64,                                   # binary
        "truncated.html": b"<html><head><title>Half a page</title><script>var x = ",  # broken HTML, no text
        "frontmatter.md": b"---\ntitle: [unclosed\n  - : :\n---\n# Body\n\ntext\n",   # bad front matter
        "huge.md": b"# Huge\n\n" + b"all work and no play " * (20 * 1024 * 1024 // 21),  # ~20 MB
        "gbk.txt": "邮件无法投递的排查步骤，先检查日志中的回复，然后确认收件人地址存在。".encode("gbk") * 20,
        "empty.md": b"",
        "blank.rst": b"   \n\n\t\n",
        "notarule.yaml": b"just: a config file\nwith: [keys]\n",
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    warnings: list[str] = []
    summary = ingest([{"type": "folder", "path": str(folder), "name": "export"}], home=tmp_path / "home",
                     embedding=HASH, warn=warnings.append)
    assert warnings == summary.warnings
    for name in bad:
        named = [w for w in warnings if str(folder / name) in w]
        assert len(named) == 1 and "skipped" in named[0], f"{name}: {warnings}"
    assert len(warnings) == len(bad)
    st = state(tmp_path / "home")
    assert_consistent(st)
    assert set(st["manifest"].docs) == {"export:good.md", "export:windows.txt", "export:bom-crlf.md",
                                        "export:salvage.html"}
    texts = "\n".join(st["texts"].values())
    assert "Exported from Windows" in texts and "\r" not in texts and "\ufeff" not in texts
    assert "Still readable text" in texts
    assert Manifest.load(tmp_path / "home" / "manifest.json").docs["export:bom-crlf.md"]["title"] == "BOM page"


# ---------------------------------------------------------------- 6. npm source, no network

def make_tarball(path: Path, files: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_npm_source_from_a_cached_tarball_and_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))   # any npm call would fail loudly
    home = tmp_path / "home"
    spec = {"type": "npm", "package": "haraka-plugin-demo", "version": "1.2.3",
            "repo_url": "https://github.com/example/haraka-plugin-demo/blob/v1.2.3"}
    make_tarball(home / "cache" / "npm" / "haraka-plugin-demo-1.2.3.tgz", {
        "package/README.md": "# haraka-plugin-demo\n\nA demo plugin that rejects recipients at the rcpt hook.\n",
        "package/docs/x.md": "# Configuration\n\nSet `enabled=true` in config/demo.ini.\n",
        "package/index.js": "exports.register = function () {}\n",
        "package/docs/logo.svg.png": "not a doc",
    })

    offline: list[str] = []
    summary = ingest([spec], home=home, embedding=HASH, offline=True, warn=offline.append)
    assert offline == ["npm:haraka-plugin-demo@1.2.3: offline mode; not fetched"]
    assert summary.documents == 0 and summary.total_chunks == 0

    summary = ingest([spec], home=home, embedding=HASH)
    assert not summary.warnings, summary.warnings
    st = state(home)
    assert_consistent(st)
    docs = st["manifest"].docs
    assert set(docs) == {"npm:haraka-plugin-demo@1.2.3:README.md", "npm:haraka-plugin-demo@1.2.3:docs/x.md"}
    assert docs["npm:haraka-plugin-demo@1.2.3:docs/x.md"]["url"] == \
        "https://github.com/example/haraka-plugin-demo/blob/v1.2.3/docs/x.md"
    assert all(m["kind"] == "upstream" and m["source"] == "npm:haraka-plugin-demo@1.2.3"
               for m in st["metas"].values())
    hit = search("demo plugin rejects recipients", k=1, index=Index(home, HASH))[0]
    assert hit.url == "https://github.com/example/haraka-plugin-demo/blob/v1.2.3/README.md"

    # offline again later: warned, and what was indexed before is kept (not pruned)
    summary = ingest([spec], home=home, embedding=HASH, offline=True)
    assert summary.warnings and summary.removed == 0
    assert state(home)["ids"] == st["ids"]


def test_npm_source_without_npm_and_without_cache_warns_and_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))
    spec = {"type": "npm", "package": "haraka-plugin-absent", "version": "9.9.9"}
    summary = ingest([{"type": "kb"}, spec], home=tmp_path, embedding=HASH)
    assert len(summary.warnings) == 1 and "haraka-plugin-absent" in summary.warnings[0]
    assert summary.sources["kb"] > 0 and summary.total_chunks > 0


def test_npm_truncated_tarball_in_the_cache_is_dropped_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-npm-here"))
    tgz = tmp_path / "cache" / "npm" / "haraka-plugin-cut-1.0.0.tgz"
    make_tarball(tgz, {"package/README.md": "# cut\n\n" + os.urandom(30000).hex()})
    tgz.write_bytes(tgz.read_bytes()[:20000])     # an interrupted download
    summary = ingest([{"type": "kb"}, {"type": "npm", "package": "haraka-plugin-cut", "version": "1.0.0"}],
                     home=tmp_path, embedding=HASH)
    assert len(summary.warnings) == 1 and "not a readable tarball" in summary.warnings[0]
    assert not tgz.exists() and summary.sources["kb"] > 0


def test_npm_tarball_members_cannot_escape_the_cache(tmp_path):
    from ingest.sources.npm import extract_docs
    tgz = tmp_path / "evil.tgz"
    make_tarball(tgz, {"package/../../escaped.md": "x", "package//abs-escaped.md": "x", "package/README.md": "# ok\n"})
    dest = tmp_path / "a" / "b" / "dest"
    files = extract_docs(tgz, dest, ["*.md", "**/*.md", "README.md"])
    assert files == [dest / "README.md"]
    assert not list(tmp_path.rglob("*escaped.md"))


# ---------------------------------------------------------------- the default embedding, offline

def test_default_embedding_is_built_and_works_offline(tmp_path, monkeypatch):
    real_connect = socket.socket.connect

    def no_network(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            raise OSError(f"network access attempted: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.delenv("MXDOCTOR_EMBEDDING", raising=False)
    monkeypatch.setenv("MXDOCTOR_CACHE", str(tmp_path / "cache"))     # the graph is built here, from the wheel
    monkeypatch.setattr(embeddings_mod, "_cache", {})
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "relay.md").write_text("# Open relay\n\nAn SMTP server that relays mail for anyone is an open "
                                     "relay; spammers abuse it and blocklists list it.\n", encoding="utf-8")
    (folder / "tls.md").write_text("# Certificates\n\nThe TLS certificate expired, so clients refuse the "
                                   "STARTTLS handshake.\n", encoding="utf-8")
    (folder / "disk.md").write_text("# Disk full\n\nThe queue directory is on a full disk, so Haraka answers "
                                    "452 insufficient storage.\n", encoding="utf-8")
    summary = ingest([{"type": "folder", "path": str(folder), "name": "mini"}], home=tmp_path / "home")
    assert not summary.warnings and summary.total_chunks == 3
    assert Manifest.load(tmp_path / "home" / "manifest.json").embedding == "e5-int8"
    assert [p.suffix for p in (tmp_path / "cache" / "models").iterdir()] == [".onnx"]
    index = Index(tmp_path / "home")
    assert index.embedding == "e5-int8"
    got = index.store.collection.get(include=["embeddings"])
    assert len(got["embeddings"][0]) == 384
    # semantic, not lexical: no shared words between question and answer; Chinese finds English
    assert index.dense("my TLS cert is out of date", 1)[0][0] in chunk_ids(index, "mini:tls.md")
    assert index.dense("证书过期了", 1)[0][0] in chunk_ids(index, "mini:tls.md")
    assert index.dense("no space left on device", 1)[0][0] in chunk_ids(index, "mini:disk.md")
    assert search("spammers abuse my server", k=1, index=index)[0].doc_id == "mini:relay.md"


def chunk_ids(index: Index, doc_id: str) -> set[str]:
    return set(index.store.collection.get(where={"doc_id": doc_id}, include=[])["ids"])


# ---------------------------------------------------------------- converters, directly

def test_html_without_closing_head_keeps_the_body():
    from ingest.convert import html_to_markdown
    title, text = html_to_markdown("<html><head><title>Page<meta charset=utf-8><body><h2>Ports</h2><p>Use 587")
    assert title == "Page"
    assert text == "## Ports\n\nUse 587"


def test_chunk_json_metadata_is_chroma_safe(tmp_path):
    """Chroma only stores str/int/float/bool metadata: odd front matter must not break the run."""
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "odd.md").write_text("---\ntitle: 2024-01-01\nid: {nested: map}\nkind: [a, b]\nlang: 12\n---\n"
                                   "# Odd\n\nText with odd front matter.\n", encoding="utf-8")
    summary = ingest([{"type": "folder", "path": str(folder), "name": "odd"}], home=tmp_path / "home",
                     embedding=HASH)
    st = state(tmp_path / "home")
    assert_consistent(st)
    assert summary.total_chunks == 1
    meta = next(iter(st["metas"].values()))
    assert all(isinstance(v, (str, int, float, bool)) for v in meta.values())
    json.dumps(meta)


def test_lexical_index_survives_a_kill_between_its_two_renames(tmp_path):
    path = tmp_path / "lexical-hash-64"
    LexicalIndex.build(["a", "b"], ["relay denied for domain", "certificate expired"]).save(path)
    path.rename(path.with_name(path.name + ".old"))      # save() of the next version got this far
    index = LexicalIndex.load(path)
    assert index.ids == ["a", "b"] and index.search("certificate")[0][0] == "b"
