"""The simulator's knowledge is data (kb/simulator/behaviours.yaml), checked on load against the
behaviour models in code; the walker's doubts and the mailbox store come from structured fields
and the catalog, not from words in notes or a plugin's name."""
from __future__ import annotations

import os
import shutil

import pytest
import yaml

from app.core.catalog import has_role, load_catalog
from app.core.kbfile import KbDataError
from app.core.model import HookStep
from app.core.simulate.context import CONT, Decision
from app.core.simulate.models import MODELS
from app.core.simulate.table import behaviour_table
from app.core.simulate.walk import Stage
from ingest.kbdata import kb_path

SHIPPED = kb_path("simulator", "behaviours.yaml")


@pytest.fixture
def kb_copy(tmp_path, monkeypatch):
    """A writable copy of the behaviour table, used instead of the shipped one."""
    (tmp_path / "simulator").mkdir()
    shutil.copy(SHIPPED, tmp_path / "simulator" / "behaviours.yaml")
    monkeypatch.setenv("MXDOCTOR_KB", str(tmp_path))
    return tmp_path / "simulator" / "behaviours.yaml"


def _rewrite(path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_the_shipped_table_loads_and_uses_every_model():
    table = behaviour_table()
    used = {b.model for behaviours in table.plugins.values() for b in behaviours if b.model}
    assert used == set(MODELS)
    assert table.at("wildduck", "rcpt").model == "mailbox_lookup"
    assert table.at("queue/lmtp", "queue_outbound").always.could == ["OK", "DENYSOFT"]
    assert table.at("wildduck", "connect") is None


@pytest.mark.parametrize("change, key", [
    (lambda d: d["plugins"]["wildduck"][0]["answers"]["resolved"].update(answer="MAYBE"),
     "plugins.wildduck.0.answers.resolved.answer"),
    (lambda d: d["plugins"]["relay"][0]["answers"].pop("neither"), "plugins.relay.0"),
    (lambda d: d["plugins"]["relay"][0].update(model="relay_everything"), "plugins.relay.0"),
    (lambda d: d["plugins"]["relay"][0]["reads"].update(all="relay.ini all"), "plugins.relay.0"),
    (lambda d: d["plugins"]["dkim"][0]["always"].update(note="about {domain}"), "plugins.dkim.0"),
    (lambda d: d["plugins"]["dkim"].append({"hooks": ["data"], "always": {"answer": "CONT"}}), "plugins"),
    (lambda d: d.pop("unmodelled"), "unmodelled"),
])
def test_a_slip_in_the_table_names_the_file_and_the_key(kb_copy, change, key):
    _rewrite(kb_copy, change)
    with pytest.raises(KbDataError) as err:
        behaviour_table()
    assert str(kb_copy) in str(err.value) and key in str(err.value)


@pytest.mark.parametrize("change, says", [
    (lambda d: d["plugins"]["relay"][0]["reads"].update(all="relay.ini all"),
     "reads.all must be `file.ini [section] key`"),
    (lambda d: d["plugins"]["dkim"].append({"hooks": ["data"], "always": {"answer": "CONT"}}),
     "hook data is given twice"),
    (lambda d: d["plugins"]["dkim"][0]["always"].update(note="about {domain}"),
     "always uses {domain}; it may use {plugin}, {hook}"),
    (lambda d: d["plugins"]["relay"][0]["answers"].pop("neither"),
     "answers must cover exactly the cases of relay_client: relay_all, acl_allows, neither"),
])
def test_what_a_slip_says(kb_copy, change, says):
    _rewrite(kb_copy, change)
    with pytest.raises(KbDataError) as err:
        behaviour_table()
    assert says in str(err.value)


def test_an_edit_is_picked_up_and_a_missing_file_is_named(kb_copy):
    before = behaviour_table().at("dkim", "data").always.note
    _rewrite(kb_copy, lambda d: d["plugins"]["dkim"][0]["always"].update(note="edited"))
    stat = kb_copy.stat()
    os.utime(kb_copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert behaviour_table().at("dkim", "data").always.note == "edited" != before
    kb_copy.unlink()
    with pytest.raises(KbDataError, match="behaviours.yaml: cannot read"):
        behaviour_table()


def test_only_a_doubt_makes_the_reply_uncertain():
    """Words in a plugin's note never do: the doubt is recorded where it arises."""
    stage = Stage(HookStep(hook="rcpt", answered_by=None, retval=CONT, reply=""), Decision(CONT))
    stage.step.notes.append("someplugin: this plugin may answer later")
    stage.settle("250 recipient <a@example.com> OK")
    assert stage.step.reply == "250 recipient <a@example.com> OK"
    stage.doubt("dns-list may answer DENY here; assumed to pass")
    stage.settle("250 recipient <a@example.com> OK")
    assert stage.step.reply == "?" and "likely reply: 250 recipient <a@example.com> OK" in stage.step.notes


def test_the_mailbox_store_is_found_by_its_role():
    catalog = load_catalog()
    assert has_role(catalog, "wildduck", "storage") and has_role(catalog, "wildduck", "rcpt_validator")
    assert not has_role(catalog, "queue/smtp_forward", "storage")
    assert not has_role(catalog, None, "storage") and not has_role(catalog, "no-such-plugin", "storage")
