"""`mxdoctor mcp [--http PORT] [--host H] [--allow-probe]`: serve mxdoctor's tools to an AI assistant
over the Model Context Protocol (stdio by default; streamable HTTP with --http, on loopback).

The HTTP server has no authentication and a caller can make it read this machine's folders, so
serving beyond loopback takes --allow-remote, and then reading folders also takes
MXDOCTOR_ALLOW_LOCAL_PATHS=1 (as for the web app). In stdio mode nothing but the protocol reaches
stdout."""
from __future__ import annotations

import os
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("mcp", help="serve mxdoctor's checks to an AI assistant (MCP over stdio, or HTTP)")
    p.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP on PORT (at /mcp) instead "
                                                            "of stdio")
    p.add_argument("--host", default="127.0.0.1", help="with --http: address to listen on (default 127.0.0.1)")
    p.add_argument("--allow-remote", action="store_true", help="with --http: allow a --host beyond loopback "
                                                               "(the server has no authentication)")
    p.add_argument("--allow-probe", action="store_true", help="also offer the `probe` tool, which talks SMTP to "
                                                              "live servers")
    p.add_argument("--home", help="data directory (default: MXDOCTOR_HOME or the user data dir)")
    p.set_defaults(run=run)


def run(args) -> int:
    import mcp  # noqa: F401  - first: on a light install, the CLI says which extra to install

    from app.core.errors import InputError
    from app.mcp.guard import Policy
    from app.mcp.server import serve
    from ingest.netguard import is_loopback_host
    from ingest.settings import settings
    if args.home:
        os.environ["MXDOCTOR_HOME"] = str(Path(args.home).expanduser())
    if args.http is None:
        serve(allow_probe=args.allow_probe)
        return 0
    if not 0 < args.http < 65536:
        raise InputError(f"--http {args.http}: not a port")
    remote = not is_loopback_host(args.host)
    if remote and not args.allow_remote:
        raise InputError(f"refusing to serve MCP on {args.host}, beyond loopback: the server has no "
                         "authentication; add --allow-remote if that is meant")
    print(f"mxdoctor: MCP over HTTP at http://{args.host}:{args.http}/mcp  (Ctrl-C stops it)", file=sys.stderr)
    serve(http_port=args.http, host=args.host, allow_probe=args.allow_probe,
          policy=Policy(local_paths=not remote or settings().allow_local_paths))
    return 0
