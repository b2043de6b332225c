"""Journeys through the Streamlit app (AppTest): the Diagnose and Ask pages as a new admin uses them."""
from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from .conftest import CANONICAL, page_text, run_app, unescape  # noqa: E402

PLUGINS = (CANONICAL / "plugins").read_text(encoding="utf-8")


def diagnose_with(at, plugins: str = "", other: str = "", logs: str = ""):
    at.text_area(key="in_plugins").set_value(plugins)
    at.text_area(key="in_other").set_value(other)
    at.text_area(key="in_logs").set_value(logs)
    at.button(key="btn_run").click().run()
    assert not at.exception, at.exception
    return at


def headline(at) -> str:
    return unescape(next(m.value for m in at.markdown if m.value.startswith("### ")))


def test_plugins_file_alone_in_the_app(app_env):
    """The intro invites pasting config/plugins: that alone shows the canonical bug, with its caveat."""
    at = diagnose_with(run_app(), plugins=PLUGINS)
    assert "Haraka accepts the mail, but WildDuck never stores it" in headline(at)
    assert any("config/host_list" in unescape(w.value) and "Paste it to confirm" in unescape(w.value)
               for w in at.warning)
    body = page_text(at)
    assert "rcpt_to.in_host_list answers OK" in body                    # the message's path, in sight
    assert "processed_not_stored" not in body
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count("Download fixed config/plugins") == 1            # one file, not one per finding


def test_headline_comes_before_the_inputs_and_the_cards(app_env):
    at = run_app()
    at.button(key="btn_example").click().run()
    order = [unescape(m.value) for m in at.markdown]
    first_card = next(i for i, v in enumerate(order) if "MXD101" in v and "ERROR" in v)
    assert order.index(headline(at)) < first_card
    labels = [e.label for e in at.expander]
    assert any(lb.startswith("Your input: 5 file(s)") for lb in labels)   # inputs folded below the verdict


def test_one_card_per_cause_when_config_and_logs_show_the_same_thing(app_env):
    case = CANONICAL.parents[3] / "tests" / "cases" / "001-in-host-list-shadows-wildduck"
    logs = "".join(p.read_text(encoding="utf-8") for p in sorted((case / "logs").iterdir()))
    other = "".join(f"==> config/{p.name} <==\n{p.read_text()}\n" for p in sorted((case / "config").iterdir())
                    if p.name != "plugins")
    at = diagnose_with(run_app(), plugins=(case / "config" / "plugins").read_text(), other=other, logs=logs)
    cards = [unescape(m.value) for m in at.markdown if "ERROR" in m.value and "MXD10" in m.value]
    assert len(cards) == 1 and "MXD101" in cards[0] and "MXD104" in cards[0]   # merged: one cause
    assert any("Same cause, seen in the logs" in unescape(m.value) for m in at.markdown)


def test_headerless_blocks_are_shown_as_read_and_can_be_corrected(app_env):
    other = "example.com\n\nmongo:\n  url: mongodb://127.0.0.1:27017/wildduck\nredis:\n  host: 127.0.0.1\n"
    at = diagnose_with(run_app(), plugins=PLUGINS, other=other)
    assert not any("config/host_list" in unescape(w.value) for w in at.warning)   # recognised: no caveat
    boxes = [s for s in at.selectbox if s.label.startswith("Lines ")]
    assert boxes and all(b.help for b in boxes)                             # why it was read so
    assert [b.value for b in boxes] == ["config/host_list", "config/wildduck.yaml"]
    boxes[0].set_value("(ignore this block)").run()                        # "that was not host_list"
    assert not at.exception
    assert any("config/host_list" in unescape(w.value) for w in at.warning)       # now it rests on a missing file


@pytest.mark.parametrize("plugins", [
    "my_custom_plugin\nanother_local_one\n",                 # only custom plugins
    "# everything commented out\n# wildduck\n",              # only comments
    "asdf qwer !!\n\x01\x02 junk ;;\n[[[\n",                # junk
])
def test_junk_on_every_tab_gives_messages_not_tracebacks(app_env, plugins):
    at = diagnose_with(run_app(), plugins=plugins)
    body = page_text(at)
    assert "Traceback" not in body and "KeyError" not in body
    assert any(m.value.startswith("### ") for m in at.markdown)           # a verdict is always shown
    assert not at.error or all("could not be shown" not in e.value for e in at.error)


def test_a_binary_upload_is_an_error_not_an_all_clear(app_env):
    at = run_app()
    at.file_uploader(key="uploader-0").set_value(("screenshot.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
                                                    "image/png")).run()
    at.button(key="btn_run").click().run()
    assert not at.exception
    body = page_text(at)
    assert "binary" in body and "No problems found" not in body
    assert not at.success


def test_a_huge_paste_is_guarded(app_env):
    big = "[INFO] [-] [core] noise line\n" * 9000          # ~270 kB
    at = diagnose_with(run_app(), logs=big)
    assert any("Upload the file" in unescape(w.value) for w in at.warning)


def test_the_ask_page_answers_the_placeholder_and_follows_up(app_env):
    at = run_app()
    at.button(key="btn_example").click().run()
    at.switch_page("screens/ask.py").run()
    at.chat_input(key="ask_input").set_value("why is mail not arriving?").run()
    first = at.chat_message[1].markdown[0].value
    assert first.startswith("**Haraka accepts the mail, but WildDuck never stores it")
    at.chat_input(key="ask_input").set_value("and what about spf?").run()
    second = at.chat_message[3].markdown[0].value
    assert second.startswith("**The spf plugin") and "MXD101" not in second
    assert len(at.session_state["chat"]) == 4


def test_the_ask_page_with_nothing_pasted(app_env):
    from app.ui.texts import t
    at = run_app("ask")
    at.chat_input(key="ask_input").set_value(t("ask.placeholder", "en")).run()
    reply = at.chat_message[1].markdown[0].value
    assert "cannot answer" not in reply
    at.chat_input(key="ask_input").set_value("how do I restart haraka on our MX?").run()
    assert "wiki.example.com" in "\n".join(m.value for m in at.chat_message[3].markdown)


def test_the_chinese_switch_changes_the_verdict_too(app_env):
    at = run_app()
    at.radio(key="lang").set_value("zh").run()
    at.button(key="btn_example").click().run()
    assert "Haraka 接收了邮件，但 WildDuck 从未存储它" in headline(at)
    assert at.title[0].value.startswith("诊断")


JUNK = ["\x00\x01\x02 \ufffd\ufffd", "[[[[ ((( {{{ $$$", "a" * 5000, "'; DROP TABLE users; --"]


@pytest.mark.parametrize("junk", JUNK, ids=["control-chars", "brackets", "long", "sql"])
def test_junk_on_every_page(app_env, junk):
    """Every page takes junk and answers in words: no traceback, no exception."""
    at = run_app("knowledge")
    for box in at.text_input:
        box.set_value(junk).run()
    assert not at.exception
    at = run_app("rules")
    for box in at.text_input:
        box.set_value(junk).run()
    assert not at.exception
    at = run_app("ask")
    at.chat_input(key="ask_input").set_value(junk).run()
    assert not at.exception and len(at.session_state["chat"]) == 2
    assert "Traceback" not in page_text(at)
