"""The replay's real replies and log lines set beside the simulator's prediction, in words.

Why here and not in app.core: it joins a live session (app.live.smtp) with the core's simulator,
log parser and line explainer; none of those needs to know a replay exists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.core.model import Catalog, ConfigSet, LogEvent, Simulation
from app.live.attribute import UNATTRIBUTED, attribute
from app.live.compare import envelope_of, step_for
from app.live.replay.plugins import STANDINS
from app.live.replay.words import say
from app.live.smtp import Session

REPLAY_IP = "127.0.0.1"
STANDIN_WORDS = {"rcpt": "standin_rcpt", "data_end": "standin_queue"}   # what a stand-in did not do
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")   # log.ini timestamps=true


@dataclass
class Prediction:
    cs: ConfigSet
    catalog: Catalog
    sim: Simulation
    version: str


def predict(config_dir: Path, version: str, session: Session, unknown: list[str]) -> Prediction:
    """What the simulator says this config does with the replay's very transaction (its envelope,
    its test message's headers), with the catalog as release `version` sees it."""
    from app.core.checks import release_catalog
    from app.core.inputs import load_paths
    from app.core.simulate import simulate
    from app.core.versions import detect_versions
    cs = load_paths([config_dir])
    catalog = release_catalog(cs, detect_versions(cs, haraka_version=version))
    envelope = envelope_of(session) | {"ip": REPLAY_IP, "unknown_users": list(unknown)}
    return Prediction(cs, catalog, simulate(cs, catalog, envelope=envelope), version)


def _code(reply: str | None) -> int | None:
    if reply and len(reply) >= 3 and reply[:3].isdigit():
        return int(reply[:3])
    return None


def _answered(events: list[LogEvent], stage: str, target: str | None) -> tuple[str, str, str, str] | None:
    """(plugin, retval, hook, msg) of the real log's hook result for this stage (Haraka logs the
    non-CONT answers)."""
    hooks = {"rcpt": ("rcpt",), "mail": ("mail",), "data": ("data",), "data_end": ("data_post", "queue"),
             "ehlo": ("ehlo", "helo"), "banner": ("connect", "lookup_rdns", "connect_init")}.get(stage, ())
    found = None
    for ev in events:
        f = ev.fields
        if ev.kind == "hook_result" and f.get("hook") in hooks and (target is None or f.get("address") == target):
            found = (f.get("plugin", "?"), f.get("retval", "?"), f.get("hook", "?"), f.get("msg", ""))
    return found


def dialogue(session: Session, events: list[LogEvent], pred: Prediction, lang: str = "en") -> list[dict]:
    """One row per real reply: what Haraka said, who produced it (attributed from the reply and
    from the log's hook result), and what the simulator predicted there."""
    rows = []
    for r in session.replies:
        if r.stage in ("quit", "rset"):
            continue
        step = step_for(pred.sim, r)
        row = {"stage": r.stage, "target": r.target, "real": r.line, "code": r.code}
        row |= _who(r, events, pred, step, lang) | _predicted(step)
        claimed = _code(row["predicted"]) if _code(row["predicted"]) is not None else _code(row["likely"])
        row["agrees"] = None if claimed is None else claimed == r.code
        row["note"] = _row_note(row, lang)
        rows.append(row)
    return rows


def _who(r, events: list[LogEvent], pred: Prediction, step, lang: str) -> dict:
    """Who produced the reply: attribute() from the reply's text, the log's hook result where that
    finds nobody (the log is what really happened)."""
    att = attribute(r, version=pred.version, catalog=pred.catalog, config=pred.cs, step=step)
    real_by = _answered(events, r.stage, r.target)
    out = {"answered_by": real_by[0] if real_by else None, "retval": real_by[1] if real_by else None,
           "attributed": att.said(lang), "emitter": att.emitter, "hook": att.hook,
           "confidence": att.confidence, "source": att.source}
    if att.emitter == UNATTRIBUTED and real_by:
        out |= {"attributed": say(lang, "from_log", plugin=real_by[0], retval=real_by[1], hook=real_by[2],
                                  msg=real_by[3]),
                "emitter": real_by[0], "hook": real_by[2], "confidence": "high"}
    return out


