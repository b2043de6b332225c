"""A Chinese question gets a Chinese answer: on every dev-set case asked in Chinese, the answer's
prose outside code (config, logs and commands stay as written) is at least 60 % Chinese, counted
as Chinese characters against Latin words (`ingest.tokenize.chinese_share`)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("chromadb")

from test_llm_stub import build_hash_index, case_context  # noqa: E402

from app.answer import Session  # noqa: E402
from app.answer.llm_settings import LLMSettings  # noqa: E402
from ingest.tokenize import chinese_share  # noqa: E402
from ingest.yamlload import safe_load  # noqa: E402

CASES = Path(__file__).parent / "cases"
CJK = re.compile(r"[\u4e00-\u9fff]")
ZH_CASES = sorted(p.parent.name.split("-", 1)[0] for p in CASES.glob("*/case.yaml")
                  if CJK.search(str((safe_load(p.read_text(encoding="utf-8")) or {}).get("question", ""))))
MIN_SHARE = 0.6


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_hash_index(tmp_path_factory.mktemp("zhindex"))


def test_enough_cases_are_asked_in_chinese():
    assert len(ZH_CASES) >= 20


@pytest.mark.parametrize("case", ZH_CASES)
def test_chinese_question_gets_a_chinese_answer(index, tmp_path, case):
    ctx = case_context(case)
    question = ctx.pop("question")
    ctx.pop("expect", None)
    answer = Session(**ctx, home=tmp_path, settings=LLMSettings(), index=index, persist=False).ask(question)
    assert answer.lang == "zh"
    share = chinese_share(answer.answer)
    assert share >= MIN_SHARE, f"{case}: {share:.0%} Chinese\n{answer.answer}"
    assert not re.search(r"\{[a-z_]+\}|‹[a-z_]+›", answer.answer), f"{case}: template marker in the answer"
