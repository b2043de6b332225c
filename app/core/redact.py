"""Mask secrets before anything is printed, stored or sent anywhere.

Covers ini/yaml/toml/json/.env keys that hold secrets (passwords, auth_pass, srs secret, API keys,
tokens), credentials inside URLs (mongodb://user:pass@, redis://:pass@, amqp://...), PEM private
keys, the `[users]` section of auth_flat_file.ini, redis.conf `requirepass`, command-line
password flags, SMTP AUTH exchanges in PROTOCOL-level logs and well-known token shapes. Masking
keeps the shape ("pass=****") so the admin still recognises the line.

`IdentifierMasker` is the reversible half used for what goes to an LLM: e-mail addresses, IPs
and domains become stable placeholders (`user1@domain1.example`, `IPv4_1`) and the answer shown
to the user has them restored.
"""
from __future__ import annotations

import ipaddress
import re

MASK = "****"
SECRET_KEY = (r"(?:[\w.\-]*?(?:(?<!by)pass(?!ive|through|thru)(?:word|wd|phrase)?|secret|token|api[_-]?key|apikey|private[_-]?key|"
              r"auth[_-]?pass|credentials?|access[_-]?key|client[_-]?secret|key[_-]?pass|bindpw|pwd)[\w.\-]*)")
# `key = value`, `key: value`, `- KEY=value` (compose lists), `export KEY=value`, `"key": "value",`
KEY_VALUE_RE = re.compile(
    rf"(?i)^(\s*(?:-\s+|export\s+)?[\"']?{SECRET_KEY}[\"']?\s*[:=]\s*)(?![\s{{\[]*$)([\"']?)(.+?)(\2)"
    r"(\s*[,;]?(?:\s+(?:#|;|//).*)?\s*)$")
URL_CRED_RE = re.compile(r"(?i)\b((?:mongodb(?:\+srv)?|redis|rediss|amqps?|mysql|postgres(?:ql)?|https?|smtps?|"
                         r"ldaps?|ftp)://)([^:/@\s\"']*)(?::([^\s\"'/]*))?@(?=[^@\s\"'/]*(?:[/\s\"'?#,;]|$))")
PEM_RE = re.compile(r"-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY)-----.*?(?:-----END \1-----|\Z)", re.S)
BEARER_RE = re.compile(r"(?i)\b(bearer\s+|authorization:\s*(?:basic|bearer|token)\s+)([A-Za-z0-9._~+/=\-]{8,})")
TOKEN_RE = re.compile(r"\b(sk-[A-Za-z0-9_\-]{16,}|xox[baprs]-[A-Za-z0-9\-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}|"
                      r"AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{30,}|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|"
                      r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})")
SPACE_SECRET_RE = re.compile(r"(?i)^(\s*(?:requirepass|masterauth)\s+)(\S.*?)\s*$")
FLAG_RE = re.compile(r"(?i)(\s--?[\w-]*(?:pass(?:word)?|secret|token|api-?key)(?:=|\s+))([\"']?)([^\s\"']+)(\2)")
REDIS_CLI_RE = re.compile(r"(\bredis-cli\b[^\n]*?\s-a\s+)(\S+)")
SMTP_AUTH_RE = re.compile(r"(?i)(\bC:\s*AUTH\s+(?:PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5)\s+)(\S+)")
SMTP_B64_LINE_RE = re.compile(r"(\bC:\s+)([A-Za-z0-9+/]{4,}={0,2})\s*$")
SMTP_VERBS = {"DATA", "QUIT", "RSET", "NOOP", "HELP", "TURN", "STARTTLS", "ETRN"}
NOT_SECRET_VALUES = {"true", "false", "yes", "no", "on", "off", "null", "none", "", MASK}


class _Found:
    """Collects the secret values a redaction pass masked, so they can be scrubbed anywhere else
    they turn up (a password the user also typed into a question or a comment)."""

    def __init__(self, into: set[str] | None):
        self.into = into

    def add(self, value: str | None) -> None:
        if self.into is not None and value:
            v = value.strip().strip("\"'")
            if len(v) >= 4 and v.lower() not in NOT_SECRET_VALUES:
                self.into.add(v)


