"""`classify`: an ordered table of small matchers, one per kind of line, and its first-character index."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.core.logs import classify as cls
from app.core.logs.formats import detect
from app.core.logs.prefixes import strip_prefix

FIXTURES = Path(__file__).parent / "fixtures" / "logs"
SYNTHETIC = [  # (message, level, origin, extras) of lines the fixtures lack, and near misses
    ("", "INFO", "core", {"hook": "rcpt", "retval": "OK", "params": "<a@b.c>", "msg": "[ERRQ07] x"}),
    ("", "INFO", "core", {"hook": "rcpt"}), ("", "INFO", "core", None), ("hook=", "INFO", "core", None),
    ("Plugin x timed out on hook rcpt", "ERROR", "core", None),
    ("Plugin x failed: boom\n  at y", "CRIT", "core", None),
    ("Plugin", "CRIT", "core", None), ("running rcpt hook in x plugin", "DEBUG", "core", None),
    ("running", "DEBUG", "core", None), ("loading x", "NOTICE", "plugins", None), ("loading x", "NOTICE", "core", None),
    ("registered hook rcpt to x.hook_rcpt priority -5", "DEBUG", "plugins", None),
    ("Caught exception:Loading plugin x failed: SyntaxError", "CRIT", "plugins", None),
    ("compiling 'x' failed", "ERROR", "plugins", None), ("Loading 'x' failed: nope - skipping", "ERROR", "core", None),
    ("Temp fail for x", "INFO", "outbound", None), ("anything", "INFO", "outbound", None),
    ("[smtp_client] host=a port=25", "INFO", "core", None),
    ("tls key /k.pem could not be loaded", "ERROR", "core", None),
    ("Starting up Haraka version 3.3.4", "NOTICE", "core", None), ("Shutting down", "NOTICE", "core", None),
    ("Caught exception:TypeError", "EMERG", "core", None), ("Listening on [::]:25", "NOTICE", "server", None),
    ("worker 1 listening on 25", "NOTICE", "server", None), ("worker", "NOTICE", "server", None),
    ("S: 250 OK", "PROTOCOL", "core", None), ("C: RCPT TO:<a@b.c> state=1", "PROTOCOL", "core", None),
    ("S:", "PROTOCOL", "core", None), ("message", "NOTICE", "core", {"code": "OK", "msg": "[ERRQ01] y"}),
    ("queue", "NOTICE", "core", {"code": "DENYSOFT"}), ("disconnect", "NOTICE", "core", {"ip": "192.0.2.1"}),
    ("connect", "NOTICE", "core", {"ip": "192.0.2.1"}), ("recipient <a@b.c>", "NOTICE", "core", {"code": "OK"}),
    ("sender x", "NOTICE", "core", {"code": "OK"}), ("RESOLVED rcpt=a user=b[1]", "INFO", "haraka-wildduck", None),
]


def _heads():
    for path in sorted(FIXTURES.glob("*.log")):
        for line in path.read_text(encoding="utf-8").splitlines():
            fmt, text = detect(line), line
            if fmt is None:
                text, _, fmt = strip_prefix(line)
            head = fmt.parse(text) if fmt is not None else None
            if head is not None:
                level, _, origin, message, extras = head
                yield message, level, origin, extras
    yield from SYNTHETIC


HEADS = list(_heads())


def _first_answer(message, level, origin, extras):
    """The table read top to bottom, without the index."""
    for _, matcher in cls.MATCHERS:
        found = matcher(message, level, origin, extras)
        if found is not None:
            return found
    return "other", {}


def test_the_first_character_index_changes_no_answer():
    assert len(HEADS) > 1500
    assert all(cls.classify(*head) == _first_answer(*head) for head in HEADS)
    kinds = {cls.classify(*head)[0] for head in HEADS}
    assert kinds >= {"hook_result", "plugin_line", "recipient", "sender", "message", "queue", "disconnect", "connect",
                     "protocol", "timeout", "crit", "hook_run", "plugin_load", "hook_registered", "load_error",
                     "outbound", "smtp_client", "tls_error", "startup", "other"}


DECLARED = [(starts, matcher) for starts, matcher in cls.MATCHERS if starts is not None]


@pytest.mark.parametrize("starts, matcher", DECLARED, ids=[m.__name__ for _, m in DECLARED])
def test_a_matcher_answers_only_messages_starting_as_it_declares(starts, matcher):
    answered = [h for h in HEADS if matcher(*h) is not None]
    assert answered, "no line exercises this matcher"
    assert all(h[0][:1] in starts for h in answered)


def test_the_index_keeps_the_table_order():
    index, anywhere = cls.by_first_character()
    order = [m for _, m in cls.MATCHERS]
    for matchers in [*index.values(), anywhere]:
        assert list(matchers) == sorted(matchers, key=order.index)
    assert index["r"] == (cls.plugin_line, cls.recipient, cls.hook_run, cls.hook_registered, cls.load_error,
                          cls.outbound, cls.critical, cls.server)


@pytest.mark.parametrize("matcher, head, expected", [
    (cls.hook_result, ('hook=rcpt plugin=x function=hook_rcpt params=<a@b.c> retval=OK msg="[ERRQ07] y"', "INFO",
                       "core", None), "hook_result"),
    (cls.recipient, ('recipient <a@b.c> code=DENY msg="no" sender=x@y.z', "NOTICE", "core", None), "recipient"),
    (cls.protocol, ("C: MAIL FROM:<a@b.c>", "PROTOCOL", "core", None), "protocol"),
    (cls.plugin_trouble, ("Plugin x timed out on hook rcpt", "ERROR", "core", None), "timeout"),
    (cls.critical, ("boom", "CRIT", "core", None), "crit"),
    (cls.server, ("Listening on [::]:25", "NOTICE", "server", None), "startup"),
])
def test_each_matcher_alone(matcher, head, expected):
    kind, fields = matcher(*head)
    assert kind == expected and all(isinstance(v, str) for v in fields.values())
    assert matcher("nothing it knows", "INFO", "core", None) is None


def test_matcher_fields():
    assert cls.hook_result('hook=rcpt plugin=x function=hook_rcpt params=<a@b.c> retval=OK msg="[ERRQ07] y"',
                           "INFO", "core", None)[1]["error_code"] == "ERRQ07"
    assert cls.protocol("C: RCPT TO:<a@b.c> state=1", "PROTOCOL", "core", None)[1] == {
        "direction": "C", "verb": "rcpt", "arg": "TO:<a@b.c>", "text": "RCPT TO:<a@b.c>", "address": "a@b.c"}
    assert cls.plugin_line("anything", "INFO", "my_plugin", None) == ("plugin_line", {"plugin": "my_plugin"})
    assert cls.plugin_line("anything", "INFO", "core", None) is None
