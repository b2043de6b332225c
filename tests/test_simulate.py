"""The simulator's behaviour models and replies, on small configs (real Haraka checks the same
scenarios in tests/e2e)."""
import json

import pytest

from app.cli import main
from app.core.inputs import load_texts
from app.core.simulate import simulate


def sim(files: dict[str, str], **env):
    return simulate(load_texts(list(files.items())), envelope=env or None)


def reply(s, hook, target=None):
    return s.step(hook, target).reply


def test_canonical_shadowing_and_outcome():
    s = sim({"config/plugins": "rcpt_to.in_host_list\nwildduck\n", "config/host_list": "example.com\n"},
            rcpt=["a@example.com"])
    step = s.step("rcpt")
    assert step.answered_by == "rcpt_to.in_host_list" and step.retval == "OK" and step.shadowed == ["wildduck"]
    assert s.step("queue").reply.startswith("250 Message processed")
    assert s.outcome == "processed_not_stored"


def test_domain_not_listed_lets_wildduck_resolve():
    s = sim({"config/plugins": "rcpt_to.in_host_list\nwildduck\n", "config/host_list": "other.org\n"},
            rcpt=["a@example.com"])
    assert s.step("rcpt").answered_by == "wildduck"
    assert s.outcome == "stored"


def test_unknown_wildduck_user_gets_550():
    s = sim({"config/plugins": "wildduck\n"}, rcpt=["ghost@example.com"], unknown_users=["ghost@example.com"])
    assert reply(s, "rcpt").startswith("550")
    assert s.outcome == "no_recipients"
    assert reply(s, "data").startswith("503")


def test_no_queue_plugin_defers_with_451():
    s = sim({"config/plugins": "rcpt_to.in_host_list\n", "config/host_list": "example.com\n"},
            rcpt=["a@example.com"])
    assert reply(s, "queue") == "451 (<uuid>)"
    assert s.outcome == "queue_declined"


def test_unaccepted_recipient_gets_cannot_deliver():
    s = sim({"config/plugins": "rcpt_to.in_host_list\nqueue/smtp_forward\n", "config/host_list": "example.com\n"},
            rcpt=["x@elsewhere.net"])
    assert reply(s, "rcpt") == "550 I cannot deliver mail for <x@elsewhere.net>"


def test_other_queue_plugin_takes_the_message_before_wildduck():
    s = sim({"config/plugins": "queue/smtp_forward\nwildduck\n"}, rcpt=["a@example.com"])
    q = s.step("queue")
    assert q.answered_by == "queue/smtp_forward" and "wildduck" in q.shadowed
    assert s.outcome == "queued"


def test_access_accept_list_shadows_wildduck_only_with_accept_on():
    files = {"config/plugins": "access\nwildduck\n", "config/rcpt_to.access.whitelist": "a@example.com\n"}
    assert sim(files, rcpt=["a@example.com"]).step("rcpt").answered_by == "wildduck"
    files["config/access.ini"] = "[rcpt]\naccept=true\n"
    assert sim(files, rcpt=["a@example.com"]).step("rcpt").answered_by == "access"


def test_relay_acl_sends_mail_to_queue_outbound():
    files = {"config/plugins": "relay\nwildduck\n", "config/relay_acl_allow": "10.0.0.0/8\n"}
    s = sim(files, ip="10.1.2.3", rcpt=["a@remote.example"])
    assert s.step("queue_outbound") is not None and s.step("queue") is None
    assert s.outcome == "outbound"


def test_helo_checks_bare_ip_rejects_only_when_enabled():
    files = {"config/plugins": "helo.checks\nwildduck\n"}
    assert reply(sim(files, helo="192.0.2.1"), "ehlo").startswith("250")
    files["config/helo.checks.ini"] = "[reject]\nbare_ip=true\n"
    assert reply(sim(files, helo="192.0.2.1"), "ehlo").startswith("550")


def test_dns_dependent_plugin_makes_reply_uncertain():
    s = sim({"config/plugins": "dns-list\nwildduck\n"}, rcpt=["a@example.com"])
    step = s.step("connect")
    assert step.reply == "?" and any("dns-list" in d for d in step.depends_on)


def test_envelope_from_logs_and_host_list():
    s = sim({"config/plugins": "wildduck\n", "config/host_list": "mydomain.test\n"})
    assert s.envelope["rcpt"] == ["user@mydomain.test"]


def test_cli_json(tmp_path, capsys):
    (tmp_path / "plugins").write_text("rcpt_to.in_host_list\nwildduck\n")
    (tmp_path / "host_list").write_text("example.com\n")
    assert main(["simulate", str(tmp_path / "plugins"), str(tmp_path / "host_list"),
                 "--rcpt", "bob@example.com", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["plugin"] for r in data["hooks"]["rcpt"]] == ["rcpt_to.in_host_list", "wildduck"]
    assert data["transaction"]["outcome"] == "processed_not_stored"


@pytest.mark.parametrize("alias", ["dkim_verify", "haraka-plugin-dkim"])
def test_aliases_resolve(alias):
    s = sim({"config/plugins": f"{alias}\nwildduck\n"})
    assert "dkim" in [r["plugin"] for r in s.order.get("data_post", [])]
