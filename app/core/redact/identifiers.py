"""The reversible half of masking, used for what goes to an LLM: e-mail addresses, IPs and
domains become stable placeholders (`user1@domain1.example`, `IPv4_1`) and the answer shown to the
user has them restored. Secrets are never restored: they go through `app.core.redact.redact_text`.
"""
from __future__ import annotations

import ipaddress
import re

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
