"""Real Haraka on loopback as the oracle for mxdoctor's simulator and log parser.

For every scenario in scenarios.py and every log format, one Haraka is started, the scenario's
transactions are sent, and three things are checked against what really happened:
  1. the real replies are the ones the scenario documents (so the table stays true);
  2. app.core.logs.parse_lines understands every line Haraka printed;
  3. app.core.simulate predicts the same reply code at every stage where it claims to know.
Servers are started lazily and at most once per (scenario, format); their work dirs live under
pytest's tmp dir so the simulator can read the very config Haraka ran with.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from .harness import HarakaServer, Transcript, default_message, free_port, send
from .scenarios import LOGGED_STARTUP_NOISE, SCENARIOS, STARTUP_NOISE, Scenario, Send

pytestmark = pytest.mark.haraka

# (format, timestamps) runs: every scenario in the three formats, the canonical one also with
# log.ini timestamps=true, which prefixes each line with an ISO time.
FORMATS = [("default", False), ("logfmt", False), ("json", False)]
TIMESTAMPED = {"a_canonical_host_list_shadows_wildduck": [("default", True), ("json", True)]}

# Stages the simulator must not answer with "?"/"" (the point of mxdoctor: the shadowing case).
SIM_MUST_KNOW = {"a_canonical_host_list_shadows_wildduck": ["rcpt:alice@example.com", "data_end"]}


def _runs() -> list:
    out = []
    for sc in SCENARIOS:
        for fmt, ts in FORMATS + TIMESTAMPED.get(sc.id, []):
            out.append(pytest.param(sc, fmt, ts, id=f"{sc.id}-{fmt}{'-ts' if ts else ''}"))
    return out


# --------------------------------------------------------------------------- Haraka install

def _require_haraka() -> Path:
    """Haraka's package dir from tests/haraka_install.py: skips locally without node/npm, fails in CI."""
    try:
        from haraka_install import require_haraka  # tests/ is on sys.path (tests/conftest.py)
    except ImportError:
        from tests.haraka_install import require_haraka
    return Path(require_haraka())


@pytest.fixture(scope="module")
def haraka_install_dir() -> Path:
    return _require_haraka()


# --------------------------------------------------------------------------- running scenarios

@dataclass
class Run:
    scenario: Scenario
    log_format: str
    transcripts: list[Transcript]
    log_lines: list[str]
    config_dir: Path


@pytest.fixture(scope="module")
def run_scenario(haraka_install_dir, tmp_path_factory):
    cache: dict[tuple[str, str, bool], Run] = {}

    def run(sc: Scenario, fmt: str, timestamps: bool) -> Run:
        key = (sc.id, fmt, timestamps)
        if key not in cache:
            workdir = tmp_path_factory.mktemp(f"{sc.id}-{fmt}{'-ts' if timestamps else ''}")
            server = HarakaServer(sc.config_for_run(free_port()), sc.plugin_files(), log_format=fmt,
                                  timestamps=timestamps, install_dir=haraka_install_dir, workdir=workdir)
            with server:
                transcripts = [send(server, s.helo, s.mail_from, s.rcpts,
                                    default_message(s.mail_from, s.rcpts, date=s.date_header),
                                    esmtp=s.esmtp) for s in sc.sends]
                assert server.wait_for_disconnects(len(sc.sends)), (
                    "Haraka logged fewer connection summaries than connections:\n" + "\n".join(server.log_lines()))
                lines = server.log_lines()
            cache[key] = Run(sc, fmt, transcripts, lines, server.config_dir)
        return cache[key]

    return run


def _codes(t: Transcript) -> dict[str, int | None]:
    return {r.stage + (f":{r.target}" if r.target else ""): r.code for r in t.replies}


def _texts(t: Transcript) -> dict[str, str]:
    return {r.stage + (f":{r.target}" if r.target else ""): r.text for r in t.replies}


# --------------------------------------------------------------------------- 1. real behaviour

@pytest.mark.parametrize("scenario,fmt,timestamps", _runs())
def test_real_haraka_replies_as_documented(run_scenario, scenario, fmt, timestamps):
    run = run_scenario(scenario, fmt, timestamps)
    log = "\n".join(run.log_lines)
    for send_spec, transcript in zip(scenario.sends, run.transcripts):
        assert _codes(transcript) == send_spec.expect, f"real transcript:\n{transcript}\n\nlog:\n{log}"
        texts = _texts(transcript)
        for stage, fragment in send_spec.expect_text.items():
            assert fragment in texts.get(stage, ""), f"{stage}: {texts.get(stage)!r} lacks {fragment!r}"
    for pattern in scenario.log_has:
        assert any(re.search(pattern, line) for line in run.log_lines), f"no log line matches {pattern!r}:\n{log}"
    for pattern in scenario.log_lacks:
        hits = [line for line in run.log_lines if re.search(pattern, line)]
        assert not hits, f"log lines match {pattern!r} but must not: {hits}"


# --------------------------------------------------------------------------- 2. log parser

def _may_stay_other(ev, line: str) -> bool:
    """Console start-up banner lines, or logger start-up lines whose level the parser did read."""
    if any(re.search(p, line) for p in STARTUP_NOISE):
        return True
    return ev.level is not None and any(re.search(p, line) for p in LOGGED_STARTUP_NOISE)


