"""What `mxdoctor replay` changes in a config to run it on loopback, without starting Haraka:
only what must change, every change said, every outside host pointed at loopback."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import InputError
from app.live.replay import ini
from app.live.replay.rewrite import Rewriter
from app.live.replay.sandbox import build_sandbox
from app.live.replay.source import read_source

DEAD, SINK = 40001, 40002

SMTP_INI = """; production
listen=[::0]:25,[::0]:587
daemonize=true
daemon_pid_file=/var/run/haraka.pid
user=haraka
group=haraka
nodes=cpus
[headers]
max_lines=1000
"""


def _changed(rw: Rewriter) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    return {(c.file, c.key): (c.was, c.now) for c in rw.changes}


def test_smtp_ini_keeps_everything_but_what_stops_a_local_run():
    rw = Rewriter({"smtp.ini": SMTP_INI}, DEAD, SINK)
    rw.smtp_ini()
    changed = _changed(rw)
    assert changed[("smtp.ini", "listen")] == ("[::0]:25,[::0]:587", "127.0.0.1:<port>")
    for key in ("daemonize", "daemon_pid_file", "user", "group"):
        assert changed[("smtp.ini", key)][1] is None and ini.get(rw.files["smtp.ini"], "main", key) is None
    assert changed[("smtp.ini", "nodes")] == ("cpus", "1")
    text = rw.files["smtp.ini"]
    assert "; production" in text and ini.get(text, "headers", "max_lines") == "1000"
    assert ini.get(text, "main", "listen") is None


def test_backends_point_at_loopback_and_are_said_dead():
    files = {"redis.ini": "[server]\nhost=10.0.0.7\nport=6379\n",
             "rspamd.ini": "[main]\nhost=rspamd.internal\nport=11333\n",
             "clamd.ini": "clamd_socket=10.0.0.9:3310\n",
             "spamassassin.ini": "spamd_socket=/var/run/spamd.sock\n",
             "smtp_forward.ini": "host=10.1.1.1\nport=25\n[example.com]\nhost=10.1.1.2\n"}
    rw = Rewriter(files, DEAD, SINK)
    rw.backends_ini(set())
    rw.forward("smtp_forward.ini")
    f = rw.files
    assert (ini.get(f["redis.ini"], "server", "host"), ini.get(f["redis.ini"], "server", "port")) == ("127.0.0.1", "40001")
    assert ini.get(f["rspamd.ini"], "main", "host") == "127.0.0.1"
    assert ini.get(f["clamd.ini"], "main", "clamd_socket") == "127.0.0.1:40001"
    assert ini.get(f["spamassassin.ini"], "main", "spamd_socket") == "127.0.0.1:40001"
    for section in ("main", "example.com"):
        assert ini.get(f["smtp_forward.ini"], section, "host") == "127.0.0.1"
        assert ini.get(f["smtp_forward.ini"], section, "port") == "40002"
    states = {b.name: (b.state, b.where) for b in rw.backends}
    assert states["Redis"] == ("dead", "127.0.0.1:40001") and states["rspamd"][0] == "dead"
    assert states["the forward host"] == ("stand-in", "127.0.0.1:40002")
    assert ("rspamd.ini", "host") in _changed(rw)


def test_a_backend_left_at_its_default_is_pointed_dead_when_a_plugin_uses_it():
    rw = Rewriter({}, DEAD, SINK)
    rw.backends_ini({"redis", "rspamd"})
    assert ini.get(rw.files["redis.ini"], "server", "port") == "40001"
    assert ini.get(rw.files["rspamd.ini"], "main", "host") == "127.0.0.1"
    assert "clamd.ini" not in rw.files and "spamassassin.ini" not in rw.files
    assert _changed(rw)[("redis.ini", "[server] host")] == (None, "127.0.0.1")


def test_a_quiet_log_level_becomes_info_and_an_unknown_format_default():
    rw = Rewriter({"log.ini": "[main]\nlevel=warn\nformat=fancy\ntimestamps=true\n"}, DEAD, SINK)
    assert rw.log_ini() == ("default", True)
    assert _changed(rw)[("log.ini", "level")] == ("warn", "info")


def _haraka_dir(tmp_path: Path) -> Path:
    (tmp_path / "config" / "tls").mkdir(parents=True)
    (tmp_path / "plugins").mkdir()
    files = {"config/plugins": "tls\nrcpt_to.in_host_list\nmy_check\nwildduck\nno_such_plugin_anywhere\n",
             "config/host_list": "example.com\n", "config/tls.ini": "key=/etc/ssl/key.pem\ncert=/etc/ssl/cert.pem\n",
             "config/tls/example.com.pem": "-----BEGIN PRIVATE KEY-----\nsecret\n",
             "config/wildduck.yaml": "mongo:\n  url: 'mongodb://db.internal:27017/wildduck'\nredis: 'redis://cache:6379/3'\n",
             "plugins/my_check.js": "exports.hook_rcpt = (next) => next()\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_sandbox_copies_the_config_but_not_the_keys(tmp_path):
    src = read_source(_haraka_dir(tmp_path))
    assert "tls/example.com.pem" in src.left_out and "tls/example.com.pem" not in src.config
    fake_haraka = tmp_path / "node_modules" / "Haraka"
    (fake_haraka / "plugins").mkdir(parents=True)
    for name in ("tls", "rcpt_to.in_host_list"):
        (fake_haraka / "plugins" / f"{name}.js").write_text("")
    asked = []
    box = build_sandbox(src, fake_haraka, {}, dead_port=DEAD, sink_port=SINK, users=["alice@example.com"],
                        install=lambda specs: asked.append(specs) or "not on npm")
    how = {p.name: p.how for p in box.plugins}
    assert how == {"tls": "bundled", "rcpt_to.in_host_list": "bundled", "my_check": "local",
                   "wildduck": "stand-in", "no_such_plugin_anywhere": "left out"}
    assert asked == []                       # an unknown name is not guessed at on npm
    assert "# no_such_plugin_anywhere" in box.config["plugins"]
    assert "wildduck.js" in box.plugin_files and "my_check.js" in box.plugin_files
    assert box.config["mxdoctor_replay_users"] == "alice@example.com\n"
    yaml = box.config["wildduck.yaml"]
    assert "db.internal" not in yaml and "cache:6379" not in yaml and f"127.0.0.1:{DEAD}" in yaml
    assert not any(isinstance(v, (str, bytes)) and "secret" in (v if isinstance(v, str) else v.decode())
                   for v in box.config.values())


def test_a_dir_without_config_plugins_is_refused(tmp_path):
    with pytest.raises(InputError, match="config/plugins"):
        read_source(tmp_path)


def test_the_release_comes_from_the_install_beside_the_config_dir(tmp_path):
    from app.live.replay.version import choose_version
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "plugins").write_text("rcpt_to.in_host_list\n")
    (tmp_path / "package.json").write_text('{"dependencies": {"Haraka": "~2.8.0"}}\n')
    chosen = choose_version(tmp_path / "config", None)
    assert chosen.version == "2.8.28" and chosen.source.startswith("package.json")
    assert choose_version(tmp_path / "config", "3.0.4").version == "3.0.4"
    with pytest.raises(InputError):
        choose_version(tmp_path, "9.x")


def test_every_listen_line_goes_each_said():
    """Haraka's stock smtp.ini has two `;listen=` lines; uncommented, both (and one in a section)
    must go, or the server's own listen line would clash with them."""
    text = "; stock\nlisten=[::0]:25\nlisten=[::0]:25,[::0]:587\nport=2525\n[extra]\nlisten=0.0.0.0:26\nlisten\n"
    rw = Rewriter({"smtp.ini": text}, DEAD, SINK)
    rw.smtp_ini()
    assert not any(key in ("listen", "port") for _i, _s, key, _v in ini.entries(rw.files["smtp.ini"]))
    said = [(c.key, c.was, c.now) for c in rw.changes if c.file == "smtp.ini"]
    assert said == [("listen", "[::0]:25", "127.0.0.1:<port>"), ("listen", "[::0]:25,[::0]:587", None),
                    ("port", "2525", None), ("[extra] listen", "0.0.0.0:26", None), ("[extra] listen", "", None)]
    assert "line 3" in rw.changes[1].why and "; stock" in rw.files["smtp.ini"]


