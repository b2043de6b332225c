"""One wrapper around every tool, so no tool can forget it: what a tool returns is masked by the
masker behind every other output (app.core.redact), and the secrets found in the arguments are
scrubbed wherever they reappear; unusable input comes back as a tool error the assistant can read
and correct, never as a crash of the server; and the server's policy (may a caller name a path on
this machine?) is applied before the tool runs."""
from __future__ import annotations

import functools
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import ValidationError

from app.core.errors import InputError
from app.core.redact import redact_obj, redact_text, scrub_known, secret_values

log = logging.getLogger("mxdoctor.mcp")
# the core's caches (catalog, rules, message index) are shared by the whole process: one tool at a time
_one_at_a_time = threading.Lock()


@dataclass(frozen=True)
class Policy:
    """What callers may do, as the operator started the server."""
    local_paths: bool = True        # read `config_dir` paths of this machine (off beyond loopback)


def guarded(tool: Callable[..., Any], policy: Policy) -> Callable[..., Any]:
    """`tool` with masked answers, its failures as tool errors, and `policy` applied."""
    @functools.wraps(tool)
    def run(**arguments: Any) -> Any:
        known = frozenset(secrets_in(arguments.values()))
        if arguments.get("config_dir") and not policy.local_paths:
            raise ToolError("config_dir is off: this server is reachable beyond loopback (the operator may allow "
                            "it with MXDOCTOR_ALLOW_LOCAL_PATHS=1); give the files' text instead")
        try:
            with _one_at_a_time:
                answer = tool(**arguments)
        except InputError as exc:
            raise ToolError(masked(str(exc), known)) from None
        except ModuleNotFoundError as exc:
            raise ToolError(missing_package(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a bug: the server goes on, its log shows the masked traceback
            log.error("%s failed:\n%s", tool.__name__, masked(traceback.format_exc(), known))
            raise ToolError(f"mxdoctor failed on this input ({exc.__class__.__name__}); the server's log "
                            "has the details") from None
        return masked(answer, known)
    return run


def masked(answer: Any, known: frozenset[str] = frozenset()) -> Any:
    """An answer as every output of mxdoctor is shown: secrets masked, known secret values scrubbed."""
    if isinstance(answer, str):
        return scrub_known(redact_text(answer), known)
    return redact_obj(answer, known)


def secrets_in(values: Iterable[Any]) -> set[str]:
    """The secret values in the arguments (texts, and the texts inside lists and dicts)."""
    found: set[str] = set()
    for value in values:
        if isinstance(value, str):
            found |= secret_values(value)
        elif isinstance(value, dict):
            found |= secrets_in(value.values())
        elif isinstance(value, (list, tuple)):
            found |= secrets_in(value)
    return found


def missing_package(exc: ModuleNotFoundError) -> str:
    """A tool that needs a package this install lacks says which, and what to install."""
    name = (exc.name or "").split(".")[0]
    if name == "app":
        return f"this tool is not part of this mxdoctor build ({exc.name} is missing)"
    return f"this tool needs the app extra ({name} is not installed): pip install 'mxdoctor[app]'"


def argument_errors(tool: str, exc: ValidationError) -> str:
    """A schema mismatch as one line naming each argument and what is wrong with it, never its value
    (the value may be a secret)."""
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in err["loc"]) or "arguments"
        problems.append(f"{where}: {err['msg']}")
    return redact_text(f"invalid arguments for {tool}: " + "; ".join(problems))
