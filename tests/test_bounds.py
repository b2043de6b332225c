"""Bounded work: a YAML alias bomb (pasted or in a team rule), rule regexes on adversarial lines,
and the worker budget each stay within their bounds, and say so. bench/bounds.py measures the same
attacks (time, memory, before and after); here each bound is shown to be enforced: the message
appears, and a bomb run in a child under an address-space and CPU limit finishes."""
from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from app.core.budget import Budget, BudgetExceeded, run_within
from app.core.errors import RuleError
from app.core.rules.conditions.span import REGEX_SPAN
from app.core.rules.parse import parse_rule
from app.core.rules.schema.regexsafe import UnsafeRegex, check_regex
from ingest.yamlload import PASTE, RULE, YAMLBudgetError, safe_load, safe_load_all
from ingest.yamlload import Budget as YamlBudget

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def _bench():
    spec = importlib.util.spec_from_file_location("bench_bounds", ROOT / "bench" / "bounds.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


BENCH = _bench()


def run_bounded(code: str, megabytes: int = 500, cpu_s: int = 60) -> dict:
    """`code` in a fresh interpreter under RLIMIT_AS and RLIMIT_CPU; the JSON it prints last."""
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * MB, megabytes * MB))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=limits,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=cpu_s * 4)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- YAML within a budget

def test_the_bomb_is_small_and_would_expand_to_hundreds_of_millions():
    bomb = BENCH.yaml_bomb()
    assert len(bomb) < 400
    data = yaml.safe_load(bomb)          # PyYAML shares the lists: cheap until something walks it
    assert len(data["redis"]) == 9 and len(data["redis"][0][0][0][0][0][0][0][0]) == 9


def test_an_alias_bomb_is_refused_at_its_line():
    with pytest.raises(YAMLBudgetError) as err:
        safe_load(BENCH.yaml_bomb(), PASTE)
    assert "alias bomb" in err.value.problem and err.value.problem_mark.line + 1 > 1


def test_aliases_within_the_budget_load_as_pyyaml_loads_them():
    compose = ("x-base: &base {restart: always, env: &env {A: '1'}}\nservices:\n"
               "  mx: {<<: *base, image: haraka, environment: *env}\n  db: {<<: *base, image: mongo}\n")
    assert safe_load(compose, PASTE) == yaml.safe_load(compose)
    assert safe_load_all("a: 1\n---\nb: 2\n", PASTE) == [{"a": 1}, {"b": 2}]
    assert safe_load("", PASTE) is None and safe_load("glob: '*.example.com'\n", PASTE) == {"glob": "*.example.com"}


@pytest.mark.parametrize("text, budget, words", [
    ("a: &a [*a]\n", PASTE, "recursive"),
    ("a: &a x\nb: [" + ",".join(["*a"] * 20) + "]\n", YamlBudget(max_aliases=10), "more than 10 alias uses"),
    ("a: &a '" + "x" * 1000 + "'\nb: [" + ",".join(["*a"] * 20) + "]\n", YamlBudget(max_chars=10_000),
     "MB of text"),
    ("a: " + "x" * 2000 + "\n", YamlBudget(max_bytes=1000), "over the"),
])
def test_each_limit_of_the_budget_is_enforced(text, budget, words):
    with pytest.raises(YAMLBudgetError, match=words):
        safe_load(text, budget)


def test_yaml_errors_read_as_pyyaml_writes_them():
    with pytest.raises(yaml.YAMLError) as ours:
        safe_load("a: b: c\n")
    with pytest.raises(yaml.YAMLError) as theirs:
        yaml.safe_load("a: b: c\n")
    assert str(ours.value) == str(theirs.value)


def test_a_pasted_bomb_is_reported_within_500_mb():
    """Before: `check` on this paste grew past 2 GB and died (MXD401 compares str(redis))."""
    got = run_bounded("import json\nfrom app.core.diagnose import diagnose\n"
                      f"d = diagnose(texts=[('config/wildduck.yaml', {BENCH.yaml_bomb()!r})])\n"
                      "print(json.dumps([[p.file, p.line, p.message] for p in d.problems]))")
    assert any(f == "config/wildduck.yaml" and "YAML not read" in m and "alias bomb" in m for f, _, m in got), got


def test_a_team_rule_bomb_is_reported_and_rules_show_still_works(tmp_path):
    """Before: `rules show` with this team folder never finished (pydantic walked every alias)."""
    team = tmp_path / "team"
    team.mkdir()
    (team / "ACME900.yaml").write_text(BENCH.rule_bomb())
    (team / "ACME603.yaml").write_text((ROOT / "kb/rules/MXD603.yaml").read_text().replace("MXD603", "ACME603"))
    got = run_bounded("import contextlib, io, json\nfrom app.cli import main\nerr = io.StringIO()\n"
                      "with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):\n"
                      f"    rc = main(['rules', 'show', 'ACME603', '--rules', {str(team)!r}])\n"
                      "print(json.dumps([rc, err.getvalue()]))", cpu_s=30)
    assert got[0] == 0
    assert "ACME900.yaml:" in got[1] and "rule file not read" in got[1] and "alias bomb" in got[1]


