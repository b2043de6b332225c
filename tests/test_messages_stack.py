"""The rest of the stack in the message index: WildDuck's and ZoneMTA's messages are read from their
code in their own shapes (npmlog prefixes, pino-like loggers, GELF records, API errors), their
shipped settings are listed, and their log lines are parsed and explained by the code that printed them."""
from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
from test_messages import _one, _tools

from app.build import stack
from app.build.settings import REDACTED, redact
from app.core.explain import explain_events
from app.core.logs import parse_line, parse_lines
from app.core.logs.formats import detect, has_level_mark
from app.core.messages import message_index, prefix_key

FIXTURE = Path(__file__).parent / "fixtures" / "js-stack-package"


@pytest.fixture(scope="module")
def extracted() -> list[dict]:
    from app.build.messages import extract
    found = extract([FIXTURE], _tools(), style="npmlog")
    assert found[str(FIXTURE)]["errors"] == []
    return found[str(FIXTURE)]["messages"]


# --------------------------------------------------------------------------- the extractor

def test_npmlog_calls_keep_their_prefix_and_util_format_template(extracted):
    db = _one(extracted, "LOADFAIL id={} error={}")
    assert (db["kind"], db["level"], db["prefix"], db["line"], db["function"]) == ("log", "ERROR", "DB", 16, "save")
    assert _one(extracted, "Redis at {} is slow {}")["level"] == "WARN"        # extra arguments follow a space
    one_arg = _one(extracted, "All sessions end id={}")                          # log.info(`Sender/${z}/${pid} ...`)
    assert one_arg["prefix"] == "Sender/{}/{}"
    size = _one(extracted, "Message {} too large: {} bytes")                     # app.logger is npmlog in ZoneMTA
    assert (size["prefix"], size["hooks"], size["config"]["keys"]) == ("Size", ["message:queue"], ["plugin:maxSize"])
    assert not [m for m in extracted if m["file"].startswith("examples/")]


def test_object_first_loggers_and_gelf_records(extracted):
    pino = _one(extracted, "Stored message for {}")
    assert pino["logger"] == "object" and "prefix" not in pino and pino["level"] == "INFO"
    gelf = _one(extracted, "[STOREFAIL] {}")
    assert (gelf["prefix"], gelf["level"], gelf["action"]) == ("Gelf", "WARN", "store")   # it carries _error


def test_api_errors_and_smtp_replies_from_error_objects(extracted):
    thrown = _one(extracted, "This user does not exist")          # err.responseCode = 404; err.code = '...'
    assert (thrown["kind"], thrown["code"], thrown["status"]) == ("api", "UserNotFound", 404)
    routed = _one(extracted, "Unknown user")                      # res.status(404); return res.json({...})
    assert (routed["code"], routed["status"], routed["function"]) == ("UserNotFound", 404, "GET /users/:user")
    old_style = _one(extracted, "Queue not yet initialized")      # res.json(500, {...})
    assert (old_style["status"], old_style["function"]) == (500, "POST /send")
    smtp = _one(extracted, "Message too large")                   # 552 without a code: an SMTP reply
    assert (smtp["kind"], smtp["code"]) == ("reply", "552")


def test_settle_names_adapter_prefixes_and_plugin_settings():
    base = {"kind": "log", "level": "INFO", "function": "f", "hooks": [], "line": 1}
    imap = dict(base, template="[{}] Connection from {}", file="imap-core/lib/imap-server.js", logger="object",
                config={"files": [], "keys": []})
    plugin = dict(base, template="Failed loading key: {}", file="plugins/core/dkim.js", prefix="DKIM",
                  config={"files": [], "keys": ["plugin:path", "dkim", "dkim.hashAlgo"]})
    computed = dict(base, template="{}", file="lib/x.js", logger="message", config={"files": [], "keys": []})
    (imap_out,) = stack.settle("wildduck", [imap, computed])
    assert imap_out["prefix"] == "IMAP" and "logger" not in imap_out
    (plugin_out,) = stack.settle("zone-mta", [plugin])
    assert plugin_out["config"]["keys"] == ["dkim.hashAlgo", "plugins.core/dkim.path"]


def test_settings_follow_wild_config_includes_and_keep_secrets_out():
    from app.build.settings import package_settings
    found = {s["key"]: s for s in package_settings(FIXTURE, _tools())}
    assert found["dbs.redis.port"] == {"key": "dbs.redis.port", "value": 6379, "file": "config/dbs.toml", "line": 5}
    assert found["dbs.mongo"]["value"] == f"mongodb://store:{REDACTED}@127.0.0.1:27017/mailstore"
    assert found["api.secret"]["value"] == REDACTED and found["api.port"]["value"] == 8080   # not test.toml's
    assert found["queue.maxQueueTime"]["value"] == 30 * 24 * 3600 * 1000                   # default.js, evaluated
    assert found["plugins.core/size.maxSize"]["file"] == "config/default.js"
    assert "dbs" not in found and "commented" not in str(found)
    assert redact("tls.key", "/etc/key.pem") == REDACTED and redact("imap.port", 993) == 993


