"""The transaction tracker's parts on their own: verdicts, settling recipients at close, the outcome."""
from __future__ import annotations

import pytest

from app.core.logs.records import Recipient, Reply, Transaction
from app.core.logs.settle import link_wildduck, set_outcome, settle_recipients
from app.core.logs.verdicts import outcome_for_code, verdict


def _txn(*recipients: Recipient, rcpts: str | None = None) -> Transaction:
    t = Transaction(uuid="C.1", connection_uuid="C", recipients=list(recipients))
    t.message = {"rcpts": rcpts} if rcpts is not None else None
    return t


@pytest.mark.parametrize("retval, expected", [("DENY", ("rejected", 550)), ("DENYDISCONNECT", ("rejected", 550)),
                                              ("DENYSOFT", ("deferred", 450)), ("OK", ("accepted", 250)),
                                              (None, ("accepted", 250))])
def test_verdict_of_a_logged_code(retval, expected):
    assert verdict(retval) == expected


def test_outcome_for_an_smtp_code():
    assert [outcome_for_code(c) for c in (250, 451, 550)] == ["accepted", "deferred", "rejected"]


def test_a_relaying_connection_accepts_the_undecided_recipients():
    t = _txn(Recipient("a@x.test", retval="OK"), Recipient("b@x.test", outcome="rejected", code=550))
    settle_recipients(t, relaying=True, info_logged=True)
    assert [(r.outcome, r.basis) for r in t.recipients] == [("accepted", "relaying"), ("rejected", "")]


def test_the_message_accept_count_decides_when_it_leaves_no_doubt():
    accepted = _txn(Recipient("a@x.test"), Recipient("b@x.test"), rcpts="2/0/0")
    settle_recipients(accepted, relaying=False, info_logged=False)
    assert {(r.outcome, r.code, r.basis) for r in accepted.recipients} == {("accepted", 250, "counts")}
    refused = _txn(Recipient("a@x.test", outcome="accepted"), Recipient("b@x.test", retval="OK"), rcpts="1/0/1")
    settle_recipients(refused, relaying=False, info_logged=False)
    assert (refused.recipients[1].outcome, refused.recipients[1].code) == ("rejected", 550)
    assert "no rcpt plugin accepted" in refused.recipients[1].notes[0]


def test_without_counts_only_an_info_level_log_proves_nobody_accepted():
    quiet = _txn(Recipient("a@x.test", retval="OK"))
    settle_recipients(quiet, relaying=False, info_logged=False)
    assert quiet.recipients[0].outcome == "unknown"
    settle_recipients(quiet, relaying=False, info_logged=True)
    assert (quiet.recipients[0].outcome, quiet.recipients[0].basis) == ("rejected", "no_plugin_accepted")


def test_wildduck_users_are_linked_by_address_whatever_the_case():
    t = _txn(Recipient("Alice@X.test"))
    t.stored = [{"rcpt": "alice@x.test", "user": "alice@x.test", "user_id": "5f1"}]
    link_wildduck(t)
    assert (t.recipients[0].stored, t.recipients[0].user_id) == (True, "5f1")


def test_the_outcome_is_the_last_step_reached():
    t = _txn(Recipient("a@x.test", outcome="accepted"))
    t.queue = Reply("deferred", 451)
    set_outcome(t)
    assert (t.outcome, t.stage) == ("deferred", "queue")
    t = _txn(Recipient("a@x.test", outcome="rejected"))
    t.complete = True
    set_outcome(t)
    assert (t.outcome, t.stage) == ("no_recipients", "rcpt")
    t = _txn(Recipient("a@x.test", outcome="accepted"))
    t.complete = True
    set_outcome(t)
    assert t.outcome == "abandoned"
