"""What later releases changed about something: changelog entries of a package newer than the
admin's version that mention given names and words, with their PR/issue numbers, each citing the
release's chunk — so an answer can say "fixed in 3.1.7 (#3604); you run 3.0.3 [n]".

Changelogs are indexed one release per chunk (ingest.changelog) with {package, version, date};
this reads them by metadata, not by similarity: a package's releases are few, and "later than
your version" and "mentions rspamd" are exact questions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.semver import parse_range, parse_version
from app.retrieval.index import Index, Passage, passage_from_chunk

REF_RE = re.compile(r"(?:\b[\w.-]+/[\w.-]+)?#\d{2,6}\b|\bGHSA(?:-[0-9a-z]{4}){3}\b", re.I)
BULLET_RE = re.compile(r"^(\s*)[-*+]\s+")
LOG_HEAD_RE = re.compile(r"^.*?\[(?:DEBUG|INFO|NOTICE|WARN|ERROR|CRIT|ALERT|EMERG|PROTOCOL)\]"
                         r"\s+\[[^\]]*\]\s+\[[^\]]*\]\s*")
MSG_RE = re.compile(r'\b(?:msg|error|err)="([^"]+)"')
WORD_RE = re.compile(r"[A-Za-z][A-Za-z_.'-]{3,}")
STOPWORDS = frozenset("""this that with from have been were will when then than them they there their what which
while into onto over under after before about could would should does done plugin plugins hook hooks
error errors failed fail code retval params function connection message messages mail server haraka
core info notice warn debug crit denysoft deny cont true false null undefined value values line
recipient recipients sender client make sure call calls called callback also only more some each every
other again still just""".split())


@dataclass
class Change:
    """One changelog entry of a release later than the admin's version."""
    package: str
    version: str                  # the release the entry is in
    date: str
    text: str                     # the entry, its sub-items folded into one line
    refs: list[str]               # "#3616", "haraka/Haraka#3604", "GHSA-4gxg-q43p-hfr2"
    passage: Passage              # the release's chunk: what the answer cites
    since: str                    # the admin's version (or range)
    maybe_have: bool = False      # the admin's version is a range that already allows this release
    matched: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"package": self.package, "version": self.version, "date": self.date, "text": self.text,
                "refs": self.refs, "since": self.since, "maybe_have": self.maybe_have, "matched": self.matched,
                "url": self.passage.link}


def entries(release_text: str) -> list[str]:
    """The release's entries: each bullet, a sub-bullet led by its parent ("outbound: client_pool:
    use tls_socket directly"), deeper items and wrapped lines folded into the entry above."""
    out: list[str] = []
    indents: list[int] = []          # top level, second level
    top = ""
    for line in release_text.split("\n"):
        m = BULLET_RE.match(line)
        text = line[m.end():].strip() if m else line.strip()
        if m and (not indents or len(m.group(1)) <= indents[0]):
            indents, top = [len(m.group(1))], text
            out.append(text)
        elif m and (len(indents) == 1 or len(m.group(1)) <= indents[1]):
            indents = indents[:1] + [len(m.group(1))]
            out.append(f"{top.rstrip(':')}: {text}")
        elif out and text and not text.startswith("#") and (m or line[:1] in (" ", "\t")):
            out[-1] += ("; " if m else " ") + text
    return out


def _term_re(term: str) -> re.Pattern:
    return re.compile(r"(?<![\w.])" + re.escape(term.lower()) + r"(?![\w])")


def _score(entry: str, names: list[str], words: list[str], own: str = "") -> tuple[int, list[str]]:
    """How well an entry matches: a name (a plugin's own changelog names it on every line) with a
    word, or two words; 0 when it does not."""
    low = entry.lower()
    hit_names = [n for n in names if n == own or _term_re(n).search(low)]
    hit_words = [w for w in words if _term_re(w).search(low)]
    ok = (hit_names and (hit_words or not words)) or len(hit_words) >= 2
    return (2 * len(hit_names) + len(hit_words) if ok else 0), hit_names + hit_words


