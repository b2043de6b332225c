"""Mask secrets before anything is printed, stored or sent anywhere: the one masker behind every
report format, app page, export, store under MXDOCTOR_HOME, log record and LLM prompt.

A text is read by what it is made of, not by its file name (a paste mixes file kinds, a log
quotes a config line, a question quotes a command): each module below says where secrets stand
in one kind of text, as spans, and `spans.Spans.apply` masks them all at once.

  keyvalue    `name <sep> value` anywhere: ini, .env, YAML, JSON, TOML, logfmt, query strings, headers
  blocks      YAML block scalars, TOML multi-line strings, ini `[users]` sections
  keys        PEM private keys (also JSON-escaped or cut off), bare base64 DER keys
  shell       command lines, per command (`mongosh -p`, `curl -u`, `redis-cli -a`, `swaks --ap`, ...)
  directives  redis.conf / ACL / sentinel, netrc, msmtprc
  smtplog     SMTP AUTH payloads in Haraka's default/logfmt/json logs, swaks and telnet transcripts
  shapes      URL credentials (any scheme, or none), Authorization values, token formats, password hashes
  entropy     prose ("my password is ...") and random-looking strings next to a secret-like word

Masking keeps the shape (`auth_pass=****`, `mongodb://wild:****@db`, `C: **** state=1`), so the
admin still recognises the line and the checks still read the keys, plugin names and hooks.
`IdentifierMasker` (identifiers.py) is the reversible half used for what goes to an LLM.
"""
from __future__ import annotations

from app.core.redact import blocks, directives, entropy, keys, keyvalue, shapes, shell, smtplog
from app.core.redact.identifiers import IdentifierMasker, StreamRestorer
from app.core.redact.spans import MASK, Spans, lines

__all__ = ["MASK", "IdentifierMasker", "StreamRestorer", "mask_finding", "redact_line", "redact_obj",
           "redact_outbound", "redact_text", "scrub_known", "secret_values"]

WHOLE_TEXT = (keys.scan, blocks.scan, smtplog.scan)
PER_LINE = (keyvalue.scan_line, shell.scan_line, directives.scan_line, shapes.scan_line, entropy.scan_line)


def find_spans(text: str) -> Spans:
    """Where every secret of `text` stands."""
    spans = Spans(text)
    for scan in WHOLE_TEXT:
        scan(text, spans)
    for pos, line in lines(text):
        if len(line) < 6:
            continue
        for scan_line in PER_LINE:
            scan_line(line, pos, spans)
    return spans


def redact_text(text: str, found: set[str] | None = None) -> str:
    """Mask every secret in a block of text (a whole file, a report, a prompt). With `found`,
    the masked values are also collected there (see `scrub_known`)."""
    if not text:
        return text
    return find_spans(text).apply(found)


def redact_line(line: str, in_users_section: bool = False, found: set[str] | None = None) -> str:
    """One line (a log line in a table cell); `in_users_section` for a line of auth_flat_file's [users]."""
    if not in_users_section:
        return redact_text(line, found)
    return redact_text("[users]\n" + line, found)[len("[users]\n"):]


def secret_values(text: str) -> set[str]:
    """The secret values `redact_text` would mask in this text."""
    found: set[str] = set()
    redact_text(text, found)
    return found


def scrub_known(text: str, secrets: set[str] | frozenset[str]) -> str:
    """Mask values already known to be secrets wherever they appear, even in free prose."""
    if not text or not secrets:
        return text
    for s in sorted(secrets, key=len, reverse=True):
        if s in text:
            text = text.replace(s, MASK)
    return text


def redact_obj(obj, known: set[str] | frozenset[str] = frozenset()):
    """Redact every string inside a JSON-like structure (and scrub `known` secret values)."""
    if isinstance(obj, str):
        return scrub_known(redact_text(obj), known)
    if isinstance(obj, dict):
        return {k: redact_obj(v, known) for k, v in obj.items()}
    if isinstance(obj, list):
        return [redact_obj(v, known) for v in obj]
    if isinstance(obj, tuple):
        return tuple(redact_obj(v, known) for v in obj)
    return obj


def mask_finding(f, known: set[str] | frozenset[str] = frozenset()) -> None:
    """Mask every text of a finding that is shown (title, explanation, evidence, fix summary,
    patch, manual steps, assumptions, translations), in place. Fix ops and the fixed files keep
    the real values: they are applied to, and handed back as, the admin's own files."""
    def m(text: str) -> str:
        return scrub_known(redact_text(text), known) if text else text
    f.title, f.explanation, f.fix_summary = m(f.title), m(f.explanation), m(f.fix_summary)
    for e in f.evidence:
        e.text = m(e.text)
    f.assumes = {k: m(v) for k, v in f.assumes.items()}
    if getattr(f, "i18n", None):
        f.i18n = redact_obj(f.i18n, known)
    if f.fix is not None:
        f.fix.summary, f.fix.patch = m(f.fix.summary), m(f.fix.patch)
        f.fix.manual = [m(x) for x in f.fix.manual]


def redact_outbound(text: str, masker: IdentifierMasker | None = None, learn: bool = True,
                    known: set[str] | frozenset[str] = frozenset()) -> str:
    """Everything that leaves the process: secrets first (so URL credentials go before any
    domain detection), then the reversible identifiers."""
    text = scrub_known(redact_text(text), known)
    return masker.mask(text, learn=learn) if masker is not None else text
