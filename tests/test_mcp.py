"""`mxdoctor mcp`, driven by the MCP SDK's own client over stdio and over streamable HTTP: the tools
are listed with their schemas (probe only with --allow-probe), `check` finds MXD101 in the built-in
example, a secret handed to any tool never comes back, a bad argument is a tool error after which
the session goes on, rule pages and notes are resources, and search/ask read a real (small) index.

One server per transport for the module, reached through an anyio blocking portal so the tests stay
plain functions; every call is bounded in time, so a hang fails instead of blocking the run."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "kb" / "examples" / "canonical" / "config"
TOOLS = {"check", "simulate", "triage", "explain_log_line", "search", "ask", "rule"}
CALL_SECONDS = 120

MONGO_PASSWORD = "s3cretPass"
INI_PASSWORD = "Tr0ub4dor-9x"
SECRETS = (MONGO_PASSWORD, INI_PASSWORD)
WILDDUCK_YAML = f"redis: 'redis://127.0.0.1:6379/3'\nmongo:\n    url: 'mongodb://wduser:{MONGO_PASSWORD}@db.internal:27017/wildduck'\n"
REDIS_INI = f"[server]\nhost=127.0.0.1\nport=6379\npassword={INI_PASSWORD}\n"
LOG = (f"[WARN] [-] [wildduck] Database connection to mongodb://wduser:{MONGO_PASSWORD}@db.internal:27017/wildduck "
       "failed: connect ECONNREFUSED 10.0.0.5:27017\n")


def example_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(EXAMPLE.iterdir())}


def server_env(home: Path) -> dict[str, str]:
    env = dict(os.environ, MXDOCTOR_HOME=str(home), MXDOCTOR_EMBEDDING="hash-64", PYTHONPATH=str(ROOT))
    for name in ("MXDOCTOR_LLM_BACKEND", "MXDOCTOR_LLM_BASE_URL", "OPENAI_API_KEY"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A real index of the shipped kb/ with the deterministic hash embedding (seconds)."""
    from ingest.pipeline import ingest
    root = tmp_path_factory.mktemp("mcphome")
    ingest(specs=[{"type": "kb"}], home=root, embedding="hash-64")
    return root


class Connected:
    """A client session on a server, called from plain test code through a blocking portal."""

    def __init__(self, portal, session):
        self.portal, self.session = portal, session

    def _run(self, method, *args, **kwargs):
        import anyio

        async def bounded():
            with anyio.fail_after(CALL_SECONDS):
                return await method(*args, **kwargs)
        return self.portal.call(bounded)

    def call(self, tool: str, arguments: dict):
        return self._run(self.session.call_tool, tool, arguments)

    def tools(self):
        return self._run(self.session.list_tools).tools

    def resources(self):
        return self._run(self.session.list_resources).resources

    def read(self, uri: str) -> str:
        return self._run(self.session.read_resource, uri).contents[0].text


@contextlib.asynccontextmanager
async def session_over(transport):
    import anyio
    from mcp import ClientSession
    async with transport as (read, write), ClientSession(read, write) as session:
        with anyio.fail_after(CALL_SECONDS):
            await session.initialize()
        yield session


@contextlib.contextmanager
def connected(transport):
    from anyio.from_thread import start_blocking_portal
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(session_over(transport)) as session:
        yield Connected(portal, session)


