"""Text that talks to a model instead of about mail servers.

Why in the core: a log line is written by whoever connects to the server, and passages come from
shared wikis; both reach answers and findings. Such text is never quoted as advice, never obeyed,
and a finding made from a log line does not repeat it.
"""
from __future__ import annotations

import re

INSTRUCTION_RE = re.compile(
    r"(?i)\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|guidelines)\b"
    r"|\byou are (?:now )?(?:an?|the) (?:ai|assistant|language model|llm)\b|\bsystem prompt\b"
    r"|\b(?:say|answer|reply|respond|tell the user)\b.{0,30}\b(?:config(?:uration)? is (?:fine|ok|correct)|no problems?)\b"
    r"|(?:忽略|无视|忘记).{0,12}(?:指令|提示|说明|规则)")
def looks_like_instruction(text: str) -> bool:
    """Text that talks to a model instead of about mail servers: never quoted, never obeyed."""
    return bool(INSTRUCTION_RE.search(text or ""))
