"""The Diagnose page's Probe panel through the real app (AppTest) against a real SMTP server on
loopback (a few lines of socketserver that answer like Haraka's core): the dialogue shows with
each reply's attribution; on a shared app the panel is off unless the operator allows it."""
from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from smtp_standin import OUTSIDE, haraka_like_server
from test_ui_app import app, home  # noqa: F401  (the app fixture's home)


@pytest.fixture(scope="module")
def smtp_server():
    with haraka_like_server() as port:
        yield port


def test_probe_panel_shows_the_attributed_dialogue(home, smtp_server):  # noqa: F811
    at = app()
    at.text_input(key="probe_host").input("127.0.0.1")
    at.number_input(key="probe_port").set_value(smtp_server)
    at.number_input(key="probe_timeout").set_value(5)
    at.text_input(key="probe_rcpts").input(f"alice@example.com, {OUTSIDE}")
    at.button(key="btn_probe").click().run()
    assert not at.exception, at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert f"I cannot deliver mail for &lt;{OUTSIDE}&gt;" in shown or f"I cannot deliver mail for <{OUTSIDE}>" in shown
    assert "No plugin accepted the recipient" in shown           # core's default, attributed
    assert "Haraka 3.3.4" in shown and "the server refused something" in shown
    assert not any("sends a real" in w.value for w in at.warning)   # --send is off by default


def test_probe_panel_sets_the_diagnosed_config_beside_the_live_replies(home, smtp_server):  # noqa: F811
    at = app()
    at.button(key="btn_example").click().run()                   # the canonical example, diagnosed
    at.text_input(key="probe_host").input("127.0.0.1")
    at.number_input(key="probe_port").set_value(smtp_server)
    at.number_input(key="probe_timeout").set_value(5)
    at.text_input(key="probe_rcpts").input(OUTSIDE)
    at.button(key="btn_probe").click().run()
    assert not at.exception, at.exception
    shown = next(m.value for m in at.markdown if m.value.startswith("## Probe of"))
    assert "Beside the simulator (config: the config diagnosed above)" in shown, shown
    # the example's wildduck would accept any recipient it knows; the simulator cannot see its users
    assert "(wildduck) — differs from what the simulator assumed" in shown, shown


def test_probe_panel_is_off_on_a_shared_app_unless_allowed(home, monkeypatch):  # noqa: F811
    monkeypatch.setenv("MXDOCTOR_APP_ADDRESS", "0.0.0.0")
    monkeypatch.delenv("MXDOCTOR_ALLOW_UI_PROBE", raising=False)
    at = app()
    assert any("MXDOCTOR_ALLOW_UI_PROBE" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "btn_probe"]
    monkeypatch.setenv("MXDOCTOR_ALLOW_UI_PROBE", "1")
    at = app()
    assert [b for b in at.button if b.key == "btn_probe"]


def _probe_plugins_only(port: int, lang: str | None = None):
    """Diagnose a pasted config/plugins alone (no host_list), then probe the stand-in with it."""
    at = app(**({"lang": lang} if lang else {}))
    at.text_area(key="in_plugins").set_value("rcpt_to.in_host_list\nwildduck\n")
    at.button(key="btn_run").click().run()
    at.text_input(key="probe_host").input("127.0.0.1")
    at.number_input(key="probe_port").set_value(port)
    at.number_input(key="probe_timeout").set_value(5)
    at.text_input(key="probe_rcpts").input(f"alice@example.com, {OUTSIDE}")
    at.button(key="btn_probe").click().run()
    assert not at.exception, at.exception
    return at


def test_probe_panel_markdown_keeps_paragraphs_and_addresses_apart(home, smtp_server):  # noqa: F811
    at = _probe_plugins_only(smtp_server)
    shown = next(m.value for m in at.markdown if m.value.startswith("## Probe of"))
    # the last comparison bullet, then an empty line, then the simulator's sentence as a paragraph
    assert "\n\nThe simulator, given the recipients" in shown, shown
    # addresses are code (no autolinked mailto:), in the dialogue and in the comparison
    assert "`alice@example.com`" in shown and f"`<{OUTSIDE}>`" in shown, shown
    bare = shown.replace("`alice@example.com`", "").replace("<alice@example.com>", "")
    assert "alice@example.com" not in bare.replace("&lt;alice@example.com&gt;", ""), shown
    assert "against its assumptions" in shown and "— DIFFER" not in shown, shown


def test_probe_panel_in_chinese(home, smtp_server):  # noqa: F811
    at = _probe_plugins_only(smtp_server, lang="zh")
    shown = next(m.value for m in at.markdown if m.value.startswith("## 探测"))
    assert "is taken to be listed" not in shown and "假定 example.com 列在 config/host_list 中" in shown, shown
    labels = [str(s.proto.label) for s in at.get("status")]     # the probe's st.status, after the run
    assert any(label.startswith("探测完成：服务器拒绝了某一步") for label in labels), labels
    assert not any("refused" in label for label in labels), labels
