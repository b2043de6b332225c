"""The replay report as text or Markdown (JSON is ReplayReport.to_dict); masked by the caller."""
from __future__ import annotations

from app.live.replay.words import outcome_words, say, word


def _stage(row: dict) -> str:
    return row["stage"] + (f" <{row['target']}>" if row.get("target") else "")


def _dialogue(r, lang: str) -> list[str]:
    """Each real reply, the prediction under it, the simulator's notes, and how they compare; the
    label column is as wide as the longest label (a long recipient keeps the columns aligned)."""
    from app.core.localize import step_note
    width = max((len(_stage(row)) for row in r.dialogue), default=0)
    pad = " " * width
    out = []
    for row in r.dialogue:
        out.append(f"{_stage(row):<{width}} {say(lang, 'real')}: {row['real']}")
        if row.get("attributed"):
            out.append(f"{pad} ↳ {row['attributed']}")
        if row["predicted"]:
            out.append(f"{pad} {say(lang, 'predicted')}: {row['predicted']}"
                       + (f" ({row['predicted_by']})" if row.get("predicted_by") else ""))
        out += [f"{pad} · {step_note(note, lang)}" for note in row.get("predicted_notes", [])
                if not note.startswith("likely")]
        out.append(f"{pad} {row['note']}")
    return out


def _log(r) -> list[str]:
    out = []
    for row in r.log:
        out.append(row["line"])
        if row["note"]:
            out.append(f"    ↳ {row['note']}" + (f" [{row['source']}]" if row.get("source") else ""))
    return out


def _sections(r, lang: str) -> list[tuple[str, list[str]]]:
    """(heading, lines) in the order an admin reads them."""
    changes = [f"{c['file']}: {c['key']}: {c['was'] if c['was'] is not None else say(lang, 'unset')} → "
               f"{c['now'] if c['now'] is not None else say(lang, 'removed')}  ({c['why']})" for c in r.changes]
    backends = [f"{word(lang, 'b_' + b['name'], b['name'])}: "
                f"{say(lang, 'dead') if b['state'] == 'dead' else say(lang, 'standin')} {say(lang, 'at')} "
                f"{b['where']} ({b['why']})" for b in r.backends]
    plugins = [f"{p['name']}: {word(lang, 'how_' + p['how'], p['how'])} ({p['detail']})" for p in r.plugins]
    dialogue, log = _dialogue(r, lang), _log(r)
    out = [(say(lang, "changes"), changes), (say(lang, "backends"), backends), (say(lang, "plugins"), plugins)]
    if r.haraka_error:
        out.append(("Haraka:", r.haraka_error.splitlines()[:1]))
    if r.dialogue:
        out.append((say(lang, "dialogue", port=r.port), dialogue))
    if any(b["state"] == "stand-in" and "forward" in b["name"] for b in r.backends):
        got = [f"MAIL FROM <{m['mail_from']}> RCPT {', '.join(m['rcpts'])} ({m['size']} bytes)" for m in r.forwarded]
        out.append((say(lang, "sink") if got else say(lang, "sink_none"), got))
    out.append((say(lang, "log"), log))
    out.append((say(lang, "caveats"), list(r.caveats)))
    return out


def _footer(r, lang: str) -> list[str]:
    lines = [say(lang, "verdict", text=v) for v in r.verdict] or \
            [say(lang, "verdict", text=say(lang, "v_no_start") if r.haraka_error else
                 say(lang, "v_failed", message="no session"))]
    if r.outcome:
        lines.append(say(lang, "outcome", outcome=r.outcome, sentence=outcome_words(r.outcome, lang), code=r.exit_code))
    if r.sandbox_removed:
        lines.append(say(lang, "cleanup", removed=say(lang, "yes"), left=len(r.processes_left)))
    else:
        lines.append(say(lang, "kept", path=r.sandbox))
    return lines


def render_text(r, lang: str = "en") -> str:
    out = [say(lang, "title", dir=r.config_dir, version=r.haraka_version, source=r.version_source)]
    for heading, lines in _sections(r, lang):
        out += ["", heading] + [f"  {line}" for line in lines]
    out += [""] + _footer(r, lang)
    return "\n".join(out) + "\n"


def render_markdown(r, lang: str = "en") -> str:
    from app.core.mdsafe import md_code_block, md_text
    out = ["# " + md_text(say(lang, "title", dir=r.config_dir, version=r.haraka_version,
                                         source=r.version_source))]
    for heading, lines in _sections(r, lang):
        out += ["", f"## {md_text(heading)}", ""]
        out += md_code_block("\n".join(lines), "text") if lines else []
    out += [""] + [f"**{md_text(line)}**" for line in _footer(r, lang)]
    return "\n".join(out) + "\n"
