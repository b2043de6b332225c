"""hook_order must equal what real Haraka prints with `haraka -o` for the same config/plugins.

Each case writes a config/plugins into a fresh `haraka -i` install dir (plus local stand-in
plugins in its plugins/), runs the real `haraka -o -c DIR`, parses its tables and compares every
hook's plugin/method/priority list with app.core.simulate.order.hook_order.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from haraka_install import require_haraka

from app.core.catalog import load_catalog
from app.core.model import Catalog, HookRegistration, PluginInfo
from app.core.parsers.plugins_file import parse_plugins
from app.core.simulate.order import HARAKA_O_HOOKS, HOOK_RUN_ORDER, clamp_priority, hook_order

# ----------------------------------------------------------------------------- local plugins

# Registers the same hooks, in the same order, as haraka-plugin-wildduck 6.0.1 (index.js):
# register() adds init_master/init_child -> open_database; the hook_* methods follow in the
# order the module defines them.
WILDDUCK_STANDIN = """\
exports.register = function () {
    this.register_hook('init_master', 'open_database')
    this.register_hook('init_child', 'open_database')
}
exports.open_database = function (next) { next() }
exports.hook_deny = function (next) { next() }
exports.hook_max_data_exceeded = function (next) { next() }
exports.hook_mail = function (next) { next() }
exports.hook_data_post = function (next) { next() }
exports.hook_rcpt = function (next) { next() }
exports.hook_queue = function (next) { next() }
"""

# Priorities Haraka must clamp or parse: 150 -> 100, -250 -> -100, '7' -> 7, 5.9 -> 5, 'x' -> 0.
PRIO_PROBE = """\
exports.register = function () {
    this.register_hook('rcpt', 'late_rcpt', 150)
    this.register_hook('rcpt', 'early_rcpt', -250)
    this.register_hook('mail', 'string_prio', '7')
    this.register_hook('mail', 'float_prio', 5.9)
    this.register_hook('data_post', 'junk_prio', 'x')
    this.register_hook('connect', 'first_connect', -100)
}
exports.late_rcpt = function (next) { next() }
exports.early_rcpt = function (next) { next() }
exports.string_prio = function (next) { next() }
exports.float_prio = function (next) { next() }
exports.junk_prio = function (next) { next() }
exports.first_connect = function (next) { next() }
exports.hook_rcpt = function (next) { next() }
"""

# register() is async: what it registers after an await is not there when Haraka sorts, and
# `haraka -o` (which prints right after loading) never shows it.
ASYNC_REGISTER = """\
exports.register = async function () {
    this.register_hook('helo', 'sync_helo')
    await Promise.resolve()
    this.register_hook('rcpt', 'async_rcpt', -50)
}
exports.sync_helo = function (next) { next() }
exports.async_rcpt = function (next) { next() }
"""

LOCAL_PLUGINS = {"wildduck": WILDDUCK_STANDIN, "prio_probe": PRIO_PROBE, "async_register": ASYNC_REGISTER}

# What the catalog would say about the test-only plugins (priorities as written in the source,
# so hook_order has to clamp/parse them the way Haraka does).
EXTRA_CATALOG = {
    "prio_probe": [("rcpt", "late_rcpt", 150), ("rcpt", "early_rcpt", -250), ("mail", "string_prio", "7"),
                   ("mail", "float_prio", 5.9), ("data_post", "junk_prio", "x"),
                   ("connect", "first_connect", -100), ("rcpt", "hook_rcpt", 0)],
    "async_register": [("helo", "sync_helo", 0)],
}


# ----------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def haraka() -> Path:
    return require_haraka()


@pytest.fixture(scope="module")
def install(haraka: Path, tmp_path_factory) -> Path:
    """A fresh `haraka -i` install dir (it holds docs/Plugins.md, which `haraka -o` reads)."""
    root = tmp_path_factory.mktemp("haraka-order") / "inst"
    proc = subprocess.run(["node", str(haraka / "bin" / "haraka"), "-i", str(root)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    for name, code in LOCAL_PLUGINS.items():
        (root / "plugins" / f"{name}.js").write_text(code, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def stock_plugins_text(install: Path) -> str:
    return (install / "config" / "plugins").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    shipped = load_catalog()
    merged = Catalog(plugins=dict(shipped.plugins), aliases=dict(shipped.aliases),
                     haraka_version=shipped.haraka_version)
    for name, regs in EXTRA_CATALOG.items():
        merged.plugins[name] = PluginInfo(name=name, source="user", hooks=[
            HookRegistration(hook=h, method=m, priority=p) for h, m, p in regs])
    return merged


HOOK_LINE = re.compile(r"^Hook: (\S+) -+$")


def parse_haraka_order(text: str) -> dict[str, list[dict]]:
    """Tables printed by `haraka -o`: 'Hook: NAME ---', a header, dashes, then
    'plugin method prio timeout' rows until a blank line."""
    order: dict[str, list[dict]] = {}
    hook = None
    for line in text.splitlines():
        m = HOOK_LINE.match(line.strip())
        if m:
            hook = m.group(1)
            order[hook] = []
            continue
        if hook is None:
            continue
        parts = line.split()
        if not parts:
            hook = None
        elif parts[0] == "Plugin" or set(line.strip()) == {"-"}:
            continue
        else:
            assert len(parts) == 4, f"unexpected haraka -o row: {line!r}"
            order[hook].append({"plugin": parts[0], "method": parts[1], "priority": int(parts[2])})
    return order


def real_order(haraka: Path, install: Path, plugins_text: str) -> dict[str, list[dict]]:
    (install / "config" / "plugins").write_text(plugins_text, encoding="utf-8")
    proc = subprocess.run(["node", str(haraka / "bin" / "haraka"), "-o", "-c", str(install)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"haraka -o failed: {proc.stderr[-2000:]}"
    return parse_haraka_order(proc.stdout)


def predicted_order(plugins_text: str, catalog: Catalog) -> tuple[dict[str, list[dict]], list[str]]:
    entries, _ = parse_plugins(plugins_text.splitlines(), catalog.aliases)
    return hook_order(entries, catalog)


def assert_same_as_haraka(haraka, install, catalog, plugins_text) -> dict[str, list[dict]]:
    real = real_order(haraka, install, plugins_text)
    ours, unknown = predicted_order(plugins_text, catalog)
    assert unknown == []
    shown = {hook: regs for hook, regs in ours.items() if hook in HARAKA_O_HOOKS}
    assert list(shown) == list(real), "hooks listed in a different order or set"
    for hook in real:
        assert shown[hook] == real[hook], f"hook {hook} differs"
    return real


# ----------------------------------------------------------------------------- the cases

STOCK_LOADABLE_EXTRAS = "toobusy\nkarma\n"


@pytest.mark.haraka
def test_stock_plugins_file(haraka, install, catalog, stock_plugins_text):
    real = assert_same_as_haraka(haraka, install, catalog, stock_plugins_text)
    assert "rcpt" in real and real["rcpt"][0]["plugin"] == "rcpt_to.in_host_list"


@pytest.mark.haraka
def test_wildduck_mx_set(haraka, install, catalog):
    # The WildDuck installer's set, plus the common mistake of a host_list check before wildduck.
    text = "spf\ndkim_verify\nclamd\nrspamd\ntls\nrcpt_to.in_host_list\nwildduck\n"
    real = assert_same_as_haraka(haraka, install, catalog, text)
    assert [r["plugin"] for r in real["rcpt"]] == ["rcpt_to.in_host_list", "wildduck"]
    assert real["init_master"] == [{"plugin": "wildduck", "method": "open_database", "priority": 0}]
    assert [r["plugin"] for r in real["data_post"]] == ["dkim", "clamd", "rspamd", "wildduck"]


@pytest.mark.haraka
def test_duplicates_prefixes_and_deprecated_names(haraka, install, catalog):
    text = ("haraka-plugin-spf\nrcpt_to.in_host_list\nrelay_all\ndnsbl\ndata.headers\n"
            "rcpt_to.in_host_list\nharaka-plugin-relay\nspf\nwildduck\n")
    real = assert_same_as_haraka(haraka, install, catalog, text)
    # listed twice -> registered twice; relay_all and haraka-plugin-relay are both 'relay'
    assert [r["plugin"] for r in real["rcpt"]].count("rcpt_to.in_host_list") == 2
    assert [r["plugin"] for r in real["connect"]].count("relay") == 2
    assert [r["plugin"] for r in real["helo"]] == ["spf", "spf"]


@pytest.mark.haraka
def test_non_zero_priorities(haraka, install, catalog):
    # bounce registers at -5; prio_probe needs clamping and parseInt; access/karma interleave.
    text = "access\nmail_from.is_resolvable\nkarma\nprio_probe\nbounce\nspf\nheaders\nwildduck\n"
    real = assert_same_as_haraka(haraka, install, catalog, text)
    assert real["rcpt"][0] == {"plugin": "prio_probe", "method": "early_rcpt", "priority": -100}
    assert real["rcpt"][-1] == {"plugin": "prio_probe", "method": "late_rcpt", "priority": 100}
    assert real["mail"][0] == {"plugin": "bounce", "method": "check_null_sender", "priority": -5}
    assert [r["priority"] for r in real["mail"]][-2:] == [5, 7]


@pytest.mark.haraka
def test_every_loadable_plugin_at_once(haraka, install, catalog):
    # Everything the shipped catalog knows that starts under default config, in reverse name order
    # so ties are not simply alphabetical.
    names = sorted((n for n, p in load_catalog().plugins.items()
                    if p.source == "haraka" and n not in {"profile", "queue/qmail-queue"}), reverse=True)
    text = "\n".join([*names, "wildduck", "prio_probe"]) + "\n"
    real = assert_same_as_haraka(haraka, install, catalog, text)
    assert len(real) >= 25


@pytest.mark.haraka
def test_async_registrations_are_invisible_to_haraka_o(haraka, install, catalog):
    real = assert_same_as_haraka(haraka, install, catalog, "async_register\nrcpt_to.in_host_list\n")
    assert real["helo"] == [{"plugin": "async_register", "method": "sync_helo", "priority": 0}]
    assert all(r["plugin"] != "async_register" for r in real.get("rcpt", []))


# ----------------------------------------------------------------------------- no Haraka needed

def test_priority_clamp_matches_parseint():
    assert [clamp_priority(v) for v in (150, -250, "7", 5.9, -5.9, "x", None, "12abc", float("nan"))] \
        == [100, -100, 7, 5, -5, 0, 0, 12, 0]


def test_order_sorts_by_priority_then_registration(catalog):
    text = "prio_probe\nbounce\nmail_from.is_resolvable\nno_such_plugin\nno_such_plugin\n"
    order, unknown = predicted_order(text, catalog)
    assert unknown == ["no_such_plugin"]
    assert [(r["plugin"], r["method"]) for r in order["mail"]] == [
        ("bounce", "check_null_sender"), ("bounce", "reject_all"),
        ("mail_from.is_resolvable", "hook_mail"), ("prio_probe", "float_prio"), ("prio_probe", "string_prio")]
    assert list(order) == [h for h in HARAKA_O_HOOKS if h in order]


def test_hooks_outside_haraka_o_list_come_last():
    cat = Catalog(plugins={"odd": PluginInfo(name="odd", hooks=[
        HookRegistration("zzz_custom", "x"), HookRegistration("mail", "hook_mail")])})
    entries, _ = parse_plugins(["odd"], {})
    order, _ = hook_order(entries, cat)
    assert list(order) == ["mail", "zzz_custom"]


def test_run_order_covers_every_hook_haraka_o_knows():
    assert sorted(HOOK_RUN_ORDER) == sorted(HARAKA_O_HOOKS)
    pos = HOOK_RUN_ORDER.index
    assert pos("connect_init") < pos("lookup_rdns") < pos("connect") < pos("ehlo") < pos("capabilities")
    assert pos("mail") < pos("rcpt") < pos("rcpt_ok") < pos("data") < pos("data_post") < pos("queue")
    assert pos("queue") < pos("queue_ok") < pos("reset_transaction") < pos("disconnect")
