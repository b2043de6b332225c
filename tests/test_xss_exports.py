"""No pasted or ingested text survives as live HTML: the Markdown, JSON and SARIF exports and the
app's sanitiser and escape helpers, against the corpus in tests/xss_corpus.py (tags, attributes,
javascript: links, Markdown link/image tricks, entity tricks, code/fence breakouts).

Each payload goes into every field of a real diagnosis that can carry input (titles,
explanations, evidence, fixes, file names, replies, versions...), and, end to end, into pasted
config files and logs. The judge renders Markdown with raw HTML on and no link validation.
`python -m pytest -s tests/test_xss_exports.py -k tally` prints "tried N, held M" per kind.
"""
from __future__ import annotations

import json

import pytest

pytest.importorskip("markdown_it")

from xss_corpus import CORPUS, bad_url, live_in_html, live_in_markdown, payloads, visible_text  # noqa: E402

from app.core.diagnose import diagnose  # noqa: E402
from app.core.examples import example_files  # noqa: E402
from app.core.report import render, safe_json  # noqa: E402
from app.core.report.markdown import render_markdown  # noqa: E402
from app.core.report.sarif import render_sarif  # noqa: E402
from app.ui.answer_markdown import answer_markdown  # noqa: E402
from app.ui.safe import escape_md, plain_text  # noqa: E402

KEEP = {"severity", "kind", "lang", "outcome", "line", "verified", "priority"}   # enums the renderers look up
PASSAGES = [{"n": 1, "url": "https://ok.example/<img src=x onerror=alert(1)>"}, {"n": 2, "url": "javascript:alert(1)"}]


@pytest.fixture(scope="module")
def base() -> dict:
    """A real diagnosis with every section: findings with fixes, simulation, combined fix, verdict."""
    files = example_files("canonical")
    return diagnose(texts=sorted(files.items())).to_dict()