def _mask_url(m: re.Match, found: _Found) -> str:
    scheme, user, password = m.group(1), m.group(2), m.group(3)
    if password is None:
        found.add(user)
        return f"{scheme}{MASK}@" if user else m.group(0)
    found.add(password)
    return f"{scheme}{user}:{MASK}@"


def _mask_kv(m: re.Match, found: _Found) -> str:
    value = m.group(3)
    if value.strip().lower() in NOT_SECRET_VALUES or "://" in value:
        return m.group(0)
    found.add(value)
    quote = m.group(2)
    if not quote and m.group(1).rstrip().endswith(":"):
        quote = "'"        # YAML reads a bare **** as an alias: keep the file parseable
        return f"{m.group(1)}{quote}{MASK}{quote}{m.group(5)}"
    return f"{m.group(1)}{quote}{MASK}{m.group(4)}{m.group(5)}"


def _mask_b64_line(m: re.Match, found: _Found) -> str:
    if m.group(2).upper() in SMTP_VERBS:
        return m.group(0)
    found.add(m.group(2))
    return f"{m.group(1)}{MASK}"


def _keep(group: int, found: _Found, tail: int | None = None):
    """A replacement that keeps groups 1..group-1, masks `group` (recording it), keeps `tail`."""
    def sub(m: re.Match) -> str:
        found.add(m.group(group))
        head = "".join(m.group(i) or "" for i in range(1, group))
        return head + MASK + (m.group(tail) or "" if tail else "")
    return sub


def redact_line(line: str, in_users_section: bool = False, found: set[str] | None = None) -> str:
    f = _Found(found)
    if "://" in line and "@" in line:
        line = URL_CRED_RE.sub(lambda m: _mask_url(m, f), line)
    if in_users_section and "=" in line and not line.lstrip().startswith(("#", ";", "[")):
        key, _, value = line.partition("=")
        f.add(value)
        return f"{key}={MASK}"
    line = KEY_VALUE_RE.sub(lambda m: _mask_kv(m, f), line)
    line = SPACE_SECRET_RE.sub(_keep(2, f), line)
    if "-" in line:
        line = FLAG_RE.sub(_keep(3, f, tail=4), line)
        line = REDIS_CLI_RE.sub(_keep(2, f), line)
    if "C:" in line:
        line = SMTP_AUTH_RE.sub(_keep(2, f), line)
        line = SMTP_B64_LINE_RE.sub(lambda m: _mask_b64_line(m, f), line)
    line = BEARER_RE.sub(_keep(2, f), line)
    return TOKEN_RE.sub(lambda m: (f.add(m.group(0)), MASK)[1], line)


def redact_text(text: str, found: set[str] | None = None) -> str:
    """Mask every secret in a block of text (a whole file, a report, a prompt). With `found`,
    the masked values are also collected there (see `scrub_known`)."""
    if not text:
        return text
    if "PRIVATE KEY" in text:
        def _pem(m: re.Match) -> str:
            if found is not None:
                found.update(l.strip() for l in m.group(0).splitlines()[1:-1] if len(l.strip()) >= 16)
            return f"-----BEGIN {m.group(1)}-----\n{MASK}\n-----END {m.group(1)}-----"
        text = PEM_RE.sub(_pem, text)
    out, users = [], False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            users = stripped.lower() == "[users]"
        out.append(redact_line(line, users, found))
    return "\n".join(out)


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
    patch, manual steps, assumptions), in place. Fix ops and the fixed files keep the real values:
    they are applied to, and handed back as, the admin's own files."""
    def m(text: str) -> str:
        return scrub_known(redact_text(text), known) if text else text
    f.title, f.explanation, f.fix_summary = m(f.title), m(f.explanation), m(f.fix_summary)
    for e in f.evidence:
        e.text = m(e.text)
    f.assumes = {k: m(v) for k, v in f.assumes.items()}
    if f.fix is not None:
        f.fix.summary, f.fix.patch = m(f.fix.summary), m(f.fix.patch)
        f.fix.manual = [m(x) for x in f.fix.manual]


# --------------------------------------------------------------------------- reversible identifiers