def release_chunks(index: Index, package: str) -> list[tuple[str, str, dict]]:
    """(chunk id, text, metadata) of every indexed release of `package`."""
    got = index.store.collection.get(where={"$and": [{"kind": "changelog"}, {"package": package.lower()}]},
                                     include=["documents", "metadatas"])
    return list(zip(got["ids"], got["documents"], got["metadatas"]))


def _floor(version: str):
    """The lowest version the admin may run: the version itself, or the bottom of a range."""
    rng = parse_range(version)
    if rng is None:
        return None, None
    lows = [i.lo for i in rng.intervals]
    return rng, (rng.exact or (min(lows) if all(v is not None for v in lows) else parse_version("0.0.0")))


def later_changes(package: str, version: str, names: list[str] | tuple = (), words: list[str] | tuple = (),
                  index: Index | None = None, limit: int = 3) -> list[Change]:
    """Entries of releases of `package` after `version` that mention `names` (plugin or component
    names) together with one of `words` (from the message), or two of the words; the best first,
    then the earliest release. [] when the version is not one, or nothing is indexed."""
    rng, floor = _floor(version)
    if index is None or rng is None or not (names or words):
        return []
    names = [n.lower() for n in names if n]
    words = [w.lower() for w in words if w and w.lower() not in names]
    found: list[tuple[int, object, int, Change]] = []
    own = package.lower().removeprefix("haraka-plugin-")
    for cid, text, meta in release_chunks(index, package):
        release = parse_version(str(meta.get("version", "")))
        if release is None or release <= floor:
            continue
        for entry in entries(text):
            score, matched = _score(entry, names, words, own)
            if score:
                found.append((score, release, len(found), Change(
                    package=package.lower(), version=str(meta["version"]), date=str(meta.get("date", "")),
                    text=entry, refs=list(dict.fromkeys(REF_RE.findall(entry))),
                    passage=passage_from_chunk(0, 0.0, cid, text, meta), since=version,
                    maybe_have=rng.exact is None and rng.contains(release), matched=matched)))
    found.sort(key=lambda x: (-x[0], x[1]))
    return [c for *_, c in found[:limit]]


# --------------------------------------------------------------------------- a finding's terms

def message_words(log_line: str) -> list[str]:
    """Distinctive words of a log line's message (its msg="..." when there is one)."""
    m = MSG_RE.search(log_line)
    text = m.group(1) if m else LOG_HEAD_RE.sub("", log_line)
    text = re.sub(r"\b\w+=\S*", " ", text) if not m else text      # key=value fields say nothing
    out: list[str] = []
    for w in WORD_RE.findall(text):
        w = w.strip(".'-").lower()
        if len(w) >= 4 and w not in STOPWORDS and not re.search(r"\d", w) and w not in out:
            out.append(w)
    return out


def finding_terms(finding, plugin_names: set[str]) -> tuple[list[str], list[str]]:
    """(plugin names the finding's title and evidence name, words of its log messages)."""
    text = " ".join([finding.title] + [e.text for e in finding.evidence])
    names = sorted({n for n in plugin_names if len(n) > 2 and _term_re(n).search(text.lower())})
    words: list[str] = []
    for e in finding.evidence:
        if e.kind == "log":
            words += [w for w in message_words(e.text) if w not in words and w not in names]
    return names, words[:8]


def finding_changes(finding, versions, index: Index | None, limit: int = 1) -> list[Change]:
    """Later releases' entries about this finding, for the packages whose version is known: the
    plugins it names (their npm package) and Haraka itself."""
    if index is None or versions is None:
        return []
    from app.core.catalog import load_catalog
    catalog = load_catalog()
    names, words = finding_terms(finding, set(catalog.plugins))
    if not words:
        return []
    packages = ["haraka"] + [catalog.plugins[n].package.lower() for n in names
                             if catalog.plugins[n].package and catalog.plugins[n].package.lower() != "haraka"]
    out: list[Change] = []
    for package in dict.fromkeys(packages):
        best = versions.best(package)
        if best is not None:
            out += later_changes(package, best.version, names, words, index, limit)
    return sorted(out, key=lambda c: -len(c.matched))[:limit]
