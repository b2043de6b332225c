"""The tools. Each is a thin call into the plain function the CLI and the app call, so an assistant
gets the same deterministic answer an admin gets from `mxdoctor check`, `simulate`, `triage`, `ask`,
`search` and `rules show`. The docstrings are the tool descriptions the assistant reads.

Masking, tool errors and the server's policy are not here: app.mcp.guard wraps every tool."""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from app.core.errors import InputError
from app.mcp.arguments import ConfigDir, Files, HarakaVersion, Inputs, Lang, Logs, Paste, Plugins, Rcpts

NOTHING_GIVEN = ("nothing to check: give plugins, files, paste, logs or config_dir "
                 "(the text of the admin's config files and logs)")


def check(plugins: Plugins = None, files: Files = None, paste: Paste = None, logs: Logs = None,
          config_dir: ConfigDir = None, rcpt: Rcpts = None, haraka_version: HarakaVersion = None,
          lang: Lang = "en") -> dict[str, Any]:
    """Run mxdoctor's deterministic checks on a Haraka + WildDuck mail server's config files and logs.

    Returns the diagnosis as `mxdoctor check --format json` prints it: a verdict (headline, cause,
    action), findings with stable rule ids (MXD...), the evidence (file and line), each finding's
    fix verified by re-running every check, the hook pipeline simulation, the versions found and
    what could not be checked without more files. Secrets are masked."""
    from app.core.diagnose import diagnose
    given = Inputs(plugins, files, paste, logs, config_dir)
    if not given.given():
        raise InputError(NOTHING_GIVEN)
    d = diagnose(**given.keywords(), envelope={"rcpt": rcpt} if rcpt else None, haraka_version=haraka_version)
    return d.to_dict(lang)


def simulate(plugins: Plugins = None, files: Files = None, paste: Paste = None, config_dir: ConfigDir = None,
             rcpt: Rcpts = None,
             mail_from: Annotated[str | None, Field(description="the MAIL FROM address")] = None,
             helo: Annotated[str | None, Field(description="the HELO/EHLO name the client gives")] = None,
             ip: Annotated[str | None, Field(description="the client's IP (default: an outside address)")] = None,
             unknown_users: Annotated[list[str] | None, Field(
                 description="recipients WildDuck does not know (the others are taken as existing users)")] = None,
             logs: Logs = None, haraka_version: HarakaVersion = None) -> dict[str, Any]:
    """Walk one SMTP transaction through Haraka's hook pipeline as this config orders it.

    Returns the plugins in the order Haraka runs them at each hook, what each one answers for the
    envelope (connect, helo, mail, rcpt, data, queue), the final outcome (accepted, refused, where
    the mail goes) and the doubts along the way. Missing envelope parts come from the logs and the
    config."""
    from app.core.diagnose import keep_events
    from app.core.inputs import load_inputs
    from app.core.logs import parse_lines
    from app.core.simulate import simulate as walk
    from app.core.versions import detect_versions, override
    from ingest.textio import to_lines
    override(haraka_version)
    given = Inputs(plugins, files, paste, None, config_dir)
    if not given.given():
        raise InputError("nothing to simulate: give plugins (config/plugins), files, paste or config_dir")
    cs = load_inputs(given.paths(), given.texts())
    events, _ = keep_events(parse_lines(to_lines(logs)[0], "pasted.log")) if logs else ([], 0)
    envelope = {"ip": ip, "helo": helo, "from": mail_from, "rcpt": rcpt or [], "unknown_users": unknown_users or []}
    sim = walk(cs, envelope=envelope, events=events)
    return sim.to_dict() | {"versions": detect_versions(cs, events, haraka_version).to_dict()}


def triage(logs: Annotated[str, Field(description="Haraka / WildDuck log lines (any of Haraka's log formats; "
                                                   "syslog, journald and docker prefixes are fine)")],
           haraka_version: HarakaVersion = None,
           timelines: Annotated[bool, Field(description="also give each SMTP transaction's timeline")] = False
           ) -> dict[str, Any]:
    """Summarise mail server logs like `mxdoctor triage --format json`: real SMTP outcomes (accepted,
    refused and why, by plugin and code), WildDuck's delivery results, errors and timeouts, and
    every kind of warning, error, refusal and 4xx/5xx reply explained once (who printed it, at
    which hook, what it means, the source line at the admin's release)."""
    from app.core.triage import triage as summarise
    from ingest.textio import to_lines
    lines, _ = to_lines(logs)
    report = summarise([("pasted.log", lines)], timelines=timelines, explain=True, haraka_version=haraka_version)
    return report.to_dict()


