"""The README cannot drift: every command it shows with output is run, and its key lines checked.

A README example is a fenced block whose first line is `$ mxdoctor ...` followed by output. Each
shown line must appear in the real output, in the same order (surrounding spaces aside); a line
ending in `...` stands for any line that starts with what comes before it, and a lone `...` for
any number of lines.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK_RE = re.compile(r"```[a-z]*\n(\$ mxdoctor [^\n]+)\n(.*?)```", re.S)


def examples() -> list[tuple[str, list[str]]]:
    out = []
    for m in BLOCK_RE.finditer(README.read_text(encoding="utf-8")):
        command, body = m.group(1)[2:], m.group(2)
        lines = [l.rstrip() for l in body.splitlines()]
        if any(l.strip() for l in lines) and not lines[0].startswith("$ "):
            out.append((command, lines))
    return out


def missing_lines(expected: list[str], actual: str) -> list[str]:
    """Expected lines not found in order in the actual output."""
    got = [l.strip() for l in actual.splitlines()]
    pos, missing = 0, []
    for line in (l.strip() for l in expected):
        if not line or line == "...":
            continue
        prefix = line[:-3].rstrip() if line.endswith("...") else None
        for i in range(pos, len(got)):
            if (got[i].startswith(prefix) if prefix is not None else got[i] == line):
                pos = i + 1
                break
        else:
            missing.append(line)
    return missing


def test_the_readme_shows_examples_with_output():
    commands = [c for c, _ in examples()]
    assert any(c.startswith("mxdoctor check") for c in commands)
    assert any(c.startswith("mxdoctor ask") for c in commands)
    assert len(commands) >= 5


@pytest.mark.parametrize("command, expected", examples(), ids=[c for c, _ in examples()])
def test_readme_example(command, expected, journey_home, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MXDOCTOR_HOME", str(journey_home))
    monkeypatch.delenv("MXDOCTOR_LLM_BACKEND", raising=False)
    main(shlex.split(command)[1:])
    out = capsys.readouterr().out
    assert not missing_lines(expected, out), (missing_lines(expected, out), out[:3000])


def test_the_matcher_is_strict():
    assert missing_lines(["a", "...", "c..."], "a\nb\ncd\n") == []
    assert missing_lines(["c", "a"], "a\nc\n") == ["a"]                  # order matters
    assert missing_lines(["x"], "a\n") == ["x"]
