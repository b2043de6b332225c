"""Per-hook run order, computed the way Haraka's plugins.js computes it.

Why: "which plugin answers first" decides what a mail server does, and it is not simply the order
of config/plugins. Haraka 3.3.4 loads plugins in config/plugins order; each registration gets the
next sequence number; priorities are clamped to [-100, 100]; then each hook's list is sorted by
priority, ties by sequence number. A plugin listed twice registers everything twice.
The result is checked against real `haraka -o` in tests/test_order.py.
"""
from __future__ import annotations

import math
import re
from typing import Any

from app.core.model import Catalog, PluginEntry

# The hooks `haraka -o` prints, in its order: bin/haraka reads them from the "Available Hooks"
# list in docs/Plugins.md (Haraka 3.3.4). A hook missing from this list is never printed by
# `haraka -o` even when a plugin registers it.
HARAKA_O_HOOKS: list[str] = [
    "init_master", "init_child", "init_http", "init_wss", "connect_init", "lookup_rdns",
    "connect", "capabilities", "unrecognized_command", "disconnect", "helo", "ehlo", "quit",
    "vrfy", "noop", "rset", "mail", "rcpt", "rcpt_ok", "data", "data_post", "max_data_exceeded",
    "queue", "queue_outbound", "queue_ok", "reset_transaction", "deny", "get_mx", "deferred",
    "bounce", "delivered", "send_email", "pre_send_trans_email", "log",
]

# The order hooks fire for one inbound SMTP transaction (server.js, connection.js, outbound/):
# process start; connect_init -> lookup_rdns -> connect; EHLO runs `ehlo` and then `capabilities`
# (the EHLO reply is built there); STARTTLS/AUTH arrive as unrecognized_command; MAIL, RCPT
# (rcpt_ok only after an OK), DATA, end of data (or max_data_exceeded); queue when the client is
# not relaying, queue_outbound when it is (queue/deliver -> pre_send_trans_email), then queue_ok;
# outbound delivery happens later; QUIT -> reset_transaction -> disconnect. `deny` runs whenever
# a hook answers DENY/DENYSOFT/DENYDISCONNECT (except init_* hooks); `log` for every log line.
HOOK_RUN_ORDER: list[str] = [
    "init_master", "init_child", "init_http", "init_wss",
    "connect_init", "lookup_rdns", "connect",
    "helo", "ehlo", "capabilities", "unrecognized_command",
    "mail", "rcpt", "rcpt_ok", "data", "data_post", "max_data_exceeded",
    "queue", "queue_outbound", "pre_send_trans_email", "queue_ok",
    "send_email", "get_mx", "delivered", "deferred", "bounce",
    "rset", "vrfy", "noop", "quit", "reset_transaction", "disconnect",
    "deny", "log",
]

# Hooks where Haraka ignores the answer and runs every registered plugin (plugins.js).
RUN_EVERY_PLUGIN = frozenset({"connect_init", "disconnect"})

PRIORITY_MIN, PRIORITY_MAX = -100, 100


def clamp_priority(priority: Any) -> int:
    """plugins.js register_hook: parseInt(priority); NaN or 0 becomes 0; clamp to [-100, 100]."""
    value = _js_parse_int(priority) or 0
    return max(PRIORITY_MIN, min(PRIORITY_MAX, value))


def _js_parse_int(value: Any) -> int | None:
    """JavaScript parseInt for the values a catalog can hold (None for NaN)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else math.trunc(value)
    match = re.match(r"\s*([+-]?\d+)", str(value))
    return int(match.group(1)) if match else None


def hook_order(plugins: list[PluginEntry], catalog: Catalog
               ) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """({hook: [{plugin, method, priority}, ...]}, names the catalog does not know).

    Hooks come in `haraka -o` order, then any hook it does not print, in first-registration order.
    Within a hook: priority ascending, ties by registration order (config/plugins order, then the
    plugin's own registration order).
    """
    regs: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    unknown: list[str] = []
    sequence = 0
    for entry in plugins:
        info = catalog.plugins.get(entry.name) or catalog.get(entry.name)
        if info is None:
            if entry.name not in unknown:
                unknown.append(entry.name)
            continue
        for reg in info.hooks:
            priority = clamp_priority(reg.priority)
            regs.setdefault(reg.hook, []).append(
                (priority, sequence, {"plugin": entry.name, "method": reg.method, "priority": priority}))
            sequence += 1
    ordered_hooks = [h for h in HARAKA_O_HOOKS if h in regs] + [h for h in regs if h not in HARAKA_O_HOOKS]
    order = {hook: [item for _, _, item in sorted(regs[hook], key=lambda r: (r[0], r[1]))]
             for hook in ordered_hooks}
    return order, unknown