def explain_log_line(line: Annotated[str, Field(description="one log line (a stack trace may follow it)")],
                     haraka_version: HarakaVersion = None, lang: Lang = "en") -> dict[str, Any]:
    """Explain a Haraka / WildDuck log line from the code that printed it: the emitter (plugin or
    core), the hook it ran at, what it means for the mail, the source line at the admin's release
    (a link), the config files and keys that code reads, and what an OS or library error in it
    (ECONNREFUSED, ...) means and how to fix it. Any line whose meaning is known is explained,
    whatever its level: a hook's answer (hook=rcpt ... retval=OK), Haraka's summary lines
    (recipient, sender, message, queue, connect, disconnect), the replies it sent."""
    from app.core.explain import explain_events
    from app.core.logs import parse_lines
    from app.core.messages import message_index
    from app.core.versions import override
    from ingest.textio import to_lines
    override(haraka_version)
    events = list(parse_lines(to_lines(line)[0], "pasted.log"))
    explained = [x for x in explain_events(events, haraka_version, message_index(), quiet=True) if not x.continues]
    if not explained:
        return {"explanations": [], "note": "Nothing mxdoctor can explain: no warning or error, refusal, reply, "
                                            "hook answer or Haraka summary line here."}
    return {"explanations": [_explanation(x, haraka_version, lang) for x in explained]}


def _explanation(x, version: str | None, lang: str) -> dict[str, Any]:
    words = x.i18n.get(lang, {}) if lang != "en" else {}
    system = x.system
    return {"line": f"{x.event.file}:{x.event.lineno}", "text": x.event.raw, "category": x.category,
            "emitter": x.emitter, "hook": x.hook, "meaning": words.get("effect") or x.effect,
            **_message_facts(x.message, version, x.category), "in_your_release": x.in_version,
            "crashed_in": words.get("crashed_in") or x.crashed_in or None,
            "system_error": None if system is None else {
                "code": system.code, "means": words.get("means") or system.means, "fix": words.get("fix") or system.fix}}


def _message_facts(m, version: str | None, category: str) -> dict[str, Any]:
    """Where the line's message is printed: the source link, function, releases, config it reads.
    A quiet line asked about (a hook's answer, a summary) may have no text of its own to look up."""
    if m is None:
        quiet = category not in ("error", "refusal", "reply", "result")
        return {"source": None} if quiet else {"source": None, "note": "no indexed message has this text"}
    return {"source": m.link(version), "function": m.function or None, "releases": m.versions,
            "config_files": [f"config/{f}" for f in m.config_files], "config_keys": list(m.config_keys)}


def search(query: Annotated[str, Field(description="what to look for, in English or Chinese", min_length=1)],
           k: Annotated[int, Field(description="how many passages", ge=1, le=20)] = 5) -> dict[str, Any]:
    """Search mxdoctor's knowledge base (its notes, rule pages, plugin pages, the Haraka and plugin
    docs, and the sources the operator added) and return the best passages with their titles and
    links. Needs the index (`mxdoctor ingest`)."""
    from app.retrieval.index import open_index
    from app.retrieval.search import search as hybrid_search
    index, why = open_index()
    if index is None:
        if why == "not indexed":
            raise InputError("the knowledge base is not indexed yet: run `mxdoctor ingest` on the server "
                             "(or start `mxdoctor app` once), then search again")
        raise InputError(f"the knowledge base's index cannot be read ({why}): run `mxdoctor ingest` to rebuild it")
    return {"passages": [p.to_dict() | {"url": p.link} for p in hybrid_search(query, k=k, index=index)]}