# --------------------------------------------------------------------------- the shipped index

def test_shipped_index_has_wildduck_and_zone_mta_with_messages_and_settings():
    index = message_index()
    for name in ("wildduck", "zone-mta"):
        pkg = index.packages[name]
        assert pkg.style == "npmlog" and len(pkg.versions) >= 10 and len(pkg.messages) > 100, name
        kinds = {m.kind for m in pkg.messages}
        assert {"log", "api"} <= kinds, (name, kinds)
        settings = {s.key: s for s in pkg.settings}
        assert {"dbs.mongo", "dbs.redis.host", "dbs.redis.port", "api.port"} <= set(settings), name
        assert all(s.value == REDACTED or not s.value or redact(s.key, s.value) == s.value for s in pkg.settings)
    wd = {s.key: s for s in index.packages["wildduck"].settings}
    assert wd["dbs.redis.port"].file == "config/dbs.toml" and wd["lmtp.port"].value == 2424
    assert wd["dbs.redis.port"].link.endswith(f"/blob/v{wd['dbs.redis.port'].version}/config/dbs.toml"
                                              f"#L{wd['dbs.redis.port'].line}")
    zm = {s.key: s for s in index.packages["zone-mta"].settings}
    assert zm["smtpInterfaces.feeder.port"].value == 2525 and zm["api.pass"].value == REDACTED


def test_haraka_lines_still_find_haraka_messages_only():
    index = message_index()
    assert not any(m.package in stack.STACK_PACKAGES for ms in index.by_emitter.values() for m in ms)
    assert "wildduck" in index.emitters()       # haraka-plugin-wildduck, a Haraka plugin
    assert {m.package for m in index.candidates("wildduck")} <= {"haraka-plugin-wildduck", "Haraka",
                                                                    "haraka-net-utils", "haraka-config",
                                                                    *[p for p in index.packages if p.startswith("haraka-")]}


def test_an_api_error_code_is_found_by_code():
    found = message_index().api_errors("UserNotFound")
    assert found and {m.package for m in found} == {"wildduck"} and {m.status for m in found} == {404}
    assert any(m.template == "This user does not exist" and m.file.startswith("lib/api/") for m in found)
    assert any(m.function.startswith(("GET /users", "PUT /users", "DELETE /users")) for m in found)


def test_prefix_keys_of_code_and_of_lines_agree():
    assert prefix_key("Sender/{}/{}") == prefix_key("Sender/default/2211[4f2a]") == "Sender"
    assert prefix_key("API [Filter]") == "API" and prefix_key("HTTPBounce[{}]") == "HTTPBounce"
    assert prefix_key("{}/MTA-STS") == ""


# --------------------------------------------------------------------------- the log format

NPMLOG_LINES = [
    "ERR! Tasks Failed to process task queue error=MongoNetworkError: connect ECONNREFUSED 127.0.0.1:27017",
    "wildduck_1  | ERR! Redis SMFAIL key=u:5f1a6c3e9b1d2a0012345678 value=1 error=connect ECONNREFUSED 127.0.0.1:6379",
    "2024-11-24T10:00:01.123Z WARN IMAP [1c2d3e4f] FETCHERR error=Timeout query=uid 1:*",
    "Nov 24 10:00:02 mx zone-mta[2211]: ERR! Queue Could not initialize database: connect ECONNREFUSED 127.0.0.1:27017",
    "zone-mta_1  | ERR! DKIM Failed loading key: ENOENT: no such file or directory, open '/etc/zone-mta/dkim.pem'",
    ('info Gelf {"short_message":"WILDDUCK [AUTHFAIL] john","_component":"wildduck","_error":"Authentication failed",'
     '"_user":"5f1a6c3e9b1d2a0012345678"}'),
    ("ERR! Sender/default/2211[4f2a] id=18c5a3b0c9d000 18c5a3b0c9d000.1 Failed to process sender:delivered hook. "
     "Error: boom"),
]


