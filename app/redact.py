"""Mask secrets before anything is printed, stored or sent anywhere.

Covers ini/yaml/toml keys that hold secrets (passwords, auth_pass, srs secret, API keys, tokens),
credentials inside URLs (mongodb://user:pass@, redis://:pass@, amqp://...), PEM private keys, and
the `[users]` section of auth_flat_file.ini. Masking keeps the shape ("pass=****") so the
admin still recognises the line.
"""
from __future__ import annotations

import re

MASK = "****"
SECRET_KEY = (r"(?:[\w.\-]*?(?:pass(?:word|wd)?|secret|token|api[_-]?key|apikey|private[_-]?key|"
              r"auth[_-]?pass|credentials?|access[_-]?key|client[_-]?secret|key[_-]?pass)[\w.\-]*)")
KEY_VALUE_RE = re.compile(rf"(?i)^(\s*[\"']?{SECRET_KEY}[\"']?\s*[:=]\s*)(?![\s{{\[]*$)([\"']?)(.+?)(\2)(\s*(?:[#;].*)?)$")
URL_CRED_RE = re.compile(r"(?i)\b((?:mongodb(?:\+srv)?|redis|rediss|amqps?|mysql|postgres(?:ql)?|https?|smtps?|ldaps?)://)"
                         r"([^:/@\s\"']*)(?::([^@/\s\"']*))?@")
PEM_RE = re.compile(r"-----BEGIN ((?:[A-Z]+ )*PRIVATE KEY)-----.*?(?:-----END \1-----|\Z)", re.S)
BEARER_RE = re.compile(r"(?i)\b(bearer\s+|authorization:\s*(?:basic|bearer)\s+)([A-Za-z0-9._~+/=\-]{8,})")
TOKEN_RE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{16,}|xox[baprs]-[A-Za-z0-9\-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|"
                      r"AKIA[0-9A-Z]{16})\b")
NOT_SECRET_VALUES = {"true", "false", "yes", "no", "on", "off", "null", "none", "", MASK}


def _mask_url(m: re.Match) -> str:
    scheme, user, password = m.group(1), m.group(2), m.group(3)
    if password is None:
        return f"{scheme}{MASK}@" if user else m.group(0)
    return f"{scheme}{user}:{MASK}@"


def _mask_kv(m: re.Match) -> str:
    value = m.group(3)
    if value.strip().lower() in NOT_SECRET_VALUES or "://" in value:
        return m.group(0)
    return f"{m.group(1)}{m.group(2)}{MASK}{m.group(4)}{m.group(5)}"


def redact_line(line: str, in_users_section: bool = False) -> str:
    if "://" in line and "@" in line:
        line = URL_CRED_RE.sub(_mask_url, line)
    if in_users_section and "=" in line and not line.lstrip().startswith(("#", ";", "[")):
        key, _, _ = line.partition("=")
        return f"{key}={MASK}"
    line = KEY_VALUE_RE.sub(_mask_kv, line)
    line = BEARER_RE.sub(lambda m: m.group(1) + MASK, line)
    return TOKEN_RE.sub(MASK, line)


def redact_text(text: str) -> str:
    """Mask every secret in a block of text (a whole file, a report, a prompt)."""
    if not text:
        return text
    if "PRIVATE KEY" in text:
        text = PEM_RE.sub(lambda m: f"-----BEGIN {m.group(1)}-----\n{MASK}\n-----END {m.group(1)}-----", text)
    out, users = [], False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            users = stripped.lower() == "[users]"
        out.append(redact_line(line, users))
    return "\n".join(out)


def redact_obj(obj):
    """Redact every string inside a JSON-like structure."""
    if isinstance(obj, str):
        return redact_text(obj)
    if isinstance(obj, dict):
        return {k: redact_obj(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [redact_obj(v) for v in obj]
    return obj
