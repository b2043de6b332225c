"""kb/ data files are typed: a file that does not fit names the file, the key and the line;
an edit is picked up by a running process."""
import os
import shutil
from pathlib import Path

import pytest

from app.core.kbfile import KbDataError
from app.retrieval import vocabulary
from app.retrieval.query import content_terms, question_terms
from ingest.kbdata import kb_dir


@pytest.fixture
def kb_copy(tmp_path, monkeypatch) -> Path:
    kb = tmp_path / "kb"
    kb.mkdir()
    for name in ("words.yaml", "glossary.yaml"):
        shutil.copy(kb_dir() / name, kb / name)
    monkeypatch.setenv("MXDOCTOR_KB", str(kb))
    return kb


def test_the_shipped_word_lists_load_and_are_used():
    assert "mail" in vocabulary.words().generic and "because" in vocabulary.words().common_english
    assert "mail" not in content_terms("mail not stored in mongodb")
    assert "mongodb" in content_terms("mail not stored in mongodb")
    assert vocabulary.glossary().terms["收件人"].startswith("recipient")


def test_a_question_term_widens_the_question_but_not_the_search():
    from app.retrieval.query import expand_query
    assert "loglevel" in question_terms("日志几乎什么都没有")
    assert "loglevel" not in expand_query("日志几乎什么都没有")


def test_an_edit_is_picked_up_without_a_restart(kb_copy):
    assert "mongodb" in content_terms("mongodb")
    words = kb_copy / "words.yaml"
    words.write_text(words.read_text(encoding="utf-8").replace("generic: [", "generic: [mongodb, "), encoding="utf-8")
    st = words.stat()
    os.utime(words, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    assert "mongodb" not in content_terms("mongodb")


def test_a_misspelt_key_names_the_file_key_and_line(kb_copy):
    words = kb_copy / "words.yaml"
    text = words.read_text(encoding="utf-8").replace("common_english:", "comon_english:")
    words.write_text(text, encoding="utf-8")
    with pytest.raises(KbDataError) as err:
        vocabulary.words()
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("comon_english:"))
    assert err.value.file == str(words) and err.value.line == line
    assert f"words.yaml:{line}: comon_english: unknown key (did you mean `common_english`?)" in str(err.value)


def test_a_wrong_type_and_broken_yaml_are_errors_not_defaults(kb_copy):
    glossary = kb_copy / "glossary.yaml"
    glossary.write_text("terms:\n  收件人: {nested: map}\n", encoding="utf-8")
    with pytest.raises(KbDataError, match=r"glossary.yaml:2: terms.收件人"):
        vocabulary.glossary()
    glossary.write_text("terms: [unclosed\n", encoding="utf-8")
    with pytest.raises(KbDataError, match=r"glossary.yaml:\d+: not valid YAML"):
        vocabulary.glossary()


def test_a_question_pattern_that_is_not_a_regex_names_the_file_and_line(tmp_path, monkeypatch):
    from app.answer.intent import vocabulary
    kb = tmp_path / "kb"
    kb.mkdir()
    text = (kb_dir() / "questions.yaml").read_text(encoding="utf-8").replace("review:\n", "review:\n  - '(unclosed'\n", 1)
    (kb / "questions.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("MXDOCTOR_KB", str(kb))
    with pytest.raises(KbDataError) as err:
        vocabulary()
    line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("review:"))
    assert f"questions.yaml:{line}: review: Value error, '(unclosed' is not a regex" in str(err.value)
