"""Which findings bear on the question, so the answer leads with those.

A finding is relevant when the question shares distinctive words with it (its title,
explanation, evidence lines: a pasted `ECONNREFUSED 127.0.0.1:27017` matches the finding that
quotes that line) or names a symptom of its category ("attachments refused" → size). A question
that only asks "is this OK?" makes every finding relevant. Nothing is dropped: findings that do
not match are still listed after the relevant ones.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.answer.terms import content_terms, idf_table, question_terms, stem, weight
from app.model import Finding

# symptom words → the rule categories they point at (our own list)
CONCEPTS: dict[str, set[str]] = {
    "recipients": {"rcpt", "recipient", "recipients", "550", "user", "users", "address", "addresses", "host_list",
                   "accepted", "accept", "unknown", "postmaster", "abuse", "validate", "resolved", "sender",
                   "whitelist"},
    "delivery": {"deliver", "delivered", "delivery", "arrive", "arrives", "arriving", "stored", "store", "saved",
                 "mongo", "mongodb", "queue", "processed", "lmtp", "forward", "mailbox", "inbox", "missing",
                 "disappear", "disappears", "lost", "451", "discard", "relay", "outbound", "storing"},
    "backends": {"mongo", "mongodb", "redis", "database", "db", "docker", "compose", "container", "econnrefused",
                 "imap", "stored", "dbs.toml", "notifications", "notification", "idle", "errc01", "errc02",
                 "errc03", "errq", "450", "27017", "6379"},
    "plugins": {"plugin", "plugins", "start", "startup", "load", "loading", "loaded", "module", "install", "npm",
                "upgrade", "upgrading", "name", "exit", "exits", "refuses", "twice", "duplicate", "spf", "dkim",
                "dkim_verify", "deprecated", "replaced"},
    "timeouts": {"timeout", "timeouts", "timed", "slow", "seconds", "hang", "hangs", "wait", "exception",
                 "typeerror", "plugin_timeout", "crit", "failed"},
    "tls": {"tls", "ssl", "starttls", "certificate", "cert", "key", "handshake", "auth", "authentication",
            "advertise", "privkey.pem", "openssl"},
    "network": {"port", "ports", "listen", "listeners", "587", "465", "25", "eaddrinuse", "eafnosupport", "ipv6",
                "bind", "submission", "thunderbird", "enotfound", "getaddrinfo"},
    "relay": {"relay", "relaying", "open", "blacklist", "blocklist", "acl", "relay_acl_allow", "0.0.0.0/0",
              "balancer", "listed"},
    "size": {"size", "big", "large", "attachment", "attachments", "databytes", "bytes", "limit", "mb", "too"},
    "spam": {"spam", "junk", "rspamd", "spamassassin", "spamd", "clamd", "virus", "scan", "scanned", "scanner"},
    "dns": {"dns", "dnsbl", "spamhaus", "resolver", "zone", "dns-list", "127.255.255.254", "blocklist"},
    "logging": {"loglevel", "level", "log.ini", "nothing", "empty", "verbose", "debug"},
}
SYMPTOM_ALL = {"stored", "store", "saved", "save", "arrive", "arriving", "arrives", "mailbox", "inbox", "missing",
               "lost", "disappear", "disappears", "receive", "received", "deliver", "delivered"}
# question terms come stemmed (`stored` → `stor`), so the word lists are compared in that form
CONCEPTS = {cat: {stem(w) for w in words} for cat, words in CONCEPTS.items()}
SYMPTOM_ALL = {stem(w) for w in SYMPTOM_ALL}
GENERIC_Q_RE = re.compile(
    r"(?i)\b(?:what(?:'s| is) wrong|anything wrong|any (?:problems?|issues?|mistakes?)|review|look (?:at|over)|"
    # "check my config" asks for a review; "how do I check that it reached MongoDB?" does not
    r"(?<!how do i )(?<!how do we )(?<!how to )(?<!how can i )check (?:my|our|this|these|it|the)\b|"
    r"is (?:this|it|my|our|the)\b.{0,60}\b(?:ok|okay|fine|correct|right|sane|safe|good|complete)|"
    r"(?:ok|okay|fine|correct|right|sane|safe)\s*\?\s*$|improve|sanity|nothing (?:is )?(?:\w+ )?wrong|"
    r"just checking|double[- ]check)\b"
    r"|有没有.{0,8}(?:问题|改进|错误)|帮.{0,6}(?:检查|看)|检查一下|看起来正常|正常吗|对吗|有问题吗|合理吗|可以吗|行吗|没问题吧")
VERIFY_Q_RE = re.compile(
    r"(?i)\bhow (?:do|can|should|would) (?:i|we|you) (?:check|test|verify|confirm|make sure)\b|\bhow to (?:check|test|verify)\b"
    r"|(?:怎么|怎样|如何)(?:才能)?(?:确认|验证|测试|检查)")
# named in almost every question to this tool, so sharing it says nothing about which finding is meant
NEUTRAL = {"wildduck"}
MIN_SCORE = 3.0           # a category match alone is enough; one distinctive shared word too
CATEGORY_BONUS = 2.0


@dataclass
class Relevance:
    relevant: list[Finding] = field(default_factory=list)
    others: list[Finding] = field(default_factory=list)
    generic: bool = False          # the question asked for a review, so everything is relevant
    verify: bool = False           # the question asks how to test or confirm delivery: the steps answer it
    scores: dict[str, float] = field(default_factory=dict)


def question_categories(terms: set[str]) -> set[str]:
    cats = {cat for cat, words in CONCEPTS.items() if terms & words}
    if terms & SYMPTOM_ALL:
        cats |= {"recipients", "delivery", "backends"}
    return cats


def finding_terms(f: Finding) -> set[str]:
    text = " ".join([f.title, f.explanation, f.category, f.fix_summary]
                    + [e.text for e in f.evidence] + [c.split(":", 1)[-1] for c in f.citations if c.startswith("note:")])
    return set(content_terms(text))


def score_finding(qterms: set[str], cats: set[str], f: Finding, table=None) -> float:
    table = table or idf_table()
    s = sum(weight(t, table) for t in (qterms - NEUTRAL) & finding_terms(f))
    return s + (CATEGORY_BONUS if f.category in cats else 0.0)


def is_generic(question: str) -> bool:
    return bool(GENERIC_Q_RE.search(question or ""))


def asks_how_to_verify(question: str) -> bool:
    return bool(VERIFY_Q_RE.search(question or ""))


def split_relevant(question: str, findings: list[Finding], previous_rules: list[str] | None = None) -> Relevance:
    """Findings in answer order: relevant ones first (best match, then severity), then the rest."""
    verify = asks_how_to_verify(question)
    if not findings:
        return Relevance(generic=is_generic(question), verify=verify)
    if is_generic(question):
        return Relevance(relevant=sorted(findings, key=lambda f: f.sort_key()), generic=True, verify=verify)
    qterms = question_terms(question)
    cats = question_categories(qterms)
    table = idf_table()
    scores = {f.rule: score_finding(qterms, cats, f, table) for f in findings}
    for rule in previous_rules or []:          # a follow-up keeps the thread it continues
        if rule in scores:
            scores[rule] += MIN_SCORE / 2
    relevant = [f for f in findings if scores[f.rule] >= MIN_SCORE]
    relevant.sort(key=lambda f: (-round(scores[f.rule]), f.sort_key()))
    others = sorted((f for f in findings if scores[f.rule] < MIN_SCORE), key=lambda f: f.sort_key())
    return Relevance(relevant=relevant, others=others, scores=scores, verify=verify)