def test_the_npmlog_format_reads_level_prefix_and_message():
    ev = parse_line(NPMLOG_LINES[1])
    assert (ev.level, ev.origin, ev.uuid) == ("ERROR", "Redis", None)
    assert ev.raw.startswith("ERR! Redis SMFAIL")                # docker compose's column peeled off
    warn = parse_line(NPMLOG_LINES[2])
    assert (warn.level, warn.origin, warn.timestamp) == ("WARN", "IMAP", "2024-11-24T10:00:01.123Z")
    syslog = parse_line(NPMLOG_LINES[3])
    assert (syslog.level, syslog.origin, syslog.timestamp) == ("ERROR", "Queue", "Nov 24 10:00:02")
    assert (parse_line("verb Queue polling").level, parse_line("sill IMAP [x] C: A1 NOOP").level) == ("DEBUG", "DEBUG")
    gelf = parse_line(NPMLOG_LINES[5])                            # a GELF record that reports a failure
    assert (gelf.level, gelf.origin) == ("WARN", "Gelf")
    assert detect("[ERROR] [-] [core] x").NAME == "default" and detect("ERR! LMTP x").NAME == "npmlog"
    assert detect("information about it") is None and has_level_mark("wildduck_1  | ERR! LMTP boom")


def test_wildduck_and_zone_mta_lines_are_explained_by_their_code():
    explained = [x for x in explain_events(parse_lines(NPMLOG_LINES, "stack.log")) if not x.continues]
    got = [(x.emitter, x.message.file if x.message else None) for x in explained]
    assert got == [("wildduck", "tasks.js"), ("wildduck", "lib/user-handler.js"),
                   ("wildduck", "lib/handlers/on-fetch.js"), ("zone-mta", "lib/mail-queue.js"),
                   ("zone-mta", "plugins/core/dkim.js"), ("wildduck", "lib/user-handler.js"),
                   ("zone-mta", "lib/sender.js")]
    assert [x.message.template for x in explained[:2]] == ["Failed to process task queue error={}",
                                                           "SMFAIL key={} value={} error={}"]
    assert explained[5].message.template == "[AUTHFAIL] {}"
    assert "WildDuck (Redis)" in explained[1].effect and "ZoneMTA (Queue)" in explained[3].effect
    assert explained[1].system.code in ("ECONNREFUSED", "REDIS_DOWN")
    assert explained[0].message.link().startswith("https://github.com/zone-eu/wildduck/blob/v")


def test_an_explanation_names_the_settings_that_control_it():
    index = message_index()
    (dkim,) = [x for x in explain_events(parse_lines(NPMLOG_LINES[4:5], "stack.log"))]
    keys = {s.key for s in index.settings_for(dkim.message)}
    assert {"plugins.core/dkim.path", "plugins.core/dkim.selector"} <= keys
    lmtp = next(m for m in index.packages["wildduck"].messages if m.prefix == "LMTP" and m.config_keys)
    assert any(s.key.startswith("lmtp.") for s in index.settings_for(lmtp))


def test_the_stack_s_database_refusals_have_words():
    from app.core.explain.syserrors import system_error
    dup = system_error("MongoServerError: E11000 duplicate key error collection: wildduck.addresses index: x", "wildduck")
    assert dup.code == "MONGO_DUPLICATE" and "wildduck.addresses" in dup.means
    readonly = system_error("ReplyError: READONLY You can't write against a read only replica.", "zone-mta")
    assert readonly.code == "REDIS_NO_WRITES" and "zone-mta" in readonly.fix


# --------------------------------------------------------------------------- runtime docs

def test_sources_pin_the_stack_at_the_indexed_releases_with_their_default_configs():
    import yaml

    from ingest.kbdata import kb_path
    specs = {s.get("package"): s for s in yaml.safe_load(kb_path("sources.yaml").read_text(encoding="utf-8"))["sources"]}
    for name in ("wildduck", "zone-mta"):
        pkg = message_index().packages[name]
        assert specs[name]["version"] == pkg.versions[-1] == pkg.settings[0].version, name
        assert specs[name]["repo_url"].endswith(f"/blob/v{pkg.versions[-1]}") and specs[name]["configs"]
    for name in ("wildduck", "zone-mta"):      # every file a shipped setting comes from is ingested as a page
        files = {s.file for s in message_index().packages[name].settings if not s.file.endswith(".json")}
        assert all(any(fnmatch.fnmatch(f, p) for p in specs[name]["configs"]) for f in files), (name, files)


def test_a_default_config_file_becomes_a_page_per_table_with_secrets_out(tmp_path):
    from ingest.sources.npm import config_to_doc
    path = tmp_path / "dbs.toml"
    path.write_text('# main database\nmongo = "mongodb://127.0.0.1:27017/wildduck"\n\n[redis]\nhost = "127.0.0.1"\n'
                    'password = "hunter2"\n', encoding="utf-8")
    doc = config_to_doc(path, "config/dbs.toml", "npm:wildduck@1.46.1", "https://x/config/dbs.toml", "wildduck 1.46.1")
    assert doc.title == "wildduck 1.46.1: default config config/dbs.toml" and doc.kind == "upstream"
    assert "## config/dbs.toml [redis]" in doc.text and "```toml\n# main database" in doc.text
    assert "hunter2" not in doc.text and 'password = <redacted>' in doc.text