# Real top-level domains common in mail setups. A whitelist, because config keys and file names
# look like domains too (`wildduck.yaml`, `smtp.ini`, `rcpt_to.in_host_list`).
TLDS = set("""com net org info biz io co me de uk fr nl eu ru cn jp kr in br au ca us ch at be se no dk fi pl cz sk
it es pt ee lv lt ie nz za mx ar cl tw hk sg my id vn th tr ua by kz il ae sa ir gr hu ro bg rs hr si is lu li
edu gov mil int app dev cloud online site xyz top shop tech ai email mail host network systems solutions
company services digital zone club pro name mobi asia tv cc ws la su ly gg to fm lan internal home corp""".split())
# Reserved names (RFC 2606/6761) are never anyone's real domain; our placeholders use `.example`.
SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"}
PUBLIC_DOMAINS = {
    # meaning matters for the diagnosis and they identify nobody
    "spamhaus.org", "spamcop.net", "sorbs.net", "barracudacentral.org", "mailspike.net", "uribl.com", "surbl.org",
    "abuseat.org", "dnswl.org", "senderscore.com", "s5h.net", "spameatingmonkey.net",
    "github.com", "githubusercontent.com", "github.io", "npmjs.com", "npmjs.org", "nodejs.org", "haraka.github.io",
    "wildduck.email", "mongodb.com", "mongodb.org", "redis.io", "docker.com", "docker.io", "rspamd.com",
    "google.com", "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "cloudflare.com", "quad9.net", "opendns.com", "letsencrypt.org", "jetmore.org",
}
KEEP_IPS = {"0.0.0.0", "255.255.255.255", "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9",
            "149.112.112.112", "208.67.222.222", "208.67.220.220"}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = rf"(?:{_LABEL}\.)+[a-z]{{2,24}}"
IDENT_RE = re.compile(
    rf"(?P<email>(?<![\w.+-])[\w.+-]{{1,64}}@{_DOMAIN}(?![\w-]|\.[a-z0-9]))"
    rf"|(?P<ip6>(?<![\w:.])[0-9a-f]{{0,4}}:[0-9a-f:.]{{1,44}}(?![\w:.]))"
    rf"|(?P<ip4>(?<![\w.])(?:\d{{1,3}}\.){{3}}\d{{1,3}}(?![\w]|\.\d))"
    rf"|(?P<domain>(?<![\w.-]){_DOMAIN}(?![\w-]|\.[a-z0-9]))", re.I)
PLACEHOLDER_CHARS = re.compile(r"[^\w.@:\-]")


def _base_domain(host: str) -> tuple[str, str]:
    """Split `mx.mail.example.co.uk` into (`mx.mail.`, `example.co.uk`)."""
    labels = host.split(".")
    n = 3 if len(labels) >= 3 and labels[-2] in SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[:-n]) + ("." if len(labels) > n else ""), ".".join(labels[-n:])


def _is_public(base: str) -> bool:
    return any(base == d or base.endswith("." + d) for d in PUBLIC_DOMAINS)