def infuse(obj, payload: str):
    """Every string of a report (but the enums) with the payload appended."""
    if isinstance(obj, dict):
        return {k: (v if k in KEEP else infuse(v, payload)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [infuse(v, payload) for v in obj]
    return f"{obj} {payload}" if isinstance(obj, str) else obj


def plain(payload: str) -> bool:
    """A payload whose characters all show as themselves (no code delimiters, no line breaks)."""
    return not any(c in payload for c in "`\n\r*_")


def sarif_links(obj) -> list[str]:
    if isinstance(obj, dict):
        own = [v for k, v in obj.items() if k in ("uri", "helpUri")]
        return own + [u for v in obj.values() for u in sarif_links(v)]
    return [u for v in obj for u in sarif_links(v)] if isinstance(obj, list) else []


# ---------------------------------------------------------------- per output, per payload

def markdown_export_holds(data: dict, payload: str) -> bool:
    md = render_markdown(infuse(data, payload))
    if live_in_markdown(md, own_anchors=True):
        return False
    return not plain(payload) or " ".join(payload.split()) in visible_text(md)     # shown as written


def json_export_holds(data: dict, payload: str) -> bool:
    infused = infuse(data, payload)
    text = safe_json(infused)
    return "<" not in text and not live_in_html(text) and json.loads(text) == infused


def sarif_export_holds(data: dict, payload: str) -> bool:
    sarif = render_sarif(infuse(data, payload))
    text = safe_json(sarif)
    return ("<" not in text and not live_in_html(text) and json.loads(text) == sarif
            and not any(bad_url(u) for u in sarif_links(sarif)))


def sanitiser_holds(payload: str) -> bool:
    shown = [answer_markdown(payload, PASSAGES), answer_markdown(f"Your setup [1]: {payload}\n\nSee [2].", PASSAGES),
             escape_md(payload), plain_text(payload)]
    if any(live_in_markdown(s) for s in shown):
        return False
    return " ".join(payload.split()) == visible_text(escape_md(payload))       # escape_md shows it as written


def link_helper_holds(payload: str) -> bool:
    cards = pytest.importorskip("app.ui.cards")
    return not any(live_in_markdown(cards.link_md(target, payload))
                   for target in ("https://ok.example/" + payload, payload, "note:" + payload))


def tally(base: dict) -> dict[str, dict[str, tuple[int, int]]]:
    """kind -> output -> (tried, held)."""
    outputs = {"markdown export": lambda p: markdown_export_holds(base, p),
               "json export": lambda p: json_export_holds(base, p),
               "sarif export": lambda p: sarif_export_holds(base, p),
               "app sanitiser + escape_md": sanitiser_holds,
               "app link helper": link_helper_holds}
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for kind, items in CORPUS.items():
        out[kind] = {name: (len(items), sum(bool(check(p)) for p, _ in items)) for name, check in outputs.items()}
    return out


# ---------------------------------------------------------------- tests

def test_the_corpus_bites():
    """At least 30 payloads, and every one marked live is live HTML when rendered unescaped."""
    assert len(payloads()) >= 30
    for kind, payload, live in payloads():
        assert bool(live_in_markdown(payload)) == live, (kind, payload)
    assert sum(live for _, _, live in payloads()) >= 30


@pytest.mark.parametrize("kind,payload", [(k, p) for k, p, _ in payloads()])
def test_markdown_json_and_sarif_exports_hold(base, kind, payload):
    assert markdown_export_holds(base, payload), render_markdown(infuse(base, payload))
    assert json_export_holds(base, payload)
    assert sarif_export_holds(base, payload)


@pytest.mark.parametrize("kind,payload", [(k, p) for k, p, _ in payloads()])
def test_app_sanitiser_and_escape_helpers_hold(kind, payload):
    assert sanitiser_holds(payload), answer_markdown(payload, PASSAGES)
    assert link_helper_holds(payload)


@pytest.mark.parametrize("kind", list(CORPUS))
def test_pasted_files_and_logs_reach_the_exports_inert(kind):
    """End to end: the payloads as lines of config/plugins, values in smtp.ini and log lines."""
    items = [p for p, _ in CORPUS[kind]]
    one_line = [" ".join(p.split()) for p in items]
    plugins = "rcpt_to.in_host_list\nwildduck\n" + "\n".join(items) + "\n"
    smtp = "[main]\n" + "".join(f"listen{i}={p}\n" for i, p in enumerate(one_line))
    log = "".join(f"2024-05-01T10:00:0{i % 10}.000Z [ERROR] [-] [core] {p} failed\n" for i, p in enumerate(one_line))
    d = diagnose(texts=[("config/plugins", plugins), ("config/host_list", "example.com\n"), ("config/smtp.ini", smtp)],
                 log_text=log)
    md = render(d, "markdown")
    assert "onerror" in visible_text(md) or "javascript" in visible_text(md)   # the payloads did reach it
    assert not live_in_markdown(md, own_anchors=True)
    for fmt in ("json", "sarif"):
        text = render(d, fmt)
        assert "<" not in text and not live_in_html(text)
        assert not any(bad_url(u) for u in sarif_links(json.loads(text)))
    assert json.loads(render(d, "json")) == d.to_dict()                        # nothing lost in escaping


def test_legitimate_markdown_still_renders():
    """The sanitiser keeps what answers use: emphasis, code, fences, tables, safe links, citations."""
    text = ("**Fix:** edit `config/plugins` [1], see [the docs](https://haraka.github.io/core/Plugins) and "
            "[the rule](rules?rule=MXD101).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```diff\n-<x>\n+y\n```\n")
    html = __import__("xss_corpus").renderer().render(answer_markdown(text, [{"n": 1, "url": "https://ok.example/p"}]))
    for part in ('<strong>Fix:</strong>', '<code>config/plugins</code>', 'href="https://ok.example/p"',
                 'href="https://haraka.github.io/core/Plugins"', 'href="rules?rule=MXD101"', "<table>",
                 "-&lt;x&gt;"):
        assert part in html, part


def test_tally(base, capsys):
    table = tally(base)
    with capsys.disabled():
        print()
        for kind, outputs in table.items():
            print(f"{kind:28} " + " · ".join(f"{name}: tried {n}, held {m}" for name, (n, m) in outputs.items()))
    assert all(n == m for outputs in table.values() for n, m in outputs.values())
