"""Concurrent follow-ups on one `--session`: every turn is kept.

Real `mxdoctor ask` processes, started together on one stored session, each load it, answer and
store their turn. The history file is rewritten under a lock (fcntl) and replaced atomically, so
the last writer no longer drops the others' turns (before: 7 of 8 were lost). Feedback lines from
concurrent writers never interleave either.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

from app.answer.feedback import load_feedback, record_feedback
from app.answer.history import HistoryStore

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "kb" / "examples" / "canonical" / "config"
PROCESSES = 8


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, MXDOCTOR_HOME=str(home), MXDOCTOR_EMBEDDING="hash-64", PYTHONPATH=str(ROOT))
    env.pop("MXDOCTOR_LLM_BACKEND", None)
    return env


def _ask(home: Path, question: str, *paths: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", "ask", "--session", "ops", question, *paths],
                            env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_concurrent_follow_ups_on_one_session_are_all_kept(tmp_path):
    first = _ask(tmp_path, "why is mail not stored?", str(CONFIG))
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    questions = [f"and what about follow-up number {i}?" for i in range(PROCESSES)]
    procs = [_ask(tmp_path, q) for q in questions]          # all started before any finishes
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    stored = HistoryStore(tmp_path).load("ops")
    asked = [t["question"] for t in stored["turns"]]
    assert asked[0] == "why is mail not stored?"
    assert sorted(asked[1:]) == sorted(questions), f"lost: {set(questions) - set(asked)}"
    assert len(asked) == PROCESSES + 1
    assert stored["context"]["texts"], "the pasted context is kept for the next follow-up"
    assert not list((tmp_path / "history").glob("*.tmp")), "no temporary file is left behind"


def _append(args: tuple[str, int]) -> None:
    home, i = args
    HistoryStore(Path(home)).append("s", {"texts": []}, [{"question": f"q{i}", "answer": "a"}])


def _vote(args: tuple[str, int]) -> None:
    home, i = args
    record_feedback(f"question {i}", "x" * 20000, "down", home=Path(home))     # > one buffered write


def test_history_appends_and_feedback_lines_from_many_processes(tmp_path):
    with multiprocessing.get_context("spawn").Pool(8) as pool:
        pool.map(_append, [(str(tmp_path), i) for i in range(40)])
        pool.map(_vote, [(str(tmp_path), i) for i in range(40)])
    turns = HistoryStore(tmp_path).load("s")["turns"]
    assert sorted(t["question"] for t in turns) == sorted(f"q{i}" for i in range(40))
    lines = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40 and all(json.loads(line)["vote"] == "down" for line in lines)
    assert len(load_feedback(tmp_path)) == 40


def test_a_session_reloaded_and_saved_keeps_what_another_process_added(tmp_path):
    from app.answer.context import Session
    a = Session(texts=[("config/plugins", "wildduck\n")], session_id="x", home=tmp_path, persist=True)
    a.turns.append(_turn("first"))
    a.save()
    b = Session.load("x", home=tmp_path)
    c = Session.load("x", home=tmp_path)
    b.turns.append(_turn("from b"))
    c.turns.append(_turn("from c"))
    b.save()
    c.save()                          # c never saw b's turn; it must not drop it
    assert [t["question"] for t in HistoryStore(tmp_path).load("x")["turns"]] == ["first", "from b", "from c"]
    c.clear()
    assert HistoryStore(tmp_path).load("x") is None


def test_an_unreadable_history_file_is_kept_aside_not_overwritten(tmp_path):
    store = HistoryStore(tmp_path)
    store.path("y").parent.mkdir(parents=True)
    store.path("y").write_text('{"turns": [{"question": "half a fi', encoding="utf-8")
    store.append("y", {"texts": []}, [{"question": "next", "answer": "a"}])
    assert [t["question"] for t in store.load("y")["turns"]] == ["next"]
    aside = list(store.dir.glob("y.json.damaged-*"))
    assert len(aside) == 1 and "half a fi" in aside[0].read_text(encoding="utf-8")
    assert store.sessions() == ["y"]


def _turn(question: str):
    from app.answer.context import Turn
    return Turn(question=question, answer="an answer", lang="en")
