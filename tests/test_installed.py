"""Evidence that a plugin is installed: seen at work in the logs, or shown by a pasted listing,
package.json or plugin file; and how such listings are read from a paste or an install dir."""
from __future__ import annotations

from app.core.checks import run_checks
from app.core.inputs import load_paste, load_paths, load_texts
from app.core.installed import listed_installed, listing_entries, local_sources, seen_running
from app.core.logs import parse_lines
from app.core.rules import load_rules

ALIASES = {"rate_limit": "limit"}


def _ran(lines: str) -> dict:
    return seen_running(parse_lines(lines.strip().splitlines(), "haraka.log"), ALIASES)


def test_seen_running_in_every_log_format():
    ran = _ran("""
[INFO] [-] [plugins] loading log-reader
[DEBUG] [-] [plugins] registered hook init_master to watch.redis_subscribe priority 0
[INFO] [ABC.1] [core]  hook=rcpt plugin=rate_limit function=hook_rcpt params=<a@example.com> retval=CONT msg=""
[NOTICE] [ABC] [@acme/haraka-plugin-audit] recorded a message
{"level":"INFO","uuid":"ABC.1","origin":"core","message":"","hook":"data_post","plugin":"mongodb","function":"hook_data_post","retval":"CONT"}
level=INFO uuid=ABC.1 origin=core message="" hook=queue plugin=queue-kafka function=hook_queue retval=OK
[INFO] [ABC] [core] Plugin slowpoke timed out on hook rcpt
[INFO] [-] [core] Loading plugin: old-style
""")
    assert set(ran) == {"log-reader", "watch", "limit", "@acme/haraka-plugin-audit", "mongodb", "queue-kafka",
                        "slowpoke", "old-style"}
    assert ran["limit"].how == "ran" and ran["limit"].line == 3 and ran["limit"].file == "haraka.log"


def test_a_plugin_that_failed_to_load_is_not_seen_running():
    ran = _ran("""
[INFO] [-] [plugins] loading missing-one
[CRIT] [-] [core] Caught exception:Loading plugin missing-one failed: No plugin with this name found
[INFO] [-] [plugins] loading fine-one
""")
    assert set(ran) == {"fine-one"}


def test_listing_entries_of_ls_npm_ls_and_tree():
    lines = """total 24
drwxr-xr-x  5 root root 4096 Jan  1 10:00 haraka-plugin-limit
lrwxrwxrwx  1 root root   30 Jan  1 10:00 haraka-plugin-linked -> ../src/plugin
haraka-mx@1.0.0 /etc/haraka
├── haraka-plugin-p0f@1.0.15
│ └── nested-dep@2.0.0
├── @acme/haraka-plugin-audit@0.2.0
`-- haraka-plugin-old@1.0.0
└── UNMET DEPENDENCY haraka-plugin-gone@^1.0.0
mongodb/  haraka-plugin-watch*  .  ..
""".splitlines()
    assert [name for name, _ in listing_entries(lines)] == [
        "haraka-plugin-limit", "haraka-plugin-linked", "haraka-plugin-p0f", "@acme/haraka-plugin-audit",
        "haraka-plugin-old", "mongodb", "haraka-plugin-watch"]


def test_listings_package_json_and_plugin_files_show_plugins_installed():
    cs = load_texts([
        ("node_modules/", "haraka-plugin-limit\nharaka-plugin-queue-kafka\n@acme\n"),
        ("/opt/haraka/node_modules/@acme/", "haraka-plugin-audit\n"),
        ("plugins/", "my_check.js\nfolder_plugin\n"),
        ("config/package.json", '{"dependencies": {"haraka-plugin-mongodb": "^1.8.6"},\n'
                                ' "optionalDependencies": {"haraka-plugin-p0f": "*"}}'),
        ("package-lock.json", '{"lockfileVersion": 3, "packages": {"": {}, "node_modules/haraka-plugin-gelf": {},'
                              ' "node_modules/haraka-plugin-gelf/node_modules/x": {}}}'),
        ("node_modules/haraka-plugin-dovecot/package.json", '{"name": "haraka-plugin-dovecot", '
                                                            '"dependencies": {"haraka-plugin-not-mine": "1"}}'),
        ("plugins/queue/custom.js", "exports.hook_queue = function (next) { next(OK) }\n"),
    ])
    listed = listed_installed(cs, ALIASES)
    assert set(listed) >= {"limit", "queue-kafka", "@acme/haraka-plugin-audit", "my_check", "folder_plugin",
                           "mongodb", "p0f", "gelf", "dovecot", "queue/custom", "custom"}
    assert "not-mine" not in listed and "x" not in listed
    assert listed["mongodb"].file == "config/package.json" and listed["mongodb"].line == 1
    assert listed["@acme/haraka-plugin-audit"].file == "node_modules/@acme/"
    assert local_sources(cs) == {"queue/custom", "custom"}


def test_a_pasted_ls_or_npm_ls_becomes_a_listing():
    cs = load_paste("""==> config/plugins <==
tls
mongodb
wildduck

$ ls -la /etc/haraka/node_modules
drwxr-xr-x  5 root root 4096 Jan  1 10:00 haraka-plugin-mongodb

$ npm ls --depth=0
haraka-mx@1.0.0 /etc/haraka
└── haraka-plugin-wildduck@5.8.43
""")
    assert cs.files["node_modules/"].kind == "listing" and cs.files["npm ls"].kind == "listing"
    assert cs.files["node_modules/"].parsed == ["haraka-plugin-mongodb"]
    assert cs.plugin_names() == ["tls", "mongodb", "wildduck"]
    assert {"mongodb", "wildduck"} <= set(listed_installed(cs))


def test_an_install_dirs_node_modules_is_listed_not_read(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "plugins").write_text("tls\nmongodb\n@acme/haraka-plugin-audit\n")
    for pkg in ("haraka-plugin-mongodb", "@acme/haraka-plugin-audit"):
        (tmp_path / "node_modules" / pkg).mkdir(parents=True)
        (tmp_path / "node_modules" / pkg / "package.json").write_text('{"name": "x"}')
    cs = load_paths([tmp_path])
    listing = cs.files["node_modules/"]
    assert listing.kind == "listing" and listing.parsed == ["@acme/haraka-plugin-audit", "haraka-plugin-mongodb"]
    assert not any(name.startswith("node_modules/") and name != "node_modules/" for name in cs.files)
    rules = [r for r in load_rules() if r.id in ("MXD304", "MXD310")]
    findings, _ = run_checks(cs, [], rules=rules)
    assert findings == []


def test_npm_plugin_warning_names_the_package_to_install():
    cs = load_texts([("config/plugins", "tls\nharaka-plugin-mongodb\nwildduck\n")])
    rules = [r for r in load_rules() if r.id in ("MXD304", "MXD310")]
    findings, _ = run_checks(cs, [], rules=rules)
    assert [f.rule for f in findings] == ["MXD310"]
    f = findings[0]
    assert f.severity == "warning"
    assert f.title == "Plugin haraka-plugin-mongodb comes from npm package haraka-plugin-mongodb: make sure it is installed"
    assert "npm install haraka-plugin-mongodb" in " ".join(f.fix.manual if f.fix else [])
    assert "will not start" not in f.title