def stdio_transport(env: dict[str, str], *flags: str):
    from mcp.client.stdio import StdioServerParameters, stdio_client
    return stdio_client(StdioServerParameters(command=sys.executable, args=["-m", "app.cli", "mcp", *flags],
                                              env=env, cwd=str(ROOT)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the HTTP server exited ({proc.returncode}): {proc.stderr.read()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


@contextlib.contextmanager
def http_server(env: dict[str, str]):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "mcp", "--http", str(port)], env=env, cwd=str(ROOT),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_listening(port, proc)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module", params=["stdio", "http"])
def client(request, home):
    env = server_env(home)
    if request.param == "stdio":
        with connected(stdio_transport(env)) as c:
            yield c
        return
    from mcp.client.streamable_http import streamable_http_client
    with http_server(env) as url, connected(streamable_http_client(url)) as c:
        yield c


def text_of(result) -> str:
    """Everything a tool result shows the assistant: its content and its structured content."""
    parts = [getattr(block, "text", "") for block in result.content]
    if result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return "\n".join(parts)


def payload(result) -> dict:
    assert not result.is_error, text_of(result)
    return json.loads(result.content[0].text)


# ------------------------------------------------------------------------------------------ tools

def test_the_tools_are_listed_with_described_schemas_and_no_probe(client):
    tools = {t.name: t for t in client.tools()}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object"
        for name, prop in tool.input_schema["properties"].items():
            assert prop.get("description"), f"{tool.name}.{name} has no description"
    check = tools["check"].input_schema["properties"]
    assert {"plugins", "files", "paste", "logs", "config_dir", "haraka_version", "lang"} <= set(check)
    assert check["lang"]["enum"] == ["en", "zh"]
    assert tools["rule"].input_schema["required"] == ["rule_id"]
    assert tools["check"].annotations.read_only_hint


def test_check_finds_mxd101_in_the_built_in_example(client):
    by_text = payload(client.call("check", {"files": example_files()}))
    assert "MXD101" in [f["rule"] for f in by_text["findings"]]
    assert by_text["verdict"]["kind"] == "error"
    by_path = payload(client.call("check", {"config_dir": str(EXAMPLE), "lang": "zh"}))
    assert by_path["lang"] == "zh" and "MXD101" in [f["rule"] for f in by_path["findings"]]


def test_simulate_triage_and_explain_answer_from_the_core(client):
    files = example_files()
    sim = payload(client.call("simulate", {"plugins": files["plugins"], "files": {"host_list": files["host_list"]},
                                           "rcpt": ["user@example.com"]}))
    assert sim["hooks"] and sim["transaction"]["outcome"]
    report = payload(client.call("triage", {"logs": LOG}))
    assert [row["system"] for row in report["explained"]] == ["ECONNREFUSED"]
    line = payload(client.call("explain_log_line", {"line": LOG.strip()}))
    [explained] = line["explanations"]
    assert explained["emitter"] and explained["meaning"]
    assert explained["system_error"]["code"] == "ECONNREFUSED"


HOOK_RCPT_OK = ('[INFO] [47EDEE09-BD37-4E00-BB63-786741582175.1] [core]  hook=rcpt plugin=rcpt_to.in_host_list '
                'function=hook_rcpt params=<postmaster@example.com> retval=OK msg=""')


def test_explain_log_line_answers_the_quiet_line_of_the_canonical_bug(client):
    answer = payload(client.call("explain_log_line", {"line": HOOK_RCPT_OK, "haraka_version": "3.3.4"}))
    [x] = answer["explanations"]
    assert (x["category"], x["emitter"], x["hook"], x["function"]) == ("hook", "rcpt_to.in_host_list", "rcpt",
                                                                       "hook_rcpt")
    assert "/plugins/rcpt_to.in_host_list.js#L" in x["source"] and "asks no other plugin" in x["meaning"]
    zh = payload(client.call("explain_log_line", {"line": HOOK_RCPT_OK, "lang": "zh"}))
    assert "不再询问" in zh["explanations"][0]["meaning"]
    unknown = payload(client.call("explain_log_line", {"line": "[DEBUG] [-] [core] running disconnect hooks"}))
    assert unknown["explanations"] == [] and unknown["note"].startswith("Nothing mxdoctor can explain")


def test_rule_gives_the_page_the_cli_shows(client):
    from app.core.rules.loader import load_rules
    from app.core.rules.pages import rule_page_markdown
    result = client.call("rule", {"rule_id": "mxd101"})
    assert not result.is_error
    [mxd101] = [r for r in load_rules() if r.id == "MXD101"]
    assert result.content[0].text == rule_page_markdown(mxd101, "en")


def test_search_and_ask_read_the_index(client):
    found = payload(client.call("search", {"query": "rcpt_to.in_host_list wildduck recipients", "k": 3}))
    assert 1 <= len(found["passages"]) <= 3 and all(p["url"] for p in found["passages"])
    answer = payload(client.call("ask", {"question": "why is mail not stored?", "files": example_files()}))
    assert "MXD101" in answer["answer"] and answer["passages"]
    assert answer["llm"] is None


def test_a_secret_handed_to_any_tool_never_comes_back(client):
    files = {**example_files(), "wildduck.yaml": WILDDUCK_YAML, "redis.ini": REDIS_INI}
    paste = f"==> config/wildduck.yaml <==\n{WILDDUCK_YAML}==> config/redis.ini <==\n{REDIS_INI}"
    calls = [("check", {"files": files, "logs": LOG}, False),
             ("check", {"paste": paste}, False),
             ("simulate", {"files": files, "logs": LOG}, False),
             ("triage", {"logs": LOG, "timelines": True}, False),
             ("explain_log_line", {"line": LOG}, False),
             ("ask", {"question": f"is mongodb://wduser:{MONGO_PASSWORD}@db.internal right?", "files": files}, False),
             ("search", {"query": f"password={INI_PASSWORD} mongodb"}, False),
             ("check", {"rcpt": f"mongodb://wduser:{MONGO_PASSWORD}@db"}, True),            # wrong type
             ("rule", {"rule_id": f"password={INI_PASSWORD}"}, True)]                       # unknown rule
    for tool, arguments, error in calls:
        result = client.call(tool, arguments)
        shown = text_of(result)
        assert result.is_error == error, shown[:2000]
        for secret in SECRETS:
            assert secret not in shown, f"{tool} showed {secret}: {shown[:2000]}"


def test_bad_arguments_are_tool_errors_and_the_session_goes_on(client):
    wrong_type = client.call("rule", {"rule_id": 101})
    assert wrong_type.is_error and "rule_id" in text_of(wrong_type)
    unknown = client.call("rule", {"rule_id": "MXD1O1"})
    assert unknown.is_error and "MXD101" in text_of(unknown)
    missing = client.call("check", {"config_dir": "/nonexistent/haraka/config"})
    assert missing.is_error and "/nonexistent/haraka/config" in text_of(missing)
    nothing = client.call("check", {})
    assert nothing.is_error and "nothing to check" in text_of(nothing)
    out_of_range = client.call("search", {"query": "tls", "k": 500})
    assert out_of_range.is_error and "k:" in text_of(out_of_range)
    not_a_tool = client.call("probe", {"host": "127.0.0.1"})
    assert not_a_tool.is_error
    assert not client.call("rule", {"rule_id": "MXD101"}).is_error


# -------------------------------------------------------------------------------------- resources

def test_rule_pages_and_notes_are_resources(client):
    uris = {str(r.uri) for r in client.resources()}
    assert {"mxdoctor://rules/MXD101", "mxdoctor://notes/rcpt-in-host-list"} <= uris
    assert client.read("mxdoctor://rules/MXD101").startswith("# MXD101")
    assert "rcpt_to.in_host_list" in client.read("mxdoctor://notes/rcpt-in-host-list")
    zh = client.read("mxdoctor://rules/MXD101?lang=zh")
    assert zh.startswith("# MXD101") and any("\u4e00" <= ch <= "\u9fff" for ch in zh)


# --------------------------------------------------------------------------------- the command

def test_probe_is_offered_only_with_allow_probe(home):
    with connected(stdio_transport(server_env(home), "--allow-probe")) as c:
        tools = {t.name: t for t in c.tools()}
    assert set(tools) == TOOLS | {"probe"}
    assert {"host", "port", "rcpt", "mail_from", "helo", "starttls", "send"} <= set(
        tools["probe"].input_schema["properties"])


def test_probe_talks_to_the_server_it_is_given_and_attributes_each_reply(home):
    from smtp_standin import OUTSIDE, haraka_like_server
    with haraka_like_server() as port, connected(stdio_transport(server_env(home), "--allow-probe")) as c:
        result = c.call("probe", {"host": "127.0.0.1", "port": port, "rcpt": ["alice@example.com", OUTSIDE],
                                  "mail_from": "sender@example.net", "helo": "client.example.net", "timeout": 5})
    assert not result.is_error, result.content[0].text
    report = json.loads(result.content[0].text)
    replies = {(r["stage"], r.get("target")): r for r in report["session"]["replies"]}
    assert replies[("rcpt", OUTSIDE)]["code"] == 550
    assert replies[("rcpt", "alice@example.com")]["code"] == 250
    assert "data" not in {stage for stage, _ in replies}            # no DATA without send
    assert "I cannot deliver mail for" in result.content[0].text
    assert report["comparison"] is None                              # no config given: nothing to compare


def test_probe_sets_the_given_config_beside_the_live_replies(home):
    """The config arguments `check` takes reach the simulator: the comparison is there, and the
    recipient core refused is 'assumed' (host_list was not given), not a difference."""
    from smtp_standin import OUTSIDE, haraka_like_server
    with haraka_like_server() as port, connected(stdio_transport(server_env(home), "--allow-probe")) as c:
        schema = {t.name: t for t in c.tools()}["probe"].input_schema["properties"]
        result = c.call("probe", {"host": "127.0.0.1", "port": port, "rcpt": ["alice@example.com", OUTSIDE],
                                  "helo": "client.example.net", "timeout": 5, "haraka_version": "3.3.4",
                                  "plugins": "rcpt_to.in_host_list\nwildduck\n"})
        bad = c.call("probe", {"host": "127.0.0.1", "port": port, "rcpt": ["notanaddress"], "timeout": 5})
    assert {"plugins", "files", "paste", "config_dir", "tls_verify", "haraka_version"} <= set(schema)
    report = payload(result)
    assert report["version"] == "3.3.4" and report["version_from"] == "given"
    comparison = report["comparison"]
    assert comparison is not None and comparison["differ"] == 0, comparison
    row = next(r for r in comparison["rows"] if r["target"] == OUTSIDE)
    assert row["verdict"] == "assumed" and row["plugin"] == "rcpt_to.in_host_list", row
    assert bad.is_error and "is not an email address" in text_of(bad)


def test_http_beyond_loopback_is_refused_without_allow_remote(capsys):
    pytest.importorskip("mcp", reason="needs the mcp extra")
    from app.cli import main
    assert main(["mcp", "--http", str(free_port()), "--host", "0.0.0.0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_without_the_sdk_the_command_says_what_to_install():
    """A light install (no mcp package): one line naming the extra, exit 2."""
    code = "import sys; sys.modules['mcp'] = None; from app.cli import main; sys.exit(main(['mcp']))"
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=str(ROOT),
                          check=False, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and not done.stdout
    [line] = done.stderr.strip().splitlines()
    assert "pip install 'mxdoctor[mcp]'" in line


# ------------------------------------------------------------------------------------ the guard

def test_beyond_loopback_config_dir_is_refused_before_anything_is_read():
    pytest.importorskip("mcp", reason="needs the mcp extra")
    from mcp.server.mcpserver.exceptions import ToolError

    from app.mcp.guard import Policy, guarded
    from app.mcp.tools import check
    with pytest.raises(ToolError, match="MXDOCTOR_ALLOW_LOCAL_PATHS"):
        guarded(check, Policy(local_paths=False))(config_dir=str(EXAMPLE))
    assert guarded(check, Policy(local_paths=True))(config_dir=str(EXAMPLE))["findings"]


def test_a_bug_in_a_tool_is_a_tool_error_that_shows_no_secret(caplog):
    pytest.importorskip("mcp", reason="needs the mcp extra")
    from mcp.server.mcpserver.exceptions import ToolError

    from app.mcp.guard import Policy, guarded

    def broken(files: dict[str, str]) -> dict:
        raise RuntimeError(f"could not parse {files['wildduck.yaml']}")

    with pytest.raises(ToolError) as raised:
        guarded(broken, Policy())(files={"wildduck.yaml": WILDDUCK_YAML})
    assert "RuntimeError" in str(raised.value) and MONGO_PASSWORD not in str(raised.value)
    assert "could not parse" in caplog.text and MONGO_PASSWORD not in caplog.text