def test_a_rule_file_budget_is_smaller_than_a_paste_budget():
    assert RULE.max_nodes < PASTE.max_nodes and RULE.max_bytes < PASTE.max_bytes


# --------------------------------------------------------------------------- rule regexes

UNSAFE = [r"(a+)+$", r"(\w+\s?)*$", r"(\s|.)*x", r"\S+ expired on", r"(?=.*x)(?=.*y)", r"openssl \S+.* failed",
          r".*timeout", r"(?:x|\S+)y", r"(\d{1,3}\.?)*z"]
SAFE = [r"(?<!\S)\S+ expired on \w{3}", r"^(?=.*x)(?=.*y)", r"openssl \S.* failed", r"^\s*(?:[\w.\-]+/)*redis$",
        r"(?:\.\d{1,3}){3}", r"client connection error: .*SSL routines", r"^tls$", r"\S{1,64}@x", r"(?:^|,)\s*x"]


@pytest.mark.parametrize("pattern", UNSAFE)
def test_shapes_that_backtrack_on_a_long_line_are_refused(pattern):
    with pytest.raises(UnsafeRegex, match="unsafe regular expression"):
        check_regex(pattern)


@pytest.mark.parametrize("pattern", SAFE)
def test_linear_shapes_pass(pattern):
    check_regex(pattern)


TEAM_RULE = """id: ACME603
title: "a certificate expired"
severity: warning
category: tls
when:
  log: {regex: 'REGEX'}
explanation: a certificate expired
"""


def test_a_team_rule_with_the_old_quadratic_regex_is_refused_at_its_line():
    with pytest.raises(RuleError) as err:
        parse_rule(TEAM_RULE.replace("REGEX", r"\S+ expired on \w{3}"), "ACME603.yaml")
    assert err.value.line == 6 and "unsafe regular expression" in err.value.message and "(?<!\\S)" in err.value.message
    parse_rule(TEAM_RULE.replace("REGEX", r"(?<!\S)\S+ expired on \w{3}"), "ACME603.yaml")


SPAN_RULE = """id: ACME700
title: "a needle"
severity: info
category: config
when:
  any:
    - text: {regex: 'needle', files: ['*smtp.ini']}
    - log: {regex: 'needle'}
explanation: found {match}
"""


@pytest.mark.parametrize("where", ["config", "log"])
@pytest.mark.parametrize("end, fires", [(6, True), (REGEX_SPAN, True), (REGEX_SPAN + 1, False), (60_000, False)])
def test_rule_regexes_read_only_the_head_of_a_long_line(where, end, fires):
    """`end`: where in the line the needle ends."""
    from app.core.checks import run_checks
    from app.core.inputs import load_texts
    from app.core.logs import parse_lines
    rule = parse_rule(SPAN_RULE, "ACME700.yaml")
    head = "; " if where == "config" else "[INFO] [-] [core] "
    line = head + "x" * (end - len(head) - 6) + "needle"
    files = [("config/smtp.ini", f"[main]\n{line}\n" if where == "config" else "[main]\n")]
    events = list(parse_lines([line], "pasted.log")) if where == "log" else []
    findings, _ = run_checks(load_texts(files), events, logs_given=bool(events), rules=[rule], verify_fixes=False)
    assert bool(findings) is fires


@pytest.mark.parametrize("shape", ["gelf", "plain", "error"])
def test_long_lines_without_spaces_are_diagnosed_within_a_cpu_limit(tmp_path, shape):
    """Before: MXD603's `\\S+ expired` and MXD404's unanchored lookaheads cost each 64 kB line its
    length squared (seconds per line); 40 such lines took minutes of CPU."""
    log = BENCH._write_lines(tmp_path / f"{shape}.log", BENCH.LINE_SHAPES[shape], 40 * (BENCH.LINE + 100))
    got = run_bounded("import json\nfrom app.core.diagnose import diagnose\n"
                      f"d = diagnose(log_paths=[{str(log)!r}])\nprint(json.dumps(d.log_lines))", cpu_s=30)
    assert got == 40


# --------------------------------------------------------------------------- the worker budget

def test_the_worker_returns_the_result_and_what_it_used():
    used: dict = {}
    assert run_within(Budget(60, 500), sum, [1, 2, 3], usage=used) == 6
    assert used["cpu_s"] >= 0 and used["peak_mb"] > 0


def test_the_worker_raises_the_work_s_own_error():
    with pytest.raises(ValueError):
        run_within(Budget(60, 500), int, "not a number")