class IdentifierMasker:
    """Replace e-mail addresses, IPs and domains by placeholders, and put them back afterwards.

    One masker per conversation, so the same address gets the same placeholder in every turn
    (the LLM can then refer back to it) and a cached answer restores the same way.
    """

    def __init__(self, emails: bool = True, ips: bool = True, domains: bool = True):
        self.emails, self.ips, self.domains = emails, ips, domains
        self.forward: dict[str, str] = {}
        self.reverse: dict[str, str] = {}
        self._counts = {"domain": 0, "user": 0, "IPv4": 0, "IPv6": 0}
        self._restore_re: re.Pattern | None = None

    @property
    def active(self) -> bool:
        return self.emails or self.ips or self.domains

    def _placeholder(self, original: str, kind: str, make) -> str:
        key = original.lower() if kind in ("domain", "user") else original
        if key not in self.forward:
            self._counts[kind] += 1
            ph = make(self._counts[kind])
            self.forward[key] = ph
            self.reverse[ph] = original
            self._restore_re = None
        return self.forward[key]

    def _domain(self, host: str, learn: bool) -> str | None:
        host_l = host.lower()
        if host_l.rsplit(".", 1)[-1] not in TLDS:
            return None
        prefix, base = _base_domain(host)
        if _is_public(base.lower()):
            return None
        if not learn and base.lower() not in self.forward:
            return None
        return prefix + self._placeholder(base, "domain", lambda n: f"domain{n}.example")

    def _replace(self, m: re.Match, learn: bool) -> str:
        text = m.group(0)
        if m.group("email"):
            if not self.emails:
                local, _, host = text.rpartition("@")
                masked = self._domain(host, learn) if self.domains else None
                return f"{local}@{masked}" if masked else text
            local, _, host = text.rpartition("@")
            if host.lower().rsplit(".", 1)[-1] not in TLDS:
                return text
            masked_host = (self._domain(host, learn) if self.domains else None) or host
            if not learn and text.lower() not in self.forward:
                return f"{local}@{masked_host}"
            return self._placeholder(text, "user", lambda n: f"user{n}@{masked_host}")
        if m.group("ip4"):
            if not self.ips or not self._maskable_ip(text, 4):
                return text
            if not learn and text not in self.forward:
                return text
            return self._placeholder(text, "IPv4", lambda n: f"IPv4_{n}")
        if m.group("ip6"):
            return self._replace_ip6(text, learn)
        if m.group("domain") and self.domains:
            return self._domain(text, learn) or text
        return text

    def _replace_ip6(self, text: str, learn: bool) -> str:
        if not self.ips or text.count(":") < 2:
            return text
        try:
            addr = ipaddress.IPv6Address(text)
        except ValueError:
            return text
        if addr.ipv4_mapped is not None:      # ::ffff:192.0.2.25 - mask the IPv4 part only
            head, _, v4 = text.rpartition(":")
            if not self._maskable_ip(v4, 4) or (not learn and v4 not in self.forward):
                return text
            return f"{head}:" + self._placeholder(v4, "IPv4", lambda n: f"IPv4_{n}")
        if addr.is_unspecified or addr.is_loopback:
            return text
        if not learn and text not in self.forward:
            return text
        return self._placeholder(text, "IPv6", lambda n: f"IPv6_{n}")

    @staticmethod
    def _maskable_ip(text: str, version: int) -> bool:
        try:
            addr = ipaddress.IPv4Address(text)
        except ValueError:
            return False
        return not (addr.is_loopback or text in KEEP_IPS or text.startswith("255."))

    def mask(self, text: str, learn: bool = True) -> str:
        """Mask identifiers; with learn=False only the ones already seen (e.g. inside KB passages,
        where public documentation domains must stay as they are)."""
        if not text or not self.active:
            return text
        return IDENT_RE.sub(lambda m: self._replace(m, learn), text)

    def restore(self, text: str) -> str:
        if not text or not self.reverse:
            return text
        if self._restore_re is None:
            keys = sorted(self.reverse, key=len, reverse=True)
            self._restore_re = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, keys)) + r")(?![\w-])",
                                          re.I)
        lower = {k.lower(): v for k, v in self.reverse.items()}
        return self._restore_re.sub(lambda m: lower.get(m.group(0).lower(), m.group(0)), text)

    def restorer(self) -> "StreamRestorer":
        return StreamRestorer(self)


class StreamRestorer:
    """Restore placeholders in streamed text: a placeholder may arrive split over two chunks,
    so the trailing run of placeholder characters is held back until a separator arrives."""

    def __init__(self, masker: IdentifierMasker):
        self.masker = masker
        self.buf = ""

    def feed(self, chunk: str) -> str:
        self.buf += chunk
        cut = -1
        for m in PLACEHOLDER_CHARS.finditer(self.buf):
            cut = m.end()
        if cut <= 0:
            return ""
        ready, self.buf = self.buf[:cut], self.buf[cut:]
        return self.masker.restore(ready)

    def finish(self) -> str:
        rest, self.buf = self.buf, ""
        return self.masker.restore(rest)


def redact_outbound(text: str, masker: IdentifierMasker | None = None, learn: bool = True,
                    known: set[str] | frozenset[str] = frozenset()) -> str:
    """Everything that leaves the process: secrets first (so URL credentials go before any
    domain detection), then the reversible identifiers."""
    text = scrub_known(redact_text(text), known)
    return masker.mask(text, learn=learn) if masker is not None else text
