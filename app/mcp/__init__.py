"""The MCP server (`mxdoctor mcp`): mxdoctor's deterministic checks as tools an admin's AI assistant
can call, so it diagnoses with them instead of guessing. A shell like app.cli and app.ui: it types
the arguments, calls the same plain functions and masks what comes back.

    server.py     build the server, register tools and resources, run it over stdio or HTTP
    arguments.py  the argument types the tools share, and the inputs they turn into
    guard.py      one wrapper per tool: answers masked, anticipated failures as tool errors
    tools.py      the tools, each a thin call into app.core, app.retrieval or app.answer
    resources.py  rule pages and notes at their mxdoctor:// addresses
"""