def test_the_worker_sees_the_environment_of_the_moment(monkeypatch):
    run_within(Budget(60, 500), sum, [])                    # the fork server is up before the change
    monkeypatch.setenv("MXDOCTOR_BOUNDS_PROBE", "seen")
    assert run_within(Budget(60, 500), os.getenv, "MXDOCTOR_BOUNDS_PROBE") == "seen"


def test_work_over_its_time_budget_is_stopped_with_a_message():
    started = time.perf_counter()
    with pytest.raises(BudgetExceeded) as err:
        run_within(Budget(1, 500), time.sleep, 120)
    assert err.value.kind == "time" and time.perf_counter() - started < 30
    assert "time budget of 1 s" in str(err.value) and "MXDOCTOR_DIAGNOSE_SECONDS" in str(err.value)


def test_work_over_its_memory_budget_is_stopped_and_the_caller_keeps_its_memory():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(BudgetExceeded) as err:
        run_within(Budget(60, 100), bytearray, 600 * MB)
    assert err.value.kind == "memory" and "MXDOCTOR_DIAGNOSE_MB" in str(err.value)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300 * 1024     # KB: not here


def test_a_real_diagnosis_runs_in_the_worker():
    from app.core.diagnose import diagnose
    from app.core.examples import example_files
    d = run_within(Budget(120, 1024), diagnose, texts=list(example_files("canonical").items()))
    assert any(f.rule == "MXD101" for f in d.findings)


def test_a_bomb_in_a_wiki_page_s_front_matter_is_reported_not_expanded():
    from ingest.frontmatter import split_front_matter
    meta, body, err = split_front_matter("---\n" + BENCH.yaml_bomb() + "---\n# A page\n")
    assert meta == {} and body.startswith("# A page") and "alias bomb" in err


# --------------------------------------------------------------------------- one session's uploads

class _Upload:
    """What the uploader hands over: a name, a size, the bytes on demand (counted)."""

    def __init__(self, name: str, size: int, file_id: str = ""):
        self.name, self.size, self.file_id, self.reads = name, size, file_id or name, 0

    def getvalue(self) -> bytes:
        self.reads += 1
        return b"x" * self.size


def test_uploads_past_the_session_cap_are_never_read():
    from app.ui.uploads import within_room
    files = [_Upload("a.log", 40 * MB), _Upload("b.log", 40 * MB), _Upload("c.log", 40 * MB)]
    kept, notes, used = within_room(files, room=100 * MB, cap=100 * MB)
    assert [n for n, _ in kept] == ["a.log", "b.log"] and used == 80 * MB
    assert files[2].reads == 0 and "c.log: 41,943,040 bytes would go over this session's upload cap of 100 MB" in notes[0]
    kept, notes, used = within_room([_Upload("d.log", 30 * MB)], room=20 * MB, cap=100 * MB)   # what is left
    assert not kept and used == 0 and notes


def test_taken_uploads_leave_streamlit_s_upload_store():
    pytest.importorskip("streamlit")
    from types import SimpleNamespace

    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

    from app.ui.uploads import release_uploads
    store = MemoryUploadedFileManager("/upload")
    store.add_file("s1", UploadedFileRec("f1", "haraka.log", "text/plain", b"x" * MB))
    store.add_file("s2", UploadedFileRec("f2", "other.log", "text/plain", b"y" * MB))
    files = [UploadedFile(rec, None) for rec in store.get_files("s1", ["f1"])]
    release_uploads(files, SimpleNamespace(uploaded_file_mgr=store, session_id="s1"))
    assert store.get_files("s1", ["f1"]) == [] and len(store.get_files("s2", ["f2"])) == 1   # others' stay


def test_spooled_config_files_read_back_and_stale_spools_are_swept(tmp_path):
    from app.ui.uploads import SPOOL_TTL, read_spooled, spool_texts, sweep_spools
    spool = tmp_path / "spool"
    items = spool_texts(spool / "browser1", [("config/plugins", b"wildduck\n"), ("config/smtp.ini", b"[main]\n")])
    assert read_spooled(items) == ([("config/plugins", b"wildduck\n"), ("config/smtp.ini", b"[main]\n")], [])
    (spool / "browser2").mkdir()
    old = time.time() - SPOOL_TTL - 60
    os.utime(spool / "browser1", (old, old))
    assert sweep_spools(spool) == ["browser1"] and (spool / "browser2").is_dir()
    texts, gone = read_spooled(items)
    assert texts == [] and "no longer kept" in gone[0]


def test_an_allocation_failure_in_c_code_counts_as_the_memory_budget():
    from app.core.budget import _out_of_memory
    assert _out_of_memory(MemoryError()) and _out_of_memory(SystemError("error return without exception set"))
    assert _out_of_memory(OSError(12, "Cannot allocate memory"))
    try:
        try:
            raise MemoryError
        except MemoryError as inner:
            raise ValueError("while parsing") from inner
    except ValueError as outer:
        assert _out_of_memory(outer)
    assert not _out_of_memory(ValueError("a bug")) and not _out_of_memory(OSError(2, "No such file"))