def ask(question: Annotated[str, Field(description="the question, in English or Chinese", min_length=1)],
        plugins: Plugins = None, files: Files = None, paste: Paste = None, logs: Logs = None,
        config_dir: ConfigDir = None, rcpt: Rcpts = None, haraka_version: HarakaVersion = None,
        k: Annotated[int, Field(description="passages to retrieve for the question", ge=1, le=20)] = 6,
        offline: Annotated[bool, Field(description="use the offline composer even if the server has an LLM "
                                                   "configured")] = False) -> dict[str, Any]:
    """Answer a question about a mail server, leading with what the checks found in the given config
    and logs, every claim citing a passage [n] of the knowledge base. Answered by the offline
    composer unless the server's operator configured an LLM; answers in the question's language."""
    from app.answer import ask as answer
    given = Inputs(plugins, files, paste, logs, config_dir)
    keywords = given.keywords()
    paths = keywords.pop("paths")
    reply = answer(question, paths, **keywords, envelope={"rcpt": rcpt} if rcpt else None, k=k,
                   use_llm=False if offline else None, persist=False, haraka_version=haraka_version)
    return reply.to_dict()


def rule(rule_id: Annotated[str, Field(description="a rule id, e.g. MXD101", min_length=1, max_length=40)],
         lang: Lang = "en") -> str:
    """One rule's page, as `mxdoctor rules show ID` prints it: what it detects and why it matters,
    the fix, the releases it is written for, the citations and examples."""
    from app.core.rules.pages import rule_page_markdown
    return rule_page_markdown(find_rule(rule_id), lang)


def find_rule(rule_id: str):
    """The loaded rule with this id (any case); InputError naming the closest ids otherwise."""
    import difflib

    from app.core.rules.loader import load_rules
    rules = {r.id: r for r in load_rules()}
    wanted = rule_id.strip().upper()
    if wanted in rules:
        return rules[wanted]
    close = difflib.get_close_matches(wanted, list(rules), n=5, cutoff=0.6)
    hint = f"; close: {', '.join(close)}" if close else f"; the rules are {min(rules)}..{max(rules)}"
    raise InputError(f"no rule {rule_id!r}{hint}")


def probe(host: Annotated[str, Field(description="the mail server to connect to (name or IP)")],
          port: Annotated[int, Field(description="SMTP port", ge=1, le=65535)] = 25,
          rcpt: Annotated[list[str] | None, Field(description="recipients to try with RCPT TO")] = None,
          mail_from: Annotated[str, Field(description="the MAIL FROM address (empty: the null sender)")] = "",
          helo: Annotated[str | None, Field(description="the EHLO name (default: this machine's name)")] = None,
          starttls: Annotated[bool, Field(description="upgrade with STARTTLS first (fails when not offered)")] = False,
          tls_verify: Annotated[bool, Field(description="check the server's certificate against the system's "
                                                        "CAs (with starttls)")] = False,
          send: Annotated[bool, Field(description="send a test message after the recipients are accepted "
                                                  "(default: stop before DATA)")] = False,
          timeout: Annotated[float, Field(description="seconds per step", gt=0, le=120)] = 30.0,
          plugins: Plugins = None, files: Files = None, paste: Paste = None, config_dir: ConfigDir = None,
          haraka_version: HarakaVersion = None) -> dict[str, Any]:
    """Talk SMTP to a live server, step by step (banner, EHLO, STARTTLS, MAIL FROM, RCPT TO, and DATA
    only when `send` is true), and report each reply with who wrote it (Haraka's core or a plugin)
    and what it means. With the server's config (plugins, files, paste or config_dir, as for
    `check`), each reply is set beside the simulator's prediction (`comparison`). Only on a server
    started with --allow-probe."""
    from app.core.inputs import load_inputs
    from app.live.probe import probe as run_probe
    given = Inputs(plugins, files, paste, None, config_dir)
    config = load_inputs(given.paths(), given.texts()) if given.given() else None
    try:
        report = run_probe(host=host, port=port, rcpts=list(rcpt or []), mail_from=mail_from, helo=helo,
                           starttls=starttls, send=send, timeout=timeout, verify_tls=tls_verify, config=config,
                           config_paths=[config_dir] if config_dir else None, haraka_version=haraka_version)
    except ValueError as exc:                 # a malformed address: nothing was sent
        raise InputError(str(exc)) from exc
    return report.to_dict()


TOOLS = (check, simulate, triage, explain_log_line, search, ask, rule)