def test_keys_are_said_for_what_they_are_and_dhparams_are_copied(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    files = {"plugins": "tls\n", "tls.ini": "; defaults\n", "tls_key.pem": "-----BEGIN PRIVATE KEY-----\nsecret\n",
             "tls_cert.pem": "-----BEGIN CERTIFICATE-----\nmine\n", "dhparams.pem": "-----BEGIN DH PARAMETERS-----\n"}
    for name, text in files.items():
        (config / name).write_text(text)
    src = read_source(tmp_path)
    assert sorted(src.left_out) == ["tls_cert.pem", "tls_key.pem"] and "dhparams.pem" in src.config
    fake_haraka = tmp_path / "node_modules" / "Haraka"
    (fake_haraka / "plugins").mkdir(parents=True)
    (fake_haraka / "plugins" / "tls.js").write_text("")
    box = build_sandbox(src, fake_haraka, {}, dead_port=DEAD, sink_port=SINK, users=[], install=lambda specs: None)
    said = {c.file: c for c in box.changes}
    assert "dhparams.pem" not in said and box.config["dhparams.pem"] == "-----BEGIN DH PARAMETERS-----\n"
    assert said["tls_key.pem"].was == "(your TLS private key)" and said["tls_cert.pem"].was == "(your TLS certificate)"
    for name in ("tls_key.pem", "tls_cert.pem"):
        assert "throw-away" in said[name].now and "takes its place" in said[name].why
        assert b"secret" not in box.config[name] and b"mine" not in box.config[name]
