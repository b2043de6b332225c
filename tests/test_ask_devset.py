"""The `ask` dev set (bench/ask_cases.yaml) end to end, offline, on a hash-embedding index.

Every case must lead with its expected rules (checks are deterministic, so no slack there);
facts and the no-invented-problems property of correct configurations must hold for nearly all.
bench/ask.py runs the same set on the real default embedding and prints the accuracy.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from test_llm_stub import build_hash_index

BENCH = Path(__file__).resolve().parent.parent / "bench" / "ask.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_ask", BENCH)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod            # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


bench = _bench()


def test_devset_is_big_enough_and_bilingual():
    cases = bench.load_devset()
    assert len(cases) >= 25
    assert sum(bool(bench.CJK.search(c.question)) for c in cases) >= 10
    assert sum(c.clean for c in cases) >= 5
    assert all(c.facts for c in cases)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    home = tmp_path_factory.mktemp("devset")
    index = build_hash_index(home)
    return bench.run_devset(index, home)


def test_devset_answers(results):
    s = bench.summary(results)
    failures = [(r.dev.case, r.dev.question[:40], r.missing_rules, r.missing_facts, r.invented, r.wrong_lang)
                for r in results if not r.passed]
    assert s["rule_recall"] == 1.0, failures
    assert all(not r.invented for r in results), failures          # correct configs: nothing invented
    assert all(not r.wrong_lang for r in results), failures
    assert s["accuracy"] >= 0.9, failures


def test_devset_citations_point_at_passages_that_say_it(results):
    from test_ask import assert_citations_say_it
    for r in results:
        assert_citations_say_it(r.answer)