def _field_matches(value, want: str) -> bool:
    return value is not None and str(value).strip('"') == want


@pytest.mark.parametrize("scenario,fmt,timestamps", _runs())
def test_log_parser_reads_every_line(run_scenario, scenario, fmt, timestamps):
    from app.core.logs import parse_lines

    run = run_scenario(scenario, fmt, timestamps)
    file = f"haraka-{fmt}.log"
    events = list(parse_lines(run.log_lines, file))

    problems: list[str] = []
    covered = {ev.lineno for ev in events}
    dropped = [(n, line) for n, line in enumerate(run.log_lines, 1) if line.strip() and n not in covered]
    if dropped:
        problems.append("lines the parser gave no event for:\n" + "\n".join(f"  {n}: {l}" for n, l in dropped[:10]))

    unread = [(ev.lineno, run.log_lines[ev.lineno - 1]) for ev in events
              if ev.kind == "other" and not _may_stay_other(ev, run.log_lines[ev.lineno - 1])]
    if unread:
        problems.append("Haraka-shaped lines left as kind 'other':\n" + "\n".join(f"  {n}: {l}" for n, l in unread))

    for kind, want in scenario.events:
        candidates = [ev for ev in events if ev.kind == kind]
        if not any(all(_field_matches(ev.fields.get(k), v) for k, v in want.items()) for ev in candidates):
            problems.append(f"no {kind} event with {want}; {kind} events seen:\n" + "\n".join(
                f"  line {ev.lineno} fields={ev.fields}" for ev in candidates))
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- 3. simulator

def _code(reply: str | None) -> int | None:
    """The code the simulator claims, None where it does not claim one ("" / "?")."""
    if reply and len(reply) >= 3 and reply[:3].isdigit():
        return int(reply[:3])
    return None


def _predicted_codes(sim, send_spec: Send) -> dict[str, tuple[int | None, str]]:
    """Stage -> (claimed code, which simulator step said so), in the transcript's stage names."""
    out: dict[str, tuple[int | None, str]] = {}

    def put(stage: str, step, label: str) -> None:
        if step is not None:
            out[stage] = (_code(step.reply), f"{label}: {step.reply!r}")

    put("banner", sim.step("connect"), "connect")
    helo_stage = "ehlo" if send_spec.esmtp else "helo"
    put(helo_stage, sim.step(helo_stage) or sim.step("ehlo" if helo_stage == "helo" else "helo"), helo_stage)
    put("mail", sim.step("mail"), "mail")
    for rcpt in send_spec.rcpts:
        put(f"rcpt:{rcpt}", sim.step("rcpt", rcpt), f"rcpt {rcpt}")
    put("data", sim.step("data"), "data")
    post = sim.step("data_post")
    post_code = _code(post.reply) if post else None
    if post_code is not None and post_code >= 400:
        put("data_end", post, "data_post")
    else:
        queue = sim.step("queue") or sim.step("queue_outbound")
        put("data_end", queue, queue.hook if queue else "queue")
    return out


@pytest.mark.parametrize("scenario", [pytest.param(sc, id=sc.id) for sc in SCENARIOS])
def test_simulator_predicts_real_replies(run_scenario, scenario):
    from app.core.inputs import load_paths
    from app.core.simulate import simulate

    run = run_scenario(scenario, "default", False)
    cs = load_paths([run.config_dir.parent])   # the instance: config/ and its local plugins/
    disagreements = []
    for send_spec, transcript in zip(scenario.sends, run.transcripts):
        sim = simulate(cs, envelope=send_spec.envelope())
        predicted = _predicted_codes(sim, send_spec)
        for stage, real in _codes(transcript).items():
            claimed, where = predicted.get(stage, (None, "no step"))
            if claimed is not None and claimed != real:
                unknown = f" (plugins it does not know: {sim.unknown_plugins})" if sim.unknown_plugins else ""
                disagreements.append(f"{stage}: real {real} {_texts(transcript)[stage]!r}, "
                                     f"simulator {where}{unknown}")
        for stage in SIM_MUST_KNOW.get(scenario.id, []):
            if predicted.get(stage, (None,))[0] is None:
                disagreements.append(f"{stage}: simulator claims no reply ({predicted.get(stage)})")
        for (hook, target), plugins in scenario.sim_shadowed.items():
            step = sim.step(hook, target)
            missing = [p for p in plugins if step is None or p not in step.shadowed]
            if missing:
                disagreements.append(f"{hook} {target}: {missing} not shadowed "
                                     f"(step: {step.shadowed if step else None})")
        for (hook, target), plugin in scenario.sim_answered_by.items():
            step = sim.step(hook, target)
            if step is None or step.answered_by != plugin:
                disagreements.append(f"{hook} {target}: answered_by {step.answered_by if step else None!r},"
                                     f" real Haraka: {plugin!r}")
        if scenario.sim_outcome and sim.outcome != scenario.sim_outcome:
            disagreements.append(f"outcome {sim.outcome!r}, expected {scenario.sim_outcome!r}")
    assert not disagreements, "simulator disagrees with real Haraka:\n  " + "\n  ".join(disagreements)
