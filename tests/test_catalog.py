"""The shipped plugin catalog, its overlays, and the builder that generates it from real Haraka."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from haraka_install import require_haraka

from app.build import build_catalog, render_catalog
from app.build.discover import locate, plugin_names
from app.build.probes import diff_hooks
from app.cli import main
from app.core.catalog import load_catalog, load_catalog_files
from app.core.errors import InputError
from app.core.simulate.order import HARAKA_O_HOOKS
from ingest.kbdata import kb_path

CATALOG_YAML = kb_path("plugins", "catalog.yaml")
ROLES = {"rcpt_validator", "mail_validator", "queue", "auth", "tls", "spam", "virus", "dns", "dnsbl",
         "reputation", "rate_limit", "headers", "logging", "monitoring", "connect_filter", "helo_filter",
         "data_filter", "relay", "storage", "redis", "other"}


def shipped_raw() -> dict:
    return yaml.safe_load(CATALOG_YAML.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- shipped data

def test_shipped_catalog_loads():
    cat = load_catalog()
    assert cat.haraka_version == "3.3.4"
    assert len(cat.plugins) >= 57
    assert cat.get("rcpt_to.in_host_list").package == "Haraka"
    assert [(h.hook, h.method) for h in cat.get("haraka-plugin-spf").hooks] == [
        ("helo", "helo_spf"), ("ehlo", "helo_spf"), ("mail", "hook_mail")]
    bounce = {(h.hook, h.method): h.priority for h in cat.get("bounce").hooks}
    assert bounce[("mail", "check_null_sender")] == -5


def test_every_hook_in_the_catalog_is_one_haraka_runs():
    for name, info in load_catalog().plugins.items():
        for reg in info.hooks:
            assert reg.hook in HARAKA_O_HOOKS, f"{name}: unknown hook {reg.hook}"
            assert -100 <= reg.priority <= 100


def test_aliases_are_harakas_deprecated_map():
    aliases = load_catalog().aliases
    assert aliases["dkim_verify"] == "dkim"
    assert aliases["rcpt_to.qmail_deliverable"] == "qmail-deliverable"
    assert aliases["relay_all"] == "relay"
    assert len(aliases) == 31
    assert load_catalog().get("dkim_verify").name == "dkim"


def test_wildduck_entry_matches_its_source():
    info = load_catalog().get("wildduck")
    assert info.source == "manual"
    assert info.package == "haraka-plugin-wildduck" and info.version == "6.0.1"
    assert [(h.hook, h.method, h.priority) for h in info.hooks] == [
        ("init_master", "open_database", 0), ("init_child", "open_database", 0),
        ("deny", "hook_deny", 0), ("max_data_exceeded", "hook_max_data_exceeded", 0),
        ("mail", "hook_mail", 0), ("data_post", "hook_data_post", 0),
        ("rcpt", "hook_rcpt", 0), ("queue", "hook_queue", 0)]
    assert {"rcpt_validator", "queue", "storage", "spam"} <= set(info.roles)
    assert info.config_files == ["wildduck.yaml"]


def test_roles_cover_every_plugin():
    cat = load_catalog()
    for name, info in cat.plugins.items():
        assert info.roles, f"{name} has no roles"
        assert set(info.roles) <= ROLES, f"{name}: roles outside the vocabulary {set(info.roles) - ROLES}"
        assert info.summary.strip(), f"{name} has no summary"
        assert isinstance(info.config_files, list)


def test_overlays_name_only_known_plugins():
    generated = set(shipped_raw()["plugins"])
    for path in sorted(kb_path("plugins").glob("overlay-*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, data in doc["plugins"].items():
            assert name in generated or data.get("source") == "manual", f"{path.name}: {name} is a typo?"
            assert "hooks" not in data or data.get("source") == "manual", \
                f"{path.name}: {name} overrides generated hooks"


def test_shipped_catalog_is_exactly_what_write_catalog_produces():
    text = CATALOG_YAML.read_text(encoding="utf-8")
    assert render_catalog(shipped_raw()) == text
    assert text.startswith("# GENERATED FILE") and "mxdoctor catalog build" in text


def test_conditional_hooks_record_relay_switches():
    relay = shipped_raw()["plugins"]["relay"]
    cond = {(c["method"], c["effect"]): c["when"] for c in relay["conditional_hooks"]}
    assert cond[("all", "adds")] == "relay.ini [relay] all=true"
    assert cond[("acl", "removes")] == "relay.ini [relay] acl=false"
    assert "qmail-queue binary" in shipped_raw()["plugins"]["queue/qmail-queue"]["requires"]


def test_user_catalog_file_merges_over_shipped(tmp_path):
    extra = tmp_path / "mine.yaml"
    extra.write_text("plugins:\n  my_rcpt:\n    source: user\n    roles: [rcpt_validator]\n"
                     "    hooks:\n      - {hook: rcpt, method: hook_rcpt}\n", encoding="utf-8")
    cat = load_catalog([extra])
    assert cat.get("my_rcpt").hooks[0].priority == 0
    assert cat.get("wildduck") is not None


# ----------------------------------------------------------------------------- builder pieces

def test_diff_hooks_counts_repeats():
    base = [{"hook": "rcpt", "method": "a", "priority": 0}]
    probed = [{"hook": "rcpt", "method": "a", "priority": 0}, {"hook": "rcpt", "method": "a", "priority": 0},
              {"hook": "mail", "method": "b", "priority": -5}]
    assert diff_hooks(base, probed, "x=1") == [
        {"hook": "rcpt", "method": "a", "priority": 0, "when": "x=1", "effect": "adds"},
        {"hook": "mail", "method": "b", "priority": -5, "when": "x=1", "effect": "adds"}]
    assert diff_hooks(probed, base, "x=0")[-1]["effect"] == "removes"


def _fake_haraka(root: Path) -> Path:
    pkg = root / "node_modules" / "Haraka"
    (pkg / "plugins" / "queue").mkdir(parents=True)
    (pkg / "package.json").write_text('{"name": "Haraka", "version": "9.9.9"}', encoding="utf-8")
    (pkg / "plugins.js").write_text("", encoding="utf-8")
    (pkg / "plugins" / "tls.js").write_text("", encoding="utf-8")
    (pkg / "plugins" / "queue" / "lmtp.js").write_text("", encoding="utf-8")
    (pkg / "plugins" / ".eslintrc.yaml").write_text("", encoding="utf-8")
    for dep in ("haraka-plugin-spf", "haraka-config"):
        (root / "node_modules" / dep).mkdir()
        (root / "node_modules" / dep / "package.json").write_text("{}", encoding="utf-8")
    return root


def test_discovery_finds_core_npm_and_local_plugins(tmp_path):
    root = _fake_haraka(tmp_path)
    (root / "plugins" / "folder_plugin").mkdir(parents=True)
    (root / "plugins" / "folder_plugin" / "package.json").write_text("{}", encoding="utf-8")
    (root / "plugins" / "folder_plugin" / "index.js").write_text("", encoding="utf-8")
    (root / "plugins" / "mine.js").write_text("", encoding="utf-8")
    (root / "config").mkdir()
    layout = locate(root)
    assert layout.package_dir == root / "node_modules" / "Haraka"
    assert layout.instance_dir == root
    assert plugin_names(layout) == ["folder_plugin", "mine", "queue/lmtp", "spf", "tls"]


def test_locate_rejects_a_dir_without_haraka(tmp_path):
    with pytest.raises(InputError, match="no Haraka here"):
        locate(tmp_path)


def test_build_without_node_is_a_clear_input_error(tmp_path, monkeypatch, capsys):
    root = _fake_haraka(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.delenv("MXDOCTOR_NODE", raising=False)
    assert main(["catalog", "build", "--haraka", str(root)]) == 2
    assert "node is not installed" in capsys.readouterr().err


def test_cli_show_resolves_deprecated_names(capsys):
    assert main(["catalog", "show", "dkim_verify", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "dkim" and data["requested_as"] == "dkim_verify"
    assert main(["catalog", "show", "rcpt_to.in_host_lst"]) == 2
    assert "did you mean: rcpt_to.in_host_list" in capsys.readouterr().err
    assert main(["catalog", "show"]) == 0
    assert "wildduck" in capsys.readouterr().out


# ----------------------------------------------------------------------------- against real Haraka

@pytest.fixture(scope="module")
def haraka() -> Path:
    return require_haraka()


@pytest.fixture(scope="module")
def rebuilt(haraka) -> dict:
    return build_catalog(haraka)


@pytest.mark.haraka
def test_building_from_real_haraka_reproduces_the_shipped_catalog(rebuilt):
    shipped = shipped_raw()
    assert rebuilt["haraka_version"] == shipped["haraka_version"]
    assert rebuilt["aliases"] == shipped["aliases"]
    compared = 0
    for name, entry in shipped["plugins"].items():
        new = rebuilt["plugins"].get(name)
        assert new is not None, f"{name} no longer found in Haraka"
        if new.get("version") != entry.get("version"):
            continue   # a newer haraka-plugin-* release inside Haraka's ~ range: not comparable
        compared += 1
        for key in ("hooks", "conditional_hooks", "requires", "load_error"):
            assert new.get(key) == entry.get(key), f"{name}: {key} differs"
    core = [n for n, e in shipped["plugins"].items() if e.get("package") == "Haraka"]
    assert compared >= len(core) >= 28


@pytest.mark.haraka
def test_every_stock_plugins_file_name_is_known(haraka, tmp_path):
    inst = tmp_path / "inst"
    proc = subprocess.run(["node", str(haraka / "bin" / "haraka"), "-i", str(inst)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = (inst / "config" / "plugins").read_text(encoding="utf-8").splitlines()
    active = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    # the commented-out suggestions an admin uncomments: "# name" lines holding one plugin name
    suggested = [m.group(1) for ln in lines if (m := re.fullmatch(r"#\s*([a-z][\w.\-/]*)\s*", ln))]
    cat = load_catalog()
    assert active == ["mail_from.is_resolvable", "rcpt_to.in_host_list", "queue/smtp_forward"]
    assert len(suggested) >= 20
    assert [n for n in active + suggested if cat.get(n) is None] == []


@pytest.mark.haraka
def test_local_plugins_failures_and_async_registrations(haraka, tmp_path):
    inst = tmp_path / "inst"
    (inst / "plugins").mkdir(parents=True)
    (inst / "config").mkdir()
    (inst / "plugins" / "mine.js").write_text(
        "exports.register = function () { this.register_hook('rcpt', 'check', 200) }\n"
        "exports.check = function (next) { next() }\nexports.hook_data = function (next) { next() }\n",
        encoding="utf-8")
    (inst / "plugins" / "broken.js").write_text(
        "exports.register = function () { throw new Error('needs a database') }\n", encoding="utf-8")
    (inst / "plugins" / "later.js").write_text(
        "exports.register = async function () { await null; this.register_hook('rcpt', 'late') }\n"
        "exports.late = function (next) { next() }\n", encoding="utf-8")
    cat = build_catalog(haraka, ["mine", "broken", "later", "haraka-plugin-relay", "no_such"],
                        instance_dir=inst, probes=False)
    p = cat["plugins"]
    assert p["mine"]["source"] == "user"
    assert p["mine"]["hooks"] == [{"hook": "rcpt", "method": "check", "priority": 100},
                                  {"hook": "data", "method": "hook_data", "priority": 0}]
    assert p["broken"]["load_error"] == "Error: needs a database"
    assert p["later"]["hooks"] == [] and p["later"]["late_hooks"] == [
        {"hook": "rcpt", "method": "late", "priority": 0}]
    assert p["relay"]["package"] == "haraka-plugin-relay"
    assert "No plugin with this name found" in p["no_such"]["load_error"]
