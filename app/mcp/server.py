"""Build the MCP server (tools, resources) and run it over stdio or streamable HTTP.

Over stdio the SDK points file descriptor 1 at stderr while it serves, so a stray print can never
corrupt the protocol; over HTTP it listens where the CLI says (loopback unless the operator chose
otherwise), with the SDK's DNS-rebinding checks on loopback."""
from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.context import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import ValidationError

from app import __version__
from app.mcp import resources, tools
from app.mcp.guard import Policy, argument_errors, guarded

INSTRUCTIONS = (
    "mxdoctor diagnoses Haraka + WildDuck mail servers with deterministic checks. Prefer its tools over "
    "guessing: `check` the admin's config files and logs (findings with rule ids, evidence and verified "
    "fixes), `simulate` a transaction through the hook pipeline, `triage` or `explain_log_line` logs, "
    "`rule` for a finding's page, `search` / `ask` the knowledge base. Pass file contents as text; "
    "secrets in them are masked in every answer.")

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                            open_world_hint=False)
LIVE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)


class MxdoctorServer(MCPServer):
    """The SDK's server, with arguments that do not fit a tool's schema reported without their values."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None
                        ) -> Any:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(argument_errors(name, exc.__cause__)) from exc.__cause__
            raise


def build_server(*, allow_probe: bool = False, policy: Policy | None = None) -> MxdoctorServer:
    """The server with every tool (`probe` only when allowed) and every rule page and note."""
    policy = policy or Policy()
    server = MxdoctorServer("mxdoctor", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING")
    for tool in tools.TOOLS:
        server.add_tool(guarded(tool, policy), annotations=READ_ONLY)
    if allow_probe:
        server.add_tool(guarded(tools.probe, policy), annotations=LIVE)
    resources.register(server)
    return server


def serve(*, http_port: int | None = None, host: str = "127.0.0.1", allow_probe: bool = False,
          policy: Policy | None = None) -> None:
    """Serve until the client goes away (stdio) or Ctrl-C (HTTP, at http://HOST:PORT/mcp)."""
    server = build_server(allow_probe=allow_probe, policy=policy)
    if http_port is None:
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=http_port)