def _predicted(step) -> dict:
    if step is None:
        return {"predicted": "", "predicted_by": None, "likely": "", "predicted_notes": [], "shadowed": []}
    likely = _likely(step) if _code(step.reply) is None else None
    return {"predicted": step.reply, "predicted_by": step.answered_by, "likely": likely or "",
            "predicted_notes": list(step.notes), "shadowed": list(step.shadowed)}


def _likely(step) -> str | None:
    """The reply a step's notes call likely where the simulator would not claim one ("likely reply: 250 ...")."""
    for note in step.notes:
        if note.startswith("likely reply: "):
            return note[len("likely reply: "):]
    return None


def _row_note(row: dict, lang: str) -> str:
    parts = []
    if row["answered_by"]:
        parts.append(say(lang, "by", plugin=row["answered_by"], retval=row["retval"]))
        if row["predicted_by"] and row["predicted_by"] != row["answered_by"]:
            parts.append(say(lang, "other_plugin", plugin=row["predicted_by"]))
    parts.append(say(lang, "unclaimed") if row["agrees"] is None else
                 say(lang, "agree") if row["agrees"] else say(lang, "differ"))
    if row["likely"] and row["agrees"] is not None:
        parts[-1] += f" ({say(lang, 'likely', reply=row['likely'])})"
    if row["shadowed"]:
        parts.append(say(lang, "shadowed", plugins=", ".join(row["shadowed"])))
    if STANDIN_WORDS.get(row["stage"]) and STANDINS & {row["answered_by"], row["emitter"]} and \
            (row["code"] or 500) < 400:
        parts.append(say(lang, STANDIN_WORDS[row["stage"]], rcpt=row["target"] or ""))
    return "; ".join(parts)


# --------------------------------------------------------------------------- the log

def _note(ev: LogEvent, lang: str) -> str:
    """Replay's words for a line the explainer leaves to it: the stand-in's own RESOLVED/STORED lines
    (it stores nothing, and says so) and its no-such-user refusal."""
    action = ev.fields.get("wildduck_action")
    if action in ("RESOLVED", "STORED"):
        return say(lang, action.lower(), rcpt=ev.fields.get("rcpt", ""))
    if "No such user" in ev.raw:
        return say(lang, "nouser")
    return ""


def log_rows(lines: list[str], version: str, lang: str = "en", dead: str = "") -> list[dict]:
    """Every line worth reading, once (the master and the worker print the start-up twice), with
    what it means: the explainer's words wherever it knows the line (quiet ones too), replay's for
    the stand-in's own lines and what the explainer does not know.
    A line naming `dead` (the loopback address backends were pointed at) says it was on purpose."""
    from app.core.explain import explain_events
    from app.core.logs import parse_lines
    events = list(parse_lines(lines, "haraka.log"))
    explained = {x.event.lineno: x for x in explain_events(events, version, quiet=True)}
    rows, seen = [], set()
    for ev in events:
        text = lines[ev.lineno - 1]
        key = _TIMESTAMP.sub("", text)
        if not text.strip() or (ev.uuid is None and key in seen):
            continue
        seen.add(key)
        x = explained.get(ev.lineno)
        standin = ev.fields.get("wildduck_action") in ("RESOLVED", "STORED")   # replay's words: it was the stand-in
        if x is not None and not x.continues and not standin:
            note = x.effect if lang == "en" else x.i18n.get(lang, {}).get("effect", x.effect)
            if dead and dead in text:
                note = f"{note} {say(lang, 'dead_line')}"
            rows.append({"line": text, "note": note, "emitter": x.emitter, "source": x.source(version)})
        elif "[mxdoctor-replay] blocked" in text:
            rows.append({"line": text, "note": say(lang, "blocked"), "emitter": "replay", "source": ""})
        elif ev.uuid or ev.kind == "plugin_line":
            rows.append({"line": text, "note": _note(ev, lang), "emitter": ev.origin or "", "source": ""})
    return rows


def events_of(lines: list[str]) -> list[LogEvent]:
    from app.core.logs import parse_lines
    return list(parse_lines(lines, "haraka.log"))
